"""Measures with owners and a life cycle: the responsible person is a user of the enterprise (told by
e-mail, sees it under "My tasks") or a typed name; planned → in progress → done / cancelled with a
reason; one numbering of the hierarchy; evidence photos as thumbnails."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments import notices, services
from assessments.models import ControlMeasure, MeasureNotice, MeasureStatus, NoticeKind
from assessments.tasks import send_measure_deadline_notices
from dashboards import history
from enterprises.models import Role
from hazards.models import HazardStatus, ModelMeasure
from hazards.services import version_token
from tests.factories import ControlMeasureFactory, HazardFactory, UserFactory
from tests.submission import with_key

from .test_risk_support import PDF_BYTES, png_bytes, upload

pytest_plugins = ["tests.assessments.test_risk_support"]
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("russian_by_default")]


@pytest.fixture(autouse=True)
def mail_in_memory(settings):
    """Unit tests: tasks run in the test's process, mail lands in django.core.mail.outbox."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def worker_a(enterprise_a):
    return UserFactory(
        username="worker_a",
        first_name="Иван",
        last_name="Петров",
        email="petrov@example.org",
        role=Role.OFFICER,
        enterprise=enterprise_a,
    )


def _days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def _plan(hazard, **kwargs):
    values = {
        "hazard": hazard,
        "control_level": "engineering",
        "description": "Установить ограждение",
        "due_date": _days(30),
    }
    values.update(kwargs)
    return services.measure_plan(**values)


# --- Responsible: a user or a name ------------------------------------------------------------


def test_a_measure_has_a_user_or_a_name_never_both_nor_neither(hazard_a, worker_a):
    with pytest.raises(ValidationError):
        _plan(hazard_a)
    with pytest.raises(ValidationError):
        _plan(hazard_a, assignee=worker_a, responsible="Главный механик")
    named = _plan(hazard_a, responsible="  Главный механик ")
    assigned = _plan(hazard_a, assignee=worker_a)
    assert (named.assignee, named.responsible_name) == (None, "Главный механик")
    assert (assigned.responsible, assigned.responsible_name) == ("", "Иван Петров")


def test_the_database_refuses_a_measure_with_both(hazard_a, worker_a):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ControlMeasureFactory(hazard=hazard_a, assignee=worker_a, responsible="Кто-то")


def test_a_user_of_another_enterprise_or_inactive_cannot_be_responsible(hazard_a, officer_b, worker_a):
    with pytest.raises(ValidationError) as error:
        _plan(hazard_a, assignee=officer_b)
    assert "assignee" in error.value.message_dict
    worker_a.is_active = False
    worker_a.save()
    with pytest.raises(ValidationError):
        _plan(hazard_a, assignee=worker_a)
    assert not ControlMeasure.objects.exists()


def test_the_form_offers_only_active_users_of_the_rows_enterprise(
    client, hazard_a, officer_a, worker_a, officer_b
):
    gone = UserFactory(username="gone", enterprise=hazard_a.enterprise, is_active=False)
    client.force_login(officer_a)
    form = client.get(reverse("assessments:measure_add", kwargs={"pk": hazard_a.pk})).context["form"]
    offered = set(form.fields["assignee"].queryset)
    assert worker_a in offered and officer_a in offered
    assert officer_b not in offered and gone not in offered


def test_posting_a_user_of_another_enterprise_is_refused_with_nothing_written(
    client, hazard_a, officer_a, officer_b
):
    client.force_login(officer_a)
    response = client.post(
        reverse("assessments:measure_add", kwargs={"pk": hazard_a.pk}),
        with_key(
            {
                "control_level": "engineering",
                "description": "Ограждение",
                "assignee": str(officer_b.pk),
                "due_date": _days(10).isoformat(),
            }
        ),
    )
    assert response.status_code == 200
    assert "assignee" in response.context["form"].errors
    assert not ControlMeasure.objects.exists()


# --- E-mail to the assignee ---------------------------------------------------------------------


