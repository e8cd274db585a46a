"""Hypothesis-generated input for the forms of the commission and the sign-off: never a 500, and a
refused submission (the form shown again) leaves the documents' tables as they were."""

import datetime

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from documents.models import AssessmentRound, CommissionRole, RoundScope, SignatureDecision
from documents.rounds import round_record_paper, round_sign
from hazards.services import version_token
from tests.documents.sign_off import commission_of, sent_round
from tests.factories import DepartmentFactory, WorkplaceFactory

from .test_fuzz_forms import scalars

pytestmark = pytest.mark.django_db

MEMBER_FIELDS = [
    f"members-{i}-{name}" for i in range(3) for name in ("role", "user", "full_name", "position")
]
MANAGEMENT = [
    "members-TOTAL_FORMS",
    "members-INITIAL_FORMS",
    "members-MIN_NUM_FORMS",
    "members-MAX_NUM_FORMS",
]
ROUND_FIELDS = ["title", "scope", "department", "workplaces"]
# name: (url name, object, fields)
ENDPOINTS = {
    "commission_add": (
        "documents:commission_add",
        "enterprise",
        ["order_number", "order_date", "valid_from"],
    ),
    "commission_edit": (
        "documents:commission_edit",
        "spare",
        ["order_number", "order_date", "valid_from", "version"],
    ),
    "round_add": ("documents:round_add", "enterprise", ROUND_FIELDS),
    "round_edit": ("documents:round_edit", "draft", [*ROUND_FIELDS, "version"]),
    "round_send": ("documents:round_send", "draft", ["version"]),
    "round_sign": ("documents:round_sign", "signing", ["decision", "comment"]),
    "round_paper": ("documents:round_paper", "signing", ["member", "decision", "signed_on", "comment"]),
    "round_approve": ("documents:round_approve", "signed", ["version"]),
}


def document_counts() -> dict[str, int]:
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_app_config("documents").get_models()
    }


@pytest.fixture
def objects(enterprise_a, enterprise_b, officer_a, officer_b, manager_a):
    department = DepartmentFactory(enterprise=enterprise_a)
    workplace = WorkplaceFactory(department=department)
    foreign = WorkplaceFactory(department__enterprise=enterprise_b)
    commission_of(enterprise_a, chairman=manager_a, members=[officer_a])
    signing = sent_round(enterprise_a, officer_a)
    draft = AssessmentRound.objects.create(
        enterprise=enterprise_a, title="Черновик", commission=signing.commission, created_by=officer_a
    )
    draft.workplaces.set([workplace])
    # An order not yet used for a sign-off (it takes effect later), so it can still be changed.
    spare = commission_of(
        enterprise_a,
        chairman=officer_a,
        number="99",
        order_date=timezone.localdate(),
        valid_from=timezone.localdate() + datetime.timedelta(days=30),
    )
    today = timezone.localdate()
    signed = sent_round(enterprise_a, officer_a, title="Подписанная")
    for user in (officer_a, manager_a):
        round_sign(assessment_round=signed, user=user, decision="confirmed")
    round_record_paper(
        assessment_round=signed,
        member=signed.commission.members.get(user__isnull=True),
        decision="confirmed",
        signed_on=today,
        user=officer_a,
    )
    signed.refresh_from_db()
    plausible = [
        *map(str, [workplace.pk, foreign.pk, department.pk, officer_a.pk, officer_b.pk, manager_a.pk]),
        *map(str, signing.commission.members.values_list("pk", flat=True)),
        *CommissionRole.values,
        *RoundScope.values,
        *SignatureDecision.values,
        version_token(draft.updated_at),
        version_token(signing.updated_at),
        version_token(spare.updated_at),
        version_token(signed.updated_at),
        *(
            d.isoformat()
            for d in (today, today - datetime.timedelta(days=1), today + datetime.timedelta(days=9))
        ),
        "0",
        "1",
        "2",
        "3",
        "Оценка профессиональных рисков 2026",
    ]
    return {
        "enterprise": enterprise_a,
        "spare": spare,
        "draft": draft,
        "signing": signing,
        "signed": signed,
        "plausible": plausible,
    }


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_fuzzed_post_never_fails_and_refusals_write_nothing(endpoint, officer_a, manager_a, objects):
    url_name, kind, fields = ENDPOINTS[endpoint]
    if url_name.startswith("documents:commission"):
        fields = [*fields, *MANAGEMENT, *MEMBER_FIELDS]
    url = reverse(url_name, args=[objects[kind].pk])
    client = Client()
    # The manager approves; the safety officer does the rest.
    client.force_login(manager_a if endpoint == "round_approve" else officer_a)
    value = st.one_of(st.sampled_from(objects["plausible"]), scalars)
    field_value = st.one_of(value, st.lists(value, min_size=2, max_size=3))
    optional = dict.fromkeys(fields, field_value)
    optional["submission"] = st.one_of(st.uuids().map(str), st.uuids().map(str), field_value)

    @settings(
        max_examples=25,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.fixed_dictionaries({}, optional=optional))
    def post(data):
        with transaction.atomic():
            before = document_counts()
            response = client.post(url, data)
            assert response.status_code in (200, 302), response.status_code
            if response.status_code == 200:
                assert document_counts() == before
            transaction.set_rollback(True)

    post()
