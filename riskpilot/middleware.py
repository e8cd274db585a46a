"""Middleware of the whole application: the request-body guard (runs before anything else reads
the request), the client address behind the proxy, and private caching of signed-in pages."""

import io
import json

from django.conf import settings
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation.trans_real import parse_accept_lang_header

# Bodies without a length (chunked) are read in pieces of this size, and never past the limit.
CHUNK = 64 * 1024


def body_too_large(request):
    """The 413 page, in the language of the URL: LocaleMiddleware has not run yet. The API
    (/api/) gets application/problem+json in the language of its Accept-Language."""
    if request.path_info.startswith("/api/"):
        return _api_body_too_large(request)
    language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
    with translation.override(language):
        response = render(request, "413.html", {"limit": settings.REQUEST_MAX_BYTES}, status=413)
    # The client may still be sending: tell it not to reuse the connection.
    response["Connection"] = "close"
    return response


def _api_body_too_large(request):
    supported = {code for code, _name in settings.LANGUAGES}
    language = settings.LANGUAGE_CODE
    for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        if code.split("-")[0].lower() in supported:
            language = code.split("-")[0].lower()
            break
    with translation.override(language):
        body = {
            "type": "urn:riskpilot:problem:413",
            "title": gettext("Request body too large"),
            "status": 413,
            "detail": gettext("The request body is larger than %(limit)s bytes.")
            % {"limit": settings.REQUEST_MAX_BYTES},
        }
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=413, content_type="application/problem+json"
    )
    response["Connection"] = "close"
    return response


class RequestBodyLimitMiddleware:
    """Refuses with 413 any request body larger than REQUEST_MAX_BYTES.

    A declared Content-Length over the limit is refused before the body is touched: Django would
    otherwise stream a multipart upload of any size into FILE_UPLOAD_TEMP_DIR before a form could
    look at it. A body without a length (Transfer-Encoding: chunked, when nothing in front has
    buffered it) is read here up to the limit and no further; Django itself reads such a body as
    empty, so it is handed on with the length it turned out to have."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.REQUEST_MAX_BYTES
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            return body_too_large(request)
        if not declared and request.META.get("HTTP_TRANSFER_ENCODING") and "wsgi.input" in request.META:
            body = _read_at_most(request.META["wsgi.input"], limit + 1)
            if len(body) > limit:
                return body_too_large(request)
            request.META["CONTENT_LENGTH"] = str(len(body))
            request.META["wsgi.input"] = io.BytesIO(body)
            # WSGIRequest built its stream from the missing length (empty); rebuild it.
            request._stream = LimitedStream(request.META["wsgi.input"], len(body))
        return self.get_response(request)


def _read_at_most(stream, size: int) -> bytes:
    parts, total = [], 0
    while total < size:
        part = stream.read(min(CHUNK, size - total))
        if not part:
            break
        parts.append(part)
        total += len(part)
    return b"".join(parts)


def client_ip(request) -> str | None:
    """The client's address for django-axes (AXES_CLIENT_IP_CALLABLE). Behind RiskPilot's reverse
    proxy (BEHIND_PROXY=true) every request comes from the proxy, which puts the address it saw in
    X-Real-IP, replacing whatever the client sent; without a proxy that header is the client's own
    word and is ignored."""
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_REAL_IP", "").strip()
        if forwarded:
            return forwarded
    return request.META.get("REMOTE_ADDR")


def private_pages(get_response):
    """Every response to a signed-in user — register pages, exports, PDFs, evidence — is kept out
    of shared caches and off the disk of the browser (Cache-Control: private, no-store), unless the
    view chose its own caching. One rule for all, rather than a decorator per view: nearly every
    page behind the login shows an enterprise's register or someone's personal data, and a view
    added later must not leak by forgetting a decorator. Static files never get here (WhiteNoise
    answers them first) and stay cacheable."""

    def middleware(request):
        response = get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "private, no-store"
        return response

    return middleware
