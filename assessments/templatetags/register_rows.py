"""Tags for the register list's fifty rows, each drawn twice (cards on phones, a table elsewhere):
an `{% include %}` or a `{% url %}` per row costs more than the row's data, so the level badge
and the row links are built in Python here, with the same markup as _level_badge.html."""

from functools import lru_cache

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language, gettext, gettext_noop, ngettext

from riskpilot.markup import html

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
    return _level_badge(level, get_language())


@lru_cache(maxsize=32)
def _level_badge(level, language: str) -> SafeString:
    # Five levels and "not rated" per language, drawn up to a hundred and fifty times a page.
    if level:
        name = gettext(_LEVEL_NAMES.get(level, _LEVEL_NAMES[5]))
        return html('<span class="badge risk-{}" title="{}">{}</span>', level, gettext("Risk level"), name)
    return html('<span class="badge text-bg-light border">{}</span>', gettext("Not rated"))


@lru_cache(maxsize=64)
def _url_pattern(name: str, prefix: str, urlconf, language: str) -> str:
    # ``language`` is part of the key: the pages are under i18n_patterns (/en/… for English).
    return reverse(name, args=[_PLACEHOLDER], urlconf=urlconf)


@register.simple_tag
def pk_url(name: str, pk) -> str:
    """``{% url name pk %}`` for a URL whose only argument is a primary key, reversed once per
    process, script prefix and language rather than once per row."""
    pattern = _url_pattern(name, get_script_prefix(), get_urlconf(), get_language())
    return pattern.replace(_PLACEHOLDER, str(int(pk)))


# --- The rows themselves -----------------------------------------------------------------------
# The register list draws each of its fifty rows twice (a card on phones, a table row elsewhere).
# Through the template engine that was most of the page's time; built here with html() above, the
# same markup costs a fraction. Every value is escaped by html().


_NO_REVIEW = mark_safe('<span class="text-muted">—</span>')


def _truncated(value, length: int) -> str:
    value = value or ""
    # Most texts are short: Truncator walks every character (combining marks) to find out.
    return value if len(value) <= length else _truncated_long(value, length)


@lru_cache(maxsize=1024)
def _truncated_long(value: str, length: int) -> str:
    # The long ones are mostly the catalogue's event names, the same few on every page.
    return Truncator(value).chars(length)


@lru_cache(maxsize=1024)
def _short_date(day, language: str) -> str:
    # A page shows the same few review dates, each twice; date_format looks its format up each time.
    return date_format(day, "SHORT_DATE_FORMAT")


def _next_review(row, today) -> str:
    if not row.next_review_on:
        return ""
    due = mark_safe(' class="text-danger fw-semibold"') if row.next_review_on <= today else ""
    return html("<span{}>{}</span>", due, _short_date(row.next_review_on, get_language()))


def _overdue_badge(row) -> str:
    if not row.overdue_measures:
        return ""
    text = ngettext("%(counter)s overdue", "%(counter)s overdue", row.overdue_measures) % {
        "counter": row.overdue_measures
    }
    return html('<span class="badge text-bg-danger">{}</span>', text)


def _returned_badge(extra_class: str = "", title: str = "") -> str:
    title_attr = html(' title="{}"', title) if title else ""
    return html(
        '<span class="badge text-bg-danger{}"{}>{}</span>',
        extra_class,
        title_attr,
        gettext("Returned for correction"),
    )


@register.simple_tag(takes_context=True)
def register_card(context, row) -> str:
    """A register row as a card of the phone layout."""
    workplace = row.workplace
    returned = ""
    if row.approval_status == "returned":
        returned = html(
            '<div class="mt-1">{} <span class="small text-danger">{}</span></div>',
            _returned_badge(),
            _truncated(row.return_reason, 120),
        )
    review = ""
    if row.next_review_on:
        review = html("{}: {}", gettext("Next review"), _next_review(row, context["today"]))
    overdue = _overdue_badge(row)
    return html(
        '<li class="card mb-2"><div class="card-body p-3">'
        '<div class="d-flex justify-content-between align-items-start gap-2">'
        '<a class="fw-semibold" href="{}">№ {}</a>{}</div>'
        '<div class="small text-muted">{}</div>'
        '<div class="mt-1"><span class="fw-semibold">{}</span> {}</div>'
        '<div class="small text-muted">{}</div>{}'
        '<div class="d-flex flex-wrap justify-content-between align-items-center gap-2 mt-2">'
        '<span class="small">{}{}</span><a class="btn btn-sm btn-primary" href="{}">{}</a></div>'
        "</div></li>",
        pk_url("assessments:workplace", row.workplace_id),
        workplace.number,
        level_badge(row.risk_level),
        workplace.position,
        row.event.code,
        _truncated(row.event.name, 90),
        _truncated(row.source, 80),
        returned,
        review,
        html(" {}", overdue) if overdue else "",
        pk_url("assessments:hazard", row.pk),
        gettext("Open"),
    )


@register.simple_tag(takes_context=True)
def register_table_row(context, row) -> str:
    """A register row as a row of the table layout."""
    workplace = row.workplace
    unit_path = context["filter"].department_path(workplace.department_id)
    status = ""
    if row.status != "active":
        status = html('<br><span class="badge text-bg-secondary">{}</span>', row.get_status_display())
    level = [level_badge(row.risk_level)]
    if row.residual_level:
        level.append(
            html(
                '<br><small class="text-muted">{}</small> {}',
                gettext("residual"),
                level_badge(row.residual_level),
            )
        )
    if row.needs_reassessment:
        level.append(
            html(
                '<br><span class="badge text-bg-warning mt-1 text-wrap">{}</span>',
                gettext("Re-assessment needed"),
            )
        )
    if row.approval_status == "returned":
        level.append(
            html(
                '<br>{}<div class="small text-danger return-reason">{}</div>',
                _returned_badge(" mt-1 returned-badge", row.return_reason),
                _truncated(row.return_reason, 120),
            )
        )
    elif row.approval_status == "draft" and row.status == "active":
        level.append(
            html(
                '<br><span class="badge text-bg-light border mt-1">{}</span>', gettext("Waiting for approval")
            )
        )
    overdue = _overdue_badge(row)
    review = _next_review(row, context["today"]) or _NO_REVIEW
    hazard_url = pk_url("assessments:hazard", row.pk)
    edit = ""
    if context["can_write"]:
        edit = html(
            ' <a class="btn btn-sm btn-outline-secondary" href="{}">{}</a>',
            pk_url("hazards:edit", row.pk),
            gettext("Edit"),
        )
    return html(
        '<tr><td class="col-workplace"><a href="{}">№ {}</a> {}<br>'
        '<small class="text-muted" title="{}">{}</small></td>'
        '<td class="event-name"><a href="{}" class="row-link"><span class="fw-semibold">{}</span> {}</a></td>'
        "<td>{}{}</td><td>{}</td>"
        '<td class="text-end text-nowrap">{}{}</td>'
        '<td class="text-nowrap">{}</td>'
        '<td class="text-end register-actions">'
        '<a class="btn btn-sm btn-outline-primary" href="{}">{}</a>{}</td></tr>',
        pk_url("assessments:workplace", row.workplace_id),
        workplace.number,
        workplace.position,
        unit_path,
        workplace.department.name if workplace.department_id else "",
        hazard_url,
        row.event.code,
        _truncated(row.event.name, 90),
        _truncated(row.source, 90),
        status,
        SafeString("".join(level)),
        row.open_measures,
        html("<br>{}", overdue) if overdue else "",
        review,
        hazard_url,
        gettext("Open"),
        edit,
    )
