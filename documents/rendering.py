"""The documents as files: the card and the action plan as HTML from our own templates, as PDF
through WeasyPrint (with the reports' fetcher, which serves only our static files) and as .xlsx
with the same columns (the set of an enterprise's cards as one PDF: documents.bundles).

The documents are Russian documents (REFERENCE §8): they are rendered in Russian whatever the
language of the person who asks for them."""

import datetime
import functools
import io
import time
from collections.abc import Iterable

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from reports.pdf import HTML, Rendered, StaticOnlyFetcher, css_string
from riskpilot.spreadsheets import cell_value

from .cards import CardContent, card_content
from .models import ActionPlan, RiskCard

DOCUMENT_LANGUAGE = "ru"


@functools.cache
def _weasyprint_kit() -> tuple:
    """The font configuration and the fetcher, kept for the life of the (worker's) process:
    fontconfig's font look-ups and the list of static folders are the same for every document,
    and a set of cards renders hundreds of them."""
    # Imported here, after reports.pdf has quietened WeasyPrint's import-time logging.
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration(), StaticOnlyFetcher()


def _layout(html: str):
    fonts, fetcher = _weasyprint_kit()
    return HTML(string=html, url_fetcher=fetcher, base_url=None).render(font_config=fonts)


def document_pdf(html: str) -> Rendered:
    """A document's PDF from our own HTML, through WeasyPrint with the reports' fetcher (only our
    static files are fetched)."""
    clock = time.monotonic()
    document = _layout(html)
    content = document.write_pdf()
    return Rendered(content=content, pages=len(document.pages), seconds=time.monotonic() - clock)


def document_pages(html: str) -> int:
    """The number of pages the document takes, laid out without writing the PDF."""
    return len(_layout(html).pages)


def _date(day: datetime.date | None) -> str:
    return f"{day:%d.%m.%Y}" if day else ""


# --- The card ----------------------------------------------------------------------------------


def card_margins(content: CardContent) -> dict:
    """The texts of the card's page margins: its number, version and date on every page."""
    if content.version:
        left = _("Risk assessment card № %(number)s, version %(version)s of %(date)s") % {
            "number": content.number,
            "version": content.version,
            "date": _date(content.issued_on),
        }
    else:
        left = _("Risk assessment card № %(number)s (not issued)") % {"number": content.number}
    return {
        "header_left": css_string(left),
        "header_right": css_string(content.enterprise.short_name),
        "page": css_string(_("Page")),
        "of": css_string(_("of")),
    }


def card_html(content: CardContent) -> str:
    with translation.override(DOCUMENT_LANGUAGE):
        return render_to_string(
            "documents/pdf/card.html",
            {"c": content, "css": card_margins(content), "language": DOCUMENT_LANGUAGE},
        )


def card_pdf(card: RiskCard) -> Rendered:
    with translation.override(DOCUMENT_LANGUAGE):
        return document_pdf(card_html(card_content(card.workplace, card=card)))


def card_columns(content: CardContent) -> list[str]:
    """The card's table columns, as the PDF heads them (the .xlsx has the same)."""
    method = content.method
    return [
        _("№"),
        _("Hazard (code under Order 776n)"),
        _("Hazardous event"),
        _("Source of the hazard"),
        _("Object (place, work, abnormal or emergency situation)"),
        _("Existing risk control measures"),
        *method.labels,
        method.score_label,
        _("Risk level"),
        _("Acceptability"),
        _("Measures to reduce the risk (level of the hierarchy of controls)"),
        _("Deadline or periodicity"),
        _("Responsible person"),
        _("Residual risk"),
    ]


def _card_rows(content: CardContent) -> Iterable[list]:
    for line in content.lines:
        measures = line.measures or [None]
        for index, measure in enumerate(measures):
            first = index == 0
            residual = " — ".join(part for part in (line.residual_score, line.residual_label) if part)
            yield [
                line.number if first else None,
                f"{line.hazard_code} {line.hazard_name}" if first else None,
                f"{line.event_code} {line.event_name}" if first else None,
                line.source if first else None,
                line.object_text if first else None,
                line.existing_controls if first else None,
                *(line.inputs if first else [None] * len(line.inputs)),
                line.score if first else None,
                line.level_label if first else None,
                line.acceptability if first else None,
                f"{measure.description} ({measure.control_level})" if measure else "",
                measure.deadline if measure else "",
                measure.responsible if measure else "",
                residual if first else None,
            ]


def card_xlsx(card: RiskCard) -> bytes:
    with translation.override(DOCUMENT_LANGUAGE):
        content = card_content(card.workplace, card=card)
        method = content.method
        about = [
            (_("Card"), _("№ %(number)s, version %(version)s of %(date)s") % {
                "number": content.number, "version": content.version, "date": _date(content.issued_on),
            }),
            (_("Enterprise"), content.enterprise.full_name),
            (_("Structural unit"), " / ".join(content.department_path)),
            (_("Workplace"), content.workplace_numbers),
            (_("Profession or position"), f"{content.lead.position} ({content.lead.okpdtr_code})"),
            (_("Method"), f"{method.name}, " + _("version %(version)s") % {"version": method.version}),
        ]  # fmt: skip
        return _workbook(_("Risk assessment card"), about, card_columns(content), _card_rows(content))


