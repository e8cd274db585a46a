"""One escaping rule for every spreadsheet and CSV RiskPilot writes (riskpilot.spreadsheets), and
each writer using it: text a spreadsheet would run as a formula gets a leading apostrophe,
numbers and dates stay what they are."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from riskpilot.spreadsheets import cell_value, unescape_text
from tests.factories import HazardFactory, WorkplaceFactory
from tests.reports.conftest import url


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'),
        ("+7 (495) 000-00-00", "'+7 (495) 000-00-00"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Конвейер = опасность", "Конвейер = опасность"),
        ("", ""),
        (-3, -3),
        (2.5, 2.5),
        (None, None),
        (datetime.date(2026, 1, 2), datetime.date(2026, 1, 2)),
    ],
)
def test_cell_value_escapes_formula_text_only(value, written):
    assert cell_value(value) == written


@pytest.mark.parametrize("text", ["=1+1", "-x", "\tTab", "'quoted", "'", "plain"])
def test_unescape_gives_back_what_was_escaped(text):
    assert unescape_text(cell_value(text)) == text


# --- Every writer ------------------------------------------------------------------------------

EVIL_NAME = '=HYPERLINK("http://evil.example","Открыть")'


def _register_export(client, enterprise, query):
    with translation.override("en"):
        path = reverse("assessments:register", args=[enterprise.pk])
    response = client.get(f"{path}?{query}")
    assert response.status_code == 200
    return response


@pytest.mark.django_db
def test_register_xlsx_escapes_cells_and_the_about_sheet(client, officer_a, enterprise_a):
    enterprise_a.full_name = EVIL_NAME
    enterprise_a.save()
    HazardFactory(workplace=WorkplaceFactory(department__enterprise=enterprise_a), source="@SUM(1)")
    client.force_login(officer_a)
    # A parameter without a name puts "=" first in the recorded filters.
    content = _register_export(client, enterprise_a, "=cmd|calc&format=xlsx").content
    workbook = load_workbook(io.BytesIO(content))
    formulas = [
        cell.coordinate
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    assert formulas == []
    about = {row[0]: row[1] for row in workbook["About"].iter_rows(values_only=True)}
    assert about["Enterprise"] == "'" + EVIL_NAME
    assert about["Filters"].startswith("'=")
    assert workbook.worksheets[0].cell(row=2, column=11).value == "'@SUM(1)"  # after the row key


@pytest.mark.django_db
def test_register_csv_escapes_tab_and_cr_and_keeps_numbers(client, officer_a, enterprise_a):
    workplace = WorkplaceFactory(department__enterprise=enterprise_a, number="-1", headcount_total=4)
    HazardFactory(workplace=workplace, source="\t=1+1", exposed_count=3)
    HazardFactory(workplace=workplace, source="\r=2+2", exposed_count=3)
    client.force_login(officer_a)
    text = _register_export(client, enterprise_a, "format=csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert sorted(row[10] for row in rows[1:]) == ["'\t=1+1", "'\r=2+2"]
    assert {(row[2], row[5], row[15]) for row in rows[1:]} == {("'-1", "4", "3")}


@pytest.mark.django_db
def test_regional_dashboard_xlsx_escapes_enterprise_names(client, reviewer_region, enterprise_a):
    enterprise_a.short_name = EVIL_NAME
    enterprise_a.save()
    HazardFactory(workplace=WorkplaceFactory(department__enterprise=enterprise_a))
    client.force_login(reviewer_region)
    response = client.get(url("dashboards:region_export", "56", lang="en"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    assert "'" + EVIL_NAME in [cell.value for cell in cells]


@pytest.mark.django_db
def test_import_template_escapes_catalogue_text(client, officer_a, enterprise_a, monkeypatch):
    event = HazardFactory(workplace=WorkplaceFactory(department__enterprise=enterprise_a)).event
    event.name_ru = event.name_en = "=1+1"
    # The catalogue the template lists, reduced to one hostile name.
    monkeypatch.setattr("assessments.imports.catalogue_events", lambda enterprise: [event])
    client.force_login(officer_a)
    content = client.get(reverse("assessments:import_template", args=[enterprise_a.pk])).content
    catalogue = load_workbook(io.BytesIO(content)).worksheets[2]
    assert catalogue.cell(row=2, column=3).value == "'=1+1"
