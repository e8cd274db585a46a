import datetime

from ninja import Schema


class Tombstone(Schema):
    """A row that left the list since ``updated_since``: archived (the register never deletes)."""

    id: int
    archived_at: datetime.datetime


class Problem(Schema):
    """application/problem+json (RFC 9457)."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[dict] | None = None


# The problems an operation may answer, documented in the schema (bodies are problem+json).
READ_ERRORS = {400: Problem, 401: Problem, 404: Problem, 422: Problem, 429: Problem}
WRITE_ERRORS = {**READ_ERRORS, 403: Problem, 409: Problem, 413: Problem}
UPDATE_ERRORS = {**WRITE_ERRORS, 412: Problem, 428: Problem}
