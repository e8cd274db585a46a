"""The report pages: "Generate report" on the enterprise dashboard, the status page with htmx
polling, access-checked downloads (404 outside the user's scope) and the archive."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dashboards.rollups import add_months, first_of_month
from enterprises.models import Role
from reports import tasks
from reports.models import Report, ReportStatus, ReportType
from tests.factories import EnterpriseFactory, UserFactory
from tests.submission import with_key

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n% a stored report\n"


@pytest.fixture(autouse=True)
def reports_in_tmp(tmp_path, monkeypatch):
    monkeypatch.setattr(Report._meta.get_field("file"), "storage", FileSystemStorage(location=tmp_path))


@pytest.fixture
def queued(monkeypatch):
    ids = []
    monkeypatch.setattr(tasks.render_report, "delay_on_commit", lambda report_id: ids.append(report_id))
    return ids


def make_report(
    *,
    enterprise=None,
    region=None,
    status=ReportStatus.READY,
    month=datetime.date(2026, 10, 1),
    language="ru",
):
    kind = ReportType.ENTERPRISE if enterprise else ReportType.REGION if region else ReportType.FEDERAL
    key = f"enterprise:{enterprise.pk}" if enterprise else f"region:{region.code}" if region else "federal"
    report = Report.objects.create(
        type=kind,
        scope_key=key,
        enterprise=enterprise,
        region=region,
        period_start=month,
        period_end=add_months(month, 1) - datetime.timedelta(days=1),
        language=language,
        status=status,
    )
    if status == ReportStatus.READY:
        report.file.save("report.pdf", ContentFile(PDF))
    return report


def last_month():
    return add_months(first_of_month(timezone.localdate()), -1)


# --- Generate ---------------------------------------------------------------------------------


def test_enterprise_dashboard_offers_generate_report(client, officer_a, enterprise_a):
    client.force_login(officer_a)
    response = client.get(reverse("dashboards:enterprise", args=[enterprise_a.pk]))
    assert reverse("reports:report_new", args=[enterprise_a.pk]) in response.content.decode()


def test_officer_generates_a_report_and_sees_its_progress(client, officer_a, enterprise_a, queued):
    client.force_login(officer_a)
    url = reverse("reports:report_new", args=[enterprise_a.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, with_key({"month": f"{last_month():%Y-%m}", "language": "en"}))
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "reports:report_detail", args=[report.pk]
    )
    assert (report.enterprise, report.period_start, report.language, report.requested_by) == (
        enterprise_a,
        last_month(),
        "en",
        officer_a,
    )
    assert queued == [report.pk]
    page = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 2s"' in page
    # The same request again shows the same report: nothing new is queued.
    client.post(url, with_key({"month": f"{last_month():%Y-%m}", "language": "en"}))
    assert Report.objects.count() == 1 and queued == [report.pk]


@pytest.mark.parametrize(
    "data",
    [
        {"month": "2026-13", "language": "ru"},
        {"month": "", "language": "ru"},
        {"month": "2026-10", "language": "de"},
        {"month": "2999-01", "language": "ru"},
    ],
)
def test_bad_input_is_shown_beside_the_field_and_creates_nothing(
    client, officer_a, enterprise_a, queued, data
):
    client.force_login(officer_a)
    response = client.post(reverse("reports:report_new", args=[enterprise_a.pk]), with_key(data))
    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode()
    assert not Report.objects.exists() and queued == []


def test_generate_for_another_enterprise_is_404(
    client, officer_b, reviewer_other_region, enterprise_a, queued
):
    url = reverse("reports:report_new", args=[enterprise_a.pk])
    for user in (officer_b, reviewer_other_region):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(url, with_key({"month": "2026-10", "language": "ru"})).status_code == 404
    assert not Report.objects.exists()


def test_generate_needs_csrf(officer_a, enterprise_a, queued):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(officer_a)
    response = client.post(
        reverse("reports:report_new", args=[enterprise_a.pk]),
        with_key({"month": "2026-10", "language": "ru"}),
    )
    assert response.status_code == 403 and not Report.objects.exists()


# --- Status page --------------------------------------------------------------------------------


def test_htmx_polls_until_the_report_is_ready(client, officer_a, enterprise_a):
    report = make_report(enterprise=enterprise_a, status=ReportStatus.RENDERING)
    client.force_login(officer_a)
    url = reverse("reports:report_detail", args=[report.pk])
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 2s"' in fragment and "<html" not in fragment
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.READY)
    report.refresh_from_db()
    report.file.save("report.pdf", ContentFile(PDF))
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in fragment
    assert reverse("reports:report_download", args=[report.pk]) in fragment


def test_a_failed_report_says_so(client, officer_a, enterprise_a):
    report = make_report(enterprise=enterprise_a, status=ReportStatus.FAILED)
    Report.objects.filter(pk=report.pk).update(error="ValueError: boom")
    client.force_login(officer_a)
    page = client.get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    assert "ValueError: boom" in page and "hx-trigger" not in page


# --- Downloads ----------------------------------------------------------------------------------


def test_enterprise_report_downloads_only_within_scope(
    client,
    enterprise_a,
    officer_a,
    manager_a,
    officer_b,
    reviewer_region,
    reviewer_other_region,
    federal,
    admin_user,
):
    report = make_report(enterprise=enterprise_a)
    url = reverse("reports:report_download", args=[report.pk])
    for user in (officer_a, manager_a, reviewer_region, federal, admin_user):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, user
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert "attachment" in response["Content-Disposition"]
    for user in (officer_b, reviewer_other_region):
        client.force_login(user)
        assert client.get(url).status_code == 404, user
        assert client.get(reverse("reports:report_detail", args=[report.pk])).status_code == 404


def test_region_report_downloads_only_for_its_reviewers_and_federal(
    client, region_a, officer_a, reviewer_region, reviewer_other_region, federal
):
    report = make_report(region=region_a)
    url = reverse("reports:report_download", args=[report.pk])
    for user, status in (
        (reviewer_region, 200),
        (federal, 200),
        (reviewer_other_region, 404),
        (officer_a, 404),
    ):
        client.force_login(user)
        assert client.get(url).status_code == status, user


def test_a_report_not_ready_has_no_download(client, officer_a, enterprise_a):
    report = make_report(enterprise=enterprise_a, status=ReportStatus.QUEUED)
    client.force_login(officer_a)
    assert client.get(reverse("reports:report_download", args=[report.pk])).status_code == 404


def test_anonymous_is_sent_to_log_in(client, enterprise_a):
    report = make_report(enterprise=enterprise_a)
    response = client.get(reverse("reports:report_download", args=[report.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


# --- Archive --------------------------------------------------------------------------------------


def test_archive_lists_only_reports_in_scope(
    client, enterprise_a, enterprise_b, enterprise_c, region_a, officer_a, reviewer_region
):
    mine = make_report(enterprise=enterprise_a)
    neighbour = make_report(enterprise=enterprise_b)
    far = make_report(enterprise=enterprise_c)
    regional = make_report(region=region_a)
    client.force_login(officer_a)
    assert list(client.get(reverse("reports:report_list")).context["page"].object_list) == [mine]
    client.force_login(reviewer_region)
    listed = set(client.get(reverse("reports:report_list")).context["page"].object_list)
    assert listed == {mine, neighbour, regional} and far not in listed


def test_archive_filters(client, enterprise_a, enterprise_b, federal):
    october = make_report(enterprise=enterprise_a, month=datetime.date(2026, 10, 1))
    make_report(enterprise=enterprise_a, month=datetime.date(2026, 9, 1))
    english = make_report(enterprise=enterprise_b, month=datetime.date(2026, 10, 1), language="en")
    client.force_login(federal)

    def listed(**params):
        return list(client.get(reverse("reports:report_list"), params).context["page"].object_list)

    assert listed(month="2026-10", enterprise=enterprise_a.pk) == [october]
    assert listed(language="en") == [english]
    assert len(listed(type="enterprise")) == 3
    response = client.get(reverse("reports:report_list"), {"month": "not-a-month"})
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()


def test_archive_queries_do_not_grow_with_rows(client, region_a, federal):
    def count_queries(rows):
        Report.objects.all().delete()
        for number in range(rows):
            make_report(
                enterprise=EnterpriseFactory(region=region_a), month=datetime.date(2026, 1 + number % 12, 1)
            )
        client.force_login(federal)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("reports:report_list")).status_code == 200
        return len(queries)

    assert count_queries(5) == count_queries(50)


# --- Quota ------------------------------------------------------------------------------------------


def test_renders_ordered_per_hour_are_limited_per_user(
    client, reviewer_region, enterprise_a, queued, settings
):
    settings.REPORTS_ORDERS_PER_HOUR = 3
    client.force_login(reviewer_region)
    url = reverse("reports:report_new", args=[enterprise_a.pk])
    order = {"month": f"{last_month():%Y-%m}", "language": "ru", "regenerate": "on"}
    assert [client.post(url, with_key(order)).status_code for _ in range(3)] == [302, 302, 302]

    refused = client.post(url, with_key(order))
    assert refused.status_code == 200
    assert "сколько разрешено (3)" in refused.content.decode()
    assert Report.objects.count() == 3 and len(queued) == 3
    # An existing report is still shown: only renders count.
    shown = client.post(url, with_key({"month": f"{last_month():%Y-%m}", "language": "ru"}))
    assert shown.status_code == 302 and Report.objects.count() == 3
    # Another person has a quota of their own.
    client.force_login(UserFactory(username="manager_x", role=Role.MANAGER, enterprise=enterprise_a))
    assert client.post(url, with_key(order)).status_code == 302 and Report.objects.count() == 4
