"""ETag / If-None-Match on reads and If-Match on writes, with the version token of the forms
(hazards.services.version_token: the object's updated_at in microseconds), so that the API and the
pages refuse the same stale writes."""

from django.http import HttpResponse
from django.utils.translation import gettext as _

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
