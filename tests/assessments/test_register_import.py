"""Import from .xlsx: every row validated first, each bad cell reported with its row and column,
a file with any error writes nothing; the export of a register imports into an empty enterprise
as the same register."""

import datetime
import io
import zipfile

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import Workbook, load_workbook

from assessments.imports import IMPORTABLE
from assessments.models import ImportStatus, RegisterImport
from enterprises.models import Department, Workplace
from enterprises.services import department_path, department_tree
from hazards.models import Hazard, HazardousEvent
from tests.factories import DepartmentFactory, HazardFactory, WorkplaceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def imports_run_at_once(settings):
    """The embedded mode: the queued import runs when the request commits, even when REDIS_URL is
    set (tests/integration covers the real worker)."""
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture(autouse=True)
def import_storage(tmp_path, monkeypatch):
    """Uploaded files wait for the task in a temporary folder, never in the checkout's var/private."""
    storage = FileSystemStorage(location=tmp_path / "private", base_url=None)
    monkeypatch.setattr(RegisterImport._meta.get_field("file"), "storage", storage)
    return storage


KEYS = [column.key for column in IMPORTABLE]


def workbook_bytes(rows, header=None) -> bytes:
    """An .xlsx with the English header and one row per dict (by column key)."""
    workbook = Workbook()
    sheet = workbook.active
    with translation.override("en"):
        sheet.append(header or [str(column.label) for column in IMPORTABLE])
    for row in rows:
        sheet.append([row.get(key) for key in KEYS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, enterprise, content: bytes, name="register.xlsx", confirm=True, language="en"):
    """Post the file and follow the redirect to the import's status page. The import task is
    queued on commit and, without a broker, runs at once (the embedded mode). With ``confirm``,
    a preview is confirmed as a user would, and the page after the write returned."""
    with translation.override(language):
        url = reverse("assessments:import", args=[enterprise.pk])
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url, {"file": SimpleUploadedFile(name, content)})
    if response.status_code == 302:
        response = client.get(response["Location"])
    job = response.context.get("job") if response.status_code == 200 else None
    if confirm and job is not None and job.status == ImportStatus.PREVIEW:
        response = confirm_preview(client, response)
    return response


def confirm_preview(client, response):
    """Press "Confirm" on a preview page; the write runs at once (the embedded mode)."""
    job = response.context["job"]
    url = reverse("assessments:import_confirm", args=[job.enterprise_id, job.pk])
    with TestCase.captureOnCommitCallbacks(execute=True):
        posted = client.post(url, {"fingerprint": response.context["preview"]["fingerprint"]})
    assert posted.status_code == 302
    return client.get(posted["Location"])


def imported(response) -> bool:
    return response.status_code == 200 and response.context["job"].status == ImportStatus.DONE


def register_state(enterprise):
    return (
        Department.objects.filter(enterprise=enterprise).count(),
        Workplace.objects.filter(enterprise=enterprise).count(),
        Hazard.objects.filter(enterprise=enterprise).count(),
    )


GOOD = {
    "department": "Подземный рудник / Участок № 1",
    "workplace_number": "12",
    "position": "Машинист конвейера",
    "okpdtr_code": "13790",
    "headcount_total": 4,
    "event_code": "8.1",
    "source": "Ленточный конвейер",
}


def test_a_clean_file_creates_units_workplaces_and_rows(client, officer_a, enterprise_a):
    rows = [
        GOOD,
        {
            **GOOD,
            "event_code": "3.1",
            "source": "Мокрая почва",
            "activity": "Non-routine work",
            "exposed_count": 2,
        },
        {
            "department": "Подземный рудник / Участок № 1",
            "workplace_number": "13",
            "position": "Горнорабочий",
        },
        {"department": "Склад ГСМ/АЗС"},
        {
            **GOOD,
            "event_code": "20.1",
            "source": "Шум",
            "status": "Eliminated",
            "next_review_on": "01.06.2027",
        },
    ]
    client.force_login(officer_a)
    response = upload(client, enterprise_a, workbook_bytes(rows))
    assert imported(response)
    assert "3 register rows" in response.content.decode()
    assert register_state(enterprise_a) == (3, 2, 3)
    tree, by_id = department_tree(enterprise_a)
    assert sorted(" / ".join(department_path(d, by_id)) for d, _depth in tree) == [
        "Подземный рудник",
        "Подземный рудник / Участок № 1",
        "Склад ГСМ/АЗС",
    ]
    workplace = Workplace.objects.get(enterprise=enterprise_a, number="12")
    assert (workplace.position, workplace.okpdtr_code, workplace.headcount_total) == (
        "Машинист конвейера",
        "13790",
        4,
    )
    fall = Hazard.objects.get(workplace=workplace, event__code="3.1")
    assert (fall.activity, fall.exposed_count, fall.identified_by) == ("non_routine", 2, officer_a)
    noise = Hazard.objects.get(workplace=workplace, event__code="20.1")
    assert (noise.status, noise.next_review_on) == ("eliminated", datetime.date(2027, 6, 1))


