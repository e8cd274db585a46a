"""A measure's life in the browser, in Russian: the officer plans it from a 776n model measure (the
level of the hierarchy is preset as it is chosen) and assigns it to a colleague; the colleague's
e-mail arrives at a real SMTP server; the colleague finds it under "Мои задачи", sets it in
progress and completes it with a photo."""

import datetime
import re
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image
from playwright.sync_api import expect

from assessments.models import ControlMeasure, MeasureEvidence, MeasureNotice, MeasureStatus
from enterprises.models import Role
from hazards.models import ModelMeasure
from tests.factories import PASSWORD, HazardFactory, UserFactory
from tests.integration.conftest import MailSink, free_port, wait_until

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def smtp_sink(settings):
    """An aiosmtpd server on a spare loopback port; the app sends through Django's SMTP backend,
    its Celery tasks run in the live server's process (eager), as queued on commit."""
    sink = MailSink()
    port = free_port()
    sink.start(port)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.CELERY_TASK_ALWAYS_EAGER = True
    yield sink
    sink.stop()


@pytest.fixture
def private_storage(tmp_path, monkeypatch):
    storage = FileSystemStorage(location=tmp_path / "private", base_url=None)
    monkeypatch.setattr(MeasureEvidence._meta.get_field("file"), "storage", storage)
    return storage


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "ограждение.png"
    Image.new("RGB", (80, 60), (30, 140, 60)).save(path, format="PNG")
    return path


def _log_in(page, live_server, user):
    with translation.override("ru"):
        page.goto(live_server.url + reverse("login"))
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def test_a_measure_is_assigned_mailed_started_and_completed(
    live_server, browser, officer_a, smtp_sink, private_storage, photo
):
    enterprise = officer_a.enterprise
    colleague = UserFactory(
        username="mechanic",
        first_name="Сергей",
        last_name="Орлов",
        email="orlov@example.org",
        role=Role.OFFICER,
        enterprise=enterprise,
        position="Главный механик",
    )
    hazard = HazardFactory(workplace__department__enterprise=enterprise)
    model = ModelMeasure.objects.filter(event=hazard.event).exclude(control_level="").order_by("id").first()
    with translation.override("ru"):
        add_url = live_server.url + reverse("assessments:measure_add", kwargs={"pk": hazard.pk})
    due = timezone.localdate() + datetime.timedelta(days=20)

    def shot(page, name):
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"measure-{name}.png", full_page=True)

    # The officer plans the measure from a model measure: its level is preset as it is chosen.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ru-RU")
    page = context.new_page()
    page.set_default_timeout(30_000)
    _log_in(page, live_server, officer_a)
    page.goto(add_url)
    page.select_option("#id_model_measure_pick", str(model.pk))
    expect(page.locator(f'input[name="control_level"][value="{model.control_level}"]')).to_be_checked()
    assert page.locator("#id_description").input_value() == model.name_ru
    page.select_option("#id_assignee", str(colleague.pk))
    page.fill("#id_due_date", due.isoformat())
    shot(page, "plan")
    page.locator("#save-measure").click()
    page.wait_for_url(re.compile(r"/assessments/rows/\d+/$"))
    measure = ControlMeasure.objects.get(hazard=hazard)
    assert (measure.assignee, measure.control_level, measure.model_measure) == (
        colleague,
        model.control_level,
        model,
    )
    assert "Сергей Орлов" in page.locator(f'[data-measure="{measure.pk}"]').inner_text()
    context.close()

    # The e-mail reaches the colleague through the SMTP server, once.
    wait_until(lambda: smtp_sink.to("orlov@example.org"), timeout=30, what="the assignment e-mail")
    (message,) = smtp_sink.to("orlov@example.org")
    assert "Вам назначена мера" in message["Subject"]
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert model.name_ru[:60] in body
    assert f"/assessments/rows/{hazard.pk}/" in body
    assert MeasureNotice.objects.get(measure=measure).sent_at is not None

    # The colleague finds it under "Мои задачи", sets it in progress and completes it.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ru-RU")
    page = context.new_page()
    page.set_default_timeout(30_000)
    _log_in(page, live_server, colleague)
    page.locator("#nav-my-tasks").click()
    page.wait_for_url(re.compile(r"/my-tasks/$"))
    row = page.locator(f'#my-tasks-open tr[data-measure="{measure.pk}"]')
    expect(row).to_contain_text(due.strftime("%d.%m.%Y"))
    expect(row).to_contain_text("Запланировано")
    shot(page, "my-tasks")
    row.locator("button.measure-start").click()
    page.wait_for_url(re.compile(r"/my-tasks/$"))
    expect(page.locator(f'#my-tasks-open tr[data-measure="{measure.pk}"]')).to_contain_text("В работе")
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.IN_PROGRESS

    page.locator(f'#my-tasks-open tr[data-measure="{measure.pk}"] a[href$="/done/"]').click()
    page.wait_for_url(re.compile(r"/measures/\d+/done/$"))
    page.set_input_files("#id_file", str(photo))
    page.fill("#id_note", "Ограждение установлено")
    page.locator("#complete-measure").click()
    page.wait_for_url(re.compile(r"/assess/\?reason=after_measures$"))
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.DONE and measure.done_on == timezone.localdate()

    # On the row's page: done, with its photo as a thumbnail; on "Мои задачи": under the closed.
    with translation.override("ru"):
        page.goto(live_server.url + reverse("assessments:hazard", args=[hazard.pk]))
    item = page.locator(f'[data-measure="{measure.pk}"]')
    expect(item.locator(".measure-status")).to_have_text("Выполнено")
    thumbnail = item.locator(".measure-evidence img")
    thumbnail.scroll_into_view_if_needed()  # loaded lazily, when it comes into view
    assert thumbnail.evaluate("img => img.decode().then(() => img.naturalWidth)") == 80
    shot(page, "row-done")
    page.locator("#nav-my-tasks").click()
    expect(page.locator(f'#closed-tasks tr[data-measure="{measure.pk}"]')).to_be_visible()
    context.close()
    # One e-mail in all: the status changes mail no one.
    assert len(smtp_sink.to("orlov@example.org")) == 1
