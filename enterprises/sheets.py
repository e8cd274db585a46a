"""Reading the small workbooks of the structure (workers, SOUT data): the first sheet, its header
found by label in Russian or English, cells read as text, numbers or dates. The checks of
riskpilot.spreadsheets run before any XML is parsed, and the rows are read as a stream with caps,
as the register import does."""

import datetime
import io
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from riskpilot.spreadsheets import ArchiveRefused, cell_values, check_xlsx_archive, unescape_text

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_COLUMNS = 40


class SheetError(Exception):
    """The file as a whole cannot be read (not an .xlsx, no header, too many rows)."""


@dataclass
class CellError:
    row: int
    column: str
    value: str
    message: str


@dataclass(frozen=True)
class SheetColumn:
    key: str
    label: object  # a lazy translation
    width: int = 18
    required: bool = False
    kind: str = "text"  # text, date


def column_title(label) -> str:
    """A column's header as written and as errors name it: "Номер карты СОУТ"."""
    return capfirst(str(label))


def _normalise(text) -> str:
    return " ".join(str(text).casefold().split())


def labels_in_every_language(label) -> set[str]:
    labels = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            labels.add(_normalise(label))
    return labels


class SheetUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File (.xlsx)"),
        help_text=_("An Excel workbook in the layout of the template."),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX_CONTENT_TYPE}"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("The file is %(size)s; at most %(limit)s can be imported at once.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(settings.MAX_UPLOAD_BYTES)}
            )
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(_("Choose an Excel workbook saved as .xlsx (not .xls, .csv or .ods)."))
        try:
            check_xlsx_archive(upload)
        except ArchiveRefused:
            raise ValidationError(_("This file is not a valid .xlsx workbook.")) from None
        return upload


def read_sheet(upload, columns: list[SheetColumn], *, max_rows: int) -> list[tuple[int, dict]]:
    """(row number, {column key: value}) of every non-empty data row of the first sheet."""
    try:
        check_xlsx_archive(upload)
    except ArchiveRefused:
        raise SheetError(gettext("This file is not a valid .xlsx workbook.")) from None
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except Exception as error:
        # Damaged or hostile workbooks fail in many ways inside openpyxl (see assessments.imports).
        raise SheetError(gettext("This file is not a valid .xlsx workbook.")) from error
    try:
        if not workbook.worksheets:
            raise SheetError(gettext("The workbook has no sheet."))
        rows = []
        for values in workbook.worksheets[0].iter_rows(max_col=MAX_COLUMNS, values_only=True):
            rows.append(values)
            if len(rows) > max_rows + 1:
                raise SheetError(
                    gettext("The file has more than %(max)s rows: split it into several files.")
                    % {"max": max_rows}
                )
    except SheetError:
        raise
    except Exception as error:
        raise SheetError(gettext("This file is not a valid .xlsx workbook.")) from error
    finally:
        workbook.close()
    if not rows:
        raise SheetError(gettext("The sheet is empty."))
    found = _header_map(rows[0], columns)
    result = []
    for number, values in enumerate(rows[1:], start=2):
        cells = {}
        for key, index in found.items():
            value = values[index] if index < len(values) else None
            if isinstance(value, str):
                value = unescape_text(value).strip()
            cells[key] = value
        if any(value not in (None, "") for value in cells.values()):
            result.append((number, cells))
    return result


def _header_map(header: tuple, columns: list[SheetColumn]) -> dict[str, int]:
    labels = {}
    for column in columns:
        for text in (*labels_in_every_language(column.label), column.key):
            labels[text] = column.key
    found = {}
    for index, value in enumerate(header):
        key = labels.get(_normalise(value)) if value is not None else None
        if key and key not in found:
            found[key] = index
    missing = [
        column_title(column.label) for column in columns if column.required and column.key not in found
    ]
    if missing:
        raise SheetError(
            gettext(
                "The first row must hold the column headers; missing: %(columns)s. Download the template."
            )
            % {"columns": ", ".join(f"“{label}”" for label in missing)}
        )
    return found


def text_cell(value) -> str:
    """A cell as text: 12.0 read from Excel is "12", a date is DD.MM.YYYY."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return f"{value:%d.%m.%Y}"
    return str(value).strip()


def date_cell(value) -> datetime.date | None:
    """A date cell, or text as DD.MM.YYYY or YYYY-MM-DD; ValueError otherwise."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    for layout in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text, layout).date()
        except ValueError:
            continue
    raise ValueError(text)


def template_workbook(
    *, title: str, columns: list[SheetColumn], instructions: list[str], rows: list[list] = ()
) -> bytes:
    """An .xlsx with the header (bold, widths set), optional rows and an instructions sheet."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(cell_values([column_title(column.label) for column in columns]))
    for index, column in enumerate(columns, start=1):
        sheet.cell(row=1, column=index).font = Font(bold=True)
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        # Personnel and workplace numbers stay text (007 must not become 7).
        sheet.column_dimensions[letter].number_format = "DD.MM.YYYY" if column.kind == "date" else "@"
    for row in rows:
        sheet.append(cell_values(row))
    help_sheet = workbook.create_sheet(gettext("Instructions"))
    help_sheet.column_dimensions["A"].width = 120
    for line in instructions:
        help_sheet.append(cell_values([line]))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