# --- The action plan ---------------------------------------------------------------------------


def plan_columns() -> list[str]:
    return [
        _("№"),
        _("Structural unit"),
        _("Workplace (profession)"),
        _("Hazard / hazardous event"),
        _("Risk level before"),
        _("Measure"),
        _("Level of the hierarchy of controls"),
        _("Expected effect (residual risk level)"),
        _("Deadline or periodicity"),
        _("Responsible person"),
        _("Source of funding"),
        _("Completion mark (date, who, evidence)"),
    ]


def plan_margins(plan: ActionPlan) -> dict:
    left = _("Action plan, version %(version)s") % {"version": plan.version}
    return {
        "header_left": css_string(left),
        "header_right": css_string(plan.enterprise.short_name),
        "page": css_string(_("Page")),
        "of": css_string(_("of")),
    }


def plan_html(plan: ActionPlan) -> str:
    from .plans import plan_context

    with translation.override(DOCUMENT_LANGUAGE):
        context = plan_context(plan)
        context.update({"css": plan_margins(plan), "language": DOCUMENT_LANGUAGE})
        return render_to_string("documents/pdf/plan.html", context)


def plan_pdf(plan: ActionPlan) -> Rendered:
    return document_pdf(plan_html(plan))


def plan_xlsx(plan: ActionPlan) -> bytes:
    from .plans import plan_context

    with translation.override(DOCUMENT_LANGUAGE):
        context = plan_context(plan)
        rows = (
            [
                row.number,
                row.department,
                row.workplace,
                row.hazard,
                row.level_before,
                row.description,
                row.control_level,
                row.expected,
                row.deadline,
                row.responsible,
                row.funding,
                row.completion,
            ]
            for row in context["rows"]
        )
        about = [
            (_("Plan"), str(plan)),
            (_("Enterprise"), plan.enterprise.full_name),
            (_("Period"), f"{_date(plan.period_start)} — {_date(plan.period_end)}"),
            (_("Structural unit"), str(plan.department) if plan.department else _("Whole enterprise")),
            (_("Status"), context["approval_text"]),
        ]
        return _workbook(_("Action plan"), about, plan_columns(), rows)


# --- .xlsx -------------------------------------------------------------------------------------


def _plain(value):
    """Numbers, dates and empty cells as they are; anything else (lazy translations) as text."""
    if value is None or isinstance(value, int | float | datetime.date):
        return value
    return str(value)


def _workbook(title: str, about: list[tuple[str, str]], columns: list[str], rows: Iterable[list]) -> bytes:
    """One sheet: the document's particulars, then the table with the document's own columns."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append([cell_value(title)])
    sheet.cell(row=1, column=1).font = Font(bold=True, size=13)
    for label, value in about:
        sheet.append([cell_value(str(label)), cell_value(_plain(value))])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
    sheet.append([])
    header_row = sheet.max_row + 1
    sheet.append([cell_value(str(name)) for name in columns])
    thin = Side(style="thin", color="999999")
    for index in range(1, len(columns) + 1):
        cell = sheet.cell(row=header_row, column=index)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E9ECEF")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
        sheet.column_dimensions[get_column_letter(index)].width = 8 if index == 1 else 22
    for values in rows:
        sheet.append([cell_value(_plain(value)) for value in values])
        for cell in sheet[sheet.max_row]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Keeping the files -------------------------------------------------------------------------


def card_file_name(card: RiskCard) -> str:
    return f"card-{card.number}-v{card.version}.pdf"


def _keep_card_file(card_id: int, content: bytes) -> bool:
    """Store a rendered card as its file unless another worker did first."""
    with transaction.atomic():
        card = RiskCard.objects.select_for_update().get(pk=card_id)
        if card.file:
            return False
        card.file.save(card_file_name(card), ContentFile(content), save=False)
        card.save(update_fields=["file", "updated_at"])
    return True


def card_render_and_keep(card: RiskCard, *, departments_by_id: dict | None = None) -> bool:
    """Render an issued card (with its workplace and analogous workplaces loaded) and keep the
    PDF; a set of cards passes the enterprise's units, loaded once. False if another worker kept
    it first."""
    with translation.override(DOCUMENT_LANGUAGE):
        content = card_content(card.workplace, card=card, departments_by_id=departments_by_id)
        return _keep_card_file(card.pk, document_pdf(card_html(content)).content)


def card_store(*, card_id: int) -> bool | None:
    """Render the issued card's PDF and keep it. Safe to call twice: a card with its file is left
    as it is. True if rendered now, False if it was there, None if the card is gone."""
    card = RiskCard.objects.select_related("workplace__enterprise").filter(pk=card_id).first()
    if card is None:
        return None
    if card.file:
        return False
    return card_render_and_keep(card)
