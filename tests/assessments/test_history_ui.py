"""The change history reviewers rely on: who changed what, when, old → new, in words (choice
labels, names, local dates), visible read-only to the reviewers of the enterprise's region and to
no one outside it, at a query count that does not grow with the history."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.models import AssessmentStatus, RiskAssessment
from hazards.models import Activity
from hazards.services import version_token
from tests.factories import UserFactory
from tests.submission import with_key

pytest_plugins = ["tests.assessments.test_risk_support"]
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("russian_by_default")]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _edit(client, hazard, **changes):
    hazard.refresh_from_db()
    data = {
        "source": hazard.source,
        "activity": hazard.activity,
        "object_description": hazard.object_description,
        "existing_controls": hazard.existing_controls,
        "exposed_description": hazard.exposed_description,
        "exposed_count": hazard.exposed_count,
        "next_review_on": hazard.next_review_on.isoformat() if hazard.next_review_on else "",
        "version": version_token(hazard.updated_at),
        **changes,
    }
    response = client.post(reverse("hazards:edit", kwargs={"pk": hazard.pk}), data)
    assert response.status_code == 302, response.context["form"].errors


@pytest.fixture
def named_officer(officer_a):
    officer_a.first_name, officer_a.last_name = "Анна", "Смирнова"
    officer_a.save()
    return officer_a


@pytest.fixture
def changed_row(hazard_a, named_officer, manager_a):
    """A row edited, assessed and approved, with a measure planned and started, all through the UI."""
    officer = _client(named_officer)
    _edit(
        officer,
        hazard_a,
        source="Ленточный конвейер № 2",
        activity="non_routine",
        next_review_on="2027-03-01",
    )
    assess = reverse("assessments:assess", kwargs={"pk": hazard_a.pk})
    response = officer.post(
        assess,
        with_key(
            {
                "probability": "4",
                "severity": "4",
                "reason": "initial",
                "assessed_on": timezone.localdate().isoformat(),
                "current": "0",
                "measure-control_level": "engineering",
                "measure-description": "Установить ограждение",
                "measure-responsible": "Мастер",
                "measure-due_date": (timezone.localdate() + datetime.timedelta(days=10)).isoformat(),
            }
        ),
    )
    assert response.status_code == 302
    assessment = RiskAssessment.objects.get(hazard=hazard_a, is_current=True)
    approve = reverse("assessments:assessment_approve", kwargs={"pk": assessment.pk})
    assert _client(manager_a).post(approve).status_code == 302
    return hazard_a


def _row_page(user, hazard) -> str:
    response = _client(user).get(reverse("assessments:hazard", kwargs={"pk": hazard.pk}))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("persona", ["reviewer_region", "federal"])
def test_reviewers_see_who_when_and_old_to_new(request, changed_row, persona):
    page = _row_page(request.getfixturevalue(persona), changed_row)
    history = page[page.index('id="history"') :]
    assert "Анна Смирнова" in history
    assert "Ленточный конвейер → Ленточный конвейер № 2" in history
    # Choice labels and local dates, not stored values.
    assert f"{Activity.ROUTINE.label} → {Activity.NON_ROUTINE.label}" in history
    assert "non_routine" not in history
    assert "01.03.2027" in history and "2027-03-01" not in history
    # The approval: the status in words.
    assert f"{AssessmentStatus.DRAFT.label} → {AssessmentStatus.APPROVED.label}" in history


def test_the_approval_and_the_measure_are_in_the_history(changed_row, reviewer_region, manager_a):
    history = _row_page(reviewer_region, changed_row)
    history = history[history.index('id="history"') :]
    assert str(manager_a) in history  # the approver, as "who" and as the new "approved by"
    assert "Установить ограждение" in history


def test_reviewer_sees_no_edit_controls(changed_row, reviewer_region):
    page = _row_page(reviewer_region, changed_row)
    for name in ("hazards:edit", "assessments:assess", "assessments:measure_add"):
        assert reverse(name, kwargs={"pk": changed_row.pk}) not in page
    workplace = _client(reviewer_region).get(
        reverse("assessments:workplace", kwargs={"pk": changed_row.workplace_id})
    )
    assert workplace.status_code == 200
    content = workplace.content.decode()
    assert "Анна Смирнова" in content
    assert "01.03.2027" in content and "2027-03-01" not in content
    assert reverse("hazards:edit", kwargs={"pk": changed_row.pk}) not in content


@pytest.mark.parametrize("persona", ["reviewer_other_region", "officer_b"])
def test_reviewers_of_other_regions_get_404(request, changed_row, persona):
    client = _client(request.getfixturevalue(persona))
    assert client.get(reverse("assessments:hazard", kwargs={"pk": changed_row.pk})).status_code == 404
    assert (
        client.get(reverse("assessments:workplace", kwargs={"pk": changed_row.workplace_id})).status_code
        == 404
    )


def _count_queries(user, url) -> int:
    client = _client(user)
    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_the_history(changed_row, named_officer, reviewer_region):
    row_url = reverse("assessments:hazard", kwargs={"pk": changed_row.pk})
    workplace_url = reverse("assessments:workplace", kwargs={"pk": changed_row.workplace_id})
    before = (_count_queries(reviewer_region, row_url), _count_queries(reviewer_region, workplace_url))
    officer = _client(named_officer)
    other = UserFactory(username="second_editor", role="officer", enterprise=changed_row.enterprise)
    for number in range(6):
        _edit(officer if number % 2 else _client(other), changed_row, source=f"Источник {number}")
    after = (_count_queries(reviewer_region, row_url), _count_queries(reviewer_region, workplace_url))
    assert after == before
