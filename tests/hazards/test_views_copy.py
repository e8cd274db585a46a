"""Copying a workplace's hazards to analogous workplaces in one step."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from assessments.models import AssessmentStatus, RiskAssessment
from assessments.services import assessment_create
from hazards.models import Hazard, HazardousEvent
from hazards.services import hazards_copy
from tests.factories import DepartmentFactory, HazardFactory, WorkplaceFactory
from tests.submission import with_key

pytestmark = pytest.mark.django_db


def event(code):
    return HazardousEvent.objects.get_by_natural_key(code)


@pytest.fixture
def site(enterprise_a):
    """A source workplace with two rows, two analogous workplaces (one already has 8.1) and a
    workplace with another position."""
    department = DepartmentFactory(enterprise=enterprise_a)
    source = WorkplaceFactory(department=department, number="7", position="Машинист конвейера")
    twin = WorkplaceFactory(department=department, number="8А", position="машинист  конвейера")
    twin_with_belt = WorkplaceFactory(department=department, number="9А", position="Машинист конвейера")
    other = WorkplaceFactory(department=department, number="10", position="Горнорабочий")
    belt = HazardFactory(workplace=source, event=event("8.1"), source="Ленточный конвейер", exposed_count=2)
    fall = HazardFactory(workplace=source, event=event("3.1"), source="Мокрая почва", risk_level=4)
    HazardFactory(workplace=source, event=event("20.1"), source="Шум", status="archived")
    HazardFactory(workplace=twin_with_belt, event=event("8.1"), source="Свой конвейер")
    return {
        "source": source,
        "twin": twin,
        "twin_with_belt": twin_with_belt,
        "other": other,
        "belt": belt,
        "fall": fall,
    }


def copy_url(workplace):
    with translation.override("en"):
        return reverse("assessments:hazard_copy", args=[workplace.pk])


def test_nothing_is_ticked_by_default_and_analogous_workplaces_come_first(client, officer_a, site):
    client.force_login(officer_a)
    response = client.get(copy_url(site["source"]))
    form = response.context["form"]
    assert not form["targets"].initial and not form["rows"].initial and not form["carry_rating"].initial
    choices = [pk for pk, _label in form.fields["targets"].choices]
    assert choices[:2] == [site["twin"].pk, site["twin_with_belt"].pk]
    assert site["source"].pk not in choices
    assert {pk for pk, _label in form.fields["rows"].choices} == {site["belt"].pk, site["fall"].pk}
    assert "checked" not in response.content.decode()


def test_copy_creates_rows_skips_existing_events_and_reports_both(client, officer_a, site):
    client.force_login(officer_a)
    data = {
        "rows": [site["belt"].pk, site["fall"].pk],
        "targets": [site["twin"].pk, site["twin_with_belt"].pk],
    }
    response = client.post(copy_url(site["source"]), with_key(data))
    assert response.status_code == 200
    result = response.context["result"]
    assert len(result.created) == 3 and len(result.skipped) == 1
    twin_rows = Hazard.objects.filter(workplace=site["twin"])
    assert {(r.event.code, r.source, r.exposed_count, r.risk_level) for r in twin_rows} == {
        ("8.1", "Ленточный конвейер", 2, None),
        ("3.1", "Мокрая почва", 1, None),
    }
    assert all(r.identified_by == officer_a and r.identified_on == timezone.localdate() for r in twin_rows)
    assert list(
        Hazard.objects.filter(workplace=site["twin_with_belt"])
        .values_list("event__code", "source")
        .order_by("event__code")
    ) == [("3.1", "Мокрая почва"), ("8.1", "Свой конвейер")]
    html = response.content.decode()
    assert "3 rows copied" in html

    # Running the same copy again changes nothing.
    again = client.post(copy_url(site["source"]), with_key(data)).context["result"]
    assert (len(again.created), len(again.skipped)) == (0, 4)
    assert Hazard.objects.filter(workplace__in=[site["twin"], site["twin_with_belt"]]).count() == 4


def test_workplaces_of_another_enterprise_cannot_be_targets(client, officer_a, site, enterprise_b):
    foreign = WorkplaceFactory(department__enterprise=enterprise_b, position="Машинист конвейера")
    client.force_login(officer_a)
    response = client.post(copy_url(site["source"]), with_key(rows=[site["belt"].pk], targets=[foreign.pk]))
    assert "targets" in response.context["form"].errors
    assert not Hazard.objects.filter(workplace=foreign).exists()


def test_nothing_chosen_is_an_error_beside_the_fields(client, officer_a, site):
    client.force_login(officer_a)
    response = client.post(copy_url(site["source"]), with_key())
    assert {"rows", "targets"} <= set(response.context["form"].errors)


def test_service_refuses_to_copy_between_enterprises(site, enterprise_b, officer_a):
    foreign = WorkplaceFactory(department__enterprise=enterprise_b)
    with pytest.raises(ValidationError):
        hazards_copy(source_rows=[site["belt"]], targets=[foreign], user=officer_a)
    assert not Hazard.objects.filter(workplace=foreign).exists()


def test_service_refuses_archived_targets(site, officer_a):
    site["twin"].archived_at = timezone.now()
    site["twin"].save()
    with pytest.raises(ValidationError):
        hazards_copy(source_rows=[site["belt"]], targets=[site["twin"]], user=officer_a)


@pytest.mark.parametrize(("persona", "status_code"), [("reviewer_region", 403), ("officer_b", 404)])
def test_others_cannot_copy(client, request, site, persona, status_code):
    client.force_login(request.getfixturevalue(persona))
    data = {"rows": [site["belt"].pk], "targets": [site["twin"].pk]}
    assert client.post(copy_url(site["source"]), with_key(data)).status_code == status_code
    assert not Hazard.objects.filter(workplace=site["twin"]).exists()


# --- Carrying the rating over ---------------------------------------------------------------------


def _rate(row, officer):
    return assessment_create(
        hazard=row,
        assessor=officer,
        inputs={"probability": 4, "severity": 4},
        residual_inputs={"probability": 2, "severity": 4},
        comment="Оценено по результатам СОУТ",
    )


def test_rating_is_carried_over_as_a_draft_marked_with_the_source_workplace(client, officer_a, site):
    source_rating = _rate(site["belt"], officer_a)
    client.force_login(officer_a)
    data = {"rows": [site["belt"].pk, site["fall"].pk], "targets": [site["twin"].pk], "carry_rating": "on"}
    response = client.post(copy_url(site["source"]), with_key(data))
    assert response.status_code == 200
    belt_copy = Hazard.objects.get(workplace=site["twin"], event=site["belt"].event)
    copied = RiskAssessment.objects.get(hazard=belt_copy)
    assert copied.is_current and copied.status == AssessmentStatus.DRAFT and copied.approved_by is None
    assert (copied.score, copied.level, copied.residual_level) == (
        source_rating.score,
        source_rating.level,
        source_rating.residual_level,
    )
    assert copied.method_version_id == source_rating.method_version_id and copied.assessor == officer_a
    assert copied.comment == "Скопировано с РМ № 7"
    assert belt_copy.risk_level == source_rating.level and not belt_copy.needs_reassessment
    # The source "fall" had no assessment (its level was set by the factory only): its copy stays unrated.
    fall_copy = Hazard.objects.get(workplace=site["twin"], event=site["fall"].event)
    assert not RiskAssessment.objects.filter(hazard=fall_copy).exists() and fall_copy.risk_level is None
    assert 'id="copy-rated"' in response.content.decode()


def test_rating_is_not_carried_over_unless_asked(client, officer_a, site):
    _rate(site["belt"], officer_a)
    client.force_login(officer_a)
    data = {"rows": [site["belt"].pk], "targets": [site["twin"].pk]}
    assert client.post(copy_url(site["source"]), with_key(data)).status_code == 200
    copy = Hazard.objects.get(workplace=site["twin"])
    assert copy.risk_level is None and not RiskAssessment.objects.filter(hazard=copy).exists()


def test_the_carried_note_is_in_the_registers_language_whatever_the_officers(client, officer_a, site):
    _rate(site["belt"], officer_a)
    client.force_login(officer_a)
    data = {"rows": [site["belt"].pk], "targets": [site["twin"].pk], "carry_rating": "on"}
    with translation.override("en"):
        response = client.post(copy_url(site["source"]), with_key(data), headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert RiskAssessment.objects.get(hazard__workplace=site["twin"]).comment == "Скопировано с РМ № 7"