@pytest.mark.parametrize(
    ("bad_row", "column", "reason"),
    [
        ({**GOOD, "event_code": "99.9"}, "F", "No hazardous event has this code"),
        ({**GOOD, "department": "Подземный рудник /  / Участок"}, "A", "A name is missing in the path"),
        ({**GOOD, "department": None}, "A", "Give the structural unit"),
        (
            {**GOOD, "position": "Другая должность", "event_code": "3.1"},
            "C",
            "described differently in row 2",
        ),
        ({**GOOD, "headcount_total": 7, "event_code": "3.1"}, "E", "described differently in row 2"),
        ({**GOOD, "exposed_count": "много", "event_code": "3.1"}, "L", "whole number"),
        ({**GOOD, "exposed_count": -2, "event_code": "3.1"}, "L", "whole number"),
        ({**GOOD, "source": None, "event_code": "3.1"}, "G", "Describe the source"),
        ({**GOOD, "workplace_number": "14", "position": None}, "C", "Give the profession or position"),
        ({**GOOD, "workplace_number": None}, "B", "Give the workplace number"),
        ({**GOOD, "okpdtr_code": "12", "workplace_number": "15"}, "D", "OKPDTR"),
        ({**GOOD, "event_code": None, "source": "Что-то"}, "F", "Give the hazardous event code"),
        ({**GOOD, "event_code": "3.1", "activity": "sometimes"}, "H", "Unknown value"),
        ({**GOOD, "event_code": "3.1", "next_review_on": "31.02.2027"}, "N", "Give a date"),
        (
            {**GOOD, "event_code": "3.1", "identified_on": "01.01.2099"},
            "M",
            "cannot be identified in the future",
        ),
        ({**GOOD}, "F", "already in row 2"),
        ({**GOOD, "event_code": 13.1, "source": "Печь"}, "F", "format the cell as text"),
    ],
)
def test_each_bad_cell_is_reported_with_row_and_column_and_nothing_is_written(
    client, officer_a, enterprise_a, bad_row, column, reason
):
    client.force_login(officer_a)
    with translation.override("en"):
        response = upload(client, enterprise_a, workbook_bytes([GOOD, bad_row]))
    assert response.status_code == 200
    errors = response.context["errors"]
    assert [(e.row, e.column[:1]) for e in errors if reason.casefold() in e.message.casefold()] == [
        (3, column)
    ], [(e.row, e.column, e.message) for e in errors]
    assert register_state(enterprise_a) == (0, 0, 0)
    assert "Nothing was imported" in response.content.decode()


def test_every_error_of_the_file_is_listed_at_once(client, officer_a, enterprise_a):
    rows = [
        GOOD,
        {**GOOD, "event_code": "99.9", "workplace_number": "20"},
        {**GOOD, "workplace_number": None},
    ]
    client.force_login(officer_a)
    response = upload(client, enterprise_a, workbook_bytes(rows))
    assert sorted(e.row for e in response.context["errors"]) == [3, 4]


