"""Services of the work on one row: assessment with its mandatory measure, the weak-plan flag,
evidence checked by content, the periodic review of a workplace."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from assessments.models import (
    AssessmentReason,
    ControlMeasure,
    MeasureEvidence,
    MeasureStatus,
    RiskAssessment,
    WorkplaceReview,
)
from assessments.services import (
    assessment_create,
    assessment_record,
    evidence_file_name,
    evidence_inspect,
    last_review,
    measure_complete_with_evidence,
    plan_relies_on_weak_controls,
    workplace_review_complete,
)
from hazards.models import HazardStatus, RiskLevel
from tests.factories import ControlMeasureFactory, HazardFactory

from .test_risk_support import PDF_BYTES, image_bytes, png_bytes, upload

pytest_plugins = ["tests.assessments.test_risk_support"]
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("russian_by_default")]

MEASURE = {
    "control_level": "engineering",
    "description": "Установить ограждение",
    "responsible": "Главный механик",
    "due_date": None,
    "periodicity": "monthly",
    "model_measure": None,
}


def test_high_risk_without_an_open_measure_requires_one(hazard_a, officer_a):
    with pytest.raises(ValidationError) as error:
        assessment_record(hazard=hazard_a, assessor=officer_a, inputs={"probability": 4, "severity": 4})
    assert "measures" in error.value.message_dict
    assert not RiskAssessment.objects.exists()


def test_high_risk_is_saved_with_its_measure_in_one_go(hazard_a, officer_a):
    assessment_record(
        hazard=hazard_a, assessor=officer_a, inputs={"probability": 4, "severity": 4}, measures=[MEASURE]
    )
    assert RiskAssessment.objects.get().level == RiskLevel.HIGH
    assert ControlMeasure.objects.get().hazard == hazard_a


def test_a_bad_measure_rolls_back_the_assessment_too(hazard_a, officer_a):
    bad = {**MEASURE, "periodicity": "", "due_date": None}
    with pytest.raises(ValidationError):
        assessment_record(
            hazard=hazard_a, assessor=officer_a, inputs={"probability": 4, "severity": 4}, measures=[bad]
        )
    assert not RiskAssessment.objects.exists()
    hazard_a.refresh_from_db()
    assert hazard_a.risk_level is None


def test_low_risk_needs_no_measure(hazard_a, officer_a):
    assessment_record(hazard=hazard_a, assessor=officer_a, inputs={"probability": 1, "severity": 2})
    assert RiskAssessment.objects.count() == 1


def test_an_open_measure_already_planned_satisfies_the_requirement(hazard_a, officer_a):
    ControlMeasureFactory(hazard=hazard_a)
    assessment_record(hazard=hazard_a, assessor=officer_a, inputs={"probability": 5, "severity": 5})
    assert RiskAssessment.objects.count() == 1


@pytest.mark.parametrize(
    ("levels", "residual", "flagged"),
    [
        (["ppe", "administrative"], RiskLevel.HIGH, True),
        (["ppe"], RiskLevel.CRITICAL, True),
        (["ppe", "engineering"], RiskLevel.HIGH, False),
        (["ppe"], RiskLevel.MEDIUM, False),
        ([], RiskLevel.CRITICAL, False),
    ],
)
def test_weak_plan_flag(hazard_a, levels, residual, flagged):
    hazard_a.risk_level = RiskLevel.CRITICAL
    hazard_a.residual_level = residual
    measures = [ControlMeasureFactory.build(hazard=hazard_a, control_level=level) for level in levels]
    assert plan_relies_on_weak_controls(hazard=hazard_a, measures=measures) is flagged


def test_weak_plan_uses_the_current_level_when_no_residual_was_given(hazard_a):
    hazard_a.risk_level, hazard_a.residual_level = RiskLevel.HIGH, None
    measures = [ControlMeasureFactory.build(hazard=hazard_a, control_level="ppe")]
    assert plan_relies_on_weak_controls(hazard=hazard_a, measures=measures)


# --- Evidence -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("photo.png", png_bytes(), "image/png"),
        ("photo.jpg", image_bytes("JPEG"), "image/jpeg"),
        ("photo.webp", image_bytes("WEBP"), "image/webp"),
        ("act.pdf", PDF_BYTES, "application/pdf"),
        # The name lies; the content decides.
        ("act.pdf", png_bytes(), "image/png"),
    ],
)
def test_evidence_type_comes_from_the_content(name, content, expected):
    assert evidence_inspect(upload(name, content)) == expected


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.png", b"\x89PNG\r\n\x1a\n this is not really a png"),
        ("photo.jpg", b"just text"),
        ("drawing.gif", image_bytes("GIF")),
        ("page.html", b"<html><script>alert(1)</script></html>"),
        ("photo.png", png_bytes()[:40]),
    ],
)
def test_fake_or_unaccepted_files_are_refused(name, content):
    with pytest.raises(ValidationError) as error:
        evidence_inspect(upload(name, content))
    assert error.value.code == "type"


def test_oversized_evidence_is_refused(settings):
    settings.MAX_UPLOAD_BYTES = 100
    with pytest.raises(ValidationError) as error:
        evidence_inspect(upload("big.png", png_bytes((200, 200))))
    assert error.value.code == "too_big"


def test_empty_evidence_is_refused():
    with pytest.raises(ValidationError):
        evidence_inspect(upload("empty.png", b""))


@pytest.mark.parametrize(
    ("name", "content_type", "expected"),
    [
        ("../../etc/passwd.png", "image/png", "passwd.png"),
        ("C:\\Users\\Иван\\Фото акта.JPG", "image/jpeg", "Фото акта.jpg"),
        ("report.pdf.exe", "application/pdf", "report.pdf.pdf"),
        ("<script>.png", "image/png", "script.png"),
        ("", "image/webp", "evidence.webp"),
        ("...", "image/png", "evidence.png"),
    ],
)
def test_evidence_names_are_sanitised(name, content_type, expected):
    assert evidence_file_name(name, content_type) == expected


def test_completing_with_evidence_stores_it_privately_and_flags_the_row(hazard_a, officer_a, private_storage):
    measure = ControlMeasureFactory(hazard=hazard_a)
    evidence = measure_complete_with_evidence(
        measure=measure, file=upload("../photo.png", png_bytes()), uploaded_by=officer_a
    )
    measure.refresh_from_db()
    hazard_a.refresh_from_db()
    assert measure.status == MeasureStatus.DONE
    assert hazard_a.needs_reassessment
    assert evidence.original_name == "photo.png"
    assert evidence.content_type == "image/png"
    assert evidence.file.name.startswith("evidence/") and ".." not in evidence.file.name
    assert private_storage.exists(evidence.file.name)


def test_a_closed_measure_cannot_be_completed_again(hazard_a, officer_a, private_storage):
    measure = ControlMeasureFactory(hazard=hazard_a, status=MeasureStatus.CANCELLED)
    with pytest.raises(ValidationError):
        measure_complete_with_evidence(
            measure=measure, file=upload("a.png", png_bytes()), uploaded_by=officer_a
        )
    assert not MeasureEvidence.objects.exists()


def test_bad_evidence_leaves_the_measure_open(hazard_a, officer_a, private_storage):
    measure = ControlMeasureFactory(hazard=hazard_a)
    with pytest.raises(ValidationError) as error:
        measure_complete_with_evidence(measure=measure, file=upload("a.png", b"nope"), uploaded_by=officer_a)
    assert "file" in error.value.message_dict
    measure.refresh_from_db()
    hazard_a.refresh_from_db()
    assert measure.status == MeasureStatus.PLANNED and not hazard_a.needs_reassessment
    assert not MeasureEvidence.objects.exists()


# --- Periodic review ----------------------------------------------------------------------------


def test_review_confirms_ticked_rows_flags_the_others_and_sets_the_next_date(hazard_a, officer_a):
    other = HazardFactory(workplace=hazard_a.workplace)
    unrated = HazardFactory(workplace=hazard_a.workplace)
    first = assessment_create(
        hazard=hazard_a,
        assessor=officer_a,
        inputs={"probability": 3, "severity": 4},
        residual_inputs={"probability": 2, "severity": 4},
    )
    assessment_create(hazard=other, assessor=officer_a, inputs={"probability": 2, "severity": 2})
    next_on = timezone.localdate() + datetime.timedelta(days=365)

    review = workplace_review_complete(
        workplace=hazard_a.workplace, reviewer=officer_a, confirm=[hazard_a], next_review_on=next_on
    )

    confirmed = RiskAssessment.objects.get(hazard=hazard_a, is_current=True)
    assert confirmed.pk != first.pk
    assert confirmed.reason == AssessmentReason.PERIODIC_REVIEW
    assert (confirmed.inputs, confirmed.residual_inputs) == (first.inputs, first.residual_inputs)
    for row in (hazard_a, other, unrated):
        row.refresh_from_db()
        assert row.next_review_on == next_on
    assert not hazard_a.needs_reassessment
    assert other.needs_reassessment  # rated but not confirmed
    assert not unrated.needs_reassessment  # nothing to carry forward
    assert (review.confirmed_count, review.flagged_count) == (1, 1)
    assert last_review(hazard_a.workplace).moment == review.created_at


def test_review_refuses_rows_of_another_workplace_and_changes_nothing(hazard_a, officer_a):
    elsewhere = HazardFactory(workplace__department__enterprise=hazard_a.enterprise)
    assessment_create(hazard=elsewhere, assessor=officer_a, inputs={"probability": 2, "severity": 2})
    with pytest.raises(ValidationError):
        workplace_review_complete(
            workplace=hazard_a.workplace,
            reviewer=officer_a,
            confirm=[elsewhere],
            next_review_on=timezone.localdate() + datetime.timedelta(days=30),
        )
    assert not WorkplaceReview.objects.exists()
    assert RiskAssessment.objects.count() == 1


def test_review_needs_a_later_next_date(hazard_a, officer_a):
    with pytest.raises(ValidationError) as error:
        workplace_review_complete(
            workplace=hazard_a.workplace, reviewer=officer_a, confirm=[], next_review_on=timezone.localdate()
        )
    assert "next_review_on" in error.value.message_dict


def test_archived_rows_are_not_reviewed(hazard_a, officer_a):
    hazard_a.status = HazardStatus.ARCHIVED
    hazard_a.save()
    with pytest.raises(ValidationError):
        workplace_review_complete(
            workplace=hazard_a.workplace,
            reviewer=officer_a,
            confirm=[hazard_a],
            next_review_on=timezone.localdate() + datetime.timedelta(days=30),
        )


def test_last_review_falls_back_to_the_date_of_the_newest_periodic_review_assessment(hazard_a, officer_a):
    assert last_review(hazard_a.workplace) is None
    reviewed_on = timezone.localdate() - datetime.timedelta(days=200)
    assessment_create(
        hazard=hazard_a,
        assessor=officer_a,
        inputs={"probability": 2, "severity": 2},
        reason=AssessmentReason.PERIODIC_REVIEW,
        assessed_on=reviewed_on,
    )
    found = last_review(hazard_a.workplace)
    assert (found.on, found.by, found.recorded) == (reviewed_on, officer_a, False)
    assert timezone.localtime(found.moment).date() == reviewed_on + datetime.timedelta(days=1)
