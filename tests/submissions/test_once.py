"""A create form posted twice — one after the other (a reload, a double click) or at the same
moment (three tabs, a retrying proxy) — creates its object once; the repeat is shown the object
already created. A post without its one-time key is a form error that writes nothing."""

import datetime
import threading
import uuid

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from assessments.models import ControlMeasure, Incident, MeasureEvidence, RiskAssessment, WorkplaceReview
from dashboards.rollups import add_months, first_of_month
from hazards.models import Hazard, HazardGroup, HazardousEvent, HazardType
from reports.models import Report, Subscription
from riskpilot.submissions.models import SubmissionToken
from riskpilot.submissions.services import create_once
from tests.factories import ControlMeasureFactory, HazardFactory, WorkplaceFactory
from tests.submission import rendered_key

from ..assessments.test_risk_support import png_bytes, upload

pytest_plugins = ["tests.assessments.test_risk_support"]

ALREADY_SAVED = "This form was already submitted and saved; it was not saved again."


def _fortnight() -> str:
    return (timezone.localdate() + datetime.timedelta(days=14)).isoformat()


def _row_data() -> dict:
    return {
        "event": HazardousEvent.objects.get_by_natural_key("8.1").pk,
        "source": "Ленточный конвейер",
        "activity": "routine",
        "exposed_count": "3",
    }


def _measure_data() -> dict:
    return {
        "control_level": "engineering",
        "description": "Установить ограждение",
        "responsible": "Главный механик",
        "due_date": _fortnight(),
    }


def _incident_data(hazard) -> dict:
    return {
        "kind": "accident",
        "occurred_at": timezone.localtime(timezone.now() - datetime.timedelta(hours=3)).strftime(
            "%Y-%m-%dT%H:%M"
        ),
        "workplace": hazard.workplace_id,
        "hazards": [hazard.pk],
        "description": "Ушиб кисти при замене ролика конвейера",
        # One victim (the incident form's victims formset).
        "victims-TOTAL_FORMS": "1",
        "victims-INITIAL_FORMS": "0",
        "victims-0-outcome": "light",
        "victims-0-days_lost": "5",
        "victims-0-position": "",
    }


@pytest.fixture
def queued(monkeypatch):
    from reports.tasks import render_report

    ids = []
    monkeypatch.setattr(render_report, "delay_on_commit", lambda report_id: ids.append(report_id))
    return ids


@pytest.fixture
def completable(hazard_a, private_storage):
    return ControlMeasureFactory(hazard=hazard_a)


# name: (persona, url name, url argument of hazard_a, data, what is counted)
FORMS = {
    "hazard": ("officer_a", "hazards:add", "workplace", lambda h: _row_data(), Hazard),
    "own hazard": (
        "officer_a",
        "hazards:own_add",
        "enterprise",
        lambda h: {
            "group": HazardGroup.objects.get(number=5).pk,
            "hazard_name_ru": "Соляные наросты",
            "event_name_ru": "Падение нароста",
        },
        HazardType,
    ),
    "assessment": (
        "officer_a",
        "assessments:assess",
        "hazard",
        lambda h: {
            "probability": "2",
            "severity": "2",
            "reason": "initial",
            "assessed_on": timezone.localdate().isoformat(),
            "current": "0",
        },
        RiskAssessment,
    ),
    "measure": ("officer_a", "assessments:measure_add", "hazard", lambda h: _measure_data(), ControlMeasure),
    "incident": ("officer_a", "assessments:incident_add", "enterprise", _incident_data, Incident),
    "review": (
        "officer_a",
        "assessments:review_start",
        "workplace",
        lambda h: {"reviewed_on": timezone.localdate().isoformat(), "next_review_on": "2099-01-01"},
        WorkplaceReview,
    ),
    "report order": (
        "officer_a",
        "reports:report_new",
        "enterprise",
        lambda h: {
            "month": f"{add_months(first_of_month(timezone.localdate()), -1):%Y-%m}",
            "language": "ru",
            "regenerate": "on",  # without the key, every post would queue a new version
        },
        Report,
    ),
    "subscription": (
        "manager_a",
        "reports:subscription_new",
        None,
        lambda h: {
            "type": "enterprise",
            "enterprise": h.enterprise_id,
            "frequency": "monthly",
            "language": "ru",
            "recipients": "ot@example.org",
        },
        Subscription,
    ),
}


