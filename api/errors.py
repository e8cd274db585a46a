"""Every API error as application/problem+json (RFC 9457): type, title, status, detail and, for
refused input, ``errors`` with the path of each field. Titles and details are translated into the
language of the request (api.language)."""

import json

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from . import language

PROBLEM_TYPE = "application/problem+json"

TITLES = {
    400: gettext_lazy("Bad request"),
    401: gettext_lazy("Authentication required"),
    403: gettext_lazy("Forbidden"),
    404: gettext_lazy("Not found"),
    405: gettext_lazy("Method not allowed"),
    409: gettext_lazy("Conflict"),
    412: gettext_lazy("Precondition failed"),
    413: gettext_lazy("Request body too large"),
    422: gettext_lazy("Invalid input"),
    428: gettext_lazy("Precondition required"),
    429: gettext_lazy("Too many requests"),
}
DETAILS = {
    401: gettext_lazy("Send a personal API token as 'Authorization: Bearer <token>', or sign in."),
    403: gettext_lazy("Your role may not do this."),
    404: gettext_lazy("No such object, or it is outside what you can see."),
    429: gettext_lazy("Too many requests with this token; wait and try again."),
}


class PreconditionFailed(Exception):
    """A write whose If-Match names a version other than the stored one (412)."""

    def __init__(self, detail: str):
        self.detail = detail
        super().__init__(detail)


class PreconditionRequired(Exception):
    """An update without If-Match (428): the API never overwrites blindly."""


class Conflict(Exception):
    def __init__(self, detail: str):
        self.detail = detail
        super().__init__(detail)


def problem(status: int, *, detail: str | None = None, errors: list | None = None, **headers) -> HttpResponse:
    body = {
        "type": f"urn:riskpilot:problem:{status}",
        "title": str(TITLES.get(status, "")),
        "status": status,
        "detail": str(detail if detail is not None else DETAILS.get(status, TITLES.get(status, ""))),
    }
    if errors:
        body["errors"] = errors
    response = HttpResponse(json.dumps(body, ensure_ascii=False), status=status, content_type=PROBLEM_TYPE)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _path(loc) -> str:
    """('body', 'payload', 'rows', 0, 'source') → 'rows.0.source': the path in the client's JSON."""
    parts = [str(part) for part in loc]
    if parts[:1] == ["body"] and len(parts) > 1:
        parts = parts[2:] if len(parts) > 2 else parts[1:]
    elif parts[:1] in (["query"], ["path"], ["header"]):
        parts = parts[1:]
    return ".".join(parts) or "body"


def _pydantic_message(error: dict) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return _("This field is required.")
    if kind.startswith("int") or kind.startswith("float"):
        return _("Enter a number.")
    if kind.startswith("date"):
        return _("Enter a valid date or time (ISO 8601).")
    if kind in ("json_invalid", "model_attributes_type", "dict_type"):
        return _("The body is not valid JSON of the expected shape.")
    if kind.startswith("string_too_long"):
        return _("The text is too long.")
    if kind in ("enum", "literal_error"):
        return _("Choose one of the listed values.")
    if kind.startswith("too_long"):
        return _("Too many items.")
    return _("Enter a valid value.")


def _django_errors(exc: DjangoValidationError, prefix: str = "") -> list[dict]:
    if hasattr(exc, "error_dict"):
        return [
            {
                "field": f"{prefix}{field}" if field != "__all__" else prefix.rstrip(".") or "body",
                "message": m,
            }
            for field, errors in exc.error_dict.items()
            for error in errors
            for m in error.messages
        ]
    return [{"field": prefix.rstrip(".") or "body", "message": m} for m in exc.messages]


def _is_stale(exc: DjangoValidationError) -> bool:
    errors = (
        [e for es in exc.error_dict.values() for e in es] if hasattr(exc, "error_dict") else exc.error_list
    )
    return any(e.code == "stale" for e in errors)


def install(api) -> None:
    """Replace ninja's default error handlers with problem+json ones."""

    @api.exception_handler(NinjaValidationError)
    def invalid_input(request, exc):
        language.ensure(request)
        errors = [{"field": _path(e.get("loc", ())), "message": _pydantic_message(e)} for e in exc.errors]
        return problem(422, detail=_("Some fields are invalid; see errors."), errors=errors)

    @api.exception_handler(DjangoValidationError)
    def refused_by_service(request, exc):
        language.ensure(request)
        if _is_stale(exc):
            return problem(412, detail=" ".join(exc.messages))
        return problem(
            422,
            detail=_("Some fields are invalid; see errors."),
            errors=_django_errors(exc, getattr(exc, "prefix", "")),
        )

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        language.ensure(request)
        return problem(401, WWW_Authenticate="Bearer")

    @api.exception_handler(Throttled)
    def throttled(request, exc):
        language.ensure(request)
        return problem(429)

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        language.ensure(request)
        status = exc.status_code
        if status == 401:
            return problem(401, WWW_Authenticate="Bearer")
        if status == 403 and "CSRF" in str(exc):
            return problem(
                403, detail=_("The CSRF check failed: send the X-CSRFToken header with a session.")
            )
        return problem(status, detail=str(DETAILS.get(status) or exc.message))

    @api.exception_handler(Http404)
    def not_found(request, exc):
        language.ensure(request)
        return problem(404)

    @api.exception_handler(ObjectDoesNotExist)
    def does_not_exist(request, exc):
        language.ensure(request)
        return problem(404)

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        language.ensure(request)
        return problem(403)

    @api.exception_handler(PreconditionFailed)
    def precondition_failed(request, exc):
        language.ensure(request)
        return problem(412, detail=exc.detail)

    @api.exception_handler(PreconditionRequired)
    def precondition_required(request, exc):
        language.ensure(request)
        return problem(428, detail=_("Send If-Match with the version (ETag) you last read."))

    @api.exception_handler(Conflict)
    def conflict(request, exc):
        language.ensure(request)
        return problem(409, detail=exc.detail)
