"""Pages, exports and files behind the login carry Cache-Control: private, no-store, so that no
shared cache or browser disk keeps an enterprise's register (riskpilot.middleware.private_pages)."""

import pytest
from django.test import Client
from django.urls import reverse

PRIVATE = "private, no-store"


def _pages(world) -> dict[str, str]:
    enterprise = world.enterprise.pk
    return {
        "register overview": reverse("assessments:overview", args=[enterprise]),
        "register list": reverse("assessments:register", args=[enterprise]),
        "register .xlsx": reverse("assessments:register", args=[enterprise]) + "?format=xlsx",
        "register .csv": reverse("assessments:register", args=[enterprise]) + "?format=csv",
        "workplace": reverse("assessments:workplace", args=[world.workplace.pk]),
        "register row": reverse("assessments:hazard", args=[world.hazard.pk]),
        "row edit form": reverse("hazards:edit", args=[world.hazard.pk]),
        "incidents": reverse("assessments:incidents", args=[enterprise]),
        "enterprise dashboard": reverse("dashboards:enterprise", args=[enterprise]),
        "report archive": reverse("reports:report_list"),
        "report PDF": reverse("reports:report_download", args=[world.report.pk]),
        "evidence file": reverse("assessments:evidence", args=[world.evidence.pk]),
    }


@pytest.mark.parametrize(
    "name",
    [
        "register overview",
        "register list",
        "register .xlsx",
        "register .csv",
        "workplace",
        "register row",
        "row edit form",
        "incidents",
        "enterprise dashboard",
        "report archive",
        "report PDF",
        "evidence file",
    ],
)
def test_signed_in_pages_and_downloads_are_not_cached(name, world_a, officer_a):
    client = Client()
    client.force_login(officer_a)
    response = client.get(_pages(world_a)[name])
    assert response.status_code == 200
    assert response["Cache-Control"] == PRIVATE


@pytest.mark.django_db
def test_regional_export_is_not_cached(client, reviewer_region, region_a):
    client.force_login(reviewer_region)
    response = client.get(reverse("dashboards:region_export", args=[region_a.code]))
    assert response.status_code == 200
    assert response["Cache-Control"] == PRIVATE


@pytest.mark.django_db
def test_a_view_that_chose_its_own_caching_keeps_it(client, officer_a):
    client.force_login(officer_a)
    response = client.get(reverse("healthz"))
    assert "no-store" in response["Cache-Control"] and "max-age=0" in response["Cache-Control"]
