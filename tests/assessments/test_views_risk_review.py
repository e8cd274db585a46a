"""The periodic review of a workplace: ratings carried forward for confirmation, what is new,
changed and removed since the last review, the next review date."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments.models import AssessmentReason, RiskAssessment, WorkplaceReview
from assessments.services import assessment_create, measure_plan, workplace_review_complete
from hazards.models import HazardStatus
from hazards.services import hazard_set_status
from tests.factories import HazardFactory
from tests.submission import with_key

pytest_plugins = ["tests.assessments.test_risk_support"]
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("russian_by_default")]


def _url(workplace):
    return reverse("assessments:review_start", kwargs={"pk": workplace.pk})


def _next_year():
    return (timezone.localdate() + datetime.timedelta(days=365)).isoformat()


@pytest.fixture
def rated(hazard_a, officer_a):
    assessment_create(hazard=hazard_a, assessor=officer_a, inputs={"probability": 3, "severity": 4})
    return hazard_a


def test_first_review_lists_every_active_row_with_its_rating_ticked(client, rated, officer_a):
    unrated = HazardFactory(workplace=rated.workplace, source="Новый источник")
    archived = HazardFactory(workplace=rated.workplace, status=HazardStatus.ARCHIVED, source="Старый")
    client.force_login(officer_a)
    response = client.get("/en" + _url(rated.workplace))
    page = response.content.decode()
    assert "first periodic review" in page
    assert f'id="confirm-{rated.pk}" checked' in page
    assert f'id="confirm-{unrated.pk}"' not in page and "Новый источник" in page
    assert "Старый" not in page
    assert 'id="review-changes"' not in page
    assert archived.pk not in [item["row"].pk for item in response.context["table"]]


def test_completing_the_review_confirms_flags_and_sets_the_next_date(client, rated, officer_a):
    other = HazardFactory(workplace=rated.workplace)
    assessment_create(hazard=other, assessor=officer_a, inputs={"probability": 2, "severity": 2})
    client.force_login(officer_a)
    response = client.post(
        _url(rated.workplace),
        with_key(
            {
                "confirm": [rated.pk],
                "reviewed_on": timezone.localdate().isoformat(),
                "next_review_on": _next_year(),
            }
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:workplace", kwargs={"pk": rated.workplace_id})
    confirmed = RiskAssessment.objects.get(hazard=rated, is_current=True)
    assert confirmed.reason == AssessmentReason.PERIODIC_REVIEW and confirmed.inputs == {
        "probability": "3",
        "severity": "4",
    }
    rated.refresh_from_db()
    other.refresh_from_db()
    assert rated.next_review_on == other.next_review_on == datetime.date.fromisoformat(_next_year())
    assert other.needs_reassessment and not rated.needs_reassessment
    review = WorkplaceReview.objects.get()
    assert (review.reviewer, review.confirmed_count, review.flagged_count) == (officer_a, 1, 1)


def test_second_review_shows_what_is_new_changed_and_removed_since(client, rated, officer_a):
    edited = HazardFactory(workplace=rated.workplace, source="Конвейер № 2")
    gone = HazardFactory(workplace=rated.workplace, source="Старая лебёдка")
    quiet = HazardFactory(workplace=rated.workplace, source="Без изменений")
    workplace_review_complete(
        workplace=rated.workplace,
        reviewer=officer_a,
        confirm=[rated],
        next_review_on=timezone.localdate() + datetime.timedelta(days=365),
    )
    new = HazardFactory(workplace=rated.workplace, source="Новая дробилка")
    edited.source = "Конвейер № 2, удлинённый"
    edited.save()
    hazard_set_status(hazard=gone, status=HazardStatus.ELIMINATED)
    assessment_create(hazard=rated, assessor=officer_a, inputs={"probability": 2, "severity": 4})
    measure_plan(
        hazard=quiet,
        control_level="engineering",
        description="Кожух",
        responsible="Механик",
        periodicity="monthly",
    )

    client.force_login(officer_a)
    response = client.get("/en" + _url(rated.workplace))
    context = response.context
    assert [row.pk for row in context["new_rows"]] == [new.pk]
    changed = {row.pk: [str(reason) for reason in reasons] for row, reasons in context["changed_rows"]}
    assert changed == {
        rated.pk: ["re-assessed"],
        edited.pk: ["row data edited"],
        quiet.pk: ["measures changed"],
    }
    assert [row.pk for row in context["removed_rows"]] == [gone.pk]
    page = response.content.decode()
    assert "Last review:" in page and "Новая дробилка" in page.split('id="review-new"')[1]


def test_nothing_since_the_last_review_shows_empty_sections(client, rated, officer_a):
    workplace_review_complete(
        workplace=rated.workplace,
        reviewer=officer_a,
        confirm=[rated],
        next_review_on=timezone.localdate() + datetime.timedelta(days=365),
    )
    client.force_login(officer_a)
    context = client.get(_url(rated.workplace)).context
    assert (context["new_rows"], context["changed_rows"], context["removed_rows"]) == ([], [], [])


@pytest.mark.parametrize(
    ("fields", "field_with_error"),
    [
        ({"next_review_on": ""}, "next_review_on"),
        ({"next_review_on": "2001-01-01"}, "next_review_on"),
        ({"reviewed_on": "2999-01-01"}, "reviewed_on"),
        ({"confirm": ["999999"]}, "confirm"),
    ],
)
def test_bad_input_gets_a_message_and_changes_nothing(client, rated, officer_a, fields, field_with_error):
    client.force_login(officer_a)
    data = {
        "confirm": [rated.pk],
        "reviewed_on": timezone.localdate().isoformat(),
        "next_review_on": _next_year(),
    }
    response = client.post(_url(rated.workplace), with_key({**data, **fields}))
    assert response.status_code == 200
    assert field_with_error in response.context["form"].errors
    assert not WorkplaceReview.objects.exists()
    assert RiskAssessment.objects.count() == 1
    rated.refresh_from_db()
    assert rated.next_review_on is None


def test_row_of_another_workplace_cannot_be_confirmed(client, rated, officer_a):
    elsewhere = HazardFactory(workplace__department__enterprise=rated.enterprise)
    assessment_create(hazard=elsewhere, assessor=officer_a, inputs={"probability": 2, "severity": 2})
    client.force_login(officer_a)
    response = client.post(
        _url(rated.workplace),
        with_key(
            {
                "confirm": [elsewhere.pk],
                "reviewed_on": timezone.localdate().isoformat(),
                "next_review_on": _next_year(),
            }
        ),
    )
    assert "confirm" in response.context["form"].errors
    assert not WorkplaceReview.objects.exists()


def test_reviewers_get_403_and_other_enterprises_404(client, rated, hazard_b, reviewer_region, officer_a):
    client.force_login(reviewer_region)
    assert client.get(_url(rated.workplace)).status_code == 403
    assert client.post(_url(rated.workplace), with_key({"next_review_on": _next_year()})).status_code == 403
    client.force_login(officer_a)
    assert client.get(_url(hazard_b.workplace)).status_code == 404
    assert not WorkplaceReview.objects.exists()


def test_review_needs_csrf(rated, officer_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer_a)
    assert client.post(_url(rated.workplace), with_key({"next_review_on": _next_year()})).status_code == 403


def test_without_review_records_the_rows_own_dates_tell_what_is_new_and_changed(client, hazard_a, officer_a):
    """Imported or demo registers: everything was typed in today, but their dates are older."""
    today = timezone.localdate()
    reviewed_on = today - datetime.timedelta(days=300)
    hazard_a.identified_on = today - datetime.timedelta(days=700)
    hazard_a.save()
    assessment_create(
        hazard=hazard_a,
        assessor=officer_a,
        inputs={"probability": 3, "severity": 3},
        reason=AssessmentReason.PERIODIC_REVIEW,
        assessed_on=reviewed_on,
    )
    old_quiet = HazardFactory(
        workplace=hazard_a.workplace, identified_on=today - datetime.timedelta(days=700)
    )
    assessment_create(
        hazard=old_quiet,
        assessor=officer_a,
        inputs={"probability": 2, "severity": 2},
        reason=AssessmentReason.PERIODIC_REVIEW,
        assessed_on=reviewed_on,
    )
    later = HazardFactory(workplace=hazard_a.workplace, identified_on=today - datetime.timedelta(days=100))
    assessment_create(
        hazard=hazard_a,
        assessor=officer_a,
        inputs={"probability": 2, "severity": 3},
        reason=AssessmentReason.AFTER_MEASURES,
        assessed_on=today - datetime.timedelta(days=50),
    )
    client.force_login(officer_a)
    context = client.get("/en" + _url(hazard_a.workplace)).context
    assert context["last"].on == reviewed_on and not context["last"].recorded
    assert [row.pk for row in context["new_rows"]] == [later.pk]
    changed = {row.pk: [str(reason) for reason in reasons] for row, reasons in context["changed_rows"]}
    assert changed == {hazard_a.pk: ["re-assessed"]}
