"""The subscription pages: who may subscribe to what, form errors that write nothing, stopping a
subscription, the report page's delivery log, and query counts that do not grow with the data."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports.models import (
    AttemptOutcome,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Frequency,
    Report,
    ReportStatus,
    ReportType,
    Subscription,
)
from tests.factories import EnterpriseFactory
from tests.submission import with_key

from .conftest import url

pytestmark = pytest.mark.django_db


def form(**values):
    data = {
        "type": "enterprise",
        "frequency": "monthly",
        "language": "ru",
        "recipients": "ot@example.org\nminister@example.org",
    }
    data.update(values)
    return data


def test_a_manager_subscribes_addresses_to_the_enterprise_report(client, manager_a, enterprise_a):
    client.force_login(manager_a)
    page = client.get(url("reports:subscription_new"))
    assert [value for value, _ in page.context["form"].fields["type"].choices] == ["enterprise"]
    response = client.post(url("reports:subscription_new"), with_key(form(enterprise=enterprise_a.pk)))
    assert response.status_code == 302
    subscription = Subscription.objects.get()
    assert (subscription.enterprise, subscription.created_by) == (enterprise_a, manager_a)
    assert subscription.recipient_list == ["ot@example.org", "minister@example.org"]
    listing = client.get(response["Location"]).content.decode()
    assert "ot@example.org" in listing and "Подписка оформлена" in listing


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"recipients": "ot@example.org\nnot an address"}, "recipients", "not"),
        ({"recipients": ""}, "recipients", ""),
        ({"enterprise": ""}, "enterprise", "Выберите предприятие"),
        ({"type": "federal"}, "type", ""),
        ({"frequency": "daily"}, "frequency", ""),
    ],
)
def test_bad_input_is_explained_and_writes_nothing(client, manager_a, enterprise_a, values, field, message):
    client.force_login(manager_a)
    response = client.post(
        url("reports:subscription_new"), with_key(form(enterprise=enterprise_a.pk) | values)
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert message in " ".join(response.context["form"].errors[field])
    assert not Subscription.objects.exists()


def test_another_enterprise_cannot_be_chosen(client, manager_a, enterprise_b):
    client.force_login(manager_a)
    response = client.post(url("reports:subscription_new"), with_key(form(enterprise=enterprise_b.pk)))
    assert "enterprise" in response.context["form"].errors
    assert not Subscription.objects.exists()


def test_a_regional_reviewer_subscribes_to_the_region_summary_only_of_his_region(
    client, reviewer_region, region_a, region_b
):
    client.force_login(reviewer_region)
    refused = client.post(url("reports:subscription_new"), with_key(form(type="region", region=region_b.pk)))
    assert "region" in refused.context["form"].errors
    client.post(
        url("reports:subscription_new"), with_key(form(type="region", region=region_a.pk, language="en"))
    )
    subscription = Subscription.objects.get()
    assert (subscription.type, subscription.region, subscription.language) == ("region", region_a, "en")


def test_officers_read_the_list_but_cannot_subscribe_or_stop(client, officer_a, enterprise_a):
    subscription = Subscription.objects.create(
        type=ReportType.ENTERPRISE, enterprise=enterprise_a, frequency=Frequency.MONTHLY, recipients="a@b.ru"
    )
    client.force_login(officer_a)
    page = client.get(url("reports:subscription_list")).content.decode()
    assert "a@b.ru" in page and url("reports:subscription_new") not in page
    assert client.get(url("reports:subscription_new")).status_code == 403
    assert client.post(url("reports:subscription_deactivate", subscription.pk)).status_code == 403
    assert Subscription.objects.get().active


def test_stopping_a_subscription_keeps_its_record(client, federal, enterprise_a):
    subscription = Subscription.objects.create(
        type=ReportType.ENTERPRISE, enterprise=enterprise_a, frequency=Frequency.MONTHLY, recipients="a@b.ru"
    )
    client.force_login(federal)
    response = client.post(url("reports:subscription_deactivate", subscription.pk, lang="en"), follow=True)
    assert "nothing more will be sent" in response.content.decode()
    assert not Subscription.objects.get().active


def make_subscriptions(enterprise_region, count):
    for _ in range(count):
        enterprise = EnterpriseFactory(region=enterprise_region)
        subscription = Subscription.objects.create(
            type=ReportType.ENTERPRISE,
            enterprise=enterprise,
            frequency=Frequency.MONTHLY,
            recipients="a@b.ru",
        )
        report = Report.objects.create(
            type=ReportType.ENTERPRISE,
            scope_key=f"enterprise:{enterprise.pk}",
            enterprise=enterprise,
            period_start=datetime.date(2026, 10, 1),
            period_end=datetime.date(2026, 10, 31),
            status=ReportStatus.READY,
        )
        Delivery.objects.create(
            subscription=subscription, report=report, recipients="a@b.ru", status=DeliveryStatus.FAILED
        )


def test_the_list_costs_the_same_queries_for_2_and_20_subscriptions(client, federal, region_a):
    client.force_login(federal)
    counts = []
    for count in (2, 18):
        make_subscriptions(region_a, count)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url("reports:subscription_list"))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert response.content.decode().count("text-bg-danger") == 20


def test_the_report_page_shows_every_attempt_and_a_failure(client, federal, enterprise_a):
    make_subscriptions(enterprise_a.region, 1)
    failed = Delivery.objects.get()
    for number, outcome, error in [
        (1, AttemptOutcome.ERROR, "SMTPRecipientsRefused 550"),
        (2, "error", "Timeout"),
    ]:
        DeliveryAttempt.objects.create(
            delivery=failed, number=number, started_at=timezone.now(), outcome=outcome, error=error
        )
    client.force_login(federal)
    page = client.get(url("reports:report_detail", failed.report.pk, lang="en")).content.decode()
    assert "E-mail deliveries" in page and "SMTPRecipientsRefused 550" in page and "Timeout" in page
    assert "Automatic attempts have stopped" in page and "administrators have been told" not in page
    archive = client.get(url("reports:report_list", lang="en")).content.decode()
    assert "e-mail failed" in archive


TEXT = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["", "0", "-1", "9" * 30, "enterprise", "region", "federal", "monthly", "en", "a@b.ru"]),
)


def test_fuzzed_subscription_forms_never_fail_and_refusals_write_nothing(client, federal, enterprise_a):
    client.force_login(federal)
    target = url("reports:subscription_new")

    @settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(
        st.fixed_dictionaries(
            {},
            optional={
                name: TEXT | st.just(str(enterprise_a.pk))
                for name in ("type", "enterprise", "region", "frequency", "language", "recipients")
            },
        )
    )
    def post(data):
        before = Subscription.objects.count()
        response = client.post(target, with_key(data))
        assert response.status_code in (200, 302)
        if response.status_code == 200:
            assert Subscription.objects.count() == before

    post()


# --- Owners and recipients ----------------------------------------------------------------------------


def test_a_deactivated_users_subscriptions_stop(client, manager_a, enterprise_a, federal):
    from reports import delivery

    client.force_login(manager_a)
    client.post(url("reports:subscription_new"), with_key(form(enterprise=enterprise_a.pk)))
    subscription = Subscription.objects.get()
    today = datetime.date(2026, 11, 25)
    assert delivery.subscriptions_due(today) == [subscription.pk]

    manager_a.is_active = False
    manager_a.save()

    assert delivery.subscriptions_due(today) == []
    assert delivery.subscriptions_fan_out(subscription_ids=[subscription.pk], today=today) == 0
    client.force_login(federal)
    listing = client.get(url("reports:subscription_list")).content.decode()
    assert "Остановлена" in listing and "Учётная запись, создавшая её, отключена" in listing


def test_recipients_outside_the_allowed_domains_wait_for_an_administrator(
    client, manager_a, enterprise_a, admin_user, settings
):
    from reports import delivery

    settings.REPORTS_RECIPIENT_DOMAINS = ["mintrud.gov.ru"]
    manager_a.email = "manager@salt-mine.ru"
    manager_a.save()
    client.force_login(manager_a)
    recipients = "ot@salt-mine.ru\nanalyst@orenburg.mintrud.gov.ru\nleak@gmail.com"
    response = client.post(
        url("reports:subscription_new"), with_key(form(enterprise=enterprise_a.pk, recipients=recipients))
    )
    subscription = Subscription.objects.get()
    assert subscription.pending_approval
    listing = client.get(response["Location"]).content.decode()
    assert "leak@gmail.com" in listing and "Ожидает одобрения администратора" in listing
    assert "ot@salt-mine.ru, analyst" not in listing  # only the outside address is named
    today = datetime.date(2026, 11, 25)
    assert delivery.subscriptions_due(today) == []

    client.force_login(admin_user)
    client.post(
        "/admin/reports/subscription/",
        {"action": "approve_selected", "_selected_action": [subscription.pk]},
    )
    subscription.refresh_from_db()
    assert not subscription.pending_approval
    assert subscription.history.first().history_user == admin_user
    assert delivery.subscriptions_due(today) == [subscription.pk]


def test_recipients_inside_the_allowed_domains_need_no_approval(manager_a, enterprise_a, settings):
    from reports import delivery

    settings.REPORTS_RECIPIENT_DOMAINS = ["mintrud.gov.ru"]
    manager_a.email = "manager@salt-mine.ru"
    manager_a.save()
    subscription = delivery.subscription_create(
        type=ReportType.ENTERPRISE, enterprise=enterprise_a, frequency=Frequency.MONTHLY, language="ru",
        recipients="ot@salt-mine.ru, analyst@orenburg.mintrud.gov.ru", user=manager_a,
    )  # fmt: skip
    assert not subscription.pending_approval
    # Look-alike domains are outside.
    assert delivery.recipients_outside(
        ["x@evilmintrud.gov.ru", "y@salt-mine.ru.evil.org"], enterprise=enterprise_a
    ) == [
        "x@evilmintrud.gov.ru",
        "y@salt-mine.ru.evil.org",
    ]
