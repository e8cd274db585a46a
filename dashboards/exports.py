"""The dashboards' tables as .xlsx: the same columns as on the page (dashboards.tables), numbers as
numbers (shares as percentages, rates with two decimals) so that they can be worked on."""

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from riskpilot.spreadsheets import cell_value, cell_values

from . import okved, tables

FORMATS = {"count": "#,##0", "share": "0%", "rate": "0.00", "datetime": "DD.MM.YYYY HH:MM"}
HEADER_FILL = PatternFill("solid", fgColor="E9ECEF")
BOLD = Font(bold=True)


def _value(value, kind):
    if value is None:
        return None
    if kind == "datetime":
        return timezone.localtime(value).replace(tzinfo=None)  # Excel has no time zones
    if kind in ("share", "rate"):
        return float(value)
    return value


def table_workbook(*, title, rows, totals, filters, run, per_enterprise: bool) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Dashboard")[:31]

    leading = [_("Enterprise"), _("Region"), _("OKVED2"), _("Industry")] if per_enterprise else [_("Region")]
    columns = tables.COLUMNS
    period = filters.period
    notes = [
        title,
        _("Period: %(period)s (%(first)s – %(last)s)")
        % {
            "period": period.label,
            "first": f"{period.first_month:%m.%Y}",
            "last": f"{period.last_month:%m.%Y}",
        },
    ]
    if period.has_ended():
        notes.append(
            _("Register figures at the end of the period: %(day)s") % {"day": f"{period.last_day:%d.%m.%Y}"}
        )
    else:
        notes.append(
            _("The period has not ended: data on %(day)s") % {"day": f"{period.state_day():%d.%m.%Y}"}
        )
    if filters.section:
        notes.append(_("Industry: %(section)s") % {"section": filters.section})
    if filters.hazard_group:
        notes.append(_("Hazard group: %(group)s") % {"group": filters.hazard_group})
    if run:
        notes.append(
            _("Figures as of %(stamp)s") % {"stamp": f"{timezone.localtime(run.started_at):%d.%m.%Y %H:%M}"}
        )
    # Enterprise and region names, the filters: text a spreadsheet must not run (riskpilot.spreadsheets).
    for note in notes:
        sheet.append([cell_value(str(note))])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])

    group_row = [""] * len(leading) + [str(column.group) for column in columns]
    header_row = [str(label) for label in leading] + [str(column.label) for column in columns]
    sheet.append(cell_values(group_row))
    sheet.append(cell_values(header_row))
    header_index = sheet.max_row
    for row_index in (header_index - 1, header_index):
        for cell in sheet[row_index]:
            cell.font = BOLD
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    def write(figures, label_cells, bold=False):
        values = cell_values(label_cells) + [_value(column.value(figures), column.kind) for column in columns]
        sheet.append(values)
        for offset, column in enumerate(columns, start=len(label_cells) + 1):
            sheet.cell(sheet.max_row, offset).number_format = FORMATS[column.kind]
        if bold:
            for cell in sheet[sheet.max_row]:
                cell.font = BOLD

    for figures in rows:
        if per_enterprise:
            section = okved.section_of(figures.okved)
            label_cells = [
                figures.label,
                figures.region.name,
                figures.okved,
                section.letter if section else "",
            ]
        else:
            label_cells = [figures.label]
        write(figures, label_cells)
    write(totals, [str(totals.label)] + [""] * (len(leading) - 1), bold=True)

    sheet.freeze_panes = sheet.cell(header_index + 1, len(leading) + 1)
    sheet.column_dimensions["A"].width = 42
    for index in range(2, len(leading) + len(columns) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 12
    sheet.row_dimensions[header_index].height = 45

    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()
