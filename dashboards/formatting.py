"""Numbers as the dashboards show them, in the page's language: Russian groups thousands with a
no-break space and uses a decimal comma (as Django's ru formats do), English 1,234.56. Written
out here rather than through django.utils.formats because the federal table formats thousands of
cells per view, and this is ten times faster."""

import datetime

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


def month_ranges(months) -> str:
    """Months as runs: "06.2026–11.2026, 01.2027" (each a date of the month's first day)."""
    runs: list[list] = []
    for month in sorted(months):
        previous = runs[-1][1] if runs else None
        following = previous and (previous.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        if following == month:
            runs[-1][1] = month
        else:
            runs.append([month, month])
    return ", ".join(
        f"{first:%m.%Y}" if first == last else f"{first:%m.%Y}–{last:%m.%Y}" for first, last in runs
    )
