"""SOUT data of a workplace: the service, the .xlsx round trip, the findings and the form."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from documents.sout_findings import DISEASE_EVENTS, sout_findings
from enterprises.models import SoutFactor, SoutFactorClass, Workplace
from enterprises.sout import (
    SoutState,
    normalise_class,
    sout_distribution,
    sout_import,
    sout_set,
    sout_template,
)
from enterprises.workers import version_token
from hazards.models import HazardousEvent, HazardStatus
from tests.factories import HazardFactory, WorkplaceFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
RECENT = TODAY - datetime.timedelta(days=400)


@pytest.fixture
def workplace(enterprise_a):
    return WorkplaceFactory(department__enterprise=enterprise_a, number="7")


def _set(workplace, **more):
    values = {
        "card_number": "7",
        "approved_on": RECENT,
        "final_class": "3.2",
        "factors": {SoutFactor.NOISE: "3.2", SoutFactor.AEROSOLS: "3.1", SoutFactor.LIGHTING: "2"},
        **more,
    }
    return sout_set(workplace=workplace, **values)


def test_sout_set_records_the_card_and_replaces_the_factors(workplace):
    _set(workplace)
    workplace.refresh_from_db()
    assert (workplace.sout_card_number, workplace.sout_class, workplace.sout_date) == ("7", "3.2", RECENT)
    assert dict(SoutFactorClass.objects.values_list("factor", "sout_class")) == {
        "noise": "3.2",
        "aerosols": "3.1",
        "lighting": "2",
    }
    _set(workplace, final_class="3.1", factors={SoutFactor.NOISE: "3.1", SoutFactor.LIGHTING: ""})
    assert dict(SoutFactorClass.objects.values_list("factor", "sout_class")) == {"noise": "3.1"}


@pytest.mark.parametrize(
    "change",
    [
        {"final_class": "2"},  # lower than the highest factor
        {"approved_on": TODAY + datetime.timedelta(days=1)},
        {"approved_on": None},  # a class without a date
        {"factors": {"noise": "5"}},
        {"factors": {"sound": "2"}},
    ],
)
def test_inconsistent_sout_data_is_refused_and_writes_nothing(workplace, change):
    with pytest.raises(ValidationError):
        _set(workplace, **change)
    workplace.refresh_from_db()
    assert workplace.sout_class == ""
    assert not SoutFactorClass.objects.exists()


def test_a_stale_form_is_refused(workplace):
    token = version_token(workplace.updated_at)
    _set(workplace, version=token)
    with pytest.raises(ValidationError) as refused:
        _set(workplace, final_class="3.1", factors={"noise": "3.1"}, version=token)
    assert refused.value.code == "stale"


@pytest.mark.parametrize(
    ("cell", "stored"),
    [("3,1", "3.1"), (3.1, "3.1"), (2, "2"), (2.0, "2"), ("4", "4"), (" 3.2 ", "3.2"), ("", ""), (None, "")],
)
def test_class_cells_as_typed(cell, stored):
    assert normalise_class(cell) == stored


@pytest.mark.parametrize("cell", ["5", "3.5", "вредный", 0])
def test_class_cells_that_are_not_classes(cell):
    with pytest.raises(ValueError):
        normalise_class(cell)


def test_the_sheet_imports_back_as_it_was(workplace, enterprise_a):
    other = WorkplaceFactory(department=workplace.department, number="8")
    _set(workplace)
    before = sorted(SoutFactorClass.objects.values_list("workplace__number", "factor", "sout_class"))
    sheet = sout_template(enterprise_a)
    result = sout_import(enterprise=enterprise_a, file=SimpleUploadedFile("sout.xlsx", sheet))
    # The workplace without SOUT data is an empty row: nothing to set, no error.
    assert (result.workplaces, result.errors) == (1, [])
    assert sorted(SoutFactorClass.objects.values_list("workplace__number", "factor", "sout_class")) == before
    other.refresh_from_db()
    assert other.sout_class == ""


def test_an_edited_sheet_sets_the_new_classes(workplace, enterprise_a):
    workbook = load_workbook(io.BytesIO(sout_template(enterprise_a)))
    sheet = workbook.active
    header = [cell.value for cell in sheet[1]]
    row = {header[i]: i + 1 for i in range(len(header))}
    sheet.cell(row=2, column=row["Номер карты СОУТ"], value="7-1")
    sheet.cell(row=2, column=row["Дата утверждения отчёта СОУТ"], value=datetime.datetime(2024, 3, 1))
    sheet.cell(row=2, column=row["Итоговый класс"], value="3,2")
    sheet.cell(row=2, column=row["Вибрация общая"], value=3.2)
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = sout_import(enterprise=enterprise_a, file=SimpleUploadedFile("sout.xlsx", buffer.getvalue()))
    assert result.errors == []
    workplace.refresh_from_db()
    assert (workplace.sout_card_number, workplace.sout_class) == ("7-1", "3.2")
    assert list(SoutFactorClass.objects.values_list("factor", "sout_class")) == [("vibration_general", "3.2")]


def test_a_sheet_with_any_error_writes_nothing(workplace, enterprise_a):
    second = WorkplaceFactory(department=workplace.department, number="9")
    workbook = load_workbook(io.BytesIO(sout_template(enterprise_a)))
    sheet = workbook.active
    sheet.append(["7", "7", "01.02.2024", "2", "", "", "", "2"])  # workplace 7 twice
    sheet.append(["9", "9", "31.02.2024", "3.9"])  # bad date and class
    sheet.append(["404", "1", "01.02.2024", "2"])  # no such workplace
    sheet["C2"] = "01.02.2024"
    sheet["D2"] = "2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = sout_import(enterprise=enterprise_a, file=SimpleUploadedFile("sout.xlsx", buffer.getvalue()))
    found = {(e.row, e.column) for e in result.errors}
    assert {(4, "Номер рабочего места"), (5, "Дата утверждения отчёта СОУТ"), (5, "Итоговый класс")} <= found
    assert (6, "Номер рабочего места") in found
    assert Workplace.objects.filter(pk__in=[workplace.pk, second.pk], sout_class="").count() == 2
    assert not SoutFactorClass.objects.exists()


# --- Findings and figures ---------------------------------------------------------------------


def test_findings_missing_outdated_and_harmful_factor_without_a_disease_row(enterprise_a):
    missing = WorkplaceFactory(department__enterprise=enterprise_a)
    old = WorkplaceFactory(department=missing.department)
    covered = WorkplaceFactory(department=missing.department)
    sout_set(
        workplace=old,
        card_number="",
        approved_on=TODAY.replace(year=TODAY.year - 6),
        final_class="2",
        factors={},
    )
    sout_set(
        workplace=covered,
        card_number="",
        approved_on=RECENT,
        final_class="3.2",
        factors={"noise": "3.2", "aerosols": "3.1", "lighting": "3.1", "severity": "2"},
    )
    HazardFactory(workplace=covered, event=HazardousEvent.objects.get_by_natural_key("20.1"))
    # A dust row that is no longer active does not count.
    HazardFactory(
        workplace=covered,
        event=HazardousEvent.objects.get_by_natural_key("12.1"),
        status=HazardStatus.ARCHIVED,
    )

    found = sout_findings(Workplace.objects.filter(pk__in=[missing.pk, old.pk, covered.pk]))
    assert [found[w.pk].state for w in (missing, old, covered)] == [
        SoutState.MISSING,
        SoutState.OUTDATED,
        SoutState.CURRENT,
    ]
    assert [row.factor for row in found[covered.pk].gaps] == ["aerosols"]
    assert [row.factor for row in found[covered.pk].unmapped] == ["lighting"]
    assert found[covered.pk].finding_count == 1


def test_every_factor_is_mapped_to_catalogue_events_or_documented_as_none():
    assert set(DISEASE_EVENTS) == set(SoutFactor.values)
    codes = {code for events in DISEASE_EVENTS.values() for code in events}
    assert (
        set(HazardousEvent.objects.catalogue().filter(code__in=codes).values_list("code", flat=True)) == codes
    )


def test_distribution_counts_classes_missing_and_outdated(enterprise_a, enterprise_b):
    a1 = WorkplaceFactory(department__enterprise=enterprise_a)
    a2 = WorkplaceFactory(department=a1.department)
    WorkplaceFactory(department=a1.department)
    b1 = WorkplaceFactory(department__enterprise=enterprise_b)
    sout_set(workplace=a1, card_number="", approved_on=RECENT, final_class="3.1", factors={"noise": "3.1"})
    sout_set(workplace=a2, card_number="", approved_on=datetime.date(2015, 1, 1), final_class="2", factors={})
    sout_set(workplace=b1, card_number="", approved_on=RECENT, final_class="3.1", factors={})
    figures = sout_distribution(Workplace.objects.all())
    a = figures[enterprise_a.pk]
    assert (a.total, a.missing, a.outdated, a.by_class) == (3, 1, 1, {"3.1": 1, "2": 1})
    assert figures[enterprise_b.pk].by_class == {"3.1": 1}


# --- The form -------------------------------------------------------------------------------------


def test_officer_edits_sout_data_and_reviewer_may_not(workplace, officer_a, reviewer_region):
    client = Client()
    client.force_login(officer_a)
    url = reverse("enterprises:sout_edit", args=[workplace.pk])
    token = client.get(url).context["form"]["version"].value()
    data = {
        "version": token,
        "sout_card_number": "7",
        "sout_date": RECENT.isoformat(),
        "sout_class": "3.1",
        "factor_noise": "3.1",
        "factor_lighting": "2",
    }
    assert client.post(url, data).status_code == 302
    assert dict(SoutFactorClass.objects.values_list("factor", "sout_class")) == {
        "noise": "3.1",
        "lighting": "2",
    }
    # A final class lower than a factor's: shown again with the reason, nothing changed.
    refused = client.post(
        url,
        {
            **data,
            "version": version_token(Workplace.objects.get(pk=workplace.pk).updated_at),
            "sout_class": "2",
        },
    )
    assert refused.status_code == 200
    assert "наивысший" in str(refused.context["form"].errors)

    reviewer = Client()
    reviewer.force_login(reviewer_region)
    assert reviewer.get(url).status_code == 403
    page = reviewer.get(reverse("assessments:workplace", args=[workplace.pk]))
    assert "Шум" in page.content.decode()


def test_disease_gaps_are_counted_per_enterprise_for_the_dashboards(enterprise_a, enterprise_b):
    from documents.sout_findings import disease_gaps_by_enterprise

    a = WorkplaceFactory(department__enterprise=enterprise_a)
    b = WorkplaceFactory(department__enterprise=enterprise_b)
    factors = {"noise": "3.2", "aerosols": "3.1", "lighting": "3.1"}
    for workplace in (a, b):
        sout_set(workplace=workplace, card_number="", approved_on=RECENT, final_class="3.2", factors=factors)
    HazardFactory(workplace=a, event=HazardousEvent.objects.get_by_natural_key("20.1"))
    # A: dust uncovered (noise has its row, lighting is not counted); B: noise and dust uncovered.
    assert disease_gaps_by_enterprise(Workplace.objects.all()) == {enterprise_a.pk: 1, enterprise_b.pk: 2}
