"""ETag / If-None-Match on reads and If-Match on writes, with the version token of the forms
(hazards.services.version_token: the object's updated_at in microseconds), so that the API and the
pages refuse the same stale writes."""

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja.responses import Status

from enterprises.access import get_for_user
from hazards.services import version_token

from .errors import PreconditionFailed, PreconditionRequired


def etag(obj) -> str:
    return f'"{version_token(obj.updated_at)}"'


def _tokens(header: str) -> list[str]:
    return [part.strip().removeprefix("W/").strip('"') for part in header.split(",") if part.strip()]


def not_modified(request, obj) -> HttpResponse | None:
    """A 304 when the client's If-None-Match names the current version."""
    header = request.headers.get("If-None-Match", "")
    current = version_token(obj.updated_at)
    if header and (header.strip() == "*" or current in _tokens(header)):
        response = HttpResponse(status=304)
        response["ETag"] = etag(obj)
        return response
    return None


def expected_version(request) -> str:
    """The version the client last read, from If-Match (required on updates)."""
    header = request.headers.get("If-Match", "")
    tokens = _tokens(header)
    if not tokens:
        raise PreconditionRequired
    if len(tokens) != 1 or not tokens[0].isdigit():
        raise PreconditionFailed(_("If-Match must carry one version, the ETag you last read."))
    return tokens[0]


def to_update(request, queryset, pk: int) -> tuple:
    """The object a write names and the version the client last read. If-Match is read first
    (428 without it, 412 when malformed), so that a blind write is refused whatever it names;
    then the object, as get_for_user with ``write`` (404 outside the caller's scope, 403 to a
    read-only role). The service given the version refuses a stale one with 412."""
    version = expected_version(request)
    return get_for_user(queryset, request.auth, write=True, pk=pk), version


def written(response: HttpResponse, queryset, pk: int, status: int = 200) -> Status:
    """The object as the write left it, read again, with the ETag the client's next If-Match
    names."""
    obj = queryset.get(pk=pk)
    response["ETag"] = etag(obj)
    return Status(status, obj)
