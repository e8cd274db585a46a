"""Recording incidents against a workplace and its rows, and the list with its filters."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from assessments.models import Incident
from hazards.models import HazardousEvent
from tests.factories import HazardFactory, IncidentFactory, WorkplaceFactory
from tests.submission import with_key

pytest_plugins = ["tests.assessments.test_risk_support"]
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("russian_by_default")]


def _add_url(enterprise, lang="ru"):
    with translation.override(lang):
        return reverse("assessments:incident_add", kwargs={"enterprise_pk": enterprise.pk})


def _list_url(enterprise):
    return reverse("assessments:incidents", kwargs={"enterprise_pk": enterprise.pk})


def _local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def _victims(*rows, blank: int = 0) -> dict:
    """The victims part of a post: rows of (outcome, days[, position]), then ``blank`` rows left
    as the page shows them."""
    data = {"victims-TOTAL_FORMS": str(len(rows) + blank), "victims-INITIAL_FORMS": "0"}
    for i, (outcome, days, *position) in enumerate(rows):
        data |= {f"victims-{i}-outcome": outcome, f"victims-{i}-days_lost": str(days)}
        data[f"victims-{i}-position"] = position[0] if position else ""
    for i in range(len(rows), len(rows) + blank):
        data |= {f"victims-{i}-outcome": "", f"victims-{i}-days_lost": "0", f"victims-{i}-position": ""}
    return data


def _data(hazard, victims=(("light", 5),), **overrides):
    return with_key(
        {
            "kind": "accident",
            "occurred_at": _local(timezone.now() - datetime.timedelta(hours=3)),
            "workplace": hazard.workplace_id,
            "hazards": [hazard.pk],
            "description": "Ушиб кисти при замене ролика конвейера",
            "act_number": "Н-1 № 7",
            **_victims(*victims),
            **overrides,
        }
    )


def test_officer_records_an_accident_and_the_rows_are_flagged(client, hazard_a, officer_a, enterprise_a):
    untouched = HazardFactory(workplace=hazard_a.workplace)
    client.force_login(officer_a)
    response = client.post(_add_url(enterprise_a), _data(hazard_a))
    assert response.status_code == 302 and response["Location"] == _list_url(enterprise_a)
    incident = Incident.objects.get()
    assert incident.reported_by == officer_a and list(incident.hazards.all()) == [hazard_a]
    hazard_a.refresh_from_db()
    untouched.refresh_from_db()
    assert hazard_a.needs_reassessment and not untouched.needs_reassessment


def test_near_miss_names_the_event_it_almost_became(client, hazard_a, officer_a, enterprise_a):
    event = HazardousEvent.objects.get_by_natural_key("5.2")
    client.force_login(officer_a)
    # The page's blank victim row, left as it is: a near miss gets no victim by default.
    data = _data(hazard_a, victims=(), kind="near_miss", event=event.pk) | _victims(blank=1)
    response = client.post(_add_url(enterprise_a), data)
    assert response.status_code == 302
    incident = Incident.objects.get()
    assert incident.event == event and not incident.victims.exists()


def test_a_group_accident_is_recorded_with_each_victims_outcome(client, hazard_a, officer_a, enterprise_a):
    client.force_login(officer_a)
    victims = (("fatal", 0), ("severe", 90, "Горнорабочий подземный"), ("severe", 60))
    response = client.post(
        _add_url(enterprise_a), _data(hazard_a, victims=victims) | {"victims-3-outcome": ""}
    )
    assert response.status_code == 302
    incident = Incident.objects.with_victims().get()
    assert incident.is_group and incident.worst_outcome == "fatal"
    assert sorted(incident.victims.values_list("outcome", "days_lost")) == [
        ("fatal", 0),
        ("severe", 60),
        ("severe", 90),
    ]
    page = client.get(_list_url(enterprise_a)).content.decode()
    assert "Групповой несчастный случай" in page and "погибших: 1" in page
    assert "тяжёлых: 2" in page and ">150<" in page


def test_a_victim_marked_for_removal_is_not_recorded(client, hazard_a, officer_a, enterprise_a):
    client.force_login(officer_a)
    data = _data(hazard_a, victims=(("light", 3), ("severe", 30))) | {"victims-1-DELETE": "on"}
    assert client.post(_add_url(enterprise_a), data).status_code == 302
    assert list(Incident.objects.get().victims.values_list("outcome", flat=True)) == ["light"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"victims": ()}, "at least one victim"),
        ({"kind": "microtrauma"}, "Labour Code, art. 226"),
        ({"kind": "near_miss", "victims": (("light", 0),)}, "near miss harmed nobody"),
        ({"kind": "occupational_disease"}, "concerns one worker"),
    ],
)
def test_victims_that_do_not_fit_the_kind_are_refused_with_a_message(
    client, hazard_a, officer_a, enterprise_a, overrides, message
):
    event = HazardousEvent.objects.get_by_natural_key("5.2")
    client.force_login(officer_a)
    response = client.post(_add_url(enterprise_a, "en"), _data(hazard_a, event=event.pk, **overrides))
    assert response.status_code == 200
    assert message in " ".join(response.context["victims"].non_form_errors())
    assert message in response.content.decode()
    assert not Incident.objects.exists()


@pytest.mark.parametrize(
    ("victims", "field"),
    [((("fatal", 3),), "days_lost"), ((("light", -1),), "days_lost"), ((("group", 0),), "outcome")],
)
def test_a_bad_victim_gets_a_message_beside_its_field(
    client, hazard_a, officer_a, enterprise_a, victims, field
):
    client.force_login(officer_a)
    response = client.post(_add_url(enterprise_a), _data(hazard_a, victims=victims))
    assert response.status_code == 200
    assert field in response.context["victims"].forms[0].errors
    assert not Incident.objects.exists()


def test_the_blank_form_offers_no_victim_until_an_accident_is_chosen(client, officer_a, enterprise_a):
    client.force_login(officer_a)
    response = client.get(_add_url(enterprise_a))
    assert response.context["victims"].total_form_count() == 0
    page = response.content.decode()
    assert 'name="victims-0-outcome"' not in page and 'id="victims-choose-kind"' in page


@pytest.mark.parametrize("kind", ["near_miss", "microtrauma", "occupational_disease"])
def test_a_kind_without_victims_starts_with_none(client, officer_a, enterprise_a, kind):
    client.force_login(officer_a)
    response = client.get(_add_url(enterprise_a), {"kind": kind})
    assert response.context["victims"].total_form_count() == 0
    assert response.context["form"].initial["kind"] == kind
    page = response.content.decode()
    assert 'name="victims-0-outcome"' not in page and 'id="victims-not-for-kind"' in page


def test_an_accident_starts_with_one_empty_victim_row(client, officer_a, enterprise_a):
    client.force_login(officer_a)
    response = client.get(_add_url(enterprise_a), {"kind": "accident"})
    victims = response.context["victims"]
    assert victims.total_form_count() == 1 and not victims.forms[0].initial.get("outcome")
    page = response.content.decode()
    assert 'name="victims-0-outcome"' in page and 'id="add-victim"' in page


def test_a_near_miss_posted_with_the_old_blank_row_records_no_victim(
    client, hazard_a, officer_a, enterprise_a
):
    client.force_login(officer_a)
    data = _data(hazard_a, victims=(), kind="near_miss", event=hazard_a.event_id) | _victims(blank=1)
    response = client.post(_add_url(enterprise_a), data)
    assert response.status_code == 302
    incident = Incident.objects.get()
    assert incident.kind == "near_miss" and not incident.victims.exists() and incident.people_count == 0


def test_add_another_victim_without_javascript_keeps_what_was_typed(
    client, hazard_a, officer_a, enterprise_a
):
    client.force_login(officer_a)
    data = _data(hazard_a, victims=(("severe", 40, "Проходчик"),), description="") | {"add_victim": "1"}
    response = client.post(_add_url(enterprise_a), data)
    assert response.status_code == 200 and not Incident.objects.exists()
    victims = response.context["victims"]
    assert victims.total_form_count() == 2
    assert victims.forms[0].initial == {"outcome": "severe", "days_lost": "40", "position": "Проходчик"}
    page = response.content.decode()
    assert 'name="victims-1-outcome"' in page and 'value="Проходчик"' in page
    assert "invalid-feedback" not in page  # not sent yet: no errors shown
    assert response.context["form"].initial["kind"] == "accident"


def test_add_another_victim_with_htmx_returns_the_victims_only(client, hazard_a, officer_a, enterprise_a):
    client.force_login(officer_a)
    data = _data(hazard_a, victims=(("light", 2),)) | {"add_victim": "1"}
    response = client.post(_add_url(enterprise_a), data, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.startswith('<section class="card mb-3" id="incident-victims"')
    assert 'name="victims-1-outcome"' in html and not Incident.objects.exists()


def test_choosing_the_kind_with_htmx_shows_victims_for_an_accident_only(
    client, hazard_a, officer_a, enterprise_a
):
    client.force_login(officer_a)
    headers = {"HX-Request": "true", "HX-Target": "incident-victims"}
    typed = _victims(("light", 2))
    near_miss = client.get(_add_url(enterprise_a), {"kind": "near_miss", **typed}, headers=headers)
    assert 'name="victims-0-outcome"' not in near_miss.content.decode()
    assert near_miss.context["victims"].total_form_count() == 0
    accident = client.get(_add_url(enterprise_a), {"kind": "accident", **typed}, headers=headers)
    assert accident.context["victims"].forms[0].initial["outcome"] == "light"
    fresh = client.get(_add_url(enterprise_a), {"kind": "accident", **_victims()}, headers=headers)
    assert fresh.context["victims"].total_form_count() == 1


def test_workplace_in_the_query_preselects_it_and_lists_its_rows(client, hazard_a, officer_a, enterprise_a):
    other_workplace_row = HazardFactory(workplace=WorkplaceFactory(department=hazard_a.workplace.department))
    client.force_login(officer_a)
    page = client.get(_add_url(enterprise_a), {"workplace": hazard_a.workplace_id}).content.decode()
    assert f'value="{hazard_a.pk}"' in page and 'name="hazards"' in page
    assert f'name="hazards" value="{other_workplace_row.pk}"' not in page


def test_htmx_returns_only_the_chosen_workplaces_rows(client, hazard_a, officer_a, enterprise_a):
    client.force_login(officer_a)
    response = client.get(
        _add_url(enterprise_a), {"workplace": hazard_a.workplace_id}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert html.startswith('<div id="incident-hazards">') and f'value="{hazard_a.pk}"' in html


@pytest.mark.parametrize(
    ("overrides", "field_with_error"),
    [
        ({"kind": "near_miss", "victims": ()}, "event"),
        ({"occurred_at": "2999-01-01T10:00"}, "occurred_at"),
        ({"occurred_at": "вчера"}, "occurred_at"),
        ({"description": ""}, "description"),
        ({"kind": "explosion"}, "kind"),
        ({"workplace": ""}, "workplace"),
    ],
)
def test_bad_input_gets_a_message_beside_the_field_and_records_nothing(
    client, hazard_a, officer_a, enterprise_a, overrides, field_with_error
):
    client.force_login(officer_a)
    response = client.post(_add_url(enterprise_a), _data(hazard_a, **overrides))
    assert response.status_code == 200
    assert field_with_error in response.context["form"].errors
    assert not Incident.objects.exists()
    hazard_a.refresh_from_db()
    assert not hazard_a.needs_reassessment


def test_rows_of_another_workplace_cannot_be_linked(client, hazard_a, officer_a, enterprise_a):
    elsewhere = HazardFactory(workplace=WorkplaceFactory(department=hazard_a.workplace.department))
    client.force_login(officer_a)
    response = client.post(_add_url(enterprise_a), _data(hazard_a, hazards=[elsewhere.pk]))
    assert "hazards" in response.context["form"].errors
    assert not Incident.objects.exists()


def test_workplace_and_rows_of_another_enterprise_cannot_be_used(
    client, hazard_a, hazard_b, officer_a, enterprise_a
):
    client.force_login(officer_a)
    response = client.post(
        _add_url(enterprise_a), _data(hazard_a, workplace=hazard_b.workplace_id, hazards=[hazard_b.pk])
    )
    assert "workplace" in response.context["form"].errors
    assert not Incident.objects.exists()


def test_reviewer_cannot_record_and_other_enterprise_is_404(
    client, hazard_a, reviewer_region, officer_b, enterprise_a
):
    client.force_login(reviewer_region)
    assert client.get(_add_url(enterprise_a)).status_code == 403
    assert client.post(_add_url(enterprise_a), _data(hazard_a)).status_code == 403
    client.force_login(officer_b)
    assert client.post(_add_url(enterprise_a), _data(hazard_a)).status_code == 404
    assert not Incident.objects.exists()


def test_recording_needs_csrf(hazard_a, officer_a, enterprise_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer_a)
    assert client.post(_add_url(enterprise_a), _data(hazard_a)).status_code == 403


# --- The list -----------------------------------------------------------------------------------


def test_list_filters_by_kind_and_period(client, hazard_a, officer_a, enterprise_a):
    workplace = hazard_a.workplace
    now = timezone.now()
    old = IncidentFactory(
        workplace=workplace,
        kind="microtrauma",
        description="Давний порез",
        occurred_at=now - datetime.timedelta(days=400),
    )
    recent = IncidentFactory(
        workplace=workplace,
        kind="microtrauma",
        description="Свежий ушиб",
        occurred_at=now - datetime.timedelta(days=2),
    )
    near = IncidentFactory(workplace=workplace, kind="near_miss", description="Падение породы рядом")
    client.force_login(officer_a)

    def shown(**query):
        return {i.pk for i in client.get(_list_url(enterprise_a), query).context["page"]}

    assert shown() == {old.pk, recent.pk, near.pk}
    assert shown(kind="microtrauma") == {old.pk, recent.pk}
    since = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    assert shown(kind="microtrauma", date_from=since) == {recent.pk}
    until = (timezone.localdate() - datetime.timedelta(days=100)).isoformat()
    assert shown(date_to=until) == {old.pk}


def test_list_period_the_wrong_way_round_gets_a_message(client, officer_a, enterprise_a):
    client.force_login(officer_a)
    response = client.get(_list_url(enterprise_a), {"date_from": "2025-02-01", "date_to": "2025-01-01"})
    assert response.status_code == 200
    assert "date_to" in response.context["filters"].errors


def test_list_scope(
    client, hazard_a, enterprise_a, enterprise_b, reviewer_region, reviewer_other_region, officer_a
):
    IncidentFactory(workplace=hazard_a.workplace)
    client.force_login(reviewer_region)
    page = client.get(_list_url(enterprise_a)).content.decode()
    assert _add_url(enterprise_a) not in page  # read-only: no button to record
    client.force_login(reviewer_other_region)
    assert client.get(_list_url(enterprise_a)).status_code == 404
    client.force_login(officer_a)
    assert client.get(_list_url(enterprise_b)).status_code == 404
    assert _add_url(enterprise_a) in client.get(_list_url(enterprise_a)).content.decode()


def _list_queries(client, user, enterprise, count: int) -> int:
    workplace = WorkplaceFactory(department__enterprise=enterprise)
    rows = [HazardFactory(workplace=workplace) for _ in range(3)]
    event = HazardousEvent.objects.get_by_natural_key("5.2")
    for i in range(count):
        if i % 3:
            incident = IncidentFactory(workplace=workplace, event=event if i % 2 else None)
        else:
            incident = IncidentFactory(
                workplace=workplace, kind="accident", victims=[("fatal", 0), ("light", 4)]
            )
        incident.hazards.set(rows[: 1 + i % 3])
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(_list_url(enterprise)).status_code == 200
    return len(queries)


def test_list_query_count_does_not_grow_with_incidents(client, enterprise_a, enterprise_b, federal):
    # 50 rows span two pages of 25: the page itself must cost the same as one of 5.
    assert _list_queries(client, federal, enterprise_a, 5) == _list_queries(client, federal, enterprise_b, 50)


@pytest.mark.parametrize("workplace", ["9" * 30, "١٢", "-1"])
def test_a_workplace_id_out_of_range_is_ignored_not_a_500(
    client, hazard_a, officer_a, enterprise_a, workplace
):
    client.force_login(officer_a)
    assert client.get(_add_url(enterprise_a), {"workplace": workplace}).status_code == 200
    data = _data(hazard_a, workplace=workplace) | {"add_victim": "1"}
    response = client.post(_add_url(enterprise_a), data)
    assert response.status_code == 200 and not Incident.objects.exists()


def test_row_page_and_overview_show_each_accidents_victims(client, hazard_a, officer_a, enterprise_a):
    accident = IncidentFactory(
        workplace=hazard_a.workplace, kind="accident", victims=[("fatal", 0), ("severe", 20)]
    )
    accident.hazards.add(hazard_a)
    client.force_login(officer_a)
    row = client.get(reverse("assessments:hazard", kwargs={"pk": hazard_a.pk})).content.decode()
    assert "Групповой несчастный случай" in row and "погибших: 1" in row and "тяжёлых: 1" in row
    assert ">20<" in row
    overview = client.get(reverse("assessments:overview", kwargs={"enterprise_pk": enterprise_a.pk}))
    assert "Групповой несчастный случай" in overview.content.decode()
