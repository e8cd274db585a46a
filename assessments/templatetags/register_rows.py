"""Tags for the register list's fifty rows, each drawn twice (cards on phones, a table elsewhere):
an `{% include %}` or a `{% url %}` per row costs more than the row's data, so the level badge
and the row links are built in Python here, with the same markup as _level_badge.html."""

from functools import lru_cache

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_noop

register = template.Library()

# A primary key no row has: reversed once, then replaced by each row's own.
_PLACEHOLDER = "2147483647"


# The words of _level_badge.html, translated when drawn.
_LEVEL_NAMES = {
    1: gettext_noop("Negligible"),
    2: gettext_noop("Low"),
    3: gettext_noop("Medium"),
    4: gettext_noop("High"),
    5: gettext_noop("Critical"),
}


@register.simple_tag
def level_badge(level) -> str:
    """The same badge as assessments/_level_badge.html: colour and text."""
    if level:
        name = gettext(_LEVEL_NAMES.get(level, _LEVEL_NAMES[5]))
        return format_html(
            '<span class="badge risk-{}" title="{}">{}</span>', level, gettext("Risk level"), name
        )
    return format_html('<span class="badge text-bg-light border">{}</span>', gettext("Not rated"))


@lru_cache(maxsize=64)
def _url_pattern(name: str, prefix: str, urlconf) -> str:
    return reverse(name, args=[_PLACEHOLDER], urlconf=urlconf)


@register.simple_tag
def pk_url(name: str, pk) -> str:
    """``{% url name pk %}`` for a URL whose only argument is a primary key, reversed once per
    process (and script prefix) rather than once per row."""
    return _url_pattern(name, get_script_prefix(), get_urlconf()).replace(_PLACEHOLDER, str(int(pk)))
