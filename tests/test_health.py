"""/health/: database and cache status and the counters of owed work, for monitoring; numbers
only, nothing a stranger could use."""

import json

import pytest
from django.conf import settings

from reports.models import Delivery, DeliveryStatus, Frequency, Report, ReportType, Subscription

pytestmark = pytest.mark.django_db


def test_health_answers_with_counters_and_no_secrets(client, enterprise_a):
    subscription = Subscription.objects.create(
        type=ReportType.ENTERPRISE, enterprise=enterprise_a, frequency=Frequency.MONTHLY,
        recipients="secret-recipient@example.org",
    )  # fmt: skip
    report = Report.objects.create(
        type=ReportType.ENTERPRISE, scope_key=f"enterprise:{enterprise_a.pk}", enterprise=enterprise_a,
        period_start="2026-10-01", period_end="2026-10-31", status="ready",
    )  # fmt: skip
    Delivery.objects.create(
        subscription=subscription, report=report, recipients=subscription.recipients,
        status=DeliveryStatus.FAILED, error="SMTPServerDisconnected",
    )  # fmt: skip

    response = client.get("/health/")

    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    body = response.json()
    assert body["status"] == "degraded"  # a report e-mail is owed
    assert (body["database"], body["cache"]) == ("ok", "ok")
    assert body["deliveries"] == {"pending": 0, "failed": 1, "failed_given_up": 1}
    assert body["reports"] == {"queued": 0, "failed": 0}
    text = json.dumps(body)
    for secret in (
        "secret-recipient",
        "SMTPServerDisconnected",
        settings.SECRET_KEY,
        enterprise_a.short_name,
    ):
        assert secret not in text


def test_health_is_ok_when_nothing_is_owed(client):
    assert client.get("/health/").json()["status"] == "ok"
