"""The register row's page and the approval of assessments: who sees what, what the page says,
that approval is a manager's POST and an approved assessment stays as it was."""

import datetime
import uuid

import pytest
from django.contrib.admin.sites import site as admin_site
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from assessments.models import AssessmentStatus, RiskAssessment
from assessments.services import (
    approval_token,
    assessment_approve,
    assessment_create,
    current_assessment_token,
    evidence_add,
    incident_record,
    measure_complete,
)
from hazards.models import HazardStatus
from tests.factories import ControlMeasureFactory, HazardFactory, UserFactory, WorkplaceFactory

from .test_risk_support import png_bytes, upload

pytest_plugins = ["tests.assessments.test_risk_support"]
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("russian_by_default")]


def _url(hazard, language="ru"):
    with translation.override(language):
        return reverse("assessments:hazard", kwargs={"pk": hazard.pk})


# --- Who sees the row page ----------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, hazard_a):
    response = client.get(_url(hazard_a))
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize("persona", ["officer_a", "manager_a", "reviewer_region", "federal", "admin_user"])
def test_people_in_scope_see_the_row(client, request, hazard_a, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(_url(hazard_a))
    assert response.status_code == 200
    assert hazard_a.source in response.content.decode()


@pytest.mark.parametrize("persona", ["officer_b", "reviewer_other_region"])
def test_people_out_of_scope_get_404(client, request, hazard_a, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_url(hazard_a)).status_code == 404


def test_reviewer_sees_no_write_buttons(client, hazard_a, officer_a, reviewer_region):
    assessment_create(hazard=hazard_a, assessor=officer_a, inputs={"probability": 3, "severity": 3})
    measure = ControlMeasureFactory(hazard=hazard_a)
    client.force_login(reviewer_region)
    page = client.get(_url(hazard_a)).content.decode()
    for name in ("assess", "measure_add"):
        assert reverse(f"assessments:{name}", kwargs={"pk": hazard_a.pk}) not in page
    assert reverse("assessments:measure_complete", kwargs={"pk": measure.pk}) not in page
    assert "assessment_approve" not in page and "/approve/" not in page


def test_officer_sees_write_buttons_but_not_approve(client, hazard_a, officer_a):
    assessment_create(hazard=hazard_a, assessor=officer_a, inputs={"probability": 3, "severity": 3})
    client.force_login(officer_a)
    page = client.get(_url(hazard_a)).content.decode()
    assert reverse("assessments:assess", kwargs={"pk": hazard_a.pk}) in page
    assert "/approve/" not in page


def test_manager_sees_approve_for_drafts(client, hazard_a, officer_a, manager_a):
    assessment = assessment_create(
        hazard=hazard_a, assessor=officer_a, inputs={"probability": 3, "severity": 3}
    )
    client.force_login(manager_a)
    page = client.get(_url(hazard_a)).content.decode()
    # Through the confirmation page, with the version the page shows.
    assert reverse("assessments:approvals_approve", args=[hazard_a.enterprise_id]) in page
    assert f'name="version-{assessment.pk}" value="{approval_token(assessment)}"' in page
    assert reverse("assessments:assessment_return", args=[assessment.pk]) in page


# --- What the page says -------------------------------------------------------------------------


def test_page_shows_data_timeline_trend_and_band_in_the_users_language(client, hazard_a, officer_a):
    assessment_create(
        hazard=hazard_a,
        assessor=officer_a,
        inputs={"probability": 5, "severity": 4},
        assessed_on=timezone.localdate() - datetime.timedelta(days=100),
    )
    assessment_create(
        hazard=hazard_a,
        assessor=officer_a,
        inputs={"probability": 3, "severity": 4},
        residual_inputs={"probability": 1, "severity": 4},
        reason="after_measures",
    )
    client.force_login(officer_a)
    english = client.get(_url(hazard_a, "en")).content.decode()
    assert "8.1" in english and hazard_a.event.hazard_type.group.name_en in english
    assert "After control measures" in english and "Initial assessment" in english
    # Band labels come from the method version's configuration, in English under /en/.
    assert "Critical" in english and "Medium" in english
    trend = english.split('id="trend"')[1].split("</div>")[0]
    assert [label in trend for label in ("Critical", "Medium", "Low")] == [True, True, True]
    russian = client.get(_url(hazard_a)).content.decode()
    assert "Критический" in russian and "Средний" in russian


def test_flagged_row_shows_the_reassessment_banner(client, hazard_a, officer_a):
    client.force_login(officer_a)
    assert 'id="reassessment-banner"' not in client.get(_url(hazard_a)).content.decode()
    hazard_a.needs_reassessment = True
    hazard_a.save()
    assert 'id="reassessment-banner"' in client.get(_url(hazard_a)).content.decode()


def test_plan_of_only_ppe_with_high_residual_is_flagged(client, hazard_a, officer_a):
    ControlMeasureFactory(hazard=hazard_a, control_level="ppe")
    assessment_create(hazard=hazard_a, assessor=officer_a, inputs={"probability": 4, "severity": 4})
    client.force_login(officer_a)
    assert 'id="weak-plan-banner"' in client.get(_url(hazard_a)).content.decode()
    ControlMeasureFactory(hazard=hazard_a, control_level="engineering")
    assert 'id="weak-plan-banner"' not in client.get(_url(hazard_a)).content.decode()


def test_measures_are_grouped_by_the_hierarchy_strongest_first(client, hazard_a, officer_a):
    ControlMeasureFactory(hazard=hazard_a, control_level="ppe", description="Выдать респираторы")
    ControlMeasureFactory(hazard=hazard_a, control_level="elimination", description="Убрать источник")
    ControlMeasureFactory(
        hazard=hazard_a,
        control_level="engineering",
        description="Просроченное ограждение",
        due_date=timezone.localdate() - datetime.timedelta(days=3),
    )
    client.force_login(officer_a)
    page = client.get(_url(hazard_a, "en")).content.decode()
    assert (
        page.index("Убрать источник")
        < page.index("Просроченное ограждение")
        < page.index("Выдать респираторы")
    )
    overdue_item = page.split("Просроченное ограждение")[0].rsplit("<li", 1)[1]
    assert "list-group-item-danger" in overdue_item
    assert "Overdue" in page


def test_page_lists_incidents_evidence_and_model_measure_suggestions(
    client, hazard_a, officer_a, private_storage
):
    measure = ControlMeasureFactory(hazard=hazard_a)
    measure_complete(measure=measure)
    evidence = evidence_add(measure=measure, file=upload("act.png", png_bytes()), uploaded_by=officer_a)
    incident_record(
        workplace=hazard_a.workplace,
        kind="microtrauma",
        occurred_at=timezone.now() - datetime.timedelta(days=1),
        description="Порез пальца при очистке",
        hazards=[hazard_a],
    )
    client.force_login(officer_a)
    page = client.get(_url(hazard_a)).content.decode()
    assert reverse("assessments:evidence", kwargs={"pk": evidence.pk}) in page
    assert "Порез пальца при очистке" in page
    first_model_measure = hazard_a.event.model_measures.order_by("id").first()
    add_url = reverse("assessments:measure_add", kwargs={"pk": hazard_a.pk})
    assert f"{add_url}?model_measure={first_model_measure.pk}" in page


def _current(hazard) -> str:
    """The version token of the assessment form, as the page carries it."""
    return current_assessment_token(RiskAssessment.objects.filter(hazard=hazard, is_current=True).first())


def test_history_shows_who_changed_what_from_old_to_new(client, hazard_a, officer_a):
    client.force_login(officer_a)
    # Through a request, so the history middleware records the user.
    response = client.post(
        reverse("assessments:assess", kwargs={"pk": hazard_a.pk}),
        {
            "current": _current(hazard_a),
            "submission": str(uuid.uuid4()),
            "probability": "2",
            "severity": "2",
            "reason": "initial",
            "assessed_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    response = client.post(
        reverse("assessments:assess", kwargs={"pk": hazard_a.pk}),
        {
            "current": _current(hazard_a),
            "submission": str(uuid.uuid4()),
            "probability": "1",
            "severity": "2",
            "reason": "change",
            "assessed_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    page = client.get(_url(hazard_a, "en")).content.decode()
    history = page.split('id="history"')[1]
    assert "officer_a" in history
    assert "Risk level:</span> Low → Negligible" in history


def test_archived_row_is_read_only_even_for_its_officer(client, hazard_a, officer_a):
    hazard_a.status = HazardStatus.ARCHIVED
    hazard_a.save()
    client.force_login(officer_a)
    page = client.get(_url(hazard_a)).content.decode()
    assert reverse("assessments:assess", kwargs={"pk": hazard_a.pk}) not in page


# --- Query counts -------------------------------------------------------------------------------


def _row_page_queries(client, user, hazard, count: int) -> int:
    for i in range(count):
        assessment = assessment_create(
            hazard=hazard,
            assessor=user,
            inputs={"probability": 1 + i % 5, "severity": 3},
            residual_inputs={"probability": 1, "severity": 3},
        )
        if i % 2:
            assessment_approve(assessment=assessment, user=user)
        measure = ControlMeasureFactory(hazard=hazard, control_level=["ppe", "engineering"][i % 2])
        if i % 3 == 0:
            measure_complete(measure=measure)
            evidence_add(measure=measure, file=upload(f"a{i}.png", png_bytes()), uploaded_by=user)
        incident_record(
            workplace=hazard.workplace,
            kind="near_miss",
            occurred_at=timezone.now() - datetime.timedelta(hours=i + 1),
            description=f"Происшествие {i}",
            event=hazard.event,
            hazards=[hazard],
        )
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(_url(hazard)).status_code == 200
    return len(queries)


def test_row_page_query_count_does_not_grow_with_assessments_and_measures(
    client, enterprise_a, admin_user, private_storage
):
    few = HazardFactory(workplace=WorkplaceFactory(department__enterprise=enterprise_a))
    many = HazardFactory(workplace=WorkplaceFactory(department__enterprise=enterprise_a))
    assert _row_page_queries(client, admin_user, few, 5) == _row_page_queries(client, admin_user, many, 50)


# --- Approval -----------------------------------------------------------------------------------


def _approve_url(assessment):
    return reverse("assessments:assessment_approve", kwargs={"pk": assessment.pk})


@pytest.fixture
def draft(hazard_a, officer_a):
    return assessment_create(hazard=hazard_a, assessor=officer_a, inputs={"probability": 3, "severity": 3})


def test_manager_approves_a_draft(client, draft, manager_a):
    client.force_login(manager_a)
    response = client.post(_approve_url(draft))
    assert response.status_code == 302
    assert response["Location"] == _url(draft.hazard)
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.APPROVED and draft.approved_by == manager_a


@pytest.mark.parametrize("persona", ["officer_a", "reviewer_region", "federal"])
def test_others_in_scope_cannot_approve(client, request, draft, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(_approve_url(draft)).status_code == 403
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.DRAFT


def test_manager_of_another_enterprise_gets_404(client, draft, enterprise_b):
    other_manager = UserFactory(username="manager_b", role="manager", enterprise=enterprise_b)
    client.force_login(other_manager)
    assert client.post(_approve_url(draft)).status_code == 404


def test_approval_is_post_only_and_needs_csrf(draft, manager_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager_a)
    assert client.get(_approve_url(draft)).status_code == 405
    assert client.post(_approve_url(draft)).status_code == 403
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.DRAFT


def test_approved_assessment_stays_as_approved(client, draft, manager_a, officer_a):
    client.force_login(manager_a)
    client.post(_approve_url(draft))
    draft.refresh_from_db()
    approved_at, score, inputs = draft.approved_at, draft.score, draft.inputs

    # Approving again changes nothing.
    client.post(_approve_url(draft))
    # A re-assessment is a new assessment; the approved one keeps its content and approval.
    client.force_login(officer_a)
    response = client.post(
        reverse("assessments:assess", kwargs={"pk": draft.hazard_id}),
        {
            "current": _current(draft.hazard),
            "submission": str(uuid.uuid4()),
            "probability": "1",
            "severity": "3",
            "reason": "change",
            "assessed_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.approved_at, draft.score, draft.inputs) == (
        AssessmentStatus.APPROVED,
        approved_at,
        score,
        inputs,
    )
    newest = RiskAssessment.objects.get(hazard=draft.hazard, is_current=True)
    assert newest.pk != draft.pk and newest.status == AssessmentStatus.DRAFT


def test_approved_assessment_cannot_be_changed_in_the_admin(rf, draft, manager_a, admin_user):
    assessment_approve(assessment=draft, user=manager_a)
    model_admin = admin_site._registry[RiskAssessment]
    request = rf.get("/")
    request.user = admin_user
    assert not model_admin.has_change_permission(request, draft)
    fresh = assessment_create(
        hazard=draft.hazard, assessor=admin_user, inputs={"probability": 1, "severity": 1}
    )
    assert model_admin.has_change_permission(request, fresh)


@pytest.mark.parametrize(("language", "inputs"), [("ru", "В 4 · Т 2"), ("en", "P 4 · S 2")])
def test_the_assessments_table_names_the_inputs_by_the_letters_of_the_page_language(
    client, hazard_a, officer_a, language, inputs
):
    assessment_create(hazard=hazard_a, assessor=officer_a, inputs={"probability": 4, "severity": 2})
    client.force_login(officer_a)
    with translation.override(language):
        page = client.get(_url(hazard_a, language), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    row = page.split('data-assessment="', 1)[1].split("</tr>", 1)[0]
    assert inputs in row
