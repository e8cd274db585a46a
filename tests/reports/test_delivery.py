"""Subscribed reports by e-mail: due periods, the fan-out (rows first, batches, idempotent), the
message, retries with every attempt recorded, final failure reported to the admins, the reconciler."""

import datetime
import io
import smtplib

import pytest
from django.core import mail
from django.core.files.storage import FileSystemStorage
from django.core.mail.backends.locmem import EmailBackend
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from reports import delivery, pdf, tasks
from reports.models import (
    AttemptOutcome,
    Delivery,
    DeliveryStatus,
    Frequency,
    Report,
    ReportStatus,
    ReportType,
    Subscription,
)
from tests.factories import WorkplaceFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 25)
FAKE_PDF = b"%PDF-1.4\n% RiskPilot test\n%%EOF\n"


@pytest.fixture(autouse=True)
def reports_in_tmp(tmp_path, monkeypatch, settings):
    monkeypatch.setattr(
        Report._meta.get_field("file"), "storage", FileSystemStorage(location=tmp_path / "private")
    )
    settings.ADMINS = [("RiskPilot Admin", "admin@riskpilot.test")]
    settings.SITE_URL = "https://riskpilot.example.org"
    settings.REPORTS_DELIVERY_RETRY_BASE = 60
    settings.REPORTS_DELIVERY_MAX_ATTEMPTS = 3


@pytest.fixture
def fast_pdf(monkeypatch):
    """WeasyPrint is tested elsewhere; here a tiny PDF stands in for it."""
    monkeypatch.setattr(
        pdf, "html_to_pdf", lambda html: pdf.Rendered(content=FAKE_PDF, pages=1, seconds=0.01)
    )


def subscribe(enterprise, *, language="ru", frequency=Frequency.MONTHLY, recipients="ot@example.org"):
    return delivery.subscription_create(
        type=ReportType.ENTERPRISE,
        enterprise=enterprise,
        frequency=frequency,
        language=language,
        recipients=recipients,
        user=None,
    )


def run_schedule(capture, today=TODAY):
    with capture(execute=True):
        tasks.fan_out_subscriptions.apply(kwargs={"today": today.isoformat()})


class FlakySMTP(EmailBackend):
    """Refuses the first ``failures`` messages as a mail server that has gone away would."""

    failures = 0

    def send_messages(self, messages):
        if FlakySMTP.failures > 0:
            FlakySMTP.failures -= 1
            if self.fail_silently:  # as Django's SMTP backend does
                return 0
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


@pytest.fixture
def flaky_smtp(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FlakySMTP"
    FlakySMTP.failures = 0
    return FlakySMTP


# --- Due periods and addresses ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "frequency", "start", "end"),
    [
        ("2026-11-25", Frequency.MONTHLY, "2026-10-01", "2026-10-31"),
        ("2026-11-01", Frequency.MONTHLY, "2026-10-01", "2026-10-31"),
        ("2026-01-01", Frequency.MONTHLY, "2025-12-01", "2025-12-31"),
        ("2026-03-31", Frequency.MONTHLY, "2026-02-01", "2026-02-28"),
        ("2026-11-25", Frequency.QUARTERLY, "2026-07-01", "2026-09-30"),
        ("2026-10-01", Frequency.QUARTERLY, "2026-07-01", "2026-09-30"),
        ("2026-09-30", Frequency.QUARTERLY, "2026-04-01", "2026-06-30"),
        ("2026-01-05", Frequency.QUARTERLY, "2025-10-01", "2025-12-31"),
    ],
)
def test_the_due_period_is_the_last_whole_month_or_quarter(today, frequency, start, end):
    period = delivery.due_period(frequency, datetime.date.fromisoformat(today))
    assert (period.start.isoformat(), period.end.isoformat()) == (start, end)


def test_recipients_are_normalised_and_bad_ones_named():
    assert delivery.recipients_clean(" OT@Example.org, ot@example.org;\nministry@rosmintrud.ru ") == (
        "ot@example.org\nministry@rosmintrud.ru"
    )
    with pytest.raises(delivery.ValidationError) as error:
        delivery.recipients_clean("ot@example.org\nnot-an-address\n@x")
    assert "not-an-address" in str(error.value) and "@x" in str(error.value)
    with pytest.raises(delivery.ValidationError):
        delivery.recipients_clean("   ")
    with pytest.raises(delivery.ValidationError):
        delivery.recipients_clean("\n".join(f"p{n}@example.org" for n in range(21)))


