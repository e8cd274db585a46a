"""The documents as files: the card and the action plan as HTML from our own templates, as PDF
through WeasyPrint (with the reports' fetcher, which serves only our static files) and as .xlsx
with the same columns; and the set of an enterprise's cards as one PDF.

The documents are Russian documents (REFERENCE §8): they are rendered in Russian whatever the
language of the person who asks for them."""

import datetime
import io
from collections.abc import Iterable

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from pypdf import PdfReader, PdfWriter

from enterprises.models import Department
from reports.pdf import Rendered, css_string, html_to_pdf
from riskpilot.spreadsheets import cell_value

from .cards import CardContent, card_content, card_is_stale, card_leads, cards_current
from .models import ActionPlan, BundleStatus, CardBundle, RiskCard

DOCUMENT_LANGUAGE = "ru"
# Longer than the render_bundle task's hard time limit.
BUNDLE_ABANDONED_AFTER = datetime.timedelta(minutes=20)


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
        return html_to_pdf(card_html(card_content(card.workplace, card=card)))


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
    return html_to_pdf(plan_html(plan))


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


def card_store(*, card_id: int) -> bool | None:
    """Render the issued card's PDF and keep it. Safe to call twice: a card with its file is left
    as it is. True if rendered now, False if it was there, None if the card is gone."""
    card = RiskCard.objects.select_related("workplace__enterprise").filter(pk=card_id).first()
    if card is None:
        return None
    if card.file:
        return False
    return _keep_card_file(card.pk, card_pdf(card).content)


# --- A set of cards as one PDF -----------------------------------------------------------------


def merge_pdfs(parts: Iterable[bytes]) -> tuple[bytes, int]:
    """The documents one after another, each with its own pages (and its own "page N of M")."""
    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part)))
    pages = len(writer.pages)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue(), pages


def bundle_cover_html(bundle: CardBundle, entries: list[dict], missing: list) -> str:
    with translation.override(DOCUMENT_LANGUAGE):
        title = _("Risk assessment cards")
        css = {
            "header_left": css_string(title),
            "header_right": css_string(bundle.enterprise.short_name),
            "page": css_string(_("Page")),
            "of": css_string(_("of")),
        }
        return render_to_string(
            "documents/pdf/bundle_cover.html",
            {
                "bundle": bundle,
                "entries": entries,
                "missing": missing,
                "css": css,
                "language": DOCUMENT_LANGUAGE,
                "made_on": timezone.localdate(),
            },
        )


def bundle_render(*, bundle_id: int) -> CardBundle | None:
    """Put together the current cards of the bundle's scope, each as issued (its kept PDF; one
    not rendered yet is rendered and kept now), after a cover listing them, which also names the
    cards whose register changed since and the workplaces without a card. Progress is counted
    card by card for the status page. Safe to call twice: a ready bundle is left as it is."""
    # A run whose worker died mid-way (past the task's hard time limit) may be taken over.
    abandoned = Q(status=BundleStatus.RENDERING, started_at__lt=timezone.now() - BUNDLE_ABANDONED_AFTER)
    claimed = (
        CardBundle.objects.filter(pk=bundle_id)
        .filter(Q(status__in=[BundleStatus.QUEUED, BundleStatus.FAILED]) | abandoned)
        .update(status=BundleStatus.RENDERING, started_at=timezone.now(), done=0, error="")
    )
    bundle = CardBundle.objects.select_related("enterprise", "department").filter(pk=bundle_id).first()
    if bundle is None or not claimed:
        return bundle
    try:
        _bundle_build(bundle)
    except Exception as error:
        CardBundle.objects.filter(pk=bundle_id).update(
            status=BundleStatus.FAILED,
            error=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(),
        )
        raise
    bundle.refresh_from_db()
    return bundle


def _bundle_build(bundle: CardBundle) -> None:
    enterprise = bundle.enterprise
    leads = card_leads(enterprise, department=bundle.department)
    current = cards_current(enterprise)
    cards = [current[lead.pk] for lead in leads if lead.pk in current]
    missing = [lead for lead in leads if lead.pk not in current]
    CardBundle.objects.filter(pk=bundle.pk).update(total=len(cards))
    departments_by_id = {d.pk: d for d in Department.objects.filter(enterprise=enterprise)}
    parts, entries = [], []
    with translation.override(DOCUMENT_LANGUAGE):
        for done, card in enumerate(cards, start=1):
            card.workplace.enterprise = enterprise
            if card.file:
                with card.file.open("rb") as handle:
                    content = handle.read()
            else:
                content = html_to_pdf(
                    card_html(card_content(card.workplace, card=card, departments_by_id=departments_by_id))
                ).content
                _keep_card_file(card.pk, content)
            parts.append(content)
            entries.append(
                {
                    "card": card,
                    "workplaces": ", ".join(
                        w.number for w in sorted([card.workplace, *card.analogous.all()], key=lambda w: w.pk)
                    ),
                    "stale": card_is_stale(card),
                    "pages": len(PdfReader(io.BytesIO(content)).pages),
                }
            )
            CardBundle.objects.filter(pk=bundle.pk).update(done=done)
    cover = html_to_pdf(bundle_cover_html(bundle, entries, missing))
    first = cover.pages + 1
    for entry in entries:
        entry["first_page"] = first
        first += entry["pages"]
    # The cover again, now with the page where each card begins (its length does not change).
    cover = html_to_pdf(bundle_cover_html(bundle, entries, missing))
    content, pages = merge_pdfs([cover.content, *parts])
    with transaction.atomic():
        locked = CardBundle.objects.select_for_update().get(pk=bundle.pk)
        name = f"cards-{enterprise.inn}-{timezone.localdate():%Y%m%d}.pdf"
        locked.file.save(name, ContentFile(content), save=False)
        locked.pages = pages
        locked.status = BundleStatus.READY
        locked.finished_at = timezone.now()
        locked.save()
