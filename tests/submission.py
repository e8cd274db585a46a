"""The one-time key of the create forms (riskpilot.submissions.forms.OnceFormMixin), for tests that post a
form without loading its page first."""

import re
import uuid


def with_key(data: dict | None = None, **more) -> dict:
    """The form's data with a fresh key, as a freshly rendered form carries one."""
    return {**(data or {}), **more, "submission": str(uuid.uuid4())}


def rendered_key(response) -> str:
    """The key the page's form carries."""
    match = re.search(r'name="submission" value="([0-9a-f-]{36})"', response.content.decode())
    assert match, "the form carries no one-time key"
    return match.group(1)
