"""The register list exported as Excel (.xlsx) and CSV — exactly the rows the list's filters
select, all pages. The .xlsx layout is also the import layout (assessments/imports.py): an
exported file can be edited and imported back as it is. Its first column, the row key, tells the
import which register row a line is; it is grey, carries a note and accepts whole numbers only, so
that it is not changed by accident. Cleared, the file creates new rows instead (e.g. in another
enterprise).

CSV: UTF-8 with a byte-order mark and ``;`` between fields. Russian Excel uses the comma as the
decimal separator and ``;`` as the list separator, so it opens such a file in columns with the
Cyrillic intact; LibreOffice asks and offers ``;`` itself.
"""

import csv
import datetime
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.http import HttpResponse
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from enterprises.services import department_path
from hazards.models import RiskLevel
from riskpilot.localization import current_language
from riskpilot.spreadsheets import cell_value, cell_values

FORMATS = ("xlsx", "csv")
# The import's limit (assessments/imports.py), repeated here so the key column's rule covers it.
MAX_IMPORT_ROWS = 5000
CSV_DELIMITER = ";"
DEPARTMENT_SEPARATOR = " / "
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise
    width: int
    importable: bool = True
    kind: str = "text"  # text, int, date


ROW_KEY = Column("row_key", _("Row key"), 10, importable=False, kind="int")
COLUMNS = (
    ROW_KEY,
    Column("department", _("Structural unit"), 32),
    Column("workplace_number", _("Workplace number"), 12),
    Column("position", _("Profession or position"), 30),
    Column("okpdtr_code", _("OKPDTR code"), 10),
    Column("headcount_total", _("Workers at the workplace"), 12, kind="int"),
    Column("event_code", _("Hazardous event code"), 12),
    Column("event_name", _("Hazardous event"), 45, importable=False),
    Column("hazard", _("Hazard"), 40, importable=False),
    Column("hazard_group", _("Hazard group"), 24, importable=False),
    Column("source", _("Source of the hazard"), 36),
    Column("activity", _("Activity"), 18),
    Column("object_description", _("Object"), 28),
    Column("existing_controls", _("Existing controls"), 36),
    Column("exposed_description", _("Who is exposed"), 22),
    Column("exposed_count", _("Number exposed"), 10, kind="int"),
    Column("identified_on", _("Identified on"), 12, kind="date"),
    Column("next_review_on", _("Next review"), 12, kind="date"),
    Column("status", _("Status"), 12),
    Column("risk_level", _("Current risk level"), 14, importable=False),
    Column("residual_level", _("Residual risk level"), 14, importable=False),
    Column("open_measures", _("Open measures"), 10, importable=False, kind="int"),
    Column("overdue_measures", _("Overdue measures"), 10, importable=False, kind="int"),
    Column("needs_reassessment", _("Re-assessment needed"), 12, importable=False),
)


def _level_text(level) -> str:
    return str(RiskLevel(level).label) if level else gettext("Not rated")


def row_values(row, departments_by_id: dict) -> list:
    """One register row as the export's cells (dates as dates, levels as text)."""
    workplace, event = row.workplace, row.event
    values = {
        "row_key": row.pk,
        "department": DEPARTMENT_SEPARATOR.join(department_path(workplace.department, departments_by_id)),
        "workplace_number": workplace.number,
        "position": workplace.position,
        "okpdtr_code": workplace.okpdtr_code,
        "headcount_total": workplace.headcount_total,
        "event_code": event.code,
        "event_name": event.name,
        "hazard": str(event.hazard_type) if event.hazard_type_id else "",
        "hazard_group": str(event.hazard_type.group),
        "source": row.source,
        "activity": row.get_activity_display(),
        "object_description": row.object_description,
        "existing_controls": row.existing_controls,
        "exposed_description": row.exposed_description,
        "exposed_count": row.exposed_count,
        "identified_on": row.identified_on,
        "next_review_on": row.next_review_on,
        "status": row.get_status_display(),
        "risk_level": _level_text(row.risk_level),
        "residual_level": _level_text(row.residual_level) if row.residual_level else "",
        "open_measures": getattr(row, "open_measures", 0),
        "overdue_measures": getattr(row, "overdue_measures", 0),
        "needs_reassessment": gettext("yes") if row.needs_reassessment else gettext("no"),
    }
    return [values[column.key] for column in COLUMNS]


