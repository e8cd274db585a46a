"""Planning measures along the hierarchy, completing them with checked evidence, and the
access-checked download of that evidence."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments.models import ControlMeasure, MeasureEvidence, MeasureStatus
from assessments.services import evidence_add, measure_complete
from hazards.models import ModelMeasure
from hazards.services import version_token
from tests.factories import ControlMeasureFactory
from tests.submission import with_key

from .test_risk_support import PDF_BYTES, image_bytes, png_bytes, upload

pytest_plugins = ["tests.assessments.test_risk_support"]
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("russian_by_default")]


def _add_url(hazard):
    return reverse("assessments:measure_add", kwargs={"pk": hazard.pk})


def _complete_url(measure):
    return reverse("assessments:measure_complete", kwargs={"pk": measure.pk})


def _in_a_fortnight():
    return (timezone.localdate() + datetime.timedelta(days=14)).isoformat()


# --- Planning -----------------------------------------------------------------------------------


def test_form_offers_the_hierarchy_in_order_with_a_hint_per_level(client, hazard_a, officer_a):
    client.force_login(officer_a)
    page = client.get("/en" + _add_url(hazard_a)).content.decode()
    order = ["elimination", "substitution", "engineering", "administrative", "ppe", "insurance"]
    positions = [page.index(f'name="control_level" value="{level}"') for level in order]
    assert positions == sorted(positions)
    assert "The last resort." in page


def test_officer_plans_a_measure(client, hazard_a, officer_a):
    client.force_login(officer_a)
    response = client.post(
        _add_url(hazard_a),
        with_key(
            {
                "control_level": "engineering",
                "description": "Установить ограждение",
                "responsible": "Главный механик",
                "due_date": _in_a_fortnight(),
            }
        ),
    )
    assert response.status_code == 302
    measure = ControlMeasure.objects.get(hazard=hazard_a)
    assert measure.status == MeasureStatus.PLANNED


def test_model_measure_of_the_rows_event_prefills_the_form(client, hazard_a, officer_a):
    model_measure = ModelMeasure.objects.filter(event=hazard_a.event).order_by("id").first()
    client.force_login(officer_a)
    response = client.get(_add_url(hazard_a), {"model_measure": model_measure.pk})
    form = response.context["form"]
    assert form.initial["description"] == model_measure.name
    assert form.initial["model_measure"] == model_measure.pk
    client.post(
        _add_url(hazard_a),
        with_key(
            {
                "control_level": "administrative",
                "description": model_measure.name,
                "responsible": "Мастер",
                "periodicity": "monthly",
                "model_measure": model_measure.pk,
            }
        ),
    )
    assert ControlMeasure.objects.get().model_measure == model_measure


def test_model_measure_of_another_event_is_ignored(client, hazard_a, officer_a):
    foreign = ModelMeasure.objects.exclude(event=hazard_a.event).first()
    client.force_login(officer_a)
    response = client.get(_add_url(hazard_a), {"model_measure": foreign.pk})
    assert "description" not in response.context["form"].initial
    response = client.post(
        _add_url(hazard_a),
        with_key(
            {
                "control_level": "ppe",
                "description": "x",
                "responsible": "y",
                "periodicity": "monthly",
                "model_measure": foreign.pk,
            }
        ),
    )
    # A hidden field's error is shown above the form.
    form = response.context["form"]
    assert str(form.fields["model_measure"].error_messages["invalid_choice"]) in form.non_field_errors()
    assert not ControlMeasure.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field_with_error"),
    [
        ({"description": "x", "responsible": "y", "due_date": "2099-01-01"}, "control_level"),
        ({"control_level": "ppe", "description": "x", "responsible": "y"}, "due_date"),
        (
            {"control_level": "ppe", "description": "x", "responsible": "y", "due_date": "2001-01-01"},
            "due_date",
        ),
        (
            {"control_level": "ppe", "description": "", "responsible": "y", "periodicity": "daily"},
            "description",
        ),
        (
            {"control_level": "nonsense", "description": "x", "responsible": "y", "periodicity": "daily"},
            "control_level",
        ),
        (
            {"control_level": "ppe", "description": "x", "responsible": "y", "periodicity": "hourly"},
            "periodicity",
        ),
    ],
)
def test_bad_measure_gets_a_message_beside_the_field(client, hazard_a, officer_a, fields, field_with_error):
    client.force_login(officer_a)
    response = client.post(_add_url(hazard_a), with_key(fields))
    assert response.status_code == 200
    assert field_with_error in response.context["form"].errors
    assert not ControlMeasure.objects.exists()


def test_reviewer_cannot_plan_and_other_enterprise_is_404(
    client, hazard_a, hazard_b, reviewer_region, officer_a
):
    data = {"control_level": "ppe", "description": "x", "responsible": "y", "periodicity": "daily"}
    client.force_login(reviewer_region)
    assert client.get(_add_url(hazard_a)).status_code == 403
    assert client.post(_add_url(hazard_a), with_key(data)).status_code == 403
    client.force_login(officer_a)
    assert client.post(_add_url(hazard_b), with_key(data)).status_code == 404
    assert not ControlMeasure.objects.exists()


# --- Completing with evidence -------------------------------------------------------------------


@pytest.fixture
def measure(hazard_a):
    return ControlMeasureFactory(hazard=hazard_a)


def _complete(client, measure, file=None, **fields):
    # The version token the page carries: the measure as it is now.
    version = version_token(ControlMeasure.objects.get(pk=measure.pk).updated_at)
    data = with_key(
        {"done_on": timezone.localdate().isoformat(), "note": "Смонтировано", "version": version}, **fields
    )
    if file is not None:
        data["file"] = file
    return client.post(_complete_url(measure), data)


def _unchanged(measure):
    measure.refresh_from_db()
    measure.hazard.refresh_from_db()
    return (
        measure.status == MeasureStatus.PLANNED
        and not measure.hazard.needs_reassessment
        and not MeasureEvidence.objects.exists()
    )


def test_completing_with_a_photo_redirects_at_once_to_re_rating(client, measure, officer_a, private_storage):
    client.force_login(officer_a)
    response = _complete(client, measure, upload("Фото ограждения.png", png_bytes()))
    assert response.status_code == 302
    assess = reverse("assessments:assess", kwargs={"pk": measure.hazard_id})
    assert response["Location"] == f"{assess}?reason=after_measures"
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.DONE and measure.done_on == timezone.localdate()
    assert measure.hazard.needs_reassessment
    evidence = MeasureEvidence.objects.get()
    assert evidence.uploaded_by == officer_a and evidence.content_type == "image/png"
    assert private_storage.exists(evidence.file.name)
    # The re-rating form says why it is asked.
    follow = client.get(response["Location"])
    assert follow.context["form"].initial["reason"] == "after_measures"


def test_a_pdf_document_is_accepted(client, measure, officer_a, private_storage):
    client.force_login(officer_a)
    assert _complete(client, measure, upload("акт.pdf", PDF_BYTES, "application/pdf")).status_code == 302
    assert MeasureEvidence.objects.get().content_type == "application/pdf"


@pytest.mark.parametrize(
    "file",
    [
        pytest.param(lambda: upload("photo.png", b"\x89PNG\r\n\x1a\nnot an image"), id="fake-image"),
        pytest.param(lambda: upload("photo.jpg", b"MZ\x90\x00 an executable"), id="wrong-type"),
        pytest.param(lambda: upload("drawing.gif", image_bytes("GIF"), "image/gif"), id="gif"),
        pytest.param(lambda: upload("empty.png", b""), id="empty"),
        pytest.param(lambda: None, id="missing"),
    ],
)
def test_bad_evidence_gets_a_message_beside_the_file_and_changes_nothing(
    client, measure, officer_a, private_storage, file
):
    client.force_login(officer_a)
    response = _complete(client, measure, file())
    assert response.status_code == 200
    assert "file" in response.context["form"].errors
    assert _unchanged(measure)


def test_oversized_evidence_is_refused(client, measure, officer_a, private_storage, settings):
    settings.MAX_UPLOAD_BYTES = 1024
    client.force_login(officer_a)
    response = _complete(client, measure, upload("big.png", png_bytes((300, 300), (1, 2, 3)) + b"\0" * 2048))
    assert "file" in response.context["form"].errors
    assert "1,0" in str(response.context["form"].errors["file"]) or "1.0" in str(
        response.context["form"].errors["file"]
    )
    assert _unchanged(measure)


def test_future_completion_date_is_refused(client, measure, officer_a, private_storage):
    client.force_login(officer_a)
    response = _complete(client, measure, upload("a.png", png_bytes()), done_on="2999-01-01")
    assert "done_on" in response.context["form"].errors
    assert _unchanged(measure)


def test_closed_measure_cannot_be_completed_again(client, measure, officer_a, private_storage):
    measure_complete(measure=measure)
    client.force_login(officer_a)
    response = _complete(client, measure, upload("a.png", png_bytes()))
    assert response.status_code == 302
    assert not MeasureEvidence.objects.exists()


def test_reviewer_cannot_complete_and_other_enterprise_is_404(
    client, measure, reviewer_region, officer_b, private_storage
):
    client.force_login(reviewer_region)
    assert _complete(client, measure, upload("a.png", png_bytes())).status_code == 403
    client.force_login(officer_b)
    assert client.get(_complete_url(measure)).status_code == 404
    assert _complete(client, measure, upload("a.png", png_bytes())).status_code == 404
    assert _unchanged(measure)


def test_completion_needs_csrf(measure, officer_a, private_storage):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer_a)
    assert _complete(client, measure, upload("a.png", png_bytes())).status_code == 403
    assert _unchanged(measure)


# --- Download of evidence -----------------------------------------------------------------------


@pytest.fixture
def photo(measure, officer_a, private_storage):
    return evidence_add(measure=measure, file=upload("../../Фото.png", png_bytes()), uploaded_by=officer_a)


def _evidence_url(evidence):
    return reverse("assessments:evidence", kwargs={"pk": evidence.pk})


@pytest.mark.parametrize("persona", ["officer_a", "manager_a", "reviewer_region", "federal"])
def test_people_who_see_the_row_get_the_file(client, request, photo, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(_evidence_url(photo))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == png_bytes()
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert (
        "Фото.png" in response["Content-Disposition"]
        or "%D0%A4%D0%BE%D1%82%D0%BE.png" in response["Content-Disposition"]
    )
    assert ".." not in response["Content-Disposition"]


@pytest.mark.parametrize("persona", ["officer_b", "reviewer_other_region"])
def test_others_get_404_for_evidence(client, request, photo, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_evidence_url(photo)).status_code == 404


def test_anonymous_cannot_download_evidence(client, photo):
    response = client.get(_evidence_url(photo))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_pdf_evidence_is_sent_as_a_download(client, measure, officer_a, private_storage):
    pdf = evidence_add(measure=measure, file=upload("акт.pdf", PDF_BYTES), uploaded_by=officer_a)
    client.force_login(officer_a)
    response = client.get(_evidence_url(pdf))
    assert response["Content-Disposition"].startswith("attachment")


def test_missing_file_is_a_404_not_a_500(client, photo, officer_a, private_storage):
    private_storage.delete(photo.file.name)
    client.force_login(officer_a)
    assert client.get(_evidence_url(photo)).status_code == 404
