"""The workers of a workplace: services, the .xlsx round trip, the personal-data scope and the pages."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from enterprises.models import Worker
from enterprises.workers import (
    COLUMNS,
    current_workers,
    personal_scope,
    version_token,
    worker_add,
    worker_end,
    worker_update,
    workers_export,
    workers_import,
    workers_template,
    workplace_headcount_from_workers,
)
from tests.factories import WorkplaceFactory
from tests.submission import with_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def workplace(enterprise_a):
    return WorkplaceFactory(department__enterprise=enterprise_a, number="12", position="Машинист конвейера")


def _add(workplace, number="00101", surname="Иванов", **more):
    return worker_add(
        workplace=workplace,
        surname=surname,
        first_name="Сергей",
        patronymic="Петрович",
        personnel_number=number,
        **more,
    )


def _xlsx(rows, header=None) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header or [str(column.label) for column in COLUMNS])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("workers.xlsx", buffer.getvalue())


# --- Services -----------------------------------------------------------------------------------


def test_a_worker_takes_the_workplace_position_and_a_number_once_per_workplace(workplace):
    worker = _add(workplace)
    assert worker.position == "Машинист конвейера"
    assert worker.enterprise_id == workplace.enterprise_id
    assert worker.short_name == "Иванов С. П."
    with pytest.raises(ValidationError) as refused:
        _add(workplace, surname="Петров")
    assert "personnel_number" in refused.value.error_dict
    assert Worker.objects.count() == 1


def test_a_stale_edit_is_refused_and_writes_nothing(workplace, officer_a):
    worker = _add(workplace)
    token = version_token(worker.updated_at)
    worker_update(worker=worker, version=token, surname="Иванова")
    with pytest.raises(ValidationError) as refused:
        worker_update(worker=worker, version=token, surname="Петров")
    assert refused.value.code == "stale"
    worker.refresh_from_db()
    assert worker.surname == "Иванова"


def test_an_ended_worker_is_no_longer_counted_from_the_next_day(workplace):
    today = timezone.localdate()
    staying = _add(workplace, number="1")
    leaving = _add(workplace, number="2", surname="Петров")
    worker_end(worker=leaving, employed_to=today - datetime.timedelta(days=1))
    assert list(current_workers([workplace])) == [staying]
    assert set(current_workers([workplace], today - datetime.timedelta(days=1))) == {staying, leaving}
    with pytest.raises(ValidationError):
        worker_update(worker=staying, employed_from=today, employed_to=today - datetime.timedelta(days=3))


def test_head_count_is_taken_from_the_list(workplace):
    workplace.headcount_total, workplace.headcount_women = 10, 7
    workplace.save()
    with pytest.raises(ValidationError):
        workplace_headcount_from_workers(workplace=workplace)
    for number in ("1", "2", "3"):
        _add(workplace, number=number)
    workplace = workplace_headcount_from_workers(workplace=workplace)
    assert (workplace.headcount_total, workplace.headcount_women) == (3, 3)


# --- Import and export ------------------------------------------------------------------------


def test_export_imports_back_as_it_was(workplace, enterprise_a):
    _add(workplace, number="007", employed_from=datetime.date(2020, 3, 1))
    _add(workplace, number="008", surname="Абдрахманова", employed_to=datetime.date(2031, 1, 31))
    before = sorted(Worker.objects.values_list(*[c.key for c in COLUMNS[1:]]))
    exported = SimpleUploadedFile("workers.xlsx", workers_export(enterprise_a))

    result = workers_import(enterprise=enterprise_a, file=exported)
    assert (result.added, result.updated, result.errors) == (0, 0, [])
    assert sorted(Worker.objects.values_list(*[c.key for c in COLUMNS[1:]])) == before

    # The export read back: the personnel number stays text ("007", not 7).
    sheet = load_workbook(io.BytesIO(workers_export(enterprise_a))).active
    assert ["12", "007", "Иванов"] in [[cell.value for cell in row][:3] for row in sheet.iter_rows(min_row=2)]


def test_import_adds_and_updates_by_personnel_number(workplace, enterprise_a):
    _add(workplace, number="101")
    result = workers_import(
        enterprise=enterprise_a,
        file=_xlsx(
            [
                ["12", "101", "Иванов", "Сергей", "Петрович", "Старший машинист", "01.02.2024", None],
                [12, 102, "Сидорова", "Анна", "", "", datetime.datetime(2025, 5, 6), None],
            ]
        ),
    )
    assert result.errors == []
    assert (result.added, result.updated) == (1, 1)
    assert Worker.objects.get(personnel_number="101").position == "Старший машинист"
    added = Worker.objects.get(personnel_number="102")
    assert (added.employed_from, added.position) == (datetime.date(2025, 5, 6), "Машинист конвейера")


def test_a_file_with_any_error_writes_nothing_and_names_each_cell(workplace, enterprise_a, enterprise_b):
    other = WorkplaceFactory(department__enterprise=enterprise_b, number="99")
    result = workers_import(
        enterprise=enterprise_a,
        file=_xlsx(
            [
                ["12", "201", "Орлов", "Вадим", "", "", "", ""],
                ["99", "202", "Белов", "Олег", "", "", "", ""],  # B's workplace number only
                ["12", "201", "Орлов", "Вадим", "", "", "", ""],  # twice
                ["12", "", "", "Илья", "", "", "32.13.2024", "01.01.2020"],
            ]
        ),
    )
    assert other.enterprise_id != enterprise_a.pk
    assert Worker.objects.count() == 0
    found = {(error.row, error.column) for error in result.errors}
    assert (3, "Номер рабочего места") in found
    assert (4, "Табельный номер") in found
    assert {(5, "Табельный номер"), (5, "Фамилия"), (5, "На рабочем месте с")} <= found


def test_a_file_without_the_header_is_refused(enterprise_a):
    from enterprises.sheets import SheetError

    with pytest.raises(SheetError):
        workers_import(enterprise=enterprise_a, file=_xlsx([["12", "1"]], header=["a", "b"]))
    with pytest.raises(SheetError):
        workers_import(enterprise=enterprise_a, file=SimpleUploadedFile("w.xlsx", b"PK\x03\x04 not a zip"))


def test_the_template_has_the_header_and_the_workplaces(workplace, enterprise_a):
    workbook = load_workbook(io.BytesIO(workers_template(enterprise_a)))
    assert [cell.value for cell in workbook.worksheets[0][1]] == [str(c.label) for c in COLUMNS]
    assert "№ 12 — Машинист конвейера" in [row[0].value for row in workbook.worksheets[1].iter_rows()]
    # Filled in and uploaded as it is, the template with no rows imports nothing and no error.
    result = workers_import(
        enterprise=enterprise_a, file=SimpleUploadedFile("t.xlsx", workers_template(enterprise_a))
    )
    assert (result.added, result.errors) == (0, [])


# --- Who sees names -----------------------------------------------------------------------------


def test_only_the_enterprise_officers_and_managers_reach_workers(
    workplace, officer_a, manager_a, officer_b, reviewer_region, federal, admin_user
):
    worker = _add(workplace)
    visible = {
        user.username: Worker.objects.filter(personal_scope(user)).exists()
        for user in (officer_a, manager_a, officer_b, reviewer_region, federal, admin_user)
    }
    assert visible == {
        officer_a.username: True,
        manager_a.username: True,
        officer_b.username: False,
        reviewer_region.username: False,
        federal.username: False,
        admin_user.username: False,
    }
    # The reviewer sees the workplace, yet reaching the worker by id is a 404, like a stranger.
    client = Client()
    client.force_login(reviewer_region)
    assert client.get(reverse("assessments:workplace", args=[workplace.pk])).status_code == 200
    assert client.get(reverse("enterprises:worker_edit", args=[worker.pk])).status_code == 404
    assert client.get(reverse("enterprises:workers", args=[workplace.pk])).status_code == 404


# --- Pages --------------------------------------------------------------------------------------


def test_officer_adds_edits_and_ends_a_worker(workplace, officer_a):
    client = Client()
    client.force_login(officer_a)
    data = {"surname": "Орлов", "first_name": "Вадим", "patronymic": "", "personnel_number": "5"}
    response = client.post(
        reverse("enterprises:worker_add", args=[workplace.pk]), with_key(data, position="")
    )
    assert response.status_code == 302
    worker = Worker.objects.get()
    url = reverse("enterprises:worker_edit", args=[worker.pk])
    page = client.get(url)
    assert page.status_code == 200
    token = page.context["form"]["version"].value()
    changed = {**data, "position": "Горнорабочий", "version": token}
    assert client.post(url, changed).status_code == 302
    # The same token again: someone changed the worker meanwhile.
    again = client.post(url, {**changed, "position": "Другое"})
    assert again.status_code == 200
    assert "изменил" in " ".join(again.context["form"].non_field_errors()) or again.context["form"].errors
    worker.refresh_from_db()
    assert worker.position == "Горнорабочий"

    end = reverse("enterprises:worker_end", args=[worker.pk])
    token = client.get(end).context["form"]["version"].value()
    assert (
        client.post(end, {"employed_to": timezone.localdate().isoformat(), "version": token}).status_code
        == 302
    )
    worker.refresh_from_db()
    assert worker.employed_to == timezone.localdate()


def test_workers_page_query_count_does_not_grow(workplace, officer_a, django_assert_max_num_queries):
    client = Client()
    client.force_login(officer_a)
    url = reverse("enterprises:workers", args=[workplace.pk])
    _add(workplace, number="1")
    with django_assert_max_num_queries(12):
        client.get(url)
    for number in range(2, 40):
        _add(workplace, number=str(number))
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200