def test_assigning_a_measure_mails_the_assignee_once(hazard_a, worker_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        measure = _plan(hazard_a, assignee=worker_a)
    assert [m.to for m in mail.outbox] == [["petrov@example.org"]]
    message = mail.outbox[0]
    assert "назначена мера" in message.subject
    assert "Установить ограждение" in message.body
    assert reverse("assessments:hazard", args=[hazard_a.pk]) in message.body
    notice = MeasureNotice.objects.get(measure=measure)
    assert notice.kind == NoticeKind.ASSIGNED and notice.sent_at is not None
    # The task delivered twice (a broker's re-delivery) sends nothing more.
    assert notices.notice_send(notice_id=notice.pk) is False
    assert len(mail.outbox) == 1


def test_the_email_is_in_the_assignees_language(hazard_a, worker_a, django_capture_on_commit_callbacks):
    worker_a.language = "en"
    worker_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        _plan(hazard_a, assignee=worker_a)
    assert mail.outbox[0].subject.startswith("RiskPilot: a control measure is assigned to you")
    assert "You are now responsible" in mail.outbox[0].body


def test_a_typed_name_or_a_user_without_address_gets_no_email(
    hazard_a, enterprise_a, django_capture_on_commit_callbacks
):
    silent = UserFactory(username="silent", enterprise=enterprise_a, email="")
    with django_capture_on_commit_callbacks(execute=True):
        _plan(hazard_a, responsible="Мастер участка")
        _plan(hazard_a, assignee=silent)
    assert mail.outbox == []
    assert not MeasureNotice.objects.exists()


def test_a_failed_plan_sends_nothing(hazard_a, worker_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        _plan(hazard_a, assignee=worker_a, periodicity="", due_date=None)
    assert mail.outbox == []


def test_a_new_assignee_is_told_the_same_one_is_not(
    hazard_a, worker_a, officer_a, django_capture_on_commit_callbacks
):
    officer_a.email = "officer@example.org"
    officer_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        measure = _plan(hazard_a, assignee=worker_a)
    with django_capture_on_commit_callbacks(execute=True):
        measure = services.measure_update(
            measure=measure, assignee=worker_a, due_date=_days(40), version=version_token(measure.updated_at)
        )
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.measure_update(
            measure=measure, assignee=officer_a, due_date=_days(40), version=version_token(measure.updated_at)
        )
    assert [m.to for m in mail.outbox] == [["petrov@example.org"], ["officer@example.org"]]


def test_a_notice_about_a_measure_reassigned_before_sending_is_not_sent(hazard_a, worker_a, officer_a):
    measure = _plan(hazard_a, assignee=worker_a)  # on-commit callbacks not run: not sent yet
    notice = MeasureNotice.objects.get()
    services.measure_update(measure=measure, responsible="Мастер", due_date=_days(30))
    assert notices.notice_send(notice_id=notice.pk) is False
    assert mail.outbox == []


def test_deadline_notices_go_once_a_week_before_and_once_overdue(
    enterprise_a, worker_a, django_capture_on_commit_callbacks
):
    hazard = HazardFactory(workplace__department__enterprise=enterprise_a)
    soon = ControlMeasureFactory(hazard=hazard, assignee=worker_a, responsible="", due_date=_days(5))
    late = ControlMeasureFactory(hazard=hazard, assignee=worker_a, responsible="", due_date=_days(-2))
    ControlMeasureFactory(hazard=hazard, assignee=worker_a, responsible="", due_date=_days(20))  # not yet
    ControlMeasureFactory(hazard=hazard, due_date=_days(3))  # a name: nobody to mail
    ControlMeasureFactory(
        hazard=hazard, assignee=worker_a, responsible="", due_date=_days(-5), status=MeasureStatus.CANCELLED
    )
    for _run in range(2):  # the daily check run twice the same day
        with django_capture_on_commit_callbacks(execute=True):
            send_measure_deadline_notices(timezone.localdate().isoformat())
    kinds = dict(MeasureNotice.objects.values_list("measure_id", "kind"))
    assert kinds == {soon.pk: NoticeKind.DUE_SOON, late.pk: NoticeKind.OVERDUE}
    assert len(mail.outbox) == 2
    subjects = sorted(m.subject for m in mail.outbox)
    assert any("просрочена" in s for s in subjects) and any("Срок" in s for s in subjects)

    # Overdue the next week: one more e-mail for the measure that was "due soon", none again for
    # the one already reported overdue.
    with django_capture_on_commit_callbacks(execute=True):
        send_measure_deadline_notices(_days(7).isoformat())
    assert len(mail.outbox) == 3
    assert MeasureNotice.objects.filter(measure=soon, kind=NoticeKind.OVERDUE).exists()

    # A new due date is a new deadline.
    late.due_date = _days(6)
    late.save()
    with django_capture_on_commit_callbacks(execute=True):
        send_measure_deadline_notices(timezone.localdate().isoformat())
    assert len(mail.outbox) == 4


def test_a_row_not_active_gets_no_deadline_notice(enterprise_a, worker_a, django_capture_on_commit_callbacks):
    hazard = HazardFactory(workplace__department__enterprise=enterprise_a, status=HazardStatus.ELIMINATED)
    ControlMeasureFactory(hazard=hazard, assignee=worker_a, responsible="", due_date=_days(2))
    with django_capture_on_commit_callbacks(execute=True):
        send_measure_deadline_notices(timezone.localdate().isoformat())
    assert mail.outbox == []


def test_a_mail_server_error_leaves_the_notice_unsent_for_the_retry(hazard_a, worker_a, monkeypatch):
    import smtplib

    measure = _plan(hazard_a, assignee=worker_a)
    notice = MeasureNotice.objects.get(measure=measure)

    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    with pytest.raises(smtplib.SMTPException):
        notices.notice_send(notice_id=notice.pk)
    notice.refresh_from_db()
    assert notice.sent_at is None
    monkeypatch.undo()
    assert notices.notice_send(notice_id=notice.pk) is True
    assert len(mail.outbox) == 1


# --- Life cycle ------------------------------------------------------------------------------------


def test_start_then_cancel_with_a_reason_recorded_in_history(hazard_a):
    measure = _plan(hazard_a, responsible="Мастер")
    measure = services.measure_start(measure=measure, version=version_token(measure.updated_at))
    assert measure.status == MeasureStatus.IN_PROGRESS
    with pytest.raises(ValidationError):
        services.measure_cancel(measure=measure, reason="   ")
    measure = services.measure_cancel(measure=measure, reason="Оборудование выведено из эксплуатации")
    measure.refresh_from_db()
    assert (measure.status, measure.cancel_reason) == (
        MeasureStatus.CANCELLED,
        "Оборудование выведено из эксплуатации",
    )
    statuses = list(measure.history.order_by("history_date").values_list("status", flat=True))
    assert statuses == ["planned", "in_progress", "cancelled"]
    # The period figures read the cancellation's date from that history.
    assert history.cancellation_dates(ControlMeasure.objects.all()) == {measure.pk: timezone.localdate()}


def test_closed_measures_cannot_be_started_or_cancelled(hazard_a):
    measure = _plan(hazard_a, responsible="Мастер")
    services.measure_complete(measure=measure)
    with pytest.raises(ValidationError):
        services.measure_start(measure=measure)
    with pytest.raises(ValidationError):
        services.measure_cancel(measure=measure, reason="Поздно")
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.DONE


def test_a_stale_form_cannot_cancel(hazard_a):
    measure = _plan(hazard_a, responsible="Мастер")
    stale = version_token(measure.updated_at)
    services.measure_start(measure=measure)
    with pytest.raises(ValidationError):
        services.measure_cancel(measure=measure, reason="Не нужна", version=stale)
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.IN_PROGRESS


def test_officer_starts_and_cancels_in_the_browser(client, hazard_a, officer_a):
    measure = _plan(hazard_a, responsible="Мастер")
    client.force_login(officer_a)
    response = client.post(
        reverse("assessments:measure_start", args=[measure.pk]),
        {"version": version_token(measure.updated_at)},
    )
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.IN_PROGRESS

    url = reverse("assessments:measure_cancel", args=[measure.pk])
    response = client.post(url, {"reason": "", "version": version_token(measure.updated_at)})
    assert response.status_code == 200
    assert "Укажите причину отмены меры." in response.content.decode()
    response = client.post(url, {"reason": "Цех закрыт", "version": version_token(measure.updated_at)})
    assert response.status_code == 302
    page = client.get(reverse("assessments:hazard", args=[hazard_a.pk])).content.decode()
    assert "Цех закрыт" in page and "Отменено" in page


def test_start_without_its_version_changes_nothing(client, hazard_a, officer_a):
    measure = _plan(hazard_a, responsible="Мастер")
    client.force_login(officer_a)
    response = client.post(reverse("assessments:measure_start", args=[measure.pk]), {}, follow=True)
    assert response.status_code == 200
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.PLANNED
    assert "версии" in response.content.decode()


def test_reviewer_cannot_start_cancel_or_change(client, hazard_a, reviewer_region):
    measure = _plan(hazard_a, responsible="Мастер")
    client.force_login(reviewer_region)
    token = version_token(measure.updated_at)
    for name, data in (
        ("measure_start", {"version": token}),
        ("measure_cancel", {"reason": "x", "version": token}),
        ("measure_edit", {"responsible": "Другой", "due_date": _days(9).isoformat(), "version": token}),
    ):
        assert client.post(reverse(f"assessments:{name}", args=[measure.pk]), data).status_code == 403
    measure.refresh_from_db()
    assert (measure.status, measure.responsible) == (MeasureStatus.PLANNED, "Мастер")


def test_officer_reassigns_a_measure_from_a_name_to_a_user(
    client, hazard_a, officer_a, worker_a, django_capture_on_commit_callbacks
):
    measure = _plan(hazard_a, responsible="Мастер")
    client.force_login(officer_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("assessments:measure_edit", args=[measure.pk]),
            {
                "assignee": str(worker_a.pk),
                "responsible": "",
                "due_date": _days(12).isoformat(),
                "periodicity": "",
                "version": version_token(measure.updated_at),
            },
        )
    assert response.status_code == 302
    measure.refresh_from_db()
    assert (measure.assignee, measure.responsible, measure.due_date) == (worker_a, "", _days(12))
    assert [m.to for m in mail.outbox] == [["petrov@example.org"]]


# --- Model measure, numbering, evidence --------------------------------------------------------


def test_a_model_measure_presets_its_level_on_the_server(hazard_a, client, officer_a):
    model = ModelMeasure.objects.filter(event_id=hazard_a.event_id).exclude(control_level="").first()
    assert model is not None
    client.force_login(officer_a)
    form = client.get(
        reverse("assessments:measure_add", kwargs={"pk": hazard_a.pk}) + f"?model_measure={model.pk}"
    ).context["form"]
    assert form.initial["control_level"] == model.control_level
    # The chooser carries each model measure's level for the script.
    page = client.get(reverse("assessments:measure_add", kwargs={"pk": hazard_a.pk})).content.decode()
    assert f'value="{model.pk}" data-level="{model.control_level}"' in page
    # And a plan made from it without a level takes the model's.
    measure = services.measure_plan(
        hazard=hazard_a,
        control_level="",
        description=model.name,
        responsible="Мастер",
        due_date=_days(5),
        model_measure=model,
    )
    assert measure.control_level == model.control_level


def test_levels_keep_their_hierarchy_number_on_the_row_page_and_the_form(client, hazard_a, officer_a):
    _plan(hazard_a, control_level="ppe", responsible="Мастер")
    row_url = reverse("assessments:hazard", args=[hazard_a.pk])
    form_url = reverse("assessments:measure_add", kwargs={"pk": hazard_a.pk})
    client.force_login(officer_a)
    page = client.get("/en" + row_url).content.decode()
    # The only group is PPE: still number 5, as in the form, not "1".
    assert "5. Personal protective equipment" in page
    assert "1. Personal protective equipment" not in page
    form = client.get("/en" + form_url).content.decode()
    assert "5. Personal protective equipment" in form and "3. Engineering controls" in form


def test_evidence_photos_show_as_thumbnails_and_every_file_opens_in_a_new_tab(
    client, hazard_a, officer_a, private_storage
):
    measure = _plan(hazard_a, responsible="Мастер")
    photo = services.evidence_add(
        measure=measure, file=upload("фото.png", png_bytes()), uploaded_by=officer_a
    )
    document = services.evidence_add(
        measure=measure, file=upload("акт.pdf", PDF_BYTES, "application/pdf"), uploaded_by=officer_a
    )
    client.force_login(officer_a)
    page = client.get(reverse("assessments:hazard", args=[hazard_a.pk])).content.decode()
    photo_url = reverse("assessments:evidence", args=[photo.pk])
    document_url = reverse("assessments:evidence", args=[document.pk])
    assert f'<img src="{photo_url}"' in page
    assert f'<a href="{photo_url}" target="_blank" rel="noopener"' in page
    assert f'<a href="{document_url}" target="_blank" rel="noopener"' in page
    assert f'<img src="{document_url}"' not in page


# --- My tasks ----------------------------------------------------------------------------------------


def test_my_tasks_lists_my_measures_open_first_by_due_date(client, enterprise_a, worker_a, officer_a):
    hazard = HazardFactory(workplace__department__enterprise=enterprise_a)
    later = ControlMeasureFactory(
        hazard=hazard, assignee=worker_a, responsible="", due_date=_days(20), description="Позже"
    )
    sooner = ControlMeasureFactory(
        hazard=hazard, assignee=worker_a, responsible="", due_date=_days(3), description="Раньше"
    )
    done = ControlMeasureFactory(
        hazard=hazard,
        assignee=worker_a,
        responsible="",
        due_date=_days(1),
        status=MeasureStatus.DONE,
        done_on=timezone.localdate(),
        description="Сделано",
    )
    ControlMeasureFactory(hazard=hazard, assignee=officer_a, responsible="", description="Чужая")
    ControlMeasureFactory(hazard=hazard, description="По имени")
    client.force_login(worker_a)
    response = client.get(reverse("assessments:my_tasks"))
    assert response.status_code == 200
    assert [m.pk for m in response.context["open_measures"]] == [sooner.pk, later.pk]
    assert [m.pk for m in response.context["closed_measures"]] == [done.pk]
    page = response.content.decode()
    assert "Чужая" not in page and "По имени" not in page
    assert page.index("Раньше") < page.index("Позже") < page.index("Сделано")
    assert f"№ {hazard.workplace.number}" in page
    assert 'id="nav-my-tasks"' in page


def _tasks_queries(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("assessments:my_tasks")).status_code == 200
    return len(queries)


def test_my_tasks_costs_the_same_queries_for_one_measure_or_many(client, enterprise_a, worker_a):
    ControlMeasureFactory(
        hazard__workplace__department__enterprise=enterprise_a, assignee=worker_a, responsible=""
    )
    one = _tasks_queries(client, worker_a)
    for _ in range(12):
        ControlMeasureFactory(
            hazard__workplace__department__enterprise=enterprise_a, assignee=worker_a, responsible=""
        )
    assert _tasks_queries(client, worker_a) == one


def test_my_tasks_never_shows_measures_of_a_row_out_of_my_scope(client, hazard_b, worker_a):
    # A user moved to another enterprise keeps the assignment, but not the sight of the row.
    ControlMeasureFactory(hazard=hazard_b, assignee=worker_a, responsible="", description="Старое место")
    client.force_login(worker_a)
    assert "Старое место" not in client.get(reverse("assessments:my_tasks")).content.decode()


def test_the_row_page_costs_no_query_per_measure_with_a_user(client, hazard_a, officer_a, enterprise_a):
    def count():
        client.force_login(officer_a)
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("assessments:hazard", args=[hazard_a.pk]))
        return len(queries)

    ControlMeasureFactory(hazard=hazard_a, assignee=officer_a, responsible="")
    one = count()
    for n in range(6):
        user = UserFactory(username=f"u{n}", enterprise=enterprise_a)
        ControlMeasureFactory(hazard=hazard_a, assignee=user, responsible="")
    assert count() == one


def test_every_catalogue_measure_presets_a_level_of_the_hierarchy():
    from hazards.control_levels import classify

    assert not ModelMeasure.objects.filter(control_level="").exists()
    assert classify("Использование СИЗ") == "ppe"
    assert classify("Использование страховочной системы") == "ppe"
    assert classify("Страхование профессионального риска") == "insurance"
    assert classify("Исключение опасной работы (процедуры)") == "elimination"
    assert classify("Замена опасной работы (процедуры) менее опасной") == "substitution"
    assert classify("Установка ограждений") == "engineering"
    assert classify("Организация обучения работников") == "administrative"


@pytest.mark.parametrize(
    ("wording", "level"),
    [
        # Wordings the word stems alone class wrongly (hazards.control_levels.OVERRIDES).
        ("Исключение нахождения на полу посторонних предметов, их своевременная уборка", "administrative"),
        (
            "Организация обучения, инструктажей, стажировки, проверки знаний, установка знаков",
            "administrative",
        ),
        (
            "Своевременная уборка покрытий (поверхностей), подверженных воздействию факторов природы",
            "administrative",
        ),
        ("Изоляция токоведущих частей электрооборудования, применение СИЗ", "engineering"),
        ("Теплоизоляция горячих поверхностей.", "engineering"),
        ("Обеспечение специальной (рабочей) обувью", "ppe"),
        ("Избегать перепадов высоты, краев и участков", "elimination"),
        (
            "Применение технологических процессов, машин и оборудования, характеризующихся более низкими "
            "уровнями шума",
            "substitution",
        ),
    ],
)
def test_model_measures_the_stems_get_wrong_are_overridden(wording, level):
    from hazards.control_levels import classify

    assert classify(wording) == level


def test_the_catalogue_holds_the_overridden_levels():
    # Migration 0006 (and the loader the tests share) store the overrides.
    assert set(
        ModelMeasure.objects.filter(name_ru__startswith="Теплоизоляция горячих").values_list(
            "control_level", flat=True
        )
    ) == {"engineering"}
    assert set(
        ModelMeasure.objects.filter(name_ru__startswith="Организация обучения, инструктажей").values_list(
            "control_level", flat=True
        )
    ) == {"administrative"}
