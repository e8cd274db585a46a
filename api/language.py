"""The language of the API's answers. The pages take it from the URL; the API has one URL for
every language, so: Accept-Language if it names a language RiskPilot speaks, else the caller's
own language (User.language), else Russian."""

from django.conf import settings
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header


def requested(request) -> str | None:
    supported = {code for code, _name in settings.LANGUAGES}
    for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        code = code.split("-")[0].lower()
        if code in supported:
            return code
    return None


def activate(request, user=None) -> None:
    language = requested(request) or getattr(user, "language", None) or settings.LANGUAGE_CODE
    translation.activate(language)
    request.LANGUAGE_CODE = language
    request.api_language = language


def ensure(request) -> None:
    """For answers given before anyone signed in (401, 405, 413 …)."""
    if not getattr(request, "api_language", None):
        activate(request)
