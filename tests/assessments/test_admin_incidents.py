"""The incident admin: victims edited inline under the same rules as the incident form, and the
list's victims' totals counted in the list's own query."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import Incident
from tests.factories import IncidentFactory, IncidentVictimFactory

pytestmark = pytest.mark.django_db


def _victims_formset(rf, admin_user, incident, rows):
    request = rf.post("/")
    request.user = admin_user
    model_admin = admin.site._registry[Incident]
    inline = next(i for i in model_admin.get_inline_instances(request, incident))
    formset_class = inline.get_formset(request, incident)
    existing = list(incident.victims.order_by("pk"))
    data = {
        "victims-TOTAL_FORMS": str(len(rows)),
        "victims-INITIAL_FORMS": str(len(existing)),
        "victims-MIN_NUM_FORMS": "0",
        "victims-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data |= {f"victims-{i}-{key}": value for key, value in row.items()}
        data[f"victims-{i}-incident"] = str(incident.pk)
        if i < len(existing):
            data[f"victims-{i}-id"] = str(existing[i].pk)
    return formset_class(data, instance=incident, prefix="victims")


def test_an_accident_cannot_lose_its_last_victim_in_the_admin(rf, admin_user):
    accident = IncidentFactory(kind="accident", victims=[("light", 3)])
    formset = _victims_formset(
        rf, admin_user, accident, [{"outcome": "light", "days_lost": "3", "position": "", "DELETE": "on"}]
    )
    assert not formset.is_valid()
    assert "хотя бы один пострадавший" in " ".join(formset.non_form_errors())


def test_a_near_miss_gets_no_victim_and_a_fatal_one_no_days_in_the_admin(rf, admin_user):
    near_miss = IncidentFactory(kind="near_miss")
    formset = _victims_formset(
        rf, admin_user, near_miss, [{"outcome": "light", "days_lost": "0", "position": ""}]
    )
    assert not formset.is_valid()
    accident = IncidentFactory(kind="accident", victims=[])
    formset = _victims_formset(
        rf, admin_user, accident, [{"outcome": "fatal", "days_lost": "4", "position": ""}]
    )
    assert not formset.is_valid()
    formset = _victims_formset(
        rf, admin_user, accident, [{"outcome": "fatal", "days_lost": "0", "position": "Проходчик"}]
    )
    assert formset.is_valid(), formset.errors


def _changelist_queries(client, count):
    for _ in range(count):
        incident = IncidentFactory(kind="accident", victims=[("fatal", 0), ("severe", 30)])
        IncidentVictimFactory(incident=incident, outcome="light", days_lost=2)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:assessments_incident_changelist"))
    assert response.status_code == 200
    return len(queries), response


def test_the_admin_list_shows_victims_without_a_query_per_incident(client, admin_user):
    client.force_login(admin_user)
    few, response = _changelist_queries(client, 2)
    row = response.context["cl"].result_list[0]
    assert (row._victims, row._fatal, row._days) == (3, 1, 32)
    many, _response = _changelist_queries(client, 8)
    assert many == few


def test_the_admin_change_page_lists_the_victims_inline(client, admin_user):
    accident = IncidentFactory(kind="accident", victims=[("severe", 12)])
    client.force_login(admin_user)
    page = client.get(reverse("admin:assessments_incident_change", args=[accident.pk])).content.decode()
    assert 'name="victims-0-outcome"' in page and 'value="12"' in page
