"""Fuzzing of the manager's decisions on drafts: the bulk approval (with its confirmation step)
and the return with a reason. Never a 500; a draft changes only when the post named it with the
version the page showed, and was confirmed (approval) or gave a reason (return)."""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.models import AssessmentStatus, RiskAssessment
from assessments.services import approval_token

from .test_fuzz_forms import scalars

pytestmark = pytest.mark.django_db


def _plausible(world_a, world_b) -> list[str]:
    a, b = (
        RiskAssessment.objects.select_related("hazard").get(pk=w.assessment.pk) for w in (world_a, world_b)
    )
    return [str(a.pk), str(b.pk), approval_token(a), approval_token(b), "on", "1", "", "Исправьте тяжесть."]


def _posts(fields, plausible):
    value = st.one_of(st.sampled_from(plausible), scalars)
    field_value = st.one_of(value, st.lists(value, min_size=2, max_size=3))
    return st.fixed_dictionaries({}, optional=dict.fromkeys(fields, field_value))


def _run(client, url, fields, plausible, assessment, allowed):
    @settings(
        max_examples=40,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=_posts(fields, plausible))
    def post(data):
        with transaction.atomic():
            response = client.post(url, data)
            assert response.status_code in (200, 302), response.status_code
            status = RiskAssessment.objects.get(pk=assessment.pk).status
            if status != AssessmentStatus.DRAFT:
                assert allowed(data, status), (data, status)
            # Nothing but the named draft ever changes.
            assert (
                not RiskAssessment.objects.exclude(pk=assessment.pk)
                .exclude(status=AssessmentStatus.DRAFT)
                .exists()
            )
            transaction.set_rollback(True)

    post()


def _values(data, key) -> list[str]:
    value = data.get(key, [])
    return [str(v) for v in (value if isinstance(value, list) else [value])]


def test_fuzzed_bulk_approval(manager_a, world_a, world_b):
    assessment = RiskAssessment.objects.select_related("hazard").get(pk=world_a.assessment.pk)
    token, pk = approval_token(assessment), str(assessment.pk)
    client = Client()
    client.force_login(manager_a)

    def allowed(data, status):
        named = _values(data, "only")[-1:] if data.get("only") else _values(data, "assessments")
        return (
            status == AssessmentStatus.APPROVED
            and _values(data, "confirm")[-1:] not in ([], [""])
            and pk in named
            and _values(data, f"version-{pk}")[-1:] == [token]
        )

    fields = ["assessments", "only", "confirm", f"version-{pk}", f"version-{world_b.assessment.pk}"]
    url = reverse("assessments:approvals_approve", args=[world_a.enterprise.pk])
    _run(client, url, fields, _plausible(world_a, world_b), assessment, allowed)


def test_fuzzed_return(manager_a, world_a, world_b):
    assessment = RiskAssessment.objects.select_related("hazard").get(pk=world_a.assessment.pk)
    token = approval_token(assessment)
    client = Client()
    client.force_login(manager_a)

    def allowed(data, status):
        reason = _values(data, "reason")[-1:]
        return (
            status == AssessmentStatus.RETURNED
            and reason
            and reason[0].strip()
            and _values(data, "version")[-1:] == [token]
        )

    url = reverse("assessments:assessment_return", args=[assessment.pk])
    _run(client, url, ["reason", "version"], _plausible(world_a, world_b), assessment, allowed)
