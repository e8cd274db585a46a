import pytest

from documents.cards import card_group, card_is_stale, card_issue, register_fingerprint
from tests.factories import ControlMeasureFactory, HazardFactory, WorkplaceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(officer_a):
    return officer_a


def test_analogous_workplaces_share_one_card(officer):
    lead = WorkplaceFactory(number="6", sout_card_number="17")
    analogue = WorkplaceFactory(department=lead.department, number="6А", sout_card_number="17")
    alone = WorkplaceFactory(department=lead.department, number="7")

    assert card_group(analogue) == [lead, analogue]
    assert card_group(alone) == [alone]

    card = card_issue(workplace=analogue, user=officer)
    assert card.workplace == lead
    assert card.number == "17"
    assert list(card.analogous.all()) == [analogue]


def test_each_issue_is_a_new_current_version(officer):
    workplace = WorkplaceFactory()
    first = card_issue(workplace=workplace, user=officer)
    second = card_issue(workplace=workplace, user=officer)

    first.refresh_from_db()
    assert (first.version, first.is_current) == (1, False)
    assert (second.version, second.is_current) == (2, True)


def test_a_card_is_stale_once_what_it_shows_changes(officer):
    hazard = HazardFactory()
    measure = ControlMeasureFactory(hazard=hazard)
    card = card_issue(workplace=hazard.workplace, user=officer)
    assert not card_is_stale(card)

    measure.description = "Заменить ограждение"
    measure.save()
    assert card_is_stale(card)


def test_fingerprint_ignores_other_workplaces(officer):
    hazard = HazardFactory()
    before = register_fingerprint([hazard.workplace])
    HazardFactory()  # a row of another workplace
    assert register_fingerprint([hazard.workplace]) == before
