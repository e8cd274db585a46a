"""Fuzzing of the documents' forms: a new card version, the set of cards, a new action plan and
its approval. Never a 500; a refused submission changes nothing."""

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from documents.models import ActionPlan, CardBundle, PlanStatus, RiskCard
from documents.plans import plan_create
from tests.factories import ControlMeasureFactory

pytestmark = pytest.mark.django_db

VALUES = st.one_of(
    st.text(max_size=200),
    st.sampled_from(
        ["", "0", "-1", "on", "2026-01-01", "2026-12-31", "2026-02-30", "1900-01-01", "9999-12-31", "9" * 40]
    ),
)


def fuzz(client, url, fields, count, extra=None):
    keys = {"submission": st.one_of(st.uuids().map(str), VALUES)}

    @settings(max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(st.fixed_dictionaries({}, optional={**dict.fromkeys(fields, VALUES), **keys, **(extra or {})}))
    def post(data):
        before = count()
        response = client.post(url, data)
        assert response.status_code in (200, 302), response.status_code
        if response.status_code == 200:
            assert count() == before

    post()


@pytest.fixture
def quiet_renders(monkeypatch):
    from documents import tasks

    for task in (tasks.render_card, tasks.render_plan, tasks.render_bundle):
        monkeypatch.setattr(task, "delay_on_commit", lambda *args: None)


def test_card_issue(world_a, officer_a, quiet_renders):
    client = Client()
    client.force_login(officer_a)
    # Issuing takes only the one-time key: whatever else is posted, it redirects back to the
    # card page; a refused key issues nothing.
    url = reverse("documents:card_issue", args=[world_a.workplace.pk])

    @settings(max_examples=20, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(st.one_of(VALUES, st.just("not-a-key")))
    def post(key):
        before = RiskCard.objects.count()
        response = client.post(url, {"submission": key})
        assert response.status_code == 302
        assert RiskCard.objects.count() in (before, before + 1)

    post()


def test_bundle_order(world_a, officer_a, quiet_renders):
    client = Client()
    client.force_login(officer_a)
    department = {"department": st.one_of(VALUES, st.just(str(world_a.department.pk)))}
    fuzz(
        client,
        reverse("documents:bundle_new", args=[world_a.enterprise.pk]),
        [],
        CardBundle.objects.count,
        department,
    )


def test_plan_new(world_a, officer_a, quiet_renders):
    client = Client()
    client.force_login(officer_a)
    department = {"department": st.one_of(VALUES, st.just(str(world_a.department.pk)))}
    fuzz(
        client,
        reverse("documents:plan_new", args=[world_a.enterprise.pk]),
        ["title", "period_start", "period_end"],
        ActionPlan.objects.count,
        department,
    )


def test_plan_approve(world_a, officer_a, manager_a, quiet_renders):
    ControlMeasureFactory(hazard=world_a.hazard)
    plan = plan_create(
        enterprise=world_a.enterprise,
        user=officer_a,
        title="План",
        period_start=world_a.action_plan.period_start,
        period_end=world_a.action_plan.period_end,
    )
    client = Client()
    client.force_login(manager_a)

    def state():
        plan.refresh_from_db()
        return plan.status

    # A wrong version token or an empty position is refused; only a valid form approves.
    @settings(max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(st.fixed_dictionaries({}, optional={"position": VALUES, "version": VALUES}))
    def post(data):
        response = client.post(reverse("documents:plan_approve", args=[plan.pk]), data)
        assert response.status_code in (200, 302)
        if response.status_code == 200:
            assert state() == PlanStatus.DRAFT

    post()
