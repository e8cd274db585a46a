"""An incident's own page, its correction (same rules as recording it, optimistic locking, a
history of changes) and its cancellation with a reason, which takes it out of the figures."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from assessments import services
from assessments.models import Incident, IncidentKind
from dashboards import rollups
from hazards.services import version_token
from tests.factories import HazardFactory, IncidentFactory, WorkplaceFactory

pytest_plugins = ["tests.assessments.test_risk_support"]
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("russian_by_default")]


def _url(name, incident):
    with translation.override("ru"):
        return reverse(f"assessments:{name}", args=[incident.pk])


def _local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def _accident(hazard, officer, victims=(("light", 3),)):
    return services.incident_record(
        workplace=hazard.workplace,
        kind=IncidentKind.ACCIDENT,
        occurred_at=timezone.now() - datetime.timedelta(days=2),
        description="Ушиб кисти при замене ролика конвейера",
        victims=[{"outcome": o, "days_lost": d, "position": "Машинист"} for o, d in victims],
        hazards=[hazard],
        act_number="7",
        reported_by=officer,
    )


def _edit_data(incident, **overrides):
    data = {
        "kind": incident.kind,
        "occurred_at": _local(incident.occurred_at),
        "workplace": incident.workplace_id,
        "hazards": [h.pk for h in incident.hazards.all()],
        "description": incident.description,
        "event": incident.event_id or "",
        "act_number": incident.act_number,
        "version": version_token(incident.updated_at),
        "victims-TOTAL_FORMS": "0",
        "victims-INITIAL_FORMS": "0",
    }
    for i, victim in enumerate(incident.victims.order_by("id")):
        data |= {
            f"victims-{i}-outcome": victim.outcome,
            f"victims-{i}-days_lost": str(victim.days_lost),
            f"victims-{i}-position": victim.position,
        }
        data["victims-TOTAL_FORMS"] = str(i + 1)
    return data | overrides


# --- Services -------------------------------------------------------------------------------------


def test_correction_changes_fields_and_victims_and_keeps_the_history(hazard_a, officer_a):
    incident = _accident(hazard_a, officer_a)
    records = incident.history.count()
    services.incident_update(
        incident=incident,
        kind=IncidentKind.ACCIDENT,
        occurred_at=incident.occurred_at,
        description="Ушиб кисти и перелом пальца",
        workplace=incident.workplace,
        victims=[{"outcome": "severe", "days_lost": 40}, {"outcome": "light", "days_lost": 2}],
        hazards=[hazard_a],
        act_number="7",
        version=version_token(incident.updated_at),
    )
    incident = Incident.objects.with_victims().get(pk=incident.pk)
    assert incident.description == "Ушиб кисти и перелом пальца"
    assert incident.is_group and (incident.severe_count, incident.days_lost) == (1, 42)
    assert incident.history.count() == records + 1


def test_correction_from_a_stale_form_is_refused_and_writes_nothing(hazard_a, officer_a):
    incident = _accident(hazard_a, officer_a)
    stale = version_token(incident.updated_at)
    Incident.objects.filter(pk=incident.pk).update(updated_at=timezone.now() + datetime.timedelta(seconds=1))
    with pytest.raises(ValidationError) as error:
        services.incident_update(
            incident=incident,
            kind=IncidentKind.ACCIDENT,
            occurred_at=incident.occurred_at,
            description="Другое",
            workplace=incident.workplace,
            victims=[{"outcome": "light", "days_lost": 3}],
            version=stale,
        )
    assert error.value.code == "stale"
    assert Incident.objects.get(pk=incident.pk).description == "Ушиб кисти при замене ролика конвейера"


def test_correction_follows_the_rules_of_recording(hazard_a, officer_a):
    incident = _accident(hazard_a, officer_a)
    with pytest.raises(ValidationError) as error:
        services.incident_update(
            incident=incident,
            kind=IncidentKind.NEAR_MISS,
            occurred_at=incident.occurred_at,
            description=incident.description,
            workplace=incident.workplace,
            victims=[{"outcome": "light", "days_lost": 3}],
        )
    assert "victims" in error.value.error_dict
    assert Incident.objects.get(pk=incident.pk).kind == IncidentKind.ACCIDENT


def test_correction_flags_only_newly_linked_rows(hazard_a, officer_a):
    incident = _accident(hazard_a, officer_a)
    hazard_a.refresh_from_db()
    hazard_a.needs_reassessment = False
    hazard_a.save()
    other = HazardFactory(workplace=hazard_a.workplace)
    services.incident_update(
        incident=incident,
        kind=incident.kind,
        occurred_at=incident.occurred_at,
        description=incident.description,
        workplace=incident.workplace,
        victims=[{"outcome": "light", "days_lost": 3, "position": "Машинист"}],
        hazards=[hazard_a, other],
        act_number="7",
    )
    hazard_a.refresh_from_db()
    other.refresh_from_db()
    assert other.needs_reassessment and not hazard_a.needs_reassessment
    assert set(incident.hazards.values_list("pk", flat=True)) == {hazard_a.pk, other.pk}


def test_rows_of_another_enterprise_cannot_be_linked_by_a_correction(hazard_a, hazard_b, officer_a):
    incident = _accident(hazard_a, officer_a)
    with pytest.raises(ValidationError):
        services.incident_update(
            incident=incident,
            kind=incident.kind,
            occurred_at=incident.occurred_at,
            description=incident.description,
            workplace=incident.workplace,
            victims=[{"outcome": "light", "days_lost": 3}],
            hazards=[hazard_b],
        )
    assert list(incident.hazards.all()) == [hazard_a]


def test_cancellation_needs_a_reason_and_records_who_and_when(hazard_a, officer_a):
    incident = _accident(hazard_a, officer_a)
    with pytest.raises(ValidationError):
        services.incident_cancel(incident=incident, user=officer_a, reason="  ")
    assert not Incident.objects.get(pk=incident.pk).is_cancelled
    services.incident_cancel(incident=incident, user=officer_a, reason="Записан дважды")
    incident = Incident.objects.get(pk=incident.pk)
    assert incident.is_cancelled and incident.cancelled_by == officer_a
    assert incident.cancel_reason == "Записан дважды"
    assert not Incident.objects.active().filter(pk=incident.pk).exists()
    with pytest.raises(ValidationError):
        services.incident_update(
            incident=incident,
            kind=incident.kind,
            occurred_at=incident.occurred_at,
            description="Другое",
            workplace=incident.workplace,
            victims=[{"outcome": "light", "days_lost": 3}],
        )


def test_figures_follow_a_correction_and_a_cancellation(hazard_a, officer_a):
    enterprise_id = hazard_a.enterprise_id
    incident = _accident(hazard_a, officer_a)

    def month():
        computed = rollups.compute([enterprise_id])
        key = (enterprise_id, timezone.localtime(incident.occurred_at).date().replace(day=1))
        row = computed.months[key]
        return row.get("accidents", 0), row.get("accident_victims", 0), row.get("days_lost", 0)

    assert month() == (1, 1, 3)
    before = timezone.now()
    # Only the victims change: the incident is saved all the same, so the roll-ups see it.
    services.incident_update(
        incident=incident,
        kind=incident.kind,
        occurred_at=incident.occurred_at,
        description=incident.description,
        workplace=incident.workplace,
        victims=[{"outcome": "light", "days_lost": 3}, {"outcome": "severe", "days_lost": 20}],
        hazards=[hazard_a],
        act_number="7",
        version=version_token(incident.updated_at),
    )
    assert enterprise_id in rollups.changed_enterprise_ids(before)
    assert month() == (1, 2, 23)
    before = timezone.now()
    services.incident_cancel(incident=incident, user=officer_a, reason="Не связан с производством")
    assert enterprise_id in rollups.changed_enterprise_ids(before)
    assert month() == (0, 0, 0)


# --- Views ----------------------------------------------------------------------------------------


def test_detail_shows_everything_recorded_and_the_list_links_to_it(client, hazard_a, officer_a, enterprise_a):
    incident = _accident(hazard_a, officer_a, victims=(("fatal", 0), ("severe", 30)))
    client.force_login(officer_a)
    listing = client.get(reverse("assessments:incidents", args=[enterprise_a.pk])).content.decode()
    assert _url("incident", incident) in listing
    page = client.get(_url("incident", incident)).content.decode()
    for text in ("Ушиб кисти при замене ролика конвейера", "Машинист", "Групповой несчастный случай"):
        assert text in page
    assert reverse("assessments:hazard", args=[hazard_a.pk]) in page
    assert _url("incident_edit", incident) in page and _url("incident_cancel", incident) in page
    assert 'id="history"' in page


def test_the_edit_form_is_filled_in_and_a_correction_is_saved_with_history(
    client, hazard_a, officer_a, enterprise_a
):
    incident = _accident(hazard_a, officer_a)
    client.force_login(officer_a)
    response = client.get(_url("incident_edit", incident))
    assert response.context["form"].initial["description"] == incident.description
    assert response.context["victims"].forms[0].initial["outcome"] == "light"
    data = _edit_data(incident, description="Перелом пальца", **{"victims-0-days_lost": "12"})
    response = client.post(_url("incident_edit", incident), data)
    assert response.status_code == 302 and response["Location"] == _url("incident", incident)
    incident = Incident.objects.with_victims().get(pk=incident.pk)
    assert incident.description == "Перелом пальца" and incident.days_lost == 12
    page = client.get(_url("incident", incident)).content.decode()
    assert "Перелом пальца" in page and "officer_a" in page
    assert "Ушиб кисти при замене ролика конвейера → Перелом пальца" in page


def test_a_stale_edit_is_refused_with_a_message_and_writes_nothing(client, hazard_a, officer_a):
    incident = _accident(hazard_a, officer_a)
    client.force_login(officer_a)
    data = _edit_data(incident, description="Моя правка")
    Incident.objects.filter(pk=incident.pk).update(updated_at=timezone.now() + datetime.timedelta(seconds=1))
    response = client.post(_url("incident_edit", incident), data)
    assert response.status_code == 200
    assert "Пока вы редактировали" in response.content.decode()
    assert Incident.objects.get(pk=incident.pk).description != "Моя правка"


def test_an_edit_without_its_version_is_refused(client, hazard_a, officer_a):
    incident = _accident(hazard_a, officer_a)
    client.force_login(officer_a)
    data = _edit_data(incident, description="Моя правка")
    del data["version"]
    assert client.post(_url("incident_edit", incident), data).status_code == 200
    assert Incident.objects.get(pk=incident.pk).description != "Моя правка"


def test_an_edit_of_a_near_miss_starts_without_victims(client, officer_a, enterprise_a):
    incident = IncidentFactory(workplace=WorkplaceFactory(department__enterprise=enterprise_a))
    client.force_login(officer_a)
    response = client.get(_url("incident_edit", incident))
    assert response.context["victims"].total_form_count() == 0
    assert 'name="victims-0-outcome"' not in response.content.decode()


def test_htmx_parts_of_the_edit_form_post_back_to_the_edit_page(client, hazard_a, officer_a):
    incident = _accident(hazard_a, officer_a)
    client.force_login(officer_a)
    headers = {"HX-Request": "true", "HX-Target": "incident-victims"}
    response = client.get(
        _url("incident_edit", incident),
        {"kind": "accident", "victims-TOTAL_FORMS": "0", "victims-INITIAL_FORMS": "0"},
        headers=headers,
    )
    html = response.content.decode()
    assert html.startswith('<section class="card mb-3" id="incident-victims"')
    assert f'hx-get="{_url("incident_edit", incident)}"' in html


def test_cancel_with_a_reason_shows_it_cancelled_and_hides_it_from_the_list(
    client, hazard_a, officer_a, enterprise_a
):
    incident = _accident(hazard_a, officer_a)
    client.force_login(officer_a)
    form = client.get(_url("incident_cancel", incident)).context["form"]
    empty = client.post(
        _url("incident_cancel", incident), {"reason": " ", "version": form["version"].initial}
    )
    assert empty.status_code == 200 and not Incident.objects.get(pk=incident.pk).is_cancelled
    response = client.post(
        _url("incident_cancel", incident), {"reason": "Записан дважды", "version": form["version"].initial}
    )
    assert response.status_code == 302
    page = client.get(_url("incident", incident)).content.decode()
    assert 'id="incident-cancelled"' in page and "Записан дважды" in page
    assert _url("incident_edit", incident) not in page
    list_url = reverse("assessments:incidents", args=[enterprise_a.pk])
    assert _url("incident", incident) not in client.get(list_url).content.decode()
    with_cancelled = client.get(list_url, {"cancelled": "on"}).content.decode()
    assert _url("incident", incident) in with_cancelled and "Отменено" in with_cancelled
    # A cancelled incident is not corrected.
    assert client.get(_url("incident_edit", incident)).status_code == 302


@pytest.mark.parametrize("name", ["incident_edit", "incident_cancel"])
def test_reviewer_may_read_but_not_change_and_others_get_404(
    client, hazard_a, officer_a, officer_b, reviewer_region, name
):
    incident = _accident(hazard_a, officer_a)
    records = incident.history.count()
    client.force_login(reviewer_region)
    assert client.get(_url("incident", incident)).status_code == 200
    assert client.get(_url(name, incident)).status_code == 403
    assert client.post(_url(name, incident), _edit_data(incident, reason="x")).status_code == 403
    client.force_login(officer_b)
    assert client.get(_url("incident", incident)).status_code == 404
    assert client.post(_url(name, incident), _edit_data(incident, reason="x")).status_code == 404
    incident.refresh_from_db()
    assert not incident.is_cancelled and incident.history.count() == records


def test_detail_query_count_does_not_grow_with_victims_rows_and_history(client, officer_a, enterprise_a):
    workplace = WorkplaceFactory(department__enterprise=enterprise_a)

    def count_for(size):
        hazards = [HazardFactory(workplace=workplace) for _ in range(size)]
        incident = services.incident_record(
            workplace=workplace,
            kind=IncidentKind.ACCIDENT,
            occurred_at=timezone.now() - datetime.timedelta(days=1),
            description="Случай",
            victims=[{"outcome": "light", "days_lost": 1}] * size,
            hazards=hazards[:1],
        )
        for i in range(size):
            services.incident_update(
                incident=incident,
                kind=IncidentKind.ACCIDENT,
                occurred_at=incident.occurred_at,
                description=f"Случай, правка {i}",
                workplace=workplace,
                victims=[{"outcome": "light", "days_lost": i + 2}] * size,
                hazards=hazards[: i + 2],
            )
        client.force_login(officer_a)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_url("incident", incident)).status_code == 200
        return len(queries)

    assert count_for(1) == count_for(6)


def test_htmx_workplace_change_on_the_edit_form_lists_that_workplaces_rows(client, hazard_a, officer_a):
    incident = _accident(hazard_a, officer_a)
    elsewhere = HazardFactory(workplace=WorkplaceFactory(department=hazard_a.workplace.department))
    client.force_login(officer_a)
    response = client.get(
        _url("incident_edit", incident),
        {"workplace": elsewhere.workplace_id},
        headers={"HX-Request": "true", "HX-Target": "incident-hazards"},
    )
    html = response.content.decode()
    assert html.startswith('<div id="incident-hazards">')
    assert f'value="{elsewhere.pk}"' in html and f'value="{hazard_a.pk}"' not in html
