"""E-mail subjects are plain text: an enterprise called АО "Север & Юг" is written so, never as
&quot;Север &amp; Юг&quot; (the subject templates render with autoescape off, like the bodies)."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

from assessments import reminders
from reports import delivery
from reports.models import Delivery, Frequency, Report, ReportStatus, ReportType
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NAME = 'АО "Север & Юг" <Терминал>'


@pytest.fixture
def quoted(enterprise_a):
    enterprise_a.short_name = NAME
    enterprise_a.save()
    return enterprise_a


def test_the_report_mail_subject_keeps_quotes_and_ampersands(quoted, tmp_path, monkeypatch):
    # The PDF goes to a temporary folder, never to the checkout's var/private.
    storage = FileSystemStorage(location=tmp_path / "private", base_url=None)
    monkeypatch.setattr(Report._meta.get_field("file"), "storage", storage)
    report = Report.objects.create(
        type=ReportType.ENTERPRISE,
        scope_key=f"enterprise:{quoted.pk}",
        enterprise=quoted,
        period_start=datetime.date(2026, 10, 1),
        period_end=datetime.date(2026, 10, 31),
        status=ReportStatus.READY,
    )
    report.file.save("report.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    subscription = delivery.subscription_create(
        type=ReportType.ENTERPRISE,
        enterprise=quoted,
        frequency=Frequency.MONTHLY,
        language="ru",
        recipients="ot@example.org",
        user=None,
    )
    sent = Delivery.objects.create(subscription=subscription, report=report, recipients="ot@example.org")
    subject = delivery.delivery_message(sent).subject
    assert NAME in subject and "&quot;" not in subject and "&amp;" not in subject


def test_the_weekly_reminder_subject_keeps_quotes_and_ampersands(quoted):
    user = UserFactory(username="ot", enterprise=quoted, email="ot@a.ru")
    digest = reminders.digest_for(quoted, datetime.date(2026, 11, 2))
    subject = reminders.digest_message(digest, user).subject
    assert NAME in subject and "&quot;" not in subject and "&lt;" not in subject