def _url(name, argument, hazard) -> str:
    args = {
        None: [],
        "hazard": [hazard.pk],
        "workplace": [hazard.workplace_id],
        "enterprise": [hazard.enterprise_id],
    }[argument]
    with translation.override("en"):
        return reverse(name, args=args)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("form", sorted(FORMS))
def test_a_repeated_post_shows_the_object_already_created(request, form, hazard_a, queued):
    persona, name, argument, data, model = FORMS[form]
    client = _client(request.getfixturevalue(persona))
    url = _url(name, argument, hazard_a)
    key = rendered_key(client.get(url))
    before = model.objects.count()

    first = client.post(url, {**data(hazard_a), "submission": key})
    assert first.status_code == 302, first.context and first.context["form"].errors
    second = client.post(url, {**data(hazard_a), "submission": key})

    assert model.objects.count() == before + 1
    assert second.status_code == 302 and second["Location"] == first["Location"]
    assert ALREADY_SAVED in [str(m) for m in get_messages(second.wsgi_request)]
    assert SubmissionToken.objects.count() == 1


@pytest.mark.django_db
def test_completing_a_measure_twice_keeps_one_evidence(client, officer_a, completable):
    client.force_login(officer_a)
    url = reverse("assessments:measure_complete", args=[completable.pk])
    page = client.get(url)
    version = page.context["form"]["version"].value()
    data = {"done_on": timezone.localdate().isoformat(), "version": version, "submission": rendered_key(page)}
    assert client.post(url, {**data, "file": upload("a.png", png_bytes())}).status_code == 302
    assert client.post(url, {**data, "file": upload("a.png", png_bytes())}).status_code == 302
    assert MeasureEvidence.objects.filter(measure=completable).count() == 1


@pytest.mark.django_db
def test_a_repeated_copy_copies_once_and_returns_to_the_workplace(client, officer_a, hazard_a):
    twin = WorkplaceFactory(department=hazard_a.workplace.department)
    client.force_login(officer_a)
    url = reverse("assessments:hazard_copy", args=[hazard_a.workplace_id])
    data = {"rows": [hazard_a.pk], "targets": [twin.pk], "submission": rendered_key(client.get(url))}
    assert client.post(url, data).status_code == 200
    second = client.post(url, data)
    assert second.status_code == 302
    assert second["Location"] == reverse("assessments:workplace", args=[hazard_a.workplace_id])
    assert Hazard.objects.filter(workplace=twin).count() == 1


@pytest.mark.django_db
def test_each_empty_form_gets_a_new_key(client, officer_a, hazard_a):
    client.force_login(officer_a)
    url = reverse("hazards:add", args=[hazard_a.workplace_id])
    assert rendered_key(client.get(url)) != rendered_key(client.get(url))


@pytest.mark.django_db
@pytest.mark.parametrize("key", [None, "", "not-a-key"])
def test_a_post_without_a_valid_key_is_a_form_error_and_writes_nothing(client, officer_a, hazard_a, key):
    client.force_login(officer_a)
    data = _row_data() if key is None else {**_row_data(), "submission": key}
    response = client.post(_url("hazards:add", "workplace", hazard_a), data)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    assert "Reload the page and submit the form again" in errors
    assert escape(errors) in response.content.decode()  # shown above the form, not lost with the field
    assert Hazard.objects.count() == 1 and not SubmissionToken.objects.exists()


@pytest.mark.django_db
def test_the_message_is_translated(client, officer_a, hazard_a):
    client.force_login(officer_a)
    with translation.override("ru"):
        url = reverse("hazards:add", args=[hazard_a.workplace_id])
    response = client.post(url, _row_data())
    assert "Перезагрузите страницу" in " ".join(response.context["form"].non_field_errors())


