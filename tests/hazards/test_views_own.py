"""An enterprise's own hazards (Order 36): coded after their group, chosen like catalogue events
by their enterprise only."""

import pytest
from django.urls import reverse
from django.utils import translation

from hazards.models import HazardGroup, HazardousEvent, HazardType
from tests.factories import WorkplaceFactory
from tests.submission import with_key

pytestmark = pytest.mark.django_db


def own_url(enterprise, query=""):
    with translation.override("en"):
        return reverse("hazards:own_add", args=[enterprise.pk]) + query


def test_own_hazard_and_event_are_numbered_within_their_group(client, officer_a, enterprise_a):
    group = HazardGroup.objects.get(number=5)
    client.force_login(officer_a)
    data = {"group": group.pk, "hazard_name_ru": "Соляные наросты", "event_name_ru": "Падение нароста"}
    assert client.post(own_url(enterprise_a), with_key(data)).status_code == 302
    first = HazardousEvent.objects.get(enterprise=enterprise_a)
    assert (first.code, first.hazard_type.code, first.hazard_type.group) == ("5.С1", "5-С1", group)

    data = {"group": group.pk, "hazard_type": first.hazard_type.pk, "event_name_ru": "Обрушение нароста"}
    assert client.post(own_url(enterprise_a), with_key(data)).status_code == 302
    second = HazardousEvent.objects.get(enterprise=enterprise_a, name_ru="Обрушение нароста")
    assert (second.code, second.hazard_type) == ("5.С2", first.hazard_type)
    assert HazardType.objects.filter(enterprise=enterprise_a).count() == 1


def test_after_adding_from_the_hazard_form_it_is_chosen_there(client, officer_a, enterprise_a):
    workplace = WorkplaceFactory(department__enterprise=enterprise_a)
    client.force_login(officer_a)
    data = {
        "group": HazardGroup.objects.get(number=3).pk,
        "hazard_name_ru": "Лёд",
        "event_name_ru": "Падение",
    }
    response = client.post(own_url(enterprise_a, f"?workplace={workplace.pk}"), with_key(data))
    event = HazardousEvent.objects.get(enterprise=enterprise_a)
    with translation.override("en"):
        assert response["Location"] == f"{reverse('hazards:add', args=[workplace.pk])}?event={event.pk}"
    form = client.get(response["Location"]).context["form"]
    assert str(form["event"].value()) == str(event.pk)


def test_a_new_hazard_needs_a_name(client, officer_a, enterprise_a):
    client.force_login(officer_a)
    response = client.post(
        own_url(enterprise_a), with_key(group=HazardGroup.objects.get(number=3).pk, event_name_ru="Падение")
    )
    assert "hazard_name_ru" in response.context["form"].errors
    assert not HazardousEvent.objects.filter(enterprise=enterprise_a).exists()


def test_another_enterprises_own_hazard_cannot_be_extended(
    client, officer_a, officer_b, enterprise_a, enterprise_b
):
    group = HazardGroup.objects.get(number=3)
    client.force_login(officer_b)
    client.post(
        own_url(enterprise_b), with_key(group=group.pk, hazard_name_ru="Чужая", event_name_ru="Чужое")
    )
    foreign = HazardType.objects.get(enterprise=enterprise_b)
    client.force_login(officer_a)
    response = client.post(
        own_url(enterprise_a), with_key(group=group.pk, hazard_type=foreign.pk, event_name_ru="X")
    )
    assert "hazard_type" in response.context["form"].errors
    assert not HazardousEvent.objects.filter(enterprise=enterprise_a).exists()


@pytest.mark.parametrize(("persona", "status_code"), [("reviewer_region", 403), ("officer_b", 404)])
def test_others_cannot_add_own_hazards(client, request, enterprise_a, persona, status_code):
    client.force_login(request.getfixturevalue(persona))
    data = {
        "group": HazardGroup.objects.get(number=3).pk,
        "hazard_name_ru": "Лёд",
        "event_name_ru": "Падение",
    }
    assert client.post(own_url(enterprise_a), with_key(data)).status_code == status_code
    assert not HazardousEvent.objects.filter(enterprise=enterprise_a).exists()
