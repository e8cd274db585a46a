"""Requesting, rendering and storing reports: one row per key (unless regenerated), the task is
queued on commit and safe to run twice, failures are recorded, the command writes a PDF."""

import hashlib
import io
import re

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django.utils import timezone
from pypdf import PdfReader

from dashboards.rollups import first_of_month
from reports import pdf, services, tasks
from reports.models import Report, ReportStatus, ReportType
from tests.factories import HazardFactory, WorkplaceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def reports_in_tmp(tmp_path, monkeypatch):
    monkeypatch.setattr(
        Report._meta.get_field("file"), "storage", FileSystemStorage(location=tmp_path / "private")
    )


@pytest.fixture
def queued(monkeypatch):
    ids = []
    monkeypatch.setattr(tasks.render_report, "delay_on_commit", lambda report_id: ids.append(report_id))
    return ids


@pytest.fixture
def renders(monkeypatch):
    """Counts the WeasyPrint renders."""
    calls = []
    original = pdf.html_to_pdf

    def counting(html):
        calls.append(1)
        return original(html)

    monkeypatch.setattr(pdf, "html_to_pdf", counting)
    return calls


@pytest.fixture
def period():
    return pdf.period_of(first_of_month(timezone.localdate()))


def request(enterprise, period, **kwargs):
    return services.report_request(
        type=ReportType.ENTERPRISE,
        scope=enterprise,
        period=period,
        language=kwargs.pop("language", "ru"),
        **kwargs,
    )