@pytest.mark.django_db
def test_a_refused_form_keeps_its_key_for_the_corrected_post(client, officer_a, hazard_a):
    client.force_login(officer_a)
    url = _url("hazards:add", "workplace", hazard_a)
    key = rendered_key(client.get(url))
    refused = client.post(url, {**_row_data(), "exposed_count": "-1", "submission": key})
    assert refused.status_code == 200 and rendered_key(refused) == key
    assert not SubmissionToken.objects.exists()
    assert client.post(url, {**_row_data(), "submission": key}).status_code == 302
    assert Hazard.objects.count() == 2


@pytest.mark.django_db
def test_a_service_refusal_leaves_the_key_unused(officer_a, hazard_a):
    key = uuid.uuid4()

    def refuse():
        HazardFactory(workplace=hazard_a.workplace)  # written, then rolled back with the key
        raise ValidationError("refused")

    with pytest.raises(ValidationError):
        create_once(token=key, user=officer_a, create=refuse)
    assert not SubmissionToken.objects.exists() and Hazard.objects.count() == 1
    obj, created = create_once(
        token=key, user=officer_a, create=lambda: HazardFactory(workplace=hazard_a.workplace)
    )
    assert created and SubmissionToken.objects.get().created_object == obj


@pytest.mark.django_db
def test_someone_elses_key_shows_nothing_of_theirs(client, officer_a, hazard_a, enterprise_a):
    from enterprises.models import Role
    from tests.factories import UserFactory

    colleague = UserFactory(username="officer_a2", role=Role.OFFICER, enterprise=enterprise_a)
    url = _url("hazards:add", "workplace", hazard_a)
    key = str(uuid.uuid4())
    assert _client(colleague).post(url, {**_row_data(), "submission": key}).status_code == 302
    client.force_login(officer_a)
    response = client.post(url, {**_row_data(), "submission": key})
    assert response.status_code == 200
    assert "already submitted" in " ".join(response.context["form"].non_field_errors())
    assert Hazard.objects.count() == 2


@pytest.mark.django_db
def test_keys_older_than_a_day_are_pruned(client, officer_a, hazard_a, django_capture_on_commit_callbacks):
    old = SubmissionToken.objects.create(token=uuid.uuid4(), user=officer_a)
    SubmissionToken.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=2))
    recent = SubmissionToken.objects.create(token=uuid.uuid4(), user=officer_a)
    client.force_login(officer_a)
    url = _url("hazards:add", "workplace", hazard_a)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {**_row_data(), "submission": str(uuid.uuid4())}).status_code == 302
    assert not SubmissionToken.objects.filter(pk=old.pk).exists()
    assert SubmissionToken.objects.filter(pk=recent.pk).exists()
    assert SubmissionToken.objects.count() == 2


# --- At the same moment (PostgreSQL: SQLite serialises every write) -----------------------------


CONCURRENT = {
    "hazard": ("hazards:add", "workplace", lambda h: _row_data(), Hazard),
    "measure": ("assessments:measure_add", "hazard", lambda h: _measure_data(), ControlMeasure),
    "incident": ("assessments:incident_add", "enterprise", _incident_data, Incident),
    "own hazard": (
        "hazards:own_add",
        "enterprise",
        lambda h: {
            "group": HazardGroup.objects.get(number=5).pk,
            "hazard_name_ru": "Наросты",
            "event_name_ru": "Падение",
        },
        HazardType,
    ),
}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("form", sorted(CONCURRENT))
def test_three_simultaneous_posts_create_one_object(reference_data, form, enterprise_a, officer_a):
    name, argument, data, model = CONCURRENT[form]
    hazard = HazardFactory(workplace=WorkplaceFactory(department__enterprise=enterprise_a))
    url = _url(name, argument, hazard)
    payload = {**data(hazard), "submission": str(uuid.uuid4())}
    before = model.objects.count()
    start = threading.Barrier(3)
    responses, errors = [], []

    def post():
        try:
            client = _client(officer_a)
            start.wait(timeout=10)
            responses.append(client.post(url, payload))
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert [r.status_code for r in responses] == [302, 302, 302]
    assert len({r["Location"] for r in responses}) == 1
    assert model.objects.count() == before + 1
    assert SubmissionToken.objects.filter(token=payload["submission"]).count() == 1
