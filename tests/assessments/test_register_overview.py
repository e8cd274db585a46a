"""The enterprise overview: officers and managers land on it; every figure links to the list
behind it; reviewers read it; other enterprises' overviews are hidden."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from tests.factories import (
    ControlMeasureFactory,
    DepartmentFactory,
    HazardFactory,
    IncidentFactory,
    WorkplaceFactory,
)

pytestmark = pytest.mark.django_db


def overview_url(enterprise):
    return reverse("assessments:overview", args=[enterprise.pk])


def test_officers_land_on_their_enterprise_overview(client, officer_a, enterprise_a):
    client.force_login(officer_a)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == overview_url(enterprise_a)


def test_managers_land_on_their_enterprise_approval_queue(client, manager_a, enterprise_a):
    client.force_login(manager_a)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:approvals", args=[enterprise_a.pk])


def test_overview_counts_open_risks_overdue_measures_and_flags(client, officer_a, enterprise_a):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    assessed = WorkplaceFactory(department__enterprise=enterprise_a, number="1")
    half = WorkplaceFactory(department=assessed.department, number="2")
    WorkplaceFactory(department=assessed.department, number="3")  # nothing identified yet
    critical = HazardFactory(workplace=assessed, risk_level=5, needs_reassessment=True)
    HazardFactory(workplace=assessed, risk_level=2, next_review_on=yesterday)
    HazardFactory(workplace=half, risk_level=3)
    HazardFactory(workplace=half, risk_level=None)
    HazardFactory(workplace=half, risk_level=5, status="archived")  # archived rows do not count
    ControlMeasureFactory(hazard=critical, due_date=yesterday)
    ControlMeasureFactory(hazard=critical, due_date=yesterday - datetime.timedelta(days=9))
    ControlMeasureFactory(hazard=critical, due_date=yesterday, status="done", done_on=yesterday)
    IncidentFactory(workplace=half)
    IncidentFactory(workplace=half, occurred_at=timezone.now() - datetime.timedelta(days=400))

    client.force_login(officer_a)
    response = client.get(overview_url(enterprise_a))
    assert response.status_code == 200
    context = response.context
    assert {item["level"]: item["count"] for item in context["levels"]} == {5: 1, 4: 0, 3: 1, 2: 1, 1: 0}
    assert context["not_rated"]["count"] == 1
    assert (context["workplace_assessed"], context["workplace_total"]) == (1, 3)
    assert [w.number for w in context["unassessed"]] == ["2", "3"]
    assert (context["overdue_measures"], context["overdue_rows"]) == (2, 1)
    assert (context["needs_reassessment"], context["due_for_review"]) == (1, 1)
    assert context["incident_count"] == 1

    html = response.content.decode()
    register = reverse("assessments:register", args=[enterprise_a.pk])
    for query in ("level=5", "level=none", "overdue=on", "needs_reassessment=on", "due_for_review=on"):
        assert f'href="{register}?{query}"' in html
    assert reverse("assessments:incidents", args=[enterprise_a.pk]) in html


def test_each_overview_link_lists_exactly_the_rows_it_counts(client, officer_a, enterprise_a):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    workplace = WorkplaceFactory(department__enterprise=enterprise_a)
    overdue_row = HazardFactory(workplace=workplace, risk_level=4)
    ControlMeasureFactory(hazard=overdue_row, due_date=yesterday)
    HazardFactory(workplace=workplace, risk_level=4)
    client.force_login(officer_a)
    html = client.get(overview_url(enterprise_a)).content.decode()
    register = reverse("assessments:register", args=[enterprise_a.pk])
    assert f"{register}?overdue=on" in html
    listed = client.get(f"{register}?overdue=on").context["page"].object_list
    assert [row.pk for row in listed] == [overdue_row.pk]


def test_reviewer_reads_an_overview_in_scope_without_write_links(client, reviewer_region, enterprise_a):
    WorkplaceFactory(department__enterprise=enterprise_a)
    client.force_login(reviewer_region)
    with translation.override("en"):
        response = client.get(overview_url(enterprise_a))
    assert response.status_code == 200
    html = response.content.decode()
    assert "/import/" not in html
    assert "Read only" in html


@pytest.mark.parametrize("persona", ["officer_b", "reviewer_other_region"])
def test_overview_of_another_enterprise_is_not_found(client, request, persona, enterprise_a):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(overview_url(enterprise_a)).status_code == 404


def test_anonymous_user_is_sent_to_login(client, enterprise_a):
    response = client.get(overview_url(enterprise_a))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def _overview_queries(client, user, enterprise, rows: int) -> int:
    department = DepartmentFactory(enterprise=enterprise)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    for index in range(rows):
        workplace = WorkplaceFactory(department=department)
        hazard = HazardFactory(workplace=workplace, risk_level=index % 5 + 1)
        ControlMeasureFactory(hazard=hazard, due_date=yesterday)
        IncidentFactory(workplace=workplace)
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(overview_url(enterprise)).status_code == 200
    return len(queries)


def test_overview_query_count_does_not_grow_with_rows(
    client, officer_a, officer_b, enterprise_a, enterprise_b
):
    assert _overview_queries(client, officer_a, enterprise_a, 5) == _overview_queries(
        client, officer_b, enterprise_b, 50
    )
