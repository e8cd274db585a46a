"""The assess form: built from the enterprise's method, each level explained in words, a live
preview from the server, the mandatory measure when the band requires action, and bad input
answered beside the field without changing anything."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from assessments.models import AssessmentReason, ControlMeasure, RiskAssessment, RiskMethod
from assessments.services import (
    assessment_create,
    current_assessment_token,
    incident_record,
    measure_complete,
)
from hazards.models import HazardStatus, RiskLevel
from tests.factories import ControlMeasureFactory
from tests.submission import with_key

pytest_plugins = ["tests.assessments.test_risk_support"]
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("russian_by_default")]


def _url(hazard, language="ru"):
    with translation.override(language):
        return reverse("assessments:assess", kwargs={"pk": hazard.pk})


def _post(client, hazard, **fields):
    # The tokens the page carries: the row's current assessment, and a fresh one-time key.
    current = current_assessment_token(RiskAssessment.objects.filter(hazard=hazard, is_current=True).first())
    data = {
        "reason": "initial",
        "assessed_on": timezone.localdate().isoformat(),
        "current": current,
        **fields,
    }
    return client.post(_url(hazard), with_key(data))


def _state(hazard):
    hazard.refresh_from_db()
    return (
        list(RiskAssessment.objects.filter(hazard=hazard).values_list("pk", "is_current")),
        hazard.risk_level,
        ControlMeasure.objects.filter(hazard=hazard).count(),
    )


# --- The form -----------------------------------------------------------------------------------


def test_matrix_form_explains_every_level_in_the_users_language(client, hazard_a, officer_a):
    client.force_login(officer_a)
    english = client.get(_url(hazard_a, "en")).content.decode()
    assert "Almost certain" in english
    assert "Happens regularly or is expected in the normal course of work." in english
    assert "Catastrophic" in english
    russian = client.get(_url(hazard_a)).content.decode()
    assert "Весьма вероятно" in russian and "Происходит регулярно" in russian
    assert russian.count('type="radio" name="probability"') == 5
    assert russian.count('type="radio" name="severity"') == 5


def test_fine_kinney_enterprise_gets_the_three_fine_kinney_inputs(client, hazard_a, officer_a, enterprise_a):
    enterprise_a.risk_method = RiskMethod.objects.get(code="fine-kinney")
    enterprise_a.save()
    client.force_login(officer_a)
    page = client.get(_url(hazard_a, "en")).content.decode()
    assert page.count('type="radio" name="probability"') == 7
    assert page.count('type="radio" name="exposure"') == 6
    assert page.count('type="radio" name="consequence"') == 6
    assert 'name="severity"' not in page


def test_reassessment_starts_from_the_current_rating(client, hazard_a, officer_a):
    assessment_create(hazard=hazard_a, assessor=officer_a, inputs={"probability": 4, "severity": 2})
    client.force_login(officer_a)
    response = client.get(_url(hazard_a) + "?reason=after_measures")
    form = response.context["form"]
    assert (form.initial["probability"], form.initial["severity"]) == ("4", "2")
    assert form.initial["reason"] == AssessmentReason.AFTER_MEASURES
    html = response.content.decode()
    assert "checked" in html.split('name="probability" value="4"')[1].split(">")[0]
    assert "checked" not in html.split('name="probability" value="3"')[1].split(">")[0]


# --- Live preview -------------------------------------------------------------------------------


def test_preview_scores_on_the_server_and_saves_nothing(client, hazard_a, officer_a):
    client.force_login(officer_a)
    response = client.get(
        _url(hazard_a, "en"), {"probability": "4", "severity": "4"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="preview-score">16<' in html
    assert "High" in html and "Unacceptable" in html and "Urgent measures" in html
    assert 'data-level="4"' in html
    assert 'id="preview-measure-required"' in html  # a high band, and no open measure yet
    assert "<html" not in html  # a fragment, not the page
    assert not RiskAssessment.objects.exists()


def test_preview_changes_as_levels_change(client, hazard_a, officer_a):
    client.force_login(officer_a)
    low = client.get(_url(hazard_a), {"probability": "1", "severity": "2"}, headers={"HX-Request": "true"})
    assert 'id="preview-score">2<' in low.content.decode()
    assert 'id="preview-measure-required"' not in low.content.decode()


@pytest.mark.parametrize(
    "query", [{}, {"probability": "4"}, {"probability": "9", "severity": "1"}, {"probability": "x"}]
)
def test_incomplete_or_foreign_preview_input_is_not_an_error(client, hazard_a, officer_a, query):
    client.force_login(officer_a)
    response = client.get(_url(hazard_a), query, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'id="preview-incomplete"' in response.content.decode()


def test_preview_shows_residual_and_warns_when_it_is_higher(client, hazard_a, officer_a):
    client.force_login(officer_a)
    html = client.get(
        _url(hazard_a),
        {"probability": "2", "severity": "2", "residual_probability": "5", "residual_severity": "5"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert 'id="preview-residual-score">25<' in html
    assert "alert-danger" in html


# --- Saving -------------------------------------------------------------------------------------


def test_officer_assesses_a_row(client, hazard_a, officer_a):
    ControlMeasureFactory(hazard=hazard_a)  # an open measure: no new one is asked for
    client.force_login(officer_a)
    response = _post(
        client,
        hazard_a,
        probability="2",
        severity="4",
        residual_probability="1",
        residual_severity="4",
        comment="Осмотр",
    )
    assert response.status_code == 302 and response["Location"].endswith(f"/rows/{hazard_a.pk}/")
    assessment = RiskAssessment.objects.get()
    assert (assessment.level, assessment.residual_level, assessment.assessor) == (
        RiskLevel.MEDIUM,
        RiskLevel.LOW,
        officer_a,
    )
    assert assessment.comment == "Осмотр"
    assert ControlMeasure.objects.count() == 1


def test_band_requiring_action_asks_for_a_measure_and_changes_nothing(client, hazard_a, officer_a):
    client.force_login(officer_a)
    before = _state(hazard_a)
    response = _post(client, hazard_a, probability="4", severity="4")
    assert response.status_code == 200
    errors = response.context["measure_form"].errors
    assert "description" in errors
    assert _state(hazard_a) == before


def test_measure_given_inline_is_saved_with_the_assessment(client, hazard_a, officer_a):
    client.force_login(officer_a)
    response = _post(
        client,
        hazard_a,
        probability="5",
        severity="4",
        **{
            "measure-control_level": "engineering",
            "measure-description": "Ограждение приводного барабана",
            "measure-responsible": "Главный механик",
            "measure-due_date": (timezone.localdate() + datetime.timedelta(days=14)).isoformat(),
        },
    )
    assert response.status_code == 302
    hazard_a.refresh_from_db()
    assert hazard_a.risk_level == RiskLevel.CRITICAL
    measure = ControlMeasure.objects.get(hazard=hazard_a)
    assert measure.description == "Ограждение приводного барабана"


def test_half_filled_inline_measure_is_refused_beside_its_fields(client, hazard_a, officer_a):
    client.force_login(officer_a)
    before = _state(hazard_a)
    response = _post(
        client, hazard_a, probability="5", severity="4", **{"measure-description": "Что-то сделать"}
    )
    assert response.status_code == 200
    errors = response.context["measure_form"].errors
    assert {"control_level", "assignee", "due_date"} <= set(errors)
    assert _state(hazard_a) == before


@pytest.mark.parametrize(
    ("fields", "field_with_error"),
    [
        ({"severity": "3"}, "probability"),
        ({"probability": "7", "severity": "3"}, "probability"),
        ({"probability": "2", "severity": "3", "residual_probability": "1"}, "residual_severity"),
        (
            {"probability": "2", "severity": "2", "residual_probability": "5", "residual_severity": "5"},
            "residual_probability",
        ),
        ({"probability": "2", "severity": "2", "assessed_on": "2999-01-01"}, "assessed_on"),
        ({"probability": "2", "severity": "2", "assessed_on": "вчера"}, "assessed_on"),
        ({"probability": "2", "severity": "2", "reason": "because"}, "reason"),
    ],
)
def test_bad_input_gets_a_message_beside_the_field_and_changes_nothing(
    client, hazard_a, officer_a, fields, field_with_error
):
    client.force_login(officer_a)
    before = _state(hazard_a)
    response = _post(client, hazard_a, **fields)
    assert response.status_code == 200
    assert field_with_error in response.context["form"].errors
    assert _state(hazard_a) == before


def test_reassessment_is_a_new_assessment_and_keeps_the_earlier(client, hazard_a, officer_a):
    ControlMeasureFactory(hazard=hazard_a)
    client.force_login(officer_a)
    _post(client, hazard_a, probability="4", severity="4")
    _post(client, hazard_a, probability="2", severity="4", reason="after_measures")
    assert RiskAssessment.objects.filter(hazard=hazard_a).count() == 2
    hazard_a.refresh_from_db()
    assert hazard_a.risk_level == RiskLevel.MEDIUM


# --- Access -------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["reviewer_region", "federal"])
def test_reviewers_cannot_open_or_post_the_form(client, request, hazard_a, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_url(hazard_a)).status_code == 403
    assert _post(client, hazard_a, probability="1", severity="1").status_code == 403
    assert not RiskAssessment.objects.exists()


def test_other_enterprise_row_is_404(client, hazard_b, officer_a):
    client.force_login(officer_a)
    assert client.get(_url(hazard_b)).status_code == 404
    assert _post(client, hazard_b, probability="1", severity="1").status_code == 404
    assert not RiskAssessment.objects.exists()


def test_post_without_csrf_token_is_refused(hazard_a, officer_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer_a)
    assert _post(client, hazard_a, probability="1", severity="1").status_code == 403
    assert not RiskAssessment.objects.exists()


def test_archived_row_cannot_be_assessed(client, hazard_a, officer_a):
    hazard_a.status = HazardStatus.ARCHIVED
    hazard_a.save()
    client.force_login(officer_a)
    response = _post(client, hazard_a, probability="1", severity="1")
    assert response.status_code == 302
    assert not RiskAssessment.objects.exists()


def test_the_reason_follows_what_flagged_the_row(client, hazard_a, officer_a):
    assessment_create(hazard=hazard_a, assessor=officer_a, inputs={"probability": 2, "severity": 2})
    client.force_login(officer_a)
    assert client.get(_url(hazard_a)).context["form"].initial["reason"] == AssessmentReason.CHANGE
    measure_complete(measure=ControlMeasureFactory(hazard=hazard_a))
    assert client.get(_url(hazard_a)).context["form"].initial["reason"] == AssessmentReason.AFTER_MEASURES
    incident_record(
        workplace=hazard_a.workplace,
        kind="near_miss",
        occurred_at=timezone.now(),
        description="Падение инструмента рядом с работником",
        event=hazard_a.event,
        hazards=[hazard_a],
    )
    assert client.get(_url(hazard_a)).context["form"].initial["reason"] == AssessmentReason.AFTER_INCIDENT