def test_the_row_exists_before_the_task_is_queued_on_commit(
    enterprise_a, period, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(tasks.render_report, "delay", lambda report_id: sent.append(report_id))
    with django_capture_on_commit_callbacks() as callbacks:
        report, was_queued = request(enterprise_a, period)
        assert Report.objects.filter(pk=report.pk, status=ReportStatus.QUEUED).exists()
    assert sent == []  # nothing reaches the broker before the row is committed
    for callback in callbacks:
        callback()
    assert was_queued and sent == [report.pk]


def test_requesting_the_same_key_twice_gives_one_row_and_one_render(
    enterprise_a, period, queued, renders, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first, _ = request(enterprise_a, period)
    with django_capture_on_commit_callbacks(execute=True):
        second, queued_again = request(enterprise_a, period)
    assert first.pk == second.pk and not queued_again
    assert Report.objects.count() == 1
    assert queued == [first.pk]
    for report_id in [*queued, *queued]:  # a re-delivered task changes nothing
        assert tasks.render_report.apply(args=[report_id]).get() == ReportStatus.READY
    assert len(renders) == 1
    report = Report.objects.get()
    assert report.status == ReportStatus.READY and report.attempts == 1
    with report.file.open("rb") as source:
        content = source.read()
    assert len(PdfReader(io.BytesIO(content)).pages) == report.pages
    assert report.sha256 == hashlib.sha256(content).hexdigest() and report.size == len(content)


def test_other_language_or_period_is_another_report(enterprise_a, period, queued):
    request(enterprise_a, period)
    request(enterprise_a, period, language="en")
    request(enterprise_a, pdf.period_of(period.start, quarter=True))
    assert Report.objects.count() == 3


def test_regenerate_makes_a_new_version_and_keeps_the_old(enterprise_a, period, queued, renders):
    first, _ = request(enterprise_a, period)
    services.report_render(report=first)
    second, was_queued = request(enterprise_a, period, regenerate=True)
    assert was_queued and second.version == 2
    services.report_render(report=second)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == second.status == ReportStatus.READY
    assert first.file.name != second.file.name and first.file.storage.exists(first.file.name)
    # Asking again without regenerating returns the newest version.
    assert request(enterprise_a, period)[0].pk == second.pk


def test_a_failed_render_is_recorded_and_a_new_request_queues_it_again(
    enterprise_a, period, queued, monkeypatch
):
    report, _ = request(enterprise_a, period)

    def broken(report):
        raise ValueError("template exploded")

    monkeypatch.setattr(pdf, "report_html", broken)
    with pytest.raises(ValueError):
        tasks.render_report.apply(args=[report.pk]).get()
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED and "template exploded" in report.error
    again, was_queued = request(enterprise_a, period)
    assert again.pk == report.pk and was_queued and queued == [report.pk, report.pk]
    again.refresh_from_db()
    assert again.status == ReportStatus.QUEUED and again.error == ""


def test_transient_errors_are_retried(enterprise_a, period, queued, monkeypatch):
    report, _ = request(enterprise_a, period)
    retried = []

    def lost_connection(report):
        raise OperationalError("server closed the connection")

    monkeypatch.setattr(pdf, "report_html", lost_connection)

    def fake_retry(*args, **kwargs):
        retried.append(kwargs)
        raise RuntimeError("retry")

    monkeypatch.setattr(tasks.render_report, "retry", fake_retry)
    with pytest.raises(RuntimeError):
        tasks.render_report.apply(args=[report.pk], throw=True).get()
    assert retried and retried[0]["countdown"] <= 300


def test_the_task_routes_to_the_pdf_queue():
    from riskpilot.celery import app

    assert app.amqp.router.route({}, "reports.tasks.render_report")["queue"].name == "pdf"


def test_a_missing_report_is_no_error():
    assert tasks.render_report.apply(args=[987654]).get() is None


def test_regional_summary_renders(enterprise_a, enterprise_b, region_a, period, queued):
    HazardFactory(workplace=WorkplaceFactory(department__enterprise=enterprise_b), risk_level=4)
    report, _ = services.report_request(type=ReportType.REGION, scope=region_a, period=period, language="ru")
    report = services.report_render(report=report)
    with report.file.open("rb") as source:
        text = "".join(page.extract_text() for page in PdfReader(source).pages)
    compact = re.sub(r"\s+", "", text)  # names wrap inside their narrow cells
    assert "Оренбургскаяобласть" in compact
    assert "ООО«Соль-Илецк»" in compact and "АО«Оренбургнефть-Сервис»" in compact


# --- The command --------------------------------------------------------------------------------


def test_command_writes_a_valid_pdf(enterprise_a, queued, tmp_path, capsys):
    output = tmp_path / "out.pdf"
    month = first_of_month(timezone.localdate())
    call_command(
        "render_report",
        "--enterprise",
        enterprise_a.inn,
        "--period",
        f"{month:%Y-%m}",
        "--output",
        str(output),
    )
    content = output.read_bytes()
    assert content.startswith(b"%PDF-")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "ООО «Соль-Илецк»" in text
    assert Report.objects.get().status == ReportStatus.READY
    assert "pages" in capsys.readouterr().out
    # By id, as a quarter, in English: another report.
    call_command(
        "render_report",
        "--enterprise",
        str(enterprise_a.pk),
        "--period",
        f"{month:%Y-%m}",
        "--quarter",
        "--language",
        "en",
        "--output",
        str(output),
    )
    assert Report.objects.count() == 2


@pytest.mark.parametrize(
    "arguments", [["--enterprise", "0000000000"], ["--enterprise", "1", "--period", "2026-13"]]
)
def test_command_refuses_bad_input(arguments, tmp_path, db):
    if "--period" not in arguments:
        arguments += ["--period", "2026-10"]
    with pytest.raises(CommandError):
        call_command("render_report", *arguments, "--output", str(tmp_path / "x.pdf"))
    assert not Report.objects.exists()


# --- Retention --------------------------------------------------------------------------------------


def test_old_versions_are_pruned_with_their_files_keeping_the_newest_and_the_delivered(
    enterprise_a, period, queued, settings, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile

    from reports import delivery
    from reports.models import Delivery, Frequency

    settings.REPORTS_KEEP_VERSIONS = 2
    settings.REPORTS_VERSION_MAX_AGE_DAYS = 30
    versions = [request(enterprise_a, period, regenerate=True)[0] for _ in range(5)]
    for report in versions:
        report.file.save(report.file_name, ContentFile(b"%PDF-1.7\n"), save=False)
        report.status = ReportStatus.READY
        report.save()
    subscription = delivery.subscription_create(
        type=ReportType.ENTERPRISE, enterprise=enterprise_a, frequency=Frequency.MONTHLY,
        language="ru", recipients="ot@example.org", user=None,
    )  # fmt: skip
    Delivery.objects.create(subscription=subscription, report=versions[1], recipients="ot@example.org")
    storage = versions[0].file.storage
    names = [report.file.name for report in versions]
    # Versions 1–3 are old; 4 and 5 are the newest two.
    old = timezone.now() - timezone.timedelta(days=31)
    Report.objects.filter(pk__in=[r.pk for r in versions[:3]]).update(created_at=old)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.reports_prune() == 2
    # Version 2 was e-mailed: the delivery's record keeps it.
    assert list(Report.objects.order_by("version").values_list("version", flat=True)) == [2, 4, 5]
    assert [storage.exists(name) for name in names] == [False, True, False, True, True]

    # A superseded version waits until it is old enough.
    request(enterprise_a, period, regenerate=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reports_prune() == 0
    assert Report.objects.filter(pk=versions[3].pk).exists()
