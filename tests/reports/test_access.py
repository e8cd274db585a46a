"""Who sees which dashboard: another region's or enterprise's figures do not exist for a viewer (404),
and a dashboard counts only what its viewer may see."""

import pytest
from django.urls import reverse

from tests.factories import HazardFactory, WorkplaceFactory

pytestmark = pytest.mark.django_db


def test_regional_reviewer_cannot_open_another_regions_dashboard_or_export(client, known, reviewer_region):
    client.force_login(reviewer_region)
    assert client.get(reverse("dashboards:region", args=["47"])).status_code == 404
    assert client.get(reverse("dashboards:region_export", args=["47"])).status_code == 404


def test_regional_reviewer_cannot_open_an_enterprise_of_another_region(client, known, reviewer_region):
    client.force_login(reviewer_region)
    response = client.get(reverse("dashboards:enterprise", args=[known.enterprise_c.pk]))
    assert response.status_code == 404


def test_regional_reviewer_has_no_federal_dashboard(client, known, reviewer_region):
    client.force_login(reviewer_region)
    assert client.get(reverse("dashboards:federal")).status_code == 404
    assert client.get(reverse("dashboards:federal_export")).status_code == 404


def test_unknown_region_is_not_found(client, federal):
    client.force_login(federal)
    assert client.get(reverse("dashboards:region", args=["99"])).status_code == 404


def test_officer_opens_only_their_own_enterprise_dashboard(client, known, officer_a):
    client.force_login(officer_a)
    own = client.get(reverse("dashboards:enterprise", args=[known.enterprise_a.pk]))
    assert own.status_code == 200
    assert own.context["row"].rows == 5
    assert own.context["region_url"] is None  # no link up to figures they may not see
    assert client.get(reverse("dashboards:enterprise", args=[known.enterprise_b.pk])).status_code == 404
    assert client.get(reverse("dashboards:region", args=["56"])).status_code == 404
    assert client.get(reverse("dashboards:federal")).status_code == 404


def test_anonymous_user_is_sent_to_log_in(client, known):
    response = client.get(reverse("dashboards:region", args=["56"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_dashboard_link_leads_each_role_to_its_own_dashboard(
    client, known, reviewer_region, reviewer_other_region, federal, officer_a
):
    expected = {
        reviewer_region: reverse("dashboards:region", args=["56"]),
        reviewer_other_region: reverse("dashboards:region", args=["47"]),
        federal: reverse("dashboards:federal"),
        officer_a: reverse("dashboards:enterprise", args=[known.enterprise_a.pk]),
    }
    for user, url in expected.items():
        client.force_login(user)
        response = client.get(reverse("dashboards:dashboard"))
        assert response.status_code == 302
        assert response["Location"] == url


def test_home_sends_reviewers_to_their_dashboards(client, reviewer_region, federal, admin_user):
    client.force_login(reviewer_region)
    assert client.get(reverse("home"))["Location"] == reverse("dashboards:region", args=["56"])
    for user in (federal, admin_user):
        client.force_login(user)
        assert client.get(reverse("home"))["Location"] == reverse("dashboards:federal")


def test_federal_reviewer_opens_any_region_and_enterprise(client, known, federal):
    client.force_login(federal)
    assert client.get(reverse("dashboards:region", args=["47"])).status_code == 200
    response = client.get(reverse("dashboards:enterprise", args=[known.enterprise_c.pk]))
    assert response.status_code == 200
    assert response.context["region_url"] == reverse("dashboards:region", args=["47"])


def test_regional_totals_count_only_the_regions_enterprises(client, known, reviewer_other_region):
    # A register row in region 56 changes nothing for the reviewer of region 47.
    HazardFactory(workplace=WorkplaceFactory(department__enterprise=known.enterprise_a), risk_level=5)
    client.force_login(reviewer_other_region)
    response = client.get(reverse("dashboards:region", args=["47"]))
    totals = response.context["totals"]
    assert (totals.rows, totals.rows_level_5, totals.accidents) == (1, 0, 1)
    assert response.context["heat"].total == 1
    assert sum(response.context["trends"].incidents["near_misses"]) == 0
    page = response.content.decode()
    assert known.enterprise_a.short_name not in page


def test_refresh_is_a_post_and_returns_to_the_page(client, known, reviewer_region):
    client.force_login(reviewer_region)
    url = reverse("dashboards:region", args=["56"])
    assert client.get(reverse("dashboards:refresh")).status_code == 405
    response = client.post(reverse("dashboards:refresh"), {"next": url})
    assert response.status_code == 302 and response["Location"] == url
    evil = client.post(reverse("dashboards:refresh"), {"next": "https://evil.example/"})
    assert evil["Location"] == url  # the reviewer's own dashboard, never another site


@pytest.mark.parametrize("target", ["foo", "dashboards:region", "", "//evil.example/", "javascript:alert(1)"])
def test_refresh_with_a_bad_next_returns_to_the_dashboard(client, known, reviewer_region, target):
    client.force_login(reviewer_region)
    response = client.post(reverse("dashboards:refresh"), {"next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboards:region", args=["56"])
