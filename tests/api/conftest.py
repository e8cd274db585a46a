import json
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


def assess(client, row, headers, probability: int = 2, severity: int = 2):
    """Score a register row through the API (as the assess form would), as whoever ``headers`` name."""
    return client.post(
        "/api/v1/assessments/",
        json.dumps({"hazard_id": row.pk, "inputs": {"probability": probability, "severity": severity}}),
        content_type="application/json",
        headers=headers,
    )
