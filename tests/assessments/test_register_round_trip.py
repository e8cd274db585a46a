"""The Excel round trip of the register: export, edit in Excel, import back. The export's row key
names each register row; the import shows a preview (new, changed cell by cell, unchanged,
erroneous rows), writes nothing until confirmed, then writes all or nothing through the services
the forms use, and refuses a file whose matched rows changed since the preview."""

import datetime
import io

import pytest
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from assessments.exports import COLUMNS
from assessments.models import ImportStatus, RegisterImport, RiskAssessment
from assessments.services import assessment_create
from hazards.models import Hazard, HazardousEvent, HazardStatus
from hazards.services import hazard_update
from tests.factories import DepartmentFactory, HazardFactory, WorkplaceFactory

from .test_register_import import (  # noqa: F401 (fixtures)
    confirm_preview,
    import_storage,
    imports_run_at_once,
    register_state,
    upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def register_a(enterprise_a, officer_a):
    """Two workplaces of enterprise A with five register rows, one of them assessed."""
    section = DepartmentFactory(
        enterprise=enterprise_a,
        parent=DepartmentFactory(enterprise=enterprise_a, name="Рудник"),
        name="Участок 1",
    )
    driver = WorkplaceFactory(
        department=section, number="10", position="Машинист конвейера", headcount_total=4
    )
    miner = WorkplaceFactory(department=section, number="11", position="Горнорабочий", okpdtr_code="11776")
    rows = [
        HazardFactory(
            workplace=driver,
            event=HazardousEvent.objects.get_by_natural_key("8.1"),
            source="Ленточный конвейер",
            existing_controls="Ограждение;\nинструктаж",
            next_review_on=datetime.date(2027, 1, 31),
        ),
        HazardFactory(
            workplace=driver, event=HazardousEvent.objects.get_by_natural_key("3.1"), source="Мокрый пол"
        ),
        HazardFactory(
            workplace=driver, event=HazardousEvent.objects.get_by_natural_key("20.1"), source="=шум"
        ),
        HazardFactory(
            workplace=miner, event=HazardousEvent.objects.get_by_natural_key("8.1"), source="Комбайн"
        ),
        HazardFactory(
            workplace=miner, event=HazardousEvent.objects.get_by_natural_key("3.1"), source="Уступ"
        ),
    ]
    assessment_create(hazard=rows[0], assessor=officer_a, inputs={"probability": 4, "severity": 4})
    return [Hazard.objects.get(pk=row.pk) for row in rows]


def export_xlsx(client, enterprise, language="en") -> bytes:
    with translation.override(language):
        url = reverse("assessments:register", args=[enterprise.pk])
    response = client.get(f"{url}?status=all&format=xlsx")
    assert response.status_code == 200
    return response.content


def edited(content: bytes, edits: dict[tuple[int, str], object], append: list[dict] | None = None) -> bytes:
    """The exported workbook with cells changed: {(register row pk, header): value}; ``append``
    adds lines by header."""
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    header = {cell.value: cell.column for cell in sheet[1]}
    lines = {sheet.cell(row=r, column=1).value: r for r in range(2, sheet.max_row + 1)}
    for (pk, label), value in edits.items():
        sheet.cell(row=lines[pk], column=header[label]).value = value
    for values in append or []:
        line = sheet.max_row + 1
        for label, value in values.items():
            sheet.cell(row=line, column=header[label]).value = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def line_of(content: bytes, pk: int) -> int:
    """The sheet line of a register row in an export (the export sorts as the list does)."""
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return next(r for r in range(2, sheet.max_row + 1) if sheet.cell(row=r, column=1).value == pk)


def snapshot(enterprise):
    """Every register row as it is, with its history length."""
    return {
        row.pk: (row.updated_at, row.source, row.status, row.risk_level, row.history.count())
        for row in Hazard.objects.filter(enterprise=enterprise)
    }


def errors_of(response):
    return [(e.row, e.column, e.message) for e in response.context["errors"]]


def test_an_unchanged_export_imports_with_no_change(client, officer_a, enterprise_a, register_a):
    client.force_login(officer_a)
    before = snapshot(enterprise_a)
    response = upload(client, enterprise_a, export_xlsx(client, enterprise_a), confirm=False)
    job = response.context["job"]
    assert job.status == ImportStatus.DONE, errors_of(response)
    preview = response.context["preview"]
    assert (len(preview["new"]), len(preview["changed"]), len(preview["unchanged"])) == (0, 0, 5)
    assert "Nothing to import" in response.content.decode()
    assert snapshot(enterprise_a) == before
    assert not job.file  # nothing left to confirm, so the upload is not kept


@pytest.mark.parametrize("language", ["ru", "en"])
def test_an_edited_export_changes_exactly_the_edited_cells(
    client, officer_a, enterprise_a, register_a, language
):
    first, second, *rest = register_a
    client.force_login(officer_a)
    content = export_xlsx(client, enterprise_a, language)
    with translation.override(language):
        label = {column.key: str(column.label) for column in COLUMNS}
        status_label = str(HazardStatus.ELIMINATED.label)
        active_label = str(HazardStatus.ACTIVE.label)
    content = edited(
        content,
        {
            (first.pk, label["source"]): "Ленточный конвейер № 2",
            (first.pk, label["exposed_count"]): 7,
            (second.pk, label["status"]): status_label,
            # Read-only computed columns: typing into them changes nothing.
            (rest[0].pk, label["risk_level"]): "Critical",
            (rest[0].pk, label["open_measures"]): 9,
        },
    )
    before = snapshot(enterprise_a)
    with translation.override(language):
        response = upload(client, enterprise_a, content, confirm=False, language=language)
    job = response.context["job"]
    assert job.status == ImportStatus.PREVIEW, errors_of(response)
    preview = response.context["preview"]
    assert (len(preview["new"]), len(preview["unchanged"])) == (0, 3)
    changes = {
        (entry["key"], cell["column"], cell["before"], cell["after"])
        for entry in preview["changed"]
        for cell in entry["cells"]
    }
    with translation.override(language):
        assert changes == {
            (first.pk, label["source"], "Ленточный конвейер", "Ленточный конвейер № 2"),
            (first.pk, label["exposed_count"], "1", "7"),
            (second.pk, label["status"], active_label, status_label),
        }
    page = response.content.decode()
    assert "Ленточный конвейер № 2" in page and 'id="import-changed"' in page
    assert snapshot(enterprise_a) == before  # nothing written before the confirmation

    response = confirm_preview(client, response)
    job = response.context["job"]
    assert (job.status, job.changed, job.hazards) == (ImportStatus.DONE, 2, 0), errors_of(response)
    after = {row.pk: row for row in Hazard.objects.filter(enterprise=enterprise_a)}
    assert (after[first.pk].source, after[first.pk].exposed_count) == ("Ленточный конвейер № 2", 7)
    assert after[first.pk].existing_controls == "Ограждение;\nинструктаж"
    assert after[second.pk].status == "eliminated"
    # The rating stays; each change is in the row's history, made by the confirming user.
    assert after[first.pk].risk_level == before[first.pk][3] is not None
    assert RiskAssessment.objects.get(hazard=first, is_current=True)
    assert after[first.pk].history.count() == before[first.pk][4] + 1
    assert after[first.pk].history.first().history_user == officer_a
    assert after[second.pk].history.count() == before[second.pk][4] + 1
    for row in rest:
        assert snapshot(enterprise_a)[row.pk] == before[row.pk]


def test_new_lines_without_a_key_are_added_and_missing_rows_stay(client, officer_a, enterprise_a, register_a):
    client.force_login(officer_a)
    workbook = load_workbook(io.BytesIO(export_xlsx(client, enterprise_a)))
    sheet = workbook.worksheets[0]
    sheet.delete_rows(3, 2)  # two register rows left out of the file
    sheet.auto_filter.ref = None
    buffer = io.BytesIO()
    workbook.save(buffer)
    content = edited(
        buffer.getvalue(),
        {},
        append=[
            {
                "Structural unit": "Рудник / Участок 1",
                "Workplace number": "10",
                "Profession or position": "Машинист конвейера",
                "Workers at the workplace": 4,
                "OKPDTR code": "13790",
                "Hazardous event code": "8.1",
                "Source of the hazard": "Натяжная станция",
            }
        ],
    )
    before = snapshot(enterprise_a)
    response = upload(client, enterprise_a, content, confirm=False)
    preview = response.context["preview"]
    assert [(entry["row"], entry["event"]) for entry in preview["new"]] == [(5, "8.1")], errors_of(response)
    assert (len(preview["changed"]), len(preview["unchanged"])) == (0, 3)
    response = confirm_preview(client, response)
    assert response.context["job"].hazards == 1
    after = snapshot(enterprise_a)
    assert {pk: after[pk] for pk in before} == before
    assert Hazard.objects.filter(enterprise=enterprise_a).count() == 6


@pytest.mark.parametrize(
    ("header", "value", "column"),
    [
        ("Workers at the workplace", "четыре", "F"),  # on the first of the workplace's three rows
        ("Number exposed", "-3", "P"),
        ("Next review", "31.02.2027", "R"),
        ("Status", "Закрыто", "S"),
        ("Source of the hazard", "", "K"),
        ("Hazardous event code", "3.2", "G"),  # a row keeps its event
        ("Workplace number", "11", "C"),  # and its workplace
        ("Profession or position", "Оператор", "D"),  # the workplace is changed on its own page
        ("Identified on", "01.01.2020", "Q"),
        ("Row key", "abc", "A"),
    ],
)
def test_one_bad_cell_is_one_error_and_nothing_is_written(
    client, officer_a, enterprise_a, register_a, header, value, column
):
    client.force_login(officer_a)
    first = register_a[0]
    exported = export_xlsx(client, enterprise_a)
    content = edited(
        exported,
        {(first.pk, header): value, (register_a[3].pk, "Source of the hazard"): "Комбайн КП-21"},
    )
    before = snapshot(enterprise_a)
    response = upload(client, enterprise_a, content)
    errors = errors_of(response)
    assert response.context["job"].status == ImportStatus.FAILED
    assert [(row, name[:1]) for row, name, _message in errors] == [(line_of(exported, first.pk), column)], (
        errors
    )
    assert snapshot(enterprise_a) == before
    # The preview still tells the rest: the other row's change, the erroneous one.
    assert (len(response.context["preview"]["changed"]), response.context["preview"]["erroneous"]) == (1, 1)
    assert 'id="import-confirm"' not in response.content.decode()


def test_a_bad_cell_in_a_new_workplace_is_not_repeated_on_its_other_rows(client, officer_a, enterprise_a):
    from .test_register_import import GOOD, workbook_bytes

    client.force_login(officer_a)
    rows = [
        {**GOOD, "headcount_total": "много"},
        {**GOOD, "event_code": "3.1", "source": "Пол"},
        {**GOOD, "event_code": "20.1", "source": "Шум"},
    ]
    response = upload(client, enterprise_a, workbook_bytes(rows))
    assert [(row, name[:1]) for row, name, _m in errors_of(response)] == [(2, "E")]
    assert register_state(enterprise_a) == (0, 0, 0)


def test_a_key_of_another_enterprise_is_refused(client, officer_a, enterprise_a, enterprise_b, register_a):
    theirs = HazardFactory(
        workplace=WorkplaceFactory(department__enterprise=enterprise_b), source="Их источник"
    )
    client.force_login(officer_a)
    exported = export_xlsx(client, enterprise_a)
    content = edited(exported, {(register_a[0].pk, "Row key"): theirs.pk})
    before_a, before_b = snapshot(enterprise_a), snapshot(enterprise_b)
    response = upload(client, enterprise_a, content)
    line = line_of(exported, register_a[0].pk)
    assert errors_of(response) == [(line, "A (Row key)", "No register row of this enterprise has this key.")]
    assert (snapshot(enterprise_a), snapshot(enterprise_b)) == (before_a, before_b)


def test_a_key_twice_in_the_file_is_refused(client, officer_a, enterprise_a, register_a):
    client.force_login(officer_a)
    exported = export_xlsx(client, enterprise_a)
    content = edited(exported, {(register_a[1].pk, "Row key"): register_a[0].pk})
    response = upload(client, enterprise_a, content)
    # The copy is the error, wherever it is: the original still has its row's workplace and event.
    copy = line_of(exported, register_a[1].pk)
    assert [(row, name[:1]) for row, name, _m in errors_of(response)] == [(copy, "A")]


def test_a_row_edited_after_the_preview_refuses_the_whole_file(client, officer_a, enterprise_a, register_a):
    first, second, third, *_ = register_a
    client.force_login(officer_a)
    exported = export_xlsx(client, enterprise_a)
    content = edited(
        exported,
        {(first.pk, "Source of the hazard"): "Новый источник", (second.pk, "Object"): "Склад"},
        append=[
            {
                "Structural unit": "Рудник / Участок 1",
                "Workplace number": "12",
                "Profession or position": "Электрослесарь",
                "Hazardous event code": "8.1",
                "Source of the hazard": "Щит",
            }
        ],
    )
    response = upload(client, enterprise_a, content, confirm=False)
    assert response.context["job"].status == ImportStatus.PREVIEW
    # Someone edits a matched row (one the file does not even change) through its form meanwhile.
    hazard_update(hazard=third, source=third.source, activity=third.activity, object_description="Забой")
    before = snapshot(enterprise_a)
    with translation.override("en"):
        response = confirm_preview(client, response)
    job = response.context["job"]
    assert job.status == ImportStatus.FAILED
    assert [(row, name[:1]) for row, name, _m in errors_of(response)] == [(line_of(exported, third.pk), "A")]
    assert "changed this register row" in errors_of(response)[0][2]
    assert snapshot(enterprise_a) == before  # neither the changes nor the new row
    assert register_state(enterprise_a)[1] == 2


def test_the_write_is_all_or_nothing(client, officer_a, enterprise_a, register_a, monkeypatch):
    """A failure in the middle of the write (here a race caught by a service) rolls back the
    rows written before it."""
    from django.core.exceptions import ValidationError

    import assessments.imports

    first, second, *_ = register_a
    calls = []
    real = assessments.imports.hazard_update

    def fails_the_second_time(**kwargs):
        calls.append(kwargs["hazard"].pk)
        if len(calls) == 2:
            raise ValidationError("Someone else changed this register row.")
        return real(**kwargs)

    client.force_login(officer_a)
    content = edited(
        export_xlsx(client, enterprise_a),
        {(first.pk, "Source of the hazard"): "Первый", (second.pk, "Source of the hazard"): "Второй"},
    )
    before = snapshot(enterprise_a)
    response = upload(client, enterprise_a, content, confirm=False)
    monkeypatch.setattr("assessments.imports.hazard_update", fails_the_second_time)
    response = confirm_preview(client, response)
    assert response.context["job"].status == ImportStatus.FAILED
    assert sorted(calls) == sorted([first.pk, second.pk])
    assert snapshot(enterprise_a) == before


def test_a_preview_is_confirmed_once_and_only_with_its_fingerprint(
    client, officer_a, enterprise_a, register_a
):
    client.force_login(officer_a)
    content = edited(export_xlsx(client, enterprise_a), {(register_a[0].pk, "Object"): "Штрек"})
    history = register_a[0].history.count()
    response = upload(client, enterprise_a, content, confirm=False)
    job = response.context["job"]
    url = reverse("assessments:import_confirm", args=[enterprise_a.pk, job.pk])
    with translation.override("en"), TestCase.captureOnCommitCallbacks(execute=True):
        stale = client.post(url, {"fingerprint": "0" * 64})
        missing = client.post(url, {})
    assert (stale.status_code, missing.status_code) == (200, 200)
    assert "out of date" in stale.content.decode() and "version token" in missing.content.decode()
    job.refresh_from_db()
    assert job.status == ImportStatus.PREVIEW
    assert Hazard.objects.get(pk=register_a[0].pk).object_description == ""

    confirm_preview(client, response)
    with translation.override("en"), TestCase.captureOnCommitCallbacks(execute=True):
        again = client.post(url, {"fingerprint": job.preview["fingerprint"]})
    assert again.status_code == 200 and "not waiting for confirmation" in again.content.decode()
    job.refresh_from_db()
    assert (job.status, job.changed) == (ImportStatus.DONE, 1)
    assert Hazard.objects.get(pk=register_a[0].pk).history.count() == history + 1


def test_reviewers_and_other_enterprises_cannot_confirm(
    client, officer_a, officer_b, reviewer_region, enterprise_a, register_a
):
    client.force_login(officer_a)
    content = edited(export_xlsx(client, enterprise_a), {(register_a[0].pk, "Object"): "Штрек"})
    job = upload(client, enterprise_a, content, confirm=False).context["job"]
    url = reverse("assessments:import_confirm", args=[enterprise_a.pk, job.pk])
    data = {"fingerprint": job.preview["fingerprint"]}
    client.force_login(officer_b)
    assert client.post(url, data).status_code == 404
    client.force_login(reviewer_region)
    assert client.post(url, data).status_code == 403
    job.refresh_from_db()
    assert job.status == ImportStatus.PREVIEW


def test_the_check_reports_its_progress(client, officer_a, enterprise_a, monkeypatch):
    """Rows checked / total, as the worker goes (every PROGRESS_EVERY rows and at the end)."""
    from assessments import imports

    from .test_register_import import GOOD, workbook_bytes

    monkeypatch.setattr(imports, "PROGRESS_EVERY", 3)
    rows = [{**GOOD, "workplace_number": str(n), "source": f"Конвейер {n}"} for n in range(1, 9)]
    client.force_login(officer_a)
    checked = []
    original = imports.validate

    def spy(enterprise, rows, progress=None):
        def recording(value):
            checked.append(value)
            progress(value)

        return original(enterprise, rows, progress=recording if progress else None)

    monkeypatch.setattr(imports, "validate", spy)
    response = upload(client, enterprise_a, workbook_bytes(rows), confirm=False)
    job = response.context["job"]
    assert checked == [2, 5, 8]  # every third row, the last one once
    assert (job.rows_total, job.rows_checked, job.status) == (8, 8, ImportStatus.PREVIEW)


def test_the_status_page_shows_rows_checked_of_total(client, officer_a, enterprise_a):
    job = RegisterImport.objects.create(
        enterprise=enterprise_a,
        requested_by=officer_a,
        original_name="big.xlsx",
        status=ImportStatus.RUNNING,
        rows_total=5000,
        rows_checked=1250,
    )
    client.force_login(officer_a)
    with translation.override("en"):
        page = client.get(reverse("assessments:import_status", args=[enterprise_a.pk, job.pk]))
    text = page.content.decode()
    assert "Rows checked: 1,250 of 5,000." in text and 'hx-trigger="every 2s"' in text


def test_the_status_page_shows_rows_written_while_writing(client, officer_a, enterprise_a):
    from django.core.cache import cache

    from assessments.imports import apply_progress_key

    job = RegisterImport.objects.create(
        enterprise=enterprise_a,
        requested_by=officer_a,
        original_name="big.xlsx",
        status=ImportStatus.APPLYING,
        rows_total=5000,
    )
    cache.set(apply_progress_key(job.pk), 750)
    client.force_login(officer_a)
    with translation.override("en"):
        page = client.get(reverse("assessments:import_status", args=[enterprise_a.pk, job.pk]))
    cache.delete(apply_progress_key(job.pk))
    text = page.content.decode()
    assert "Rows written: 750 of 5,000." in text and 'hx-trigger="every 2s"' in text


@pytest.mark.parametrize("language", ["ru", "en"])
def test_the_preview_page_needs_as_many_queries_for_many_rows_as_for_one(
    client, officer_a, enterprise_a, language
):
    workplace = WorkplaceFactory(department__enterprise=enterprise_a, number="5", position="Проходчик")
    rows = [HazardFactory(workplace=workplace, source=f"Источник {n}") for n in range(40)]
    client.force_login(officer_a)

    def preview_url(count):
        content = edited(
            export_xlsx(client, enterprise_a),
            {(row.pk, "Object"): f"Забой {n}" for n, row in enumerate(rows[:count])},
        )
        job = upload(client, enterprise_a, content, confirm=False).context["job"]
        assert job.status == ImportStatus.PREVIEW and len(job.preview["changed"]) == count
        return reverse("assessments:import_status", args=[enterprise_a.pk, job.pk])

    one, many = preview_url(1), preview_url(40)
    with translation.override(language):
        client.get(one)  # warm the session and the translations
        with CaptureQueriesContext(connection) as at_one:
            assert client.get(one).status_code == 200
        with CaptureQueriesContext(connection) as at_many:
            page = client.get(many)
    assert page.status_code == 200 and page.content.decode().count("Забой") == 40
    assert len(at_many) == len(at_one) <= 8


def test_a_preview_left_unconfirmed_expires_with_its_file(client, officer_a, enterprise_a, register_a):
    from django.utils import timezone

    from assessments.imports import PREVIEW_KEPT, register_imports_reconcile

    client.force_login(officer_a)
    content = edited(export_xlsx(client, enterprise_a), {(register_a[0].pk, "Object"): "Штрек"})
    job = upload(client, enterprise_a, content, confirm=False).context["job"]
    assert job.file
    register_imports_reconcile(now=timezone.now() + PREVIEW_KEPT + datetime.timedelta(minutes=1))
    job.refresh_from_db()
    assert (job.status, job.file.name) == (ImportStatus.FAILED, "")
    assert Hazard.objects.get(pk=register_a[0].pk).object_description == ""