# --- Fan-out and sending ----------------------------------------------------------------------------


def test_the_schedule_renders_and_mails_the_report_once(
    enterprise_a, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    WorkplaceFactory(department__enterprise=enterprise_a)
    subscribe(enterprise_a, recipients="ot@example.org\nminister@example.org")

    run_schedule(django_capture_on_commit_callbacks)

    report = Report.objects.get()
    assert (report.type, report.enterprise, report.status) == (ReportType.ENTERPRISE, enterprise_a, "ready")
    assert (report.period_start, report.period_end) == (
        datetime.date(2026, 10, 1),
        datetime.date(2026, 10, 31),
    )
    sent = Delivery.objects.get()
    assert (sent.status, sent.attempts) == (DeliveryStatus.SENT, 1)
    assert [attempt.outcome for attempt in sent.attempt_log.all()] == [AttemptOutcome.SENT]
    (message,) = mail.outbox
    assert message.to == ["ot@example.org", "minister@example.org"]
    assert "Соль-Илецк" in message.subject and "октябрь 2026" in message.subject.lower()
    assert f"https://riskpilot.example.org/reports/archive/{report.pk}/" in message.body
    (name, content, mimetype) = message.attachments[0]
    assert (name, mimetype) == (report.file_name, "application/pdf")
    assert "Соль-Илецк" in PdfReader(io.BytesIO(content)).pages[0].extract_text()

    # Beat runs again the next morning: the period was delivered, nothing new is made or sent.
    run_schedule(django_capture_on_commit_callbacks, TODAY + datetime.timedelta(days=1))
    assert (Report.objects.count(), Delivery.objects.count(), len(mail.outbox)) == (1, 1, 1)


def test_an_english_subscription_gets_an_english_mail(
    enterprise_a, django_capture_on_commit_callbacks, settings, fast_pdf
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    subscribe(enterprise_a, language="en", frequency=Frequency.QUARTERLY)
    run_schedule(django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    assert message.subject.startswith("RiskPilot: Enterprise progress report")
    assert "Q3 2026" in message.subject
    assert "https://riskpilot.example.org/en/reports/archive/" in message.body
    assert Report.objects.get().language == "en"


def test_a_report_already_rendered_is_mailed_without_a_second_render(
    enterprise_a, django_capture_on_commit_callbacks, settings, fast_pdf
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with django_capture_on_commit_callbacks(execute=True):
        report, _ = delivery.report_request(
            type=ReportType.ENTERPRISE,
            scope=enterprise_a,
            period=delivery.due_period(Frequency.MONTHLY, TODAY),
            language="ru",
        )
    subscribe(enterprise_a)
    run_schedule(django_capture_on_commit_callbacks)
    assert Report.objects.get().pk == report.pk
    assert Delivery.objects.get().status == DeliveryStatus.SENT and len(mail.outbox) == 1


def test_fan_out_goes_in_batches_and_writes_rows_before_queuing(
    region_a, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from tests.factories import EnterpriseFactory

    settings.REPORTS_FAN_OUT_BATCH = 2
    for _ in range(5):
        subscribe(EnterpriseFactory(region=region_a))
    batches = []
    monkeypatch.setattr(tasks.fan_out_batch, "delay", lambda ids, today: batches.append(ids))
    assert tasks.fan_out_subscriptions.apply(kwargs={"today": TODAY.isoformat()}).get() == 5
    assert [len(batch) for batch in batches] == [2, 2, 1]

    renders = []
    monkeypatch.setattr(tasks.render_report, "delay_on_commit", lambda pk: renders.append(pk))
    for batch in batches:
        tasks.fan_out_batch.apply(args=[batch, TODAY.isoformat()])
    assert Delivery.objects.filter(status=DeliveryStatus.PENDING).count() == 5
    assert sorted(renders) == sorted(Report.objects.values_list("pk", flat=True))
    # Running a batch again creates nothing.
    tasks.fan_out_batch.apply(args=[batches[0], TODAY.isoformat()])
    assert Delivery.objects.count() == 5 and Report.objects.count() == 5


def test_stopped_subscriptions_are_not_due(enterprise_a):
    delivery.subscription_deactivate(subscription=subscribe(enterprise_a))
    assert delivery.subscriptions_due(TODAY) == []


# --- Failures and retries -----------------------------------------------------------------------------


@pytest.fixture
def waiting(enterprise_a, django_capture_on_commit_callbacks, settings, fast_pdf, monkeypatch):
    """A delivery whose report is ready and whose send has not been tried yet."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    monkeypatch.setattr(tasks.deliver_report, "delay_on_commit", lambda pk: None)
    monkeypatch.setattr(tasks.deliver_report, "delay", lambda pk: None)
    subscribe(enterprise_a)
    run_schedule(django_capture_on_commit_callbacks)
    found = Delivery.objects.get()
    assert found.report.status == ReportStatus.READY and found.status == DeliveryStatus.PENDING
    return found


def test_a_refused_send_is_retried_with_growing_delays_and_each_attempt_recorded(waiting, flaky_smtp):
    flaky_smtp.failures = 2
    delays = []
    for _ in range(2):
        with pytest.raises(delivery.DeliveryFailed) as failure:
            delivery.delivery_send(delivery_id=waiting.pk)
        delays.append(failure.value.retry_in)
        waiting.refresh_from_db()
        assert waiting.status == DeliveryStatus.PENDING and waiting.next_attempt_at > timezone.now()
    assert delays == [60, 120]
    assert delivery.delivery_send(delivery_id=waiting.pk).status == DeliveryStatus.SENT
    outcomes = [(a.number, a.outcome) for a in waiting.attempt_log.all()]
    assert outcomes == [(1, "error"), (2, "error"), (3, "sent")]
    assert "SMTPServerDisconnected" in waiting.attempt_log.first().error
    assert len(mail.outbox) == 1


def test_retry_delays_stay_below_the_visibility_timeout(settings):
    settings.REPORTS_DELIVERY_RETRY_BASE = 60
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert all(delivery.retry_delay(attempt) < timeout for attempt in range(1, 30))


def test_after_the_last_attempt_the_delivery_fails_and_the_admins_are_told(waiting, flaky_smtp):
    flaky_smtp.failures = 3  # the mail server is back in time for the admins' notice
    retries = []
    for _ in range(3):
        with pytest.raises(delivery.DeliveryFailed) as failure:
            delivery.delivery_send(delivery_id=waiting.pk)
        retries.append(failure.value.retry_in)
    assert retries == [60, 120, None]
    waiting.refresh_from_db()
    assert (waiting.status, waiting.attempts) == (DeliveryStatus.FAILED, 3)
    (notice,) = mail.outbox
    assert notice.to == ["admin@riskpilot.test"] and "failed" in notice.subject
    assert "SMTPServerDisconnected" in notice.body
    # A failed delivery is not tried again by a late message.
    assert delivery.delivery_send(delivery_id=waiting.pk).status == DeliveryStatus.FAILED
    assert len(mail.outbox) == 1


def test_the_task_asks_celery_to_retry_after_the_delay(waiting, flaky_smtp, monkeypatch):
    flaky_smtp.failures = 1
    asked = []

    def retry(**kwargs):
        asked.append(kwargs)
        return RuntimeError("retry")

    monkeypatch.setattr(tasks.deliver_report, "retry", retry)
    with pytest.raises(RuntimeError):
        tasks.deliver_report.run(waiting.pk)
    assert asked == [{"countdown": 60, "max_retries": None}]
    assert tasks.deliver_report.run(waiting.pk) == DeliveryStatus.SENT


def test_a_report_that_cannot_be_rendered_fails_its_deliveries_and_tells_the_admins(
    enterprise_a, django_capture_on_commit_callbacks, settings, monkeypatch
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    subscribe(enterprise_a)

    def broken(report):
        raise ValueError("template is broken")

    monkeypatch.setattr(pdf, "report_html", broken)
    with pytest.raises(ValueError):
        run_schedule(django_capture_on_commit_callbacks)
    assert Report.objects.get().status == ReportStatus.FAILED
    failed = Delivery.objects.get()
    assert failed.status == DeliveryStatus.FAILED and "template is broken" in failed.error
    assert [message.to for message in mail.outbox] == [["admin@riskpilot.test"]]


# --- The reconciler ---------------------------------------------------------------------------------


def aged(model, pk, seconds):
    model.objects.filter(pk=pk).update(updated_at=timezone.now() - datetime.timedelta(seconds=seconds))


def test_the_reconciler_queues_again_what_the_broker_lost(
    waiting, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.REPORTS_RECONCILE_GRACE = 600
    renders, sends = [], []
    monkeypatch.setattr(tasks.render_report, "delay_on_commit", lambda pk: renders.append(pk))
    monkeypatch.setattr(tasks.deliver_report, "delay", lambda pk: sends.append(pk))
    lost = Report.objects.create(
        type=ReportType.REGION,
        scope_key="region:56",
        region=waiting.report.enterprise.region,
        period_start=datetime.date(2026, 9, 1),
        period_end=datetime.date(2026, 9, 30),
    )
    fresh = Report.objects.create(
        type=ReportType.REGION,
        scope_key="region:56",
        region=waiting.report.enterprise.region,
        period_start=datetime.date(2026, 8, 1),
        period_end=datetime.date(2026, 8, 31),
    )
    aged(Report, lost.pk, 601)
    aged(Delivery, waiting.pk, 601)

    with django_capture_on_commit_callbacks(execute=True):
        counts = delivery.reconcile()
    assert renders == [lost.pk] and sends == [waiting.pk]
    assert counts["reports"] == 1 and counts["deliveries"] == 1
    assert fresh.pk not in renders

    # Just re-queued: the next sweep leaves them alone.
    with django_capture_on_commit_callbacks(execute=True):
        delivery.reconcile()
    assert renders == [lost.pk] and sends == [waiting.pk]


def test_the_reconciler_waits_for_a_scheduled_retry_and_rescues_an_interrupted_send(
    waiting, settings, monkeypatch, django_capture_on_commit_callbacks
):
    sends = []
    monkeypatch.setattr(tasks.deliver_report, "delay", lambda pk: sends.append(pk))
    Delivery.objects.filter(pk=waiting.pk).update(
        next_attempt_at=timezone.now() + datetime.timedelta(seconds=120),
        updated_at=timezone.now() - datetime.timedelta(days=1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        delivery.reconcile()
    assert sends == []

    # A worker died while talking to the mail server: the attempt is marked and the send queued.
    Delivery.objects.filter(pk=waiting.pk).update(
        status=DeliveryStatus.SENDING, attempts=1, next_attempt_at=None
    )
    waiting.attempt_log.create(number=1, started_at=timezone.now())
    aged(Delivery, waiting.pk, settings.REPORTS_RECONCILE_GRACE + 1)
    with django_capture_on_commit_callbacks(execute=True):
        counts = delivery.reconcile()
    assert counts["interrupted"] == 1 and sends == [waiting.pk]
    assert waiting.attempt_log.get().outcome == AttemptOutcome.INTERRUPTED
    assert delivery.delivery_send(delivery_id=waiting.pk).status == DeliveryStatus.SENT
    assert [a.number for a in waiting.attempt_log.all()] == [1, 2]


def test_the_send_due_reports_command_queues_the_due_subscriptions(
    enterprise_a, settings, django_capture_on_commit_callbacks, fast_pdf
):
    from django.core.management import call_command

    settings.CELERY_TASK_ALWAYS_EAGER = True
    subscribe(enterprise_a)
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_due_reports", "--date", "2026-11-25", stdout=out)
    assert "1 subscription(s) due on 25.11.2026; 1 delivery(ies) queued." in out.getvalue()
    assert Delivery.objects.get().status == DeliveryStatus.SENT


def test_subscription_scopes_match_the_reports_people_may_see(
    enterprise_a, enterprise_c, manager_a, officer_a, reviewer_region, reviewer_other_region, federal
):
    a = subscribe(enterprise_a)
    c = subscribe(enterprise_c)
    region = Subscription.objects.create(
        type=ReportType.REGION,
        region=enterprise_a.region,
        frequency=Frequency.MONTHLY,
        recipients="x@example.org",
    )
    everything = Subscription.objects.create(
        type=ReportType.FEDERAL, frequency=Frequency.QUARTERLY, recipients="x@example.org"
    )

    def seen(user):
        return set(Subscription.objects.for_user(user))

    assert seen(manager_a) == seen(officer_a) == {a}
    assert seen(reviewer_region) == {a, region}
    assert seen(reviewer_other_region) == {c}
    assert seen(federal) == {a, c, region, everything}


# --- After the quick retries: an SMTP outage loses nothing --------------------------------------------
# After the quick retries the reconciler keeps trying a failed delivery with growing waits for a
# day, then gives up and records it; the admin site lists failed deliveries and sends them again;
# the report page says only what is true.


@pytest.fixture
def sends(monkeypatch):
    queued = []
    monkeypatch.setattr(tasks.deliver_report, "delay", lambda pk: queued.append(pk))
    monkeypatch.setattr(tasks.deliver_report, "delay_on_commit", lambda pk: queued.append(pk))
    return queued


def fail_quick_retries(waiting):
    for _ in range(3):  # REPORTS_DELIVERY_MAX_ATTEMPTS in these tests
        with pytest.raises(delivery.DeliveryFailed):
            delivery.delivery_send(delivery_id=waiting.pk)
    waiting.refresh_from_db()
    return waiting


def due_now(waiting):
    Delivery.objects.filter(pk=waiting.pk).update(
        next_attempt_at=timezone.now() - datetime.timedelta(seconds=1)
    )


def reconcile(capture):
    with capture(execute=True):
        return delivery.reconcile()


def test_after_the_quick_retries_the_reconciler_keeps_trying_until_the_mail_goes(
    waiting, flaky_smtp, sends, django_capture_on_commit_callbacks
):
    flaky_smtp.failures = 5  # the quick retries, one reconciler retry, and the admins' notice
    failed = fail_quick_retries(waiting)
    assert failed.status == DeliveryStatus.FAILED
    wait = failed.next_attempt_at - timezone.now()
    assert datetime.timedelta(seconds=230) < wait <= datetime.timedelta(seconds=240)  # 60 × 2²

    # Not due yet: left alone.
    assert reconcile(django_capture_on_commit_callbacks)["retried"] == 0 and sends == []

    due_now(failed)
    assert reconcile(django_capture_on_commit_callbacks)["retried"] == 1 and sends == [failed.pk]
    with pytest.raises(delivery.DeliveryFailed):
        delivery.delivery_send(delivery_id=failed.pk)
    failed.refresh_from_db()
    # The wait doubles.
    assert failed.status == DeliveryStatus.FAILED and failed.attempts == 4
    assert failed.next_attempt_at - timezone.now() > datetime.timedelta(seconds=470)

    due_now(failed)
    reconcile(django_capture_on_commit_callbacks)
    assert delivery.delivery_send(delivery_id=failed.pk).status == DeliveryStatus.SENT
    assert [message.to for message in mail.outbox] == [["ot@example.org"]]


def test_retries_go_on_for_a_day_then_the_delivery_is_given_up_and_the_admins_told(
    waiting, flaky_smtp, sends, settings, django_capture_on_commit_callbacks
):
    flaky_smtp.failures = 5  # the mail server is back for the final notice only
    failed = fail_quick_retries(waiting)
    first = failed.attempt_log.get(number=1)
    # Even the last wait before the give-up time ends on it, not after.
    almost = timezone.now() - datetime.timedelta(seconds=settings.REPORTS_DELIVERY_GIVE_UP_AFTER - 100)
    failed.attempt_log.filter(pk=first.pk).update(started_at=almost)
    assert delivery.later_attempt_at(failed, timezone.now()) <= almost + datetime.timedelta(days=1)
    assert settings.REPORTS_DELIVERY_GIVE_UP_AFTER >= 24 * 60 * 60

    failed.attempt_log.filter(pk=first.pk).update(
        started_at=timezone.now() - datetime.timedelta(days=1, seconds=1)
    )
    due_now(failed)
    reconcile(django_capture_on_commit_callbacks)
    with pytest.raises(delivery.DeliveryFailed):
        delivery.delivery_send(delivery_id=failed.pk)
    failed.refresh_from_db()
    assert (failed.status, failed.next_attempt_at) == (DeliveryStatus.FAILED, None)
    # Given up: the reconciler does not take it again.
    sends.clear()
    assert reconcile(django_capture_on_commit_callbacks)["retried"] == 0 and sends == []
    (notice,) = mail.outbox
    assert notice.to == ["admin@riskpilot.test"] and "given up" in notice.body


# --- The admin site ---------------------------------------------------------------------------------


@pytest.fixture
def given_up(waiting, flaky_smtp):
    flaky_smtp.failures = 99
    failed = fail_quick_retries(waiting)
    Delivery.objects.filter(pk=failed.pk).update(next_attempt_at=None)
    return failed


def test_the_admin_index_lists_failed_deliveries(client, admin_user, given_up):
    client.force_login(admin_user)
    page = client.get(reverse("admin:index")).content.decode()
    assert 'id="failed-deliveries"' in page
    assert "ot@example.org" in page and "SMTPServerDisconnected" in page
    assert reverse("admin:reports_delivery_change", args=[given_up.pk]) in page


def test_the_admin_index_shows_no_list_when_nothing_failed(client, admin_user, waiting):
    client.force_login(admin_user)
    assert 'id="failed-deliveries"' not in client.get(reverse("admin:index")).content.decode()


def test_an_admin_sends_selected_failed_deliveries_again(client, admin_user, given_up, sends, flaky_smtp):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:reports_delivery_changelist"),
        {"action": "retry_selected", "_selected_action": [given_up.pk]},
    )
    assert response.status_code == 302
    given_up.refresh_from_db()
    assert given_up.status == DeliveryStatus.PENDING and sends == [given_up.pk]
    flaky_smtp.failures = 0
    assert delivery.delivery_send(delivery_id=given_up.pk).status == DeliveryStatus.SENT


def test_an_admin_sends_all_failed_deliveries_again(client, admin_user, given_up, sends):
    client.force_login(admin_user)
    changelist = client.get(reverse("admin:reports_delivery_changelist")).content.decode()
    retry_all = reverse("admin:reports_delivery_retry_failed")
    assert retry_all in changelist
    assert client.get(retry_all).status_code == 403  # a GET changes nothing
    assert client.post(retry_all).status_code == 302
    assert Delivery.objects.get().status == DeliveryStatus.PENDING and sends == [given_up.pk]


def test_a_delivery_whose_report_failed_to_render_is_rendered_again(admin_user, given_up, monkeypatch):
    renders = []
    monkeypatch.setattr(tasks.render_report, "delay_on_commit", lambda pk: renders.append(pk))
    Report.objects.filter(pk=given_up.report_id).update(status=ReportStatus.FAILED)
    assert delivery.deliveries_retry(deliveries=[given_up]) == 1
    assert Report.objects.get().status == ReportStatus.QUEUED and renders == [given_up.report_id]


def test_staff_without_the_permission_cannot_retry(client, given_up, sends):
    from enterprises.models import Role
    from tests.factories import UserFactory

    clerk = UserFactory(username="clerk", role=Role.FEDERAL_REVIEWER, is_staff=True)
    client.force_login(clerk)
    assert client.post(reverse("admin:reports_delivery_retry_failed")).status_code == 403
    assert Delivery.objects.get().status == DeliveryStatus.FAILED and sends == []


# --- What the report page says ------------------------------------------------------------------------


def test_the_report_page_says_when_the_next_attempt_is_and_claims_no_notice(
    client, federal, waiting, flaky_smtp
):
    flaky_smtp.failures = 99
    failed = fail_quick_retries(waiting)
    client.force_login(federal)
    page = client.get(reverse("reports:report_detail", args=[failed.report_id])).content.decode()
    assert "администраторы уведомлены" not in page
    assert "Будет отправлено повторно автоматически" in page
    assert timezone.localtime(failed.next_attempt_at).strftime("%d.%m.%Y %H:%M") in page

    Delivery.objects.filter(pk=failed.pk).update(next_attempt_at=None)
    page = client.get(reverse("reports:report_detail", args=[failed.report_id])).content.decode()
    assert "Автоматические попытки прекращены" in page


def test_a_delivery_whose_owner_was_deactivated_meanwhile_is_cancelled_not_sent(
    waiting, manager_a, flaky_smtp
):
    Subscription.objects.filter(pk=waiting.subscription_id).update(created_by=manager_a)
    manager_a.is_active = False
    manager_a.save()

    cancelled = delivery.delivery_send(delivery_id=waiting.pk)

    assert cancelled.status == DeliveryStatus.CANCELLED and cancelled.attempts == 0
    assert mail.outbox == []
    assert delivery.delivery_counts() == {"pending": 0, "failed": 0, "failed_given_up": 0}