def _rows(queryset, departments_by_id) -> Iterator[list]:
    for row in queryset.iterator(chunk_size=1000):
        yield row_values(row, departments_by_id)


def xlsx_date_format() -> str:
    return "DD.MM.YYYY" if current_language() == "ru" else "YYYY-MM-DD"


def write_header(sheet, columns: Iterable[Column]) -> None:
    """Bold header row, frozen, with filters and column widths."""
    columns = list(columns)
    sheet.append(cell_values(str(column.label) for column in columns))
    fill = PatternFill("solid", fgColor="DCE6F1")
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"


KEY_FILL = PatternFill("solid", fgColor="E7E6E6")
KEY_FONT = Font(color="595959")


def mark_row_key(sheet, *, rows: int) -> None:
    """The row key column (A) in grey, with a note and an input rule: whole numbers only, so that a
    typed word is refused by the spreadsheet itself."""
    note = gettext(
        "Do not change: RiskPilot finds the register row by this key when the file is imported. "
        "Leave it empty on rows you add."
    )
    header = sheet.cell(row=1, column=1)
    header.comment = Comment(note, "RiskPilot", width=300, height=110)
    sheet.freeze_panes = "B2"  # the key stays in sight beside whatever column is edited
    for row in range(2, rows + 2):
        cell = sheet.cell(row=row, column=1)
        cell.fill, cell.font = KEY_FILL, KEY_FONT
    validation = DataValidation(
        type="whole", operator="greaterThan", formula1="0", allow_blank=True, showErrorMessage=True
    )
    validation.promptTitle = str(ROW_KEY.label)[:32]
    validation.prompt = note[:255]
    validation.showInputMessage = True
    validation.error = note[:255]
    validation.add(f"A2:A{MAX_IMPORT_ROWS + 1}")
    sheet.add_data_validation(validation)


def xlsx_bytes(rows: Iterable[list], *, title: str, about: list[tuple[str, str]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    write_header(sheet, COLUMNS)
    date_format = xlsx_date_format()
    count = 0
    for count, values in enumerate(rows, start=1):
        # Control characters pasted into a text would make the workbook unreadable; text a
        # spreadsheet would run as a formula is escaped (riskpilot.spreadsheets).
        values = cell_values(ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in values)
        sheet.append(values)
        for index, (column, value) in enumerate(zip(COLUMNS, values, strict=True), start=1):
            cell = sheet.cell(row=count + 1, column=index)
            if column.kind == "date" and value:
                cell.number_format = date_format
            if column.kind == "text" and isinstance(value, str) and len(value) > 40:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{count + 1}"
    mark_row_key(sheet, rows=count)

    info = workbook.create_sheet(gettext("About"))
    for label, value in about:
        info.append(cell_values([label, ILLEGAL_CHARACTERS_RE.sub("", value)]))
    info.column_dimensions["A"].width = 24
    info.column_dimensions["B"].width = 80
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, str):
        return cell_value(value)
    return str(value)  # numbers stay numbers, "-3" included


def csv_bytes(rows: Iterable[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow(cell_values(str(column.label) for column in COLUMNS))
    for values in rows:
        writer.writerow([_csv_cell(value) for value in values])
    return buffer.getvalue().encode("utf-8-sig")


def register_response(queryset, *, export_format: str, enterprise, departments_by_id: dict, query: str = ""):
    stamp = timezone.localtime()
    filename = f"register-{enterprise.inn}-{stamp:%Y%m%d-%H%M}.{export_format}"
    rows = _rows(queryset, departments_by_id)
    if export_format == "xlsx":
        about = [
            (gettext("Enterprise"), enterprise.full_name),
            (gettext("INN"), enterprise.inn),
            (gettext("Exported at"), formats.date_format(stamp, "SHORT_DATETIME_FORMAT")),
            (gettext("Filters"), query or gettext("none (all active rows)")),
        ]
        content, content_type = xlsx_bytes(rows, title=gettext("Register"), about=about), XLSX_CONTENT_TYPE
    else:
        content, content_type = csv_bytes(rows), "text/csv; charset=utf-8"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