def test_a_workplace_already_in_the_register_must_match(client, officer_a, enterprise_a):
    existing = WorkplaceFactory(department__enterprise=enterprise_a, number="12", position="Горнорабочий")
    path = existing.department.name
    client.force_login(officer_a)
    response = upload(
        client, enterprise_a, workbook_bytes([{**GOOD, "department": path, "okpdtr_code": "13790"}])
    )
    assert [(e.row, e.column[:1]) for e in response.context["errors"]] == [(2, "C")]
    assert Hazard.objects.count() == 0

    matching = {**GOOD, "department": path, "position": "Горнорабочий", "okpdtr_code": "13790"}
    response = upload(client, enterprise_a, workbook_bytes([matching]))
    assert imported(response)
    assert Hazard.objects.get().workplace == existing


def test_an_already_registered_row_is_not_imported_twice(client, officer_a, enterprise_a):
    client.force_login(officer_a)
    assert imported(upload(client, enterprise_a, workbook_bytes([GOOD])))
    response = upload(client, enterprise_a, workbook_bytes([GOOD]))
    assert "already has this event" in response.context["errors"][0].message
    assert Hazard.objects.count() == 1


def test_missing_header_columns_are_named(client, officer_a, enterprise_a):
    client.force_login(officer_a)
    response = upload(client, enterprise_a, workbook_bytes([GOOD], header=["Что-то", "Ещё"]))
    assert response.status_code == 200
    assert "Workplace number" in str(response.context["errors"][0].message)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("register.csv", b"a;b\n1;2\n", ".xlsx"),
        ("register.xlsx", b"not a workbook at all", "not a valid .xlsx"),
        ("register.xlsx", None, "not a valid .xlsx"),  # a zip, but not a workbook
    ],
)
def test_files_that_are_not_workbooks_are_refused(client, officer_a, enterprise_a, name, content, reason):
    if content is None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("hello.txt", "hello")
        content = buffer.getvalue()
    client.force_login(officer_a)
    with translation.override("en"):
        response = upload(client, enterprise_a, content, name=name)
        # The form's messages are lazy: read them in the language of the request.
        assert reason in " ".join(response.context["form"].errors["file"])
    assert response.status_code == 200
    assert register_state(enterprise_a) == (0, 0, 0)


def test_files_over_the_size_limit_are_refused(client, officer_a, enterprise_a, settings):
    settings.MAX_UPLOAD_BYTES = 1000
    client.force_login(officer_a)
    response = upload(client, enterprise_a, workbook_bytes([GOOD] * 3))
    assert response.context["form"].errors["file"]
    assert register_state(enterprise_a) == (0, 0, 0)


def test_template_has_the_importable_columns_and_the_catalogue(client, reviewer_region, enterprise_a):
    client.force_login(reviewer_region)
    with translation.override("en"):
        response = client.get(reverse("assessments:import_template", args=[enterprise_a.pk]))
        english_labels = [str(column.label) for column in IMPORTABLE]
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    register = workbook.worksheets[0]
    assert [cell.value for cell in register[1]] == english_labels
    assert register.freeze_panes == "A2"
    codes = {row[0].value for row in workbook["Catalogue"].iter_rows(min_row=2)}
    assert {"8.1", "13.10"} <= codes


