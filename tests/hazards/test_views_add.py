"""Adding a register row from the 776n catalogue: search, suggestions, saving, refusals."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from hazards.models import Hazard, HazardousEvent
from hazards.services import own_event_add
from tests.factories import EnterpriseFactory, WorkplaceFactory
from tests.submission import with_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def workplace_a(enterprise_a):
    return WorkplaceFactory(
        department__enterprise=enterprise_a, number="5", position="Горнорабочий", headcount_total=7
    )


def add_url(workplace):
    with translation.override("en"):
        return reverse("hazards:add", args=[workplace.pk])


def event(code):
    return HazardousEvent.objects.get_by_natural_key(code)


VALID = {
    "source": "Ленточный конвейер",
    "activity": "routine",
    "object_description": "Конвейерная линия",
    "existing_controls": "Ограждение",
    "exposed_description": "Машинисты",
    "exposed_count": "3",
    "next_review_on": "2027-05-01",
}


def test_form_offers_the_grouped_catalogue_and_suggests_headcount(client, officer_a, workplace_a):
    client.force_login(officer_a)
    response = client.get(add_url(workplace_a))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<optgroup label="8. ' in html
    assert f'<option value="{event("8.1").pk}">8.1 ' in html
    assert response.context["form"]["exposed_count"].value() == 7


def test_saving_adds_the_row_and_opens_its_page(client, officer_a, workplace_a):
    client.force_login(officer_a)
    response = client.post(add_url(workplace_a), with_key(VALID, event=event("8.1").pk))
    row = Hazard.objects.get(workplace=workplace_a)
    assert response.status_code == 302
    with translation.override("en"):
        assert response["Location"] == reverse("assessments:hazard", args=[row.pk])
    assert (row.event.code, row.source, row.exposed_count, row.identified_by) == (
        "8.1",
        "Ленточный конвейер",
        3,
        officer_a,
    )
    assert row.enterprise == workplace_a.enterprise
    assert row.identified_on == timezone.localdate()
    assert row.history.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"event": ""}, "event"),
        ({"event": "999999"}, "event"),
        ({"source": ""}, "source"),
        ({"exposed_count": "-1"}, "exposed_count"),
        ({"exposed_count": "много"}, "exposed_count"),
        ({"activity": "always"}, "activity"),
        ({"next_review_on": "31.02.2027"}, "next_review_on"),
    ],
)
def test_bad_input_is_reported_beside_the_field_and_saves_nothing(
    client, officer_a, workplace_a, change, field
):
    client.force_login(officer_a)
    response = client.post(add_url(workplace_a), with_key({**VALID, "event": event("8.1").pk, **change}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Hazard.objects.exists()


def test_another_enterprises_own_event_cannot_be_chosen(client, officer_a, workplace_a, enterprise_b):
    foreign = own_event_add(
        enterprise=enterprise_b,
        group=event("3.1").hazard_type.group,
        event_name_ru="Чужое",
        hazard_name_ru="Чужая",
    )
    client.force_login(officer_a)
    response = client.post(add_url(workplace_a), with_key(VALID, event=foreign.pk))
    assert "event" in response.context["form"].errors
    assert not Hazard.objects.exists()


def test_an_archived_workplace_takes_no_new_rows(client, officer_a, workplace_a):
    workplace_a.archived_at = timezone.now()
    workplace_a.save()
    client.force_login(officer_a)
    assert client.post(add_url(workplace_a), with_key(VALID, event=event("8.1").pk)).status_code == 404
    assert not Hazard.objects.exists()


def test_reviewer_gets_403_and_officer_of_another_enterprise_404(
    client, reviewer_region, officer_b, workplace_a
):
    client.force_login(reviewer_region)
    assert client.get(add_url(workplace_a)).status_code == 403
    assert client.post(add_url(workplace_a), with_key(VALID, event=event("8.1").pk)).status_code == 403
    client.force_login(officer_b)
    assert client.post(add_url(workplace_a), with_key(VALID, event=event("8.1").pk)).status_code == 404
    assert not Hazard.objects.exists()


def test_adding_needs_the_csrf_token(officer_a, workplace_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer_a)
    assert client.post(add_url(workplace_a), with_key(VALID, event=event("8.1").pk)).status_code == 403
    assert not Hazard.objects.exists()


# --- Catalogue search and suggestions --------------------------------------------------------------


def search(client, headers=None, **params):
    with translation.override("en"):
        url = reverse("hazards:catalogue_search")
    return client.get(url, params, headers=headers)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("8.1", {"8.1"}),
        ("13.1", {"13.1", "13.10"}),
        ("конвейер", set()),
        ("подвижн", {"8.1"}),
        ("ПОДВИЖН", {"8.1"}),
        ("drowning tank", {"4.4"}),
        ("Падение высоты", {"3.2"}),
    ],
)
def test_catalogue_search_by_code_and_words_in_russian_and_english(client, officer_a, query, expected):
    client.force_login(officer_a)
    codes = {item["code"] for item in search(client, q=query).json()["results"]}
    assert expected <= codes if expected else codes == set()
    if query in ("8.1", "drowning tank"):
        assert codes == expected


def test_catalogue_search_offers_own_events_to_their_enterprise_only(
    client, officer_a, officer_b, enterprise_a
):
    own = own_event_add(
        enterprise=enterprise_a,
        group=event("3.1").hazard_type.group,
        hazard_name_ru="Соляные наросты на кровле",
        event_name_ru="Падение соляного нароста",
    )
    client.force_login(officer_a)
    assert own.code in {item["code"] for item in search(client, q="нароста").json()["results"]}
    client.force_login(officer_b)
    assert search(client, q="нароста").json()["results"] == []
    assert search(client, q="x", enterprise=enterprise_a.pk).status_code == 404


def test_catalogue_search_for_htmx_returns_the_narrowed_select(client, officer_a, enterprise_a):
    client.force_login(officer_a)
    response = search(
        client,
        q="4.4",
        enterprise=enterprise_a.pk,
        event=str(event("4.4").pk),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<option") == 1
    assert f'value="{event("4.4").pk}" selected' in html


def test_model_measures_of_the_chosen_event_are_suggested(client, officer_a):
    client.force_login(officer_a)
    with translation.override("en"):
        url = reverse("hazards:model_measures")
    response = client.get(url, {"event": event("8.1").pk})
    assert response.status_code == 200
    measures = list(response.context["model_measures"])
    assert measures and all(m.code.startswith("8.1.") for m in measures)
    assert measures[0].name_ru in response.content.decode()


def test_own_events_of_another_enterprise_stay_hidden_from_suggestions(client, officer_a):
    other = EnterpriseFactory()
    foreign = own_event_add(
        enterprise=other, group=event("3.1").hazard_type.group, hazard_name_ru="Чужая", event_name_ru="Чужое"
    )
    client.force_login(officer_a)
    response = client.get(reverse("hazards:model_measures"), {"event": foreign.pk})
    assert response.context["event"] is None
