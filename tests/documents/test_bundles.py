"""The set of cards put together in parts (documents.bundles): the parts' progress card by card,
exactly one part moving the set on to the merge, a part run twice, a failing part failing the
set and the set ordered again rendering only what is missing. The tasks run eagerly here;
tests/integration/test_worker_bundle.py has a real worker with two processes."""

import io

import pytest
from pypdf import PdfReader

from documents import bundles, tasks
from documents.bundles import bundle_finish, bundle_render_part, bundle_start
from documents.cards import bundle_request, card_issue
from documents.models import BundleStatus, CardBundle, RiskCard
from tests.factories import HazardFactory, WorkplaceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_cards(card_world, officer_a, monkeypatch):
    """The salt mine's card and two more workplaces with theirs, none rendered; one card a part."""
    monkeypatch.setattr(bundles, "BUNDLE_PART_CARDS", 1)
    department = card_world.workplace.department
    for number in ("14", "15"):
        workplace = WorkplaceFactory(department=department, number=number, position="Горнорабочий")
        HazardFactory(workplace=workplace)
        card_issue(workplace=workplace, user=officer_a, render=False)
    return list(RiskCard.objects.current().filter(enterprise=card_world.workplace.enterprise).order_by("pk"))


def ordered(card_world, officer_a) -> CardBundle:
    return bundle_request(enterprise=card_world.workplace.enterprise, user=officer_a)  # queued


def state(bundle) -> tuple:
    bundle.refresh_from_db()
    return bundle.status, bundle.done, bundle.total


def test_parts_count_progress_card_by_card_and_the_last_one_moves_the_set_to_the_merge(
    card_world, officer_a, three_cards
):
    bundle = ordered(card_world, officer_a)
    parts = bundle_start(bundle_id=bundle.pk)

    assert len(parts) == 3
    assert sorted(card_id for part in parts for card_id in part) == sorted(card.pk for card in three_cards)
    assert state(bundle) == (BundleStatus.RENDERING, 0, 3)
    assert bundle_render_part(bundle_id=bundle.pk, card_ids=parts[0]) is False
    assert state(bundle) == (BundleStatus.RENDERING, 1, 3)
    assert bundle_render_part(bundle_id=bundle.pk, card_ids=parts[2]) is False
    assert state(bundle) == (BundleStatus.RENDERING, 2, 3)
    assert bundle_render_part(bundle_id=bundle.pk, card_ids=parts[1]) is True
    assert state(bundle) == (BundleStatus.MERGING, 3, 3)
    # A part delivered again neither counts nor queues the merge a second time.
    assert bundle_render_part(bundle_id=bundle.pk, card_ids=parts[1]) is False

    bundle = bundle_finish(bundle_id=bundle.pk)
    assert bundle.status == BundleStatus.READY
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(bundle.file.read())).pages]
    assert bundle.pages == len(pages) >= 4
    # The cards follow the cover in the order of workplace numbers, whichever part rendered them.
    numbers = [
        number for page in pages[1:] for number in ("№ 12", "№ 14", "№ 15") if f"КАРТА {number}" in page
    ]
    assert numbers == sorted(set(numbers), key=numbers.index) == ["№ 12", "№ 14", "№ 15"]


def test_a_part_run_again_does_not_render_its_cards_again(card_world, officer_a, three_cards):
    bundle = ordered(card_world, officer_a)
    parts = bundle_start(bundle_id=bundle.pk)
    bundle_render_part(bundle_id=bundle.pk, card_ids=parts[0])
    card = RiskCard.objects.get(pk=parts[0][0])
    name = card.file.name

    bundle_render_part(bundle_id=bundle.pk, card_ids=parts[0])

    card.refresh_from_db()
    assert card.file.name == name
    assert state(bundle) == (BundleStatus.RENDERING, 1, 3)


def test_the_tasks_put_the_set_together_part_by_part(card_world, officer_a, three_cards, monkeypatch):
    sent = []
    original = tasks.render_bundle_part.delay
    monkeypatch.setattr(tasks.render_bundle_part, "delay", lambda *args: sent.append(args) or original(*args))
    bundle = ordered(card_world, officer_a)

    assert tasks.render_bundle.delay(bundle.pk).get() == 3

    assert [len(card_ids) for _bundle_id, card_ids in sent] == [1, 1, 1]
    assert state(bundle) == (BundleStatus.READY, 3, 3)
    assert all(card.file for card in RiskCard.objects.filter(pk__in=[c.pk for c in three_cards]))


def test_a_failing_part_fails_the_set_and_ordering_it_again_renders_only_what_is_missing(
    card_world, officer_a, three_cards, monkeypatch
):
    bundle = ordered(card_world, officer_a)
    parts = bundle_start(bundle_id=bundle.pk)
    bundle_render_part(bundle_id=bundle.pk, card_ids=parts[0])
    rendered = RiskCard.objects.get(pk=parts[0][0]).file.name

    def broken(card, **kwargs):
        raise ValueError("a template bug")

    with monkeypatch.context() as patch:
        patch.setattr(bundles, "card_render_and_keep", broken)
        with pytest.raises(ValueError):
            tasks.render_bundle_part.delay(bundle.pk, parts[1])
    bundle.refresh_from_db()
    assert bundle.status == BundleStatus.FAILED and "a template bug" in bundle.error
    # The other parts, still queued, find the set failed and render nothing.
    assert tasks.render_bundle_part.delay(bundle.pk, parts[2]).get() is False
    assert not RiskCard.objects.get(pk=parts[2][0]).file

    again = bundle_start(bundle_id=bundle.pk)
    assert sorted(card_id for part in again for card_id in part) == sorted(parts[1] + parts[2])
    assert state(bundle) == (BundleStatus.RENDERING, 1, 3)
    for part in again:
        bundle_render_part(bundle_id=bundle.pk, card_ids=part)
    assert bundle_finish(bundle_id=bundle.pk).status == BundleStatus.READY
    assert RiskCard.objects.get(pk=parts[0][0]).file.name == rendered


def test_a_set_of_kept_cards_goes_straight_to_the_merge(card_world, officer_a, three_cards):
    first = ordered(card_world, officer_a)
    tasks.render_bundle.delay(first.pk)
    second = ordered(card_world, officer_a)

    assert bundle_start(bundle_id=second.pk) == []
    assert state(second) == (BundleStatus.MERGING, 3, 3)
    assert tasks.render_bundle.delay(second.pk).get() is None  # claimed already: nothing to do
    assert bundle_finish(bundle_id=second.pk).status == BundleStatus.READY


def test_a_set_being_rendered_is_not_claimed_twice(card_world, officer_a, three_cards):
    bundle = ordered(card_world, officer_a)
    assert bundle_start(bundle_id=bundle.pk)
    assert bundle_start(bundle_id=bundle.pk) is None
    assert bundle_finish(bundle_id=bundle.pk).status == BundleStatus.RENDERING  # not merging yet