def test_an_empty_template_filled_in_imports(client, officer_a, enterprise_a):
    client.force_login(officer_a)
    template = client.get(reverse("assessments:import_template", args=[enterprise_a.pk])).content
    workbook = load_workbook(io.BytesIO(template))
    sheet = workbook.worksheets[0]
    sheet.append([GOOD.get(key) for key in KEYS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert imported(upload(client, enterprise_a, buffer.getvalue()))
    assert register_state(enterprise_a) == (2, 1, 1)


def test_reviewers_cannot_import(client, reviewer_region, enterprise_a):
    client.force_login(reviewer_region)
    assert upload(client, enterprise_a, workbook_bytes([GOOD])).status_code == 403
    assert register_state(enterprise_a) == (0, 0, 0)


def test_import_into_another_enterprise_is_not_found(client, officer_b, enterprise_a):
    client.force_login(officer_b)
    assert upload(client, enterprise_a, workbook_bytes([GOOD])).status_code == 404


def test_import_needs_the_csrf_token(officer_a, enterprise_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer_a)
    assert upload(client, enterprise_a, workbook_bytes([GOOD])).status_code == 403
    assert register_state(enterprise_a) == (0, 0, 0)


# --- Round trip -----------------------------------------------------------------------------------


def signature(enterprise):
    """The register as a reader sees it, independent of ids."""
    _tree, by_id = department_tree(enterprise)
    rows = Hazard.objects.filter(enterprise=enterprise).select_related("workplace__department", "event")
    return sorted(
        (
            tuple(department_path(row.workplace.department, by_id)),
            row.workplace.number,
            row.workplace.position,
            row.workplace.okpdtr_code,
            row.workplace.headcount_total,
            row.event.code,
            row.source,
            row.activity,
            row.object_description,
            row.existing_controls,
            row.exposed_description,
            row.exposed_count,
            row.identified_on,
            row.next_review_on,
            row.status,
        )
        for row in rows
    )


@pytest.mark.parametrize("language", ["ru", "en"])
def test_export_then_import_into_an_empty_enterprise_gives_the_same_register(
    client, officer_a, officer_b, enterprise_a, enterprise_b, language
):
    mine = DepartmentFactory(enterprise=enterprise_a, name="Подземный рудник")
    team = DepartmentFactory(
        enterprise=enterprise_a,
        parent=DepartmentFactory(enterprise=enterprise_a, parent=mine, name="Участок № 1"),
        name="Бригада № 2",
    )
    office = DepartmentFactory(enterprise=enterprise_a, name="Служба ОТ/ПБ")
    driver = WorkplaceFactory(
        department=team, number="10А", position="Машинист конвейера", okpdtr_code="01234", headcount_total=6
    )
    engineer = WorkplaceFactory(
        department=office,
        number="2",
        position="Специалист по охране труда",
        okpdtr_code="",
        headcount_total=1,
    )
    HazardFactory(
        workplace=driver,
        event=HazardousEvent.objects.get_by_natural_key("13.10"),
        source="=горячая поверхность",
        activity="emergency",
        object_description="Приводная станция",
        existing_controls="Ограждение;\nинструктаж",
        exposed_description="Работники смены, подрядчики",
        exposed_count=12,
        identified_on=datetime.date(2025, 3, 4),
        next_review_on=datetime.date(2027, 1, 31),
    )
    HazardFactory(
        workplace=driver,
        event=HazardousEvent.objects.get_by_natural_key("8.1"),
        source="Конвейер",
        risk_level=5,
    )
    HazardFactory(
        workplace=driver, event=HazardousEvent.objects.get_by_natural_key("8.1"), source="Второй конвейер"
    )
    HazardFactory(
        workplace=engineer, source="Офисная техника", status="eliminated", identified_on=timezone.localdate()
    )

    client.force_login(officer_a)
    with translation.override(language):
        url = reverse("assessments:register", args=[enterprise_a.pk])
    exported = client.get(f"{url}?status=all&format=xlsx")
    assert exported.status_code == 200

    # The keys are enterprise A's: B refuses them, and takes the file once they are cleared.
    client.force_login(officer_b)
    with translation.override(language):
        response = upload(client, enterprise_b, exported.content, name="export.xlsx")
    assert {(e.row, e.column[:1]) for e in response.context["errors"]} == {
        (2, "A"),
        (3, "A"),
        (4, "A"),
        (5, "A"),
    }
    assert register_state(enterprise_b) == (0, 0, 0)
    with translation.override(language):
        response = upload(client, enterprise_b, without_keys(exported.content), name="export.xlsx")
    assert imported(response), [(e.row, e.column, e.message) for e in response.context["errors"]]
    assert signature(enterprise_b) == signature(enterprise_a)
    assert len(signature(enterprise_b)) == 4


def without_keys(content: bytes) -> bytes:
    """The export with its row key column emptied, as a user prepares it for another enterprise."""
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    for (cell,) in sheet.iter_rows(min_row=2, max_col=1):
        cell.value = None
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_too_long_text_is_reported_once(client, officer_a, enterprise_a):
    client.force_login(officer_a)
    response = upload(client, enterprise_a, workbook_bytes([{**GOOD, "object_description": "x" * 501}]))
    assert [(e.row, e.column[:1]) for e in response.context["errors"]] == [(2, "I")]
    assert register_state(enterprise_a) == (0, 0, 0)


# --- In the worker ----------------------------------------------------------------------------------


def post_only(client, enterprise, content: bytes):
    """Post without running the queued task, as when the worker has not picked it up yet."""
    with translation.override("en"):
        url = reverse("assessments:import", args=[enterprise.pk])
    return client.post(url, {"file": SimpleUploadedFile("register.xlsx", content)})


def test_the_upload_is_queued_and_its_page_polls_until_done(client, officer_a, enterprise_a):
    client.force_login(officer_a)
    with TestCase.captureOnCommitCallbacks() as queued:
        response = post_only(client, enterprise_a, workbook_bytes([GOOD]))
    assert response.status_code == 302
    job = RegisterImport.objects.get()
    assert (job.status, job.requested_by, job.original_name) == ("queued", officer_a, "register.xlsx")
    assert len(queued) == 1 and register_state(enterprise_a) == (0, 0, 0)

    page = client.get(response["Location"])
    assert 'hx-trigger="every 2s"' in page.content.decode()
    fragment = client.get(response["Location"], headers={"HX-Request": "true"})
    assert fragment.content.decode().lstrip().startswith('<div id="import-status"')

    queued[0]()  # the worker checks the file: a preview, nothing written yet
    job.refresh_from_db()
    assert (job.status, job.rows_total, job.rows_checked) == ("preview", 1, 1)
    assert register_state(enterprise_a) == (0, 0, 0)
    preview = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in preview and 'id="import-confirm"' in preview

    with TestCase.captureOnCommitCallbacks() as queued:
        confirmed = client.post(
            reverse("assessments:import_confirm", args=[enterprise_a.pk, job.pk]),
            {"fingerprint": job.preview["fingerprint"]},
        )
    assert confirmed.status_code == 302 and len(queued) == 1
    job.refresh_from_db()
    assert (job.status, job.confirmed_by) == ("confirmed", officer_a)
    assert 'hx-trigger="every 2s"' in client.get(response["Location"]).content.decode()
    queued[0]()  # the worker writes it
    job.refresh_from_db()
    assert (job.status, job.hazards, job.file.name) == ("done", 1, "")  # the upload is not kept
    assert register_state(enterprise_a) == (2, 1, 1)
    done = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in done and "1 register rows" in done


def test_the_task_run_twice_imports_once(client, officer_a, enterprise_a):
    from assessments.tasks import run_register_import

    client.force_login(officer_a)
    assert imported(upload(client, enterprise_a, workbook_bytes([GOOD])))
    job = RegisterImport.objects.get()
    assert run_register_import(job.pk) == "done"
    assert register_state(enterprise_a) == (2, 1, 1)


def test_an_import_stopped_by_the_time_limit_is_failed_and_writes_nothing(
    client, officer_a, enterprise_a, monkeypatch
):
    from celery.exceptions import SoftTimeLimitExceeded

    def too_slow(**kwargs):
        raise SoftTimeLimitExceeded

    monkeypatch.setattr("assessments.imports.workplace_add", too_slow)
    client.force_login(officer_a)
    response = upload(client, enterprise_a, workbook_bytes([GOOD]))
    assert response.context["job"].status == "failed"
    assert "took too long" in response.content.decode()
    assert register_state(enterprise_a) == (0, 0, 0)


def test_a_race_on_a_unique_row_is_a_clean_message(client, officer_a, enterprise_a, monkeypatch):
    from django.db import IntegrityError

    def racing(**kwargs):
        raise IntegrityError("UNIQUE constraint failed: enterprises_workplace.number")

    monkeypatch.setattr("assessments.imports.workplace_add", racing)
    client.force_login(officer_a)
    response = upload(client, enterprise_a, workbook_bytes([GOOD]))
    assert response.status_code == 200
    assert "changed by someone else" in response.content.decode()
    assert register_state(enterprise_a) == (0, 0, 0)


def test_errors_are_written_in_the_language_of_the_upload(client, officer_a, enterprise_a):
    client.force_login(officer_a)
    url = reverse("assessments:import", args=[enterprise_a.pk])  # Russian: no prefix
    with translation.override("ru"), TestCase.captureOnCommitCallbacks(execute=True):
        client.post(
            url, {"file": SimpleUploadedFile("r.xlsx", workbook_bytes([{**GOOD, "event_code": "99.9"}]))}
        )
    job = RegisterImport.objects.get()
    assert (job.language, job.status) == ("ru", "failed")
    assert "776н" in job.errors[0]["message"]


def test_another_enterprise_cannot_see_an_import(client, officer_a, officer_b, reviewer_region, enterprise_a):
    client.force_login(officer_a)
    status_url = upload(client, enterprise_a, workbook_bytes([GOOD])).request["PATH_INFO"]
    client.force_login(officer_b)
    assert client.get(status_url).status_code == 404
    client.force_login(reviewer_region)
    assert client.get(status_url).status_code == 403


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_identical_imports_at_once_import_once(reference_data, enterprise_a, officer_a, manager_a):
    """The enterprise row lock serialises them; the second finds the rows of the first."""
    import threading

    from django.db import connection

    from assessments.imports import import_register, read_rows

    rows = read_rows(io.BytesIO(workbook_bytes([GOOD, {**GOOD, "event_code": "3.1", "source": "Пол"}])))
    start = threading.Barrier(2)
    results, crashes = [], []

    def run(user):
        try:
            start.wait(timeout=10)
            results.append(import_register(enterprise=enterprise_a, rows=rows, user=user))
        except Exception as error:
            crashes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(user,)) for user in (officer_a, manager_a)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert crashes == []
    assert sorted(result.hazards for result in results) == [0, 2]
    refused = next(result for result in results if result.errors)
    assert [(error.row, error.column[:1]) for error in refused.errors] == [(2, "F"), (3, "F")]
    assert register_state(enterprise_a) == (2, 1, 2)


def test_a_second_delivery_does_not_overwrite_the_outcome(client, officer_a, enterprise_a):
    """Two deliveries of one task at once: the later one finds the rows of the first and fails
    validation, which must not turn "done" into "failed"."""
    from assessments.imports import _record, import_register, read_rows

    client.force_login(officer_a)
    with TestCase.captureOnCommitCallbacks():
        post_only(client, enterprise_a, workbook_bytes([GOOD]))
    job = RegisterImport.objects.get()
    rows = read_rows(job.file.open("rb"))
    first = import_register(enterprise=enterprise_a, rows=rows, user=officer_a, job=job)
    job.file.close()
    assert first.hazards == 1
    second = import_register(enterprise=enterprise_a, rows=rows, user=officer_a, job=job)
    assert second.errors
    _record(job, second)
    job.refresh_from_db()
    assert (job.status, job.hazards, job.errors) == ("done", 1, [])


def test_an_import_that_keeps_taking_its_worker_down_is_given_up(client, officer_a, enterprise_a):
    """Each lost worker re-delivers the task; the third run begun and lost is the last."""
    from assessments.tasks import run_register_import

    client.force_login(officer_a)
    with TestCase.captureOnCommitCallbacks():
        post_only(client, enterprise_a, workbook_bytes([GOOD]))
    job = RegisterImport.objects.get()
    RegisterImport.objects.filter(pk=job.pk).update(status="running", attempts=3)
    with translation.override("en"):
        assert run_register_import(job.pk) == "failed"
    job.refresh_from_db()
    assert "given up" in job.errors[0]["message"] and not job.file
    assert register_state(enterprise_a) == (0, 0, 0)


def test_the_import_page_lists_recent_imports_of_the_enterprise_only(
    client, officer_a, officer_b, enterprise_a, enterprise_b
):
    client.force_login(officer_b)
    upload(client, enterprise_b, workbook_bytes([GOOD]), name="theirs.xlsx")
    client.force_login(officer_a)
    upload(client, enterprise_a, workbook_bytes([GOOD]), name="ours.xlsx")
    with translation.override("en"):
        page = client.get(reverse("assessments:import", args=[enterprise_a.pk])).content.decode()
    assert "ours.xlsx" in page and "theirs.xlsx" not in page
    assert (
        reverse(
            "assessments:import_status",
            args=[enterprise_a.pk, RegisterImport.objects.get(original_name="ours.xlsx").pk],
        )
        in page
    )
