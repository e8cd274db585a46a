import uuid

import pytest

from api.services import token_create


@pytest.fixture(autouse=True)
def api_throttle_off(settings):
    # The throttle has tests of its own; elsewhere counts would carry over between tests.
    settings.API_THROTTLE_RATE = ""


def bearer(user) -> dict:
    """Headers of a request made with a new token of ``user``."""
    _token, secret = token_create(user=user, name=f"test {uuid.uuid4()}")
    return {"Authorization": f"Bearer {secret}"}
