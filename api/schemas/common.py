import datetime
from typing import Annotated

from ninja import Schema
from pydantic import AfterValidator, Field, StringConstraints


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL; the forms refuse it too (ProhibitNullCharactersValidator).
    if "\x00" in value:
        raise ValueError("null character")
    return value


def text(max_length: int, min_length: int = 0):
    """A string input of at most ``max_length`` characters, without NUL."""
    return Annotated[
        str, StringConstraints(min_length=min_length, max_length=max_length), AfterValidator(_no_nul)
    ]


class Tombstone(Schema):
    """A row that left the list since ``updated_since``: archived or cancelled (``deleted``
    false), or deleted outright when an enterprise's register was restored from an export
    (``deleted`` true). A client keeping a copy drops the row either way."""

    id: int
    archived_at: datetime.datetime = Field(description="When the row left the list.")
    deleted: bool


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


def created_links(*operations: str, statuses: tuple[int, ...] = (201,)) -> dict:
    """openapi_extra of a create: OpenAPI links from the new object's id to the operations on it
    (the stateful tests follow them: create → read by id)."""
    links = {
        operation: {"operationId": operation, "parameters": {"pk": "$response.body#/id"}}
        for operation in operations
    }
    return {"responses": {status: {"links": links} for status in statuses}}


def listed_links(*operations: str) -> dict:
    """openapi_extra of a list: links from the first item's id to the operations on it."""
    links = {
        operation: {"operationId": operation, "parameters": {"pk": "$response.body#/items/0/id"}}
        for operation in operations
    }
    # Keyed by the status as a number, as django-ninja keys the responses it merges this into.
    return {"responses": {200: {"links": links}}}
