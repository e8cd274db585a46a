"""The weekly reminder: what is due (edges of the two weeks), who gets it, in which language, with
which links, once a week only, nothing when nothing is due; and the page where people switch it off."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import reminders, tasks
from assessments.models import DigestSent, MeasureStatus
from enterprises.models import Role
from tests.factories import ControlMeasureFactory, HazardFactory, UserFactory, WorkplaceFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = "https://riskpilot.example.org"


def day(offset: int) -> datetime.date:
    return MONDAY + datetime.timedelta(days=offset)


@pytest.fixture
def people(enterprise_a):
    return {
        "officer": UserFactory(username="ot", role=Role.OFFICER, enterprise=enterprise_a, email="ot@a.ru"),
        "manager": UserFactory(
            username="boss", role=Role.MANAGER, enterprise=enterprise_a, email="boss@a.ru", language="en"
        ),
    }


@pytest.fixture
def register(enterprise_a):
    workplace = WorkplaceFactory(department__enterprise=enterprise_a, number="17")
    row = HazardFactory(workplace=workplace)
    return {
        "overdue": ControlMeasureFactory(hazard=row, due_date=day(-1), description="Заменить ограждение"),
        "today": ControlMeasureFactory(hazard=row, due_date=day(0), description="Провести инструктаж"),
        "in_14": ControlMeasureFactory(hazard=row, due_date=day(14), description="Закупить СИЗ"),
        "in_15": ControlMeasureFactory(hazard=row, due_date=day(15), description="Не в этот раз"),
        "done": ControlMeasureFactory(
            hazard=row,
            due_date=day(-5),
            status=MeasureStatus.DONE,
            done_on=day(-6),
            description="Уже сделано",
        ),
        "review": HazardFactory(workplace=workplace, next_review_on=day(10)),
        "later": HazardFactory(workplace=workplace, next_review_on=day(40)),
        "reassess": HazardFactory(workplace=workplace, needs_reassessment=True),
    }


def test_the_digest_holds_what_is_overdue_or_due_within_two_weeks(enterprise_a, register, enterprise_b):
    ControlMeasureFactory(
        hazard=HazardFactory(workplace__department__enterprise=enterprise_b), due_date=day(-3)
    )
    digest = reminders.digest_for(enterprise_a, MONDAY)
    assert digest.overdue == [register["overdue"]]
    assert digest.due_soon == [register["today"], register["in_14"]]
    assert set(digest.review) == {register["review"], register["reassess"]}
    assert (digest.overdue_count, digest.due_soon_count, digest.review_count) == (1, 2, 2)


def test_officers_and_managers_get_it_in_their_language_with_links(people, register, enterprise_a):
    assert reminders.digests_send(enterprise_ids=[enterprise_a.pk], today=MONDAY) == 2
    by_address = {message.to[0]: message for message in mail.outbox}
    russian, english = by_address["ot@a.ru"], by_address["boss@a.ru"]
    assert "Соль-Илецк" in russian.subject and "напоминание" in russian.subject.lower()
    assert "Заменить ограждение" in russian.body and "Закупить СИЗ" in russian.body
    assert "Не в этот раз" not in russian.body and "Уже сделано" not in russian.body
    row_url = f"https://riskpilot.example.org/assessments/rows/{register['overdue'].hazard_id}/"
    assert row_url in russian.body
    assert "https://riskpilot.example.org/enterprises/preferences/" in russian.body
    assert english.subject.startswith("RiskPilot: this week's reminder")
    assert "Measures overdue (1)" in english.body
    assert (
        f"https://riskpilot.example.org/en/assessments/rows/{register['overdue'].hazard_id}/" in english.body
    )


def test_opted_out_inactive_addressless_people_and_reviewers_get_nothing(
    people, register, enterprise_a, reviewer_region
):
    people["manager"].weekly_digest = False
    people["manager"].save()
    UserFactory(
        username="gone", role=Role.OFFICER, enterprise=enterprise_a, email="gone@a.ru", is_active=False
    )
    UserFactory(username="noaddress", role=Role.OFFICER, enterprise=enterprise_a, email="")
    reviewer_region.email = "reviewer@region.ru"
    reviewer_region.save()
    reminders.digests_send(enterprise_ids=reminders.enterprises_with_recipients(), today=MONDAY)
    assert [message.to for message in mail.outbox] == [["ot@a.ru"]]


def test_a_second_run_in_the_same_week_sends_nothing_but_next_week_sends_again(
    people, register, enterprise_a
):
    reminders.digests_send(enterprise_ids=[enterprise_a.pk], today=MONDAY)
    reminders.digests_send(enterprise_ids=[enterprise_a.pk], today=day(3))
    assert len(mail.outbox) == 2 and DigestSent.objects.count() == 2
    reminders.digests_send(enterprise_ids=[enterprise_a.pk], today=day(7))
    assert len(mail.outbox) == 4


def test_nothing_due_means_no_e_mail(people, enterprise_a):
    ControlMeasureFactory(
        hazard=HazardFactory(workplace__department__enterprise=enterprise_a), due_date=day(30)
    )
    assert reminders.digests_send(enterprise_ids=[enterprise_a.pk], today=MONDAY) == 0
    assert mail.outbox == [] and not DigestSent.objects.exists()


def test_a_refusing_mail_server_leaves_no_record_so_the_retry_sends(people, register, enterprise_a, settings):
    settings.EMAIL_BACKEND = "tests.reports.test_delivery.FlakySMTP"
    from tests.reports.test_delivery import FlakySMTP

    FlakySMTP.failures = 1
    with pytest.raises(Exception, match="Connection unexpectedly closed"):
        reminders.digests_send(enterprise_ids=[enterprise_a.pk], today=MONDAY)
    assert not DigestSent.objects.filter(user=people["officer"]).exists()
    reminders.digests_send(enterprise_ids=[enterprise_a.pk], today=MONDAY)
    assert sorted(message.to[0] for message in mail.outbox) == ["boss@a.ru", "ot@a.ru"]


def test_the_digest_costs_the_same_queries_for_few_and_many_rows(enterprise_a):
    workplace = WorkplaceFactory(department__enterprise=enterprise_a)
    counts = []
    for extra in (2, 40):
        for _ in range(extra):
            ControlMeasureFactory(
                hazard=HazardFactory(workplace=workplace, next_review_on=day(1)), due_date=day(-1)
            )
        with CaptureQueriesContext(connection) as queries:
            digest = reminders.digest_for(enterprise_a, MONDAY)
            reminders.digest_message(
                digest, UserFactory(username=f"u{extra}", email="x@a.ru", enterprise=enterprise_a)
            ).message()
        counts.append(len(queries) - 1)  # less the user's own insert
    assert counts[0] == counts[1]
    assert digest.overdue_count == 42 and len(digest.overdue) == reminders.LIST_LIMIT


def test_the_weekly_task_fans_out_in_batches(people, enterprise_a, monkeypatch):
    batches = []
    monkeypatch.setattr(
        tasks.send_enterprise_digests, "delay", lambda ids, today: batches.append((ids, today))
    )
    assert tasks.send_weekly_digests.apply(kwargs={"today": MONDAY.isoformat()}).get() == 1
    assert batches == [([enterprise_a.pk], "2026-11-23")]


def test_the_schedule_is_in_the_database():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="assessments.tasks.send_weekly_digests")
    assert (task.crontab.day_of_week, task.crontab.hour) == ("1", "7")


def test_people_switch_the_reminder_off_on_their_own_settings_page(client, people):
    officer = people["officer"]
    client.force_login(officer)
    page = client.get(reverse("enterprises:preferences"))
    assert page.status_code == 200 and "ot@a.ru" in page.content.decode()
    response = client.post(reverse("enterprises:preferences"), {"language": "en"})
    assert response.status_code == 302
    officer.refresh_from_db()
    assert (officer.weekly_digest, officer.language) == (False, "en")
    bad = client.post(reverse("enterprises:preferences"), {"language": "xx", "weekly_digest": "on"})
    assert "language" in bad.context["form"].errors
    officer.refresh_from_db()
    assert (officer.weekly_digest, officer.language) == (False, "en")
