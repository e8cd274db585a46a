"""Two people editing the same thing: the first save wins, the second is refused with a message
naming who changed it and when, and nothing of the second is written."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from assessments.models import MeasureStatus, RiskAssessment
from assessments.services import (
    assessment_approve,
    assessment_create,
    assessment_record,
    current_assessment_token,
    measure_complete_with_evidence,
)
from enterprises.models import Role
from hazards.services import hazard_update, version_token
from tests.factories import ControlMeasureFactory, UserFactory
from tests.submission import with_key

from .test_risk_support import png_bytes, upload

pytest_plugins = ["tests.assessments.test_risk_support"]
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("russian_by_default")]


@pytest.fixture
def colleague(enterprise_a):
    return UserFactory(
        username="officer_a2",
        first_name="Ирина",
        last_name="Петрова",
        role=Role.OFFICER,
        enterprise=enterprise_a,
    )


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _hidden(response, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', response.content.decode())
    assert match, f"no hidden {name} in the form"
    return match.group(1)


def _errors(response) -> str:
    return " ".join(str(e) for e in response.context["form"].non_field_errors())


# --- The register row edit ----------------------------------------------------------------------


def _edit_data(hazard, version: str, source: str) -> dict:
    return {
        "source": source,
        "activity": hazard.activity,
        "object_description": hazard.object_description,
        "existing_controls": hazard.existing_controls,
        "exposed_description": hazard.exposed_description,
        "exposed_count": hazard.exposed_count,
        "next_review_on": "",
        "version": version,
    }


def test_second_row_edit_is_refused(hazard_a, officer_a, colleague):
    url = reverse("hazards:edit", kwargs={"pk": hazard_a.pk})
    first, second = _client(colleague), _client(officer_a)
    token_first = _hidden(first.get(url), "version")
    token_second = _hidden(second.get(url), "version")
    assert token_first == token_second == version_token(hazard_a.updated_at)

    assert first.post(url, _edit_data(hazard_a, token_first, "Первый вариант")).status_code == 302
    response = second.post(url, _edit_data(hazard_a, token_second, "Второй вариант"))

    assert response.status_code == 200
    message = _errors(response)
    assert "Ирина Петрова" in message
    assert re.search(r"\d\d:\d\d", message)
    hazard_a.refresh_from_db()
    assert hazard_a.source == "Первый вариант"
    # The refused form still carries the old token, so pressing Save again is refused again.
    assert _hidden(response, "version") == token_second
    assert hazard_a.history.filter(source="Второй вариант").count() == 0


def test_row_edit_with_a_fresh_token_is_saved(hazard_a, officer_a):
    url = reverse("hazards:edit", kwargs={"pk": hazard_a.pk})
    client = _client(officer_a)
    client.post(url, _edit_data(hazard_a, version_token(hazard_a.updated_at), "Раз"))
    hazard_a.refresh_from_db()
    response = client.post(url, _edit_data(hazard_a, _hidden(client.get(url), "version"), "Два"))
    assert response.status_code == 302
    hazard_a.refresh_from_db()
    assert hazard_a.source == "Два"


def test_service_refuses_a_stale_row_version(hazard_a):
    stale = version_token(hazard_a.updated_at)
    values = {"source": "Новый", "activity": hazard_a.activity}
    hazard_update(hazard=hazard_a, version=stale, **values)
    with pytest.raises(ValidationError) as refused:
        hazard_update(hazard=hazard_a, version=stale, **{**values, "source": "Ещё новее"})
    assert refused.value.code == "stale"
    hazard_a.refresh_from_db()
    assert hazard_a.source == "Новый"


# --- The assessment form ------------------------------------------------------------------------


def _assess_data(token: str, probability: str, severity: str) -> dict:
    return {
        "probability": probability,
        "severity": severity,
        "reason": "change",
        "assessed_on": "",
        "comment": "",
        "current": token,
        "measure-control_level": "engineering",
        "measure-description": "Ограждение",
        "measure-responsible": "Мастер",
        "measure-due_date": "2099-01-01",
    }


def test_second_assessment_from_a_stale_form_is_refused(hazard_a, officer_a, colleague):
    assessment_create(hazard=hazard_a, assessor=officer_a, inputs={"probability": 2, "severity": 2})
    url = reverse("assessments:assess", kwargs={"pk": hazard_a.pk})
    first, second = _client(colleague), _client(officer_a)
    token_first = _hidden(first.get(url), "current")
    token_second = _hidden(second.get(url), "current")
    assert token_first == token_second != "0"

    data_first = _assess_data(token_first, "4", "4")
    data_first["assessed_on"] = first.get(url).context["form"].fields["assessed_on"].initial.isoformat()
    assert first.post(url, with_key(data_first)).status_code == 302
    data_second = {**_assess_data(token_second, "1", "1"), "assessed_on": data_first["assessed_on"]}
    response = second.post(url, with_key(data_second))

    assert response.status_code == 200
    assert "Ирина Петрова" in _errors(response)
    current = RiskAssessment.objects.get(hazard=hazard_a, is_current=True)
    assert current.assessor == colleague and current.inputs == {"probability": "4", "severity": "4"}
    assert RiskAssessment.objects.filter(hazard=hazard_a).count() == 2
    assert hazard_a.measures.count() == 1  # only the first form's measure


def test_first_assessment_of_an_unrated_row_races_too(hazard_a, officer_a, colleague):
    token = current_assessment_token(None)
    assessment_record(
        hazard=hazard_a, assessor=colleague, inputs={"probability": 1, "severity": 1}, expected_current=token
    )
    with pytest.raises(ValidationError) as refused:
        assessment_record(
            hazard=hazard_a,
            assessor=officer_a,
            inputs={"probability": 2, "severity": 1},
            expected_current=token,
        )
    assert "Ирина Петрова" in " ".join(refused.value.messages)
    assert RiskAssessment.objects.filter(hazard=hazard_a).count() == 1


# --- Completing a measure -----------------------------------------------------------------------


def test_measure_changed_meanwhile_is_refused(hazard_a, colleague, private_storage):
    measure = ControlMeasureFactory(hazard=hazard_a)
    stale = version_token(measure.updated_at)
    measure.status = MeasureStatus.IN_PROGRESS
    measure.save(update_fields=["status", "updated_at"])
    with pytest.raises(ValidationError) as refused:
        measure_complete_with_evidence(
            measure=measure, file=upload("a.png", png_bytes()), uploaded_by=colleague, version=stale
        )
    assert refused.value.code == "stale"
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.IN_PROGRESS and not measure.evidence.exists()


def test_measure_complete_form_carries_the_version(hazard_a, officer_a, private_storage):
    measure = ControlMeasureFactory(hazard=hazard_a)
    url = reverse("assessments:measure_complete", kwargs={"pk": measure.pk})
    client = _client(officer_a)
    token = _hidden(client.get(url), "version")
    assert token == version_token(measure.updated_at)
    measure.status = MeasureStatus.IN_PROGRESS
    measure.save(update_fields=["status", "updated_at"])
    response = client.post(
        url, with_key({"done_on": "", "note": "", "version": token, "file": upload("a.png", png_bytes())})
    )
    assert response.status_code == 200
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.IN_PROGRESS


# --- Approval -----------------------------------------------------------------------------------


def test_second_approval_keeps_the_first_approver(hazard_a, officer_a, manager_a, enterprise_a):
    other_manager = UserFactory(username="manager_a2", role=Role.MANAGER, enterprise=enterprise_a)
    assessment = assessment_create(
        hazard=hazard_a, assessor=officer_a, inputs={"probability": 2, "severity": 2}
    )
    stale = RiskAssessment.objects.get(pk=assessment.pk)  # the second manager's page, loaded before
    assessment_approve(assessment=assessment, user=manager_a)
    result = assessment_approve(assessment=stale, user=other_manager)
    assert result.approved_by == manager_a
    assessment.refresh_from_db()
    assert assessment.approved_by == manager_a
    assert assessment.history.filter(approved_by=other_manager).count() == 0


# --- A form posted without its token ------------------------------------------------------------

# In Russian, the default language: the message is translated.
NO_TOKEN = "Перезагрузите страницу и внесите изменения ещё раз"


def test_row_edit_without_its_version_is_refused(hazard_a, officer_a):
    url = reverse("hazards:edit", kwargs={"pk": hazard_a.pk})
    data = _edit_data(hazard_a, "", "Без версии")
    del data["version"]
    response = _client(officer_a).post(url, data)
    assert response.status_code == 200 and NO_TOKEN in _errors(response)
    assert NO_TOKEN in response.content.decode()  # above the form: the hidden field shows nothing
    hazard_a.refresh_from_db()
    assert hazard_a.source != "Без версии"


def test_assessment_without_its_version_is_refused(hazard_a, officer_a):
    url = reverse("assessments:assess", kwargs={"pk": hazard_a.pk})
    data = with_key(_assess_data("", "4", "4"))
    response = _client(officer_a).post(url, data)
    assert response.status_code == 200 and NO_TOKEN in _errors(response)
    assert not RiskAssessment.objects.exists() and not hazard_a.measures.exists()


def test_measure_completion_without_its_version_is_refused(hazard_a, officer_a, private_storage):
    measure = ControlMeasureFactory(hazard=hazard_a)
    url = reverse("assessments:measure_complete", kwargs={"pk": measure.pk})
    data = with_key({"done_on": "", "note": "", "file": upload("a.png", png_bytes())})
    response = _client(officer_a).post(url, data)
    assert response.status_code == 200 and NO_TOKEN in _errors(response)
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.PLANNED and not measure.evidence.exists()
