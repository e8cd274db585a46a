"""Numbers as the dashboards show them, in the page's language: Russian groups thousands with a
no-break space and uses a decimal comma (as Django's ru formats do), English 1,234.56. Written
out here rather than through django.utils.formats because the federal table formats thousands of
cells per view, and this is ten times faster."""

from django.utils import timezone

from riskpilot.localization import current_language

DASH = "—"
NBSP = "\u00a0"


def figure_text(value, kind: str = "count", language: str | None = None) -> str:
    if value is None:
        return DASH
    if kind == "count" and 0 <= value < 1000:
        return str(value)  # most cells: no separators to place
    russian = (language or current_language()) != "en"
    if kind == "datetime":
        return timezone.localtime(value).strftime("%d.%m.%Y")
    if kind == "share":
        return f"{value * 100:.0f}{NBSP}%"
    text = f"{value:,.2f}" if kind == "rate" else f"{value:,}"
    if russian:
        text = text.replace(",", NBSP).replace(".", ",")
    return text
