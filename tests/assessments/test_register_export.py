"""Export of the register list to Excel and CSV: exactly the filtered rows, every page."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from tests.factories import ControlMeasureFactory, HazardFactory, WorkplaceFactory

pytestmark = pytest.mark.django_db


def export(client, enterprise, query, language="en"):
    with translation.override(language):
        url = reverse("assessments:register", args=[enterprise.pk])
    response = client.get(f"{url}?{query}")
    assert response.status_code == 200
    return response


def test_xlsx_has_a_frozen_header_widths_and_levels_as_text(client, officer_a, enterprise_a):
    workplace = WorkplaceFactory(department__enterprise=enterprise_a, number="7", position="Проходчик")
    row = HazardFactory(
        workplace=workplace, risk_level=5, residual_level=3, next_review_on=datetime.date(2027, 3, 1)
    )
    ControlMeasureFactory(hazard=row, due_date=timezone.localdate() - datetime.timedelta(days=1))
    client.force_login(officer_a)
    response = export(client, enterprise_a, "format=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment;" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]

    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header[:7] == [
        "Row key",
        "Structural unit",
        "Workplace number",
        "Profession or position",
        "OKPDTR code",
        "Workers at the workplace",
        "Hazardous event code",
    ]
    assert sheet.freeze_panes == "B2"  # the header and the row key stay in sight
    assert sheet[1][0].font.bold
    assert sheet.column_dimensions["B"].width >= 20
    values = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert values["Row key"] == row.pk
    assert values["Workplace number"] == "7"
    assert values["Hazardous event code"] == "8.1"
    assert values["Current risk level"] == "Critical"
    assert values["Residual risk level"] == "Medium"
    assert values["Overdue measures"] == 1
    assert values["Next review"] == datetime.datetime(2027, 3, 1)
    assert sheet.max_row == 2


def test_export_holds_exactly_the_filtered_rows_of_every_page(client, officer_a, enterprise_a):
    workplace = WorkplaceFactory(department__enterprise=enterprise_a)
    for index in range(60):
        HazardFactory(workplace=workplace, source=f"Источник {index}", risk_level=5 if index < 55 else 1)
    client.force_login(officer_a)
    sheet = load_workbook(io.BytesIO(export(client, enterprise_a, "level=5&format=xlsx").content)).worksheets[
        0
    ]
    assert sheet.max_row == 1 + 55
    assert {row[0].value for row in sheet.iter_rows(min_row=2, min_col=20, max_col=20)} == {"Critical"}


def test_csv_is_utf8_with_bom_and_semicolons(client, officer_a, enterprise_a):
    workplace = WorkplaceFactory(department__enterprise=enterprise_a, position="Горнорабочий; подземный")
    HazardFactory(workplace=workplace, source="Соляная пыль", risk_level=3)
    client.force_login(officer_a)
    response = export(client, enterprise_a, "format=csv")
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Row key", "Structural unit", "Workplace number"]
    assert rows[1][3] == "Горнорабочий; подземный"
    assert "Соляная пыль" in rows[1] and "Medium" in rows[1]


def test_text_that_looks_like_a_formula_stays_text(client, officer_a, enterprise_a):
    HazardFactory(workplace=WorkplaceFactory(department__enterprise=enterprise_a), source="=HYPERLINK(1)")
    client.force_login(officer_a)
    sheet = load_workbook(io.BytesIO(export(client, enterprise_a, "format=xlsx").content)).worksheets[0]
    cell = sheet.cell(row=2, column=11)
    # Escaped as in the CSV (riskpilot.spreadsheets); the import takes the apostrophe off again.
    assert (cell.value, cell.data_type) == ("'=HYPERLINK(1)", "s")
    rows = list(
        csv.reader(
            io.StringIO(export(client, enterprise_a, "format=csv").content.decode("utf-8-sig")), delimiter=";"
        )
    )
    assert rows[1][10] == "'=HYPERLINK(1)"


def test_the_row_key_column_is_grey_explained_and_takes_whole_numbers_only(client, officer_a, enterprise_a):
    rows = [HazardFactory(workplace=WorkplaceFactory(department__enterprise=enterprise_a)) for _ in range(2)]
    client.force_login(officer_a)
    sheet = load_workbook(io.BytesIO(export(client, enterprise_a, "format=xlsx").content)).worksheets[0]
    assert [sheet.cell(row=r, column=1).value for r in (2, 3)] == [rows[0].pk, rows[1].pk]
    assert sheet.cell(row=2, column=1).fill.fgColor.rgb.endswith("E7E6E6")
    assert "Do not change" in sheet.cell(row=1, column=1).comment.text
    (rule,) = [v for v in sheet.data_validations.dataValidation if "A2" in str(v.sqref)]
    assert (rule.type, rule.operator, rule.showErrorMessage) == ("whole", "greaterThan", True)
    assert str(rule.sqref) == "A2:A5001"


def test_russian_export_has_russian_dates_in_csv(client, officer_a, enterprise_a):
    HazardFactory(
        workplace=WorkplaceFactory(department__enterprise=enterprise_a),
        next_review_on=datetime.date(2027, 3, 1),
    )
    client.force_login(officer_a)
    text = export(client, enterprise_a, "format=csv", language="ru").content.decode("utf-8-sig")
    assert "01.03.2027" in text


@pytest.mark.parametrize("persona", ["officer_b", "reviewer_other_region"])
def test_export_of_another_enterprise_is_not_found(client, request, persona, enterprise_a):
    client.force_login(request.getfixturevalue(persona))
    url = reverse("assessments:register", args=[enterprise_a.pk])
    assert client.get(f"{url}?format=xlsx").status_code == 404
