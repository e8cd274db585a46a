"""The card pages: the current version and the earlier ones, staleness, issuing a new version,
what reviewers see, and the set of all cards as one PDF with its progress."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from assessments.services import assessment_create
from documents.bundles import bundle_render
from documents.cards import bundle_request
from documents.models import BundleStatus, CardBundle, RiskCard
from tests.factories import ControlMeasureFactory, HazardFactory, WorkplaceFactory
from tests.submission import with_key

pytestmark = pytest.mark.django_db


def card_url(workplace):
    return reverse("documents:card", args=[workplace.pk])


def test_card_page_shows_the_current_version_with_its_files(
    client, officer_a, card_world, django_capture_on_commit_callbacks
):
    client.force_login(officer_a)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(card_url(card_world.workplace)).content.decode()
    assert "Карта № 12, версия 1 от 02.03.2026" in page
    assert reverse("documents:card_xlsx", args=[card_world.card.pk]) in page
    assert "Карта соответствует текущему состоянию реестра." in page
    assert "Выпустить новую версию" in page
    # The demo issues cards without a PDF: opening the page queued its render (eager here).
    card_world.card.refresh_from_db()
    assert card_world.card.file
    page = client.get(card_url(card_world.workplace)).content.decode()
    assert reverse("documents:card_pdf", args=[card_world.card.pk]) in page


def test_workplace_page_links_to_its_card(client, officer_a, card_world):
    client.force_login(officer_a)
    page = client.get(reverse("assessments:workplace", args=[card_world.workplace.pk])).content.decode()
    assert card_url(card_world.workplace) in page


def test_changed_register_asks_for_a_new_version_which_keeps_the_old_one(
    client, officer_a, card_world, django_capture_on_commit_callbacks
):
    client.force_login(officer_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(card_url(card_world.workplace))  # the first version's PDF
    card_world.measure.description = "Установить два тросовых выключателя"
    card_world.measure.save()
    page = client.get(card_url(card_world.workplace)).content.decode()
    assert "После выпуска этой версии реестр изменился." in page
    assert "повторно ознакомить" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("documents:card_issue", args=[card_world.workplace.pk]), with_key())
    assert response.status_code == 302
    first, second = RiskCard.objects.filter(workplace=card_world.workplace).order_by("version")
    assert (first.is_current, second.is_current, second.version) == (False, True, 2)
    assert first.file and second.file
    page = client.get(card_url(card_world.workplace)).content.decode()
    assert "Предыдущие версии" in page
    assert reverse("documents:card_pdf", args=[first.pk]) in page
    assert "Карта соответствует текущему состоянию реестра." in page


def test_a_repeated_issue_post_makes_one_version(client, officer_a, card_world):
    client.force_login(officer_a)
    data = with_key()
    url = reverse("documents:card_issue", args=[card_world.workplace.pk])
    client.post(url, data)
    client.post(url, data)
    assert RiskCard.objects.filter(workplace=card_world.workplace).count() == 2


def test_reviewer_sees_the_card_page_but_not_the_workers_names(client, reviewer_region, card_world):
    client.force_login(reviewer_region)
    page = client.get(card_url(card_world.workplace)).content.decode()
    assert "Карта № 12, версия 1" in page
    assert reverse("documents:card_pdf", args=[card_world.card.pk]) not in page
    assert "Выпустить новую версию" not in page
    assert client.get(reverse("documents:card_pdf", args=[card_world.card.pk])).status_code == 404
    xlsx = client.get(reverse("documents:card_xlsx", args=[card_world.card.pk]))
    assert xlsx.status_code == 200 and "Иванов".encode() not in xlsx.content


def test_card_pages_queries_do_not_grow(client, officer_a, card_world):
    client.force_login(officer_a)
    enterprise = card_world.workplace.enterprise
    urls = [card_url(card_world.workplace), reverse("documents:cards", args=[enterprise.pk])]

    def counts():
        found = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            found.append(len(queries))
        return found

    before = counts()
    for number in range(6):
        hazard = HazardFactory(workplace=card_world.workplace)
        assessment_create(hazard=hazard, assessor=officer_a, inputs={"probability": 2, "severity": 2})
        ControlMeasureFactory(hazard=hazard)
        WorkplaceFactory(department=card_world.workplace.department, number=f"К{number}")
    assert counts() == before


# --- All cards as one PDF ----------------------------------------------------------------------


def test_set_of_cards_is_put_together_with_a_cover_and_progress(
    client, officer_a, card_world, django_capture_on_commit_callbacks
):
    enterprise = card_world.workplace.enterprise
    WorkplaceFactory(
        department=card_world.workplace.department, number="13", position="Горнорабочий подземный"
    )
    client.force_login(officer_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("documents:bundle_new", args=[enterprise.pk]), with_key())
    bundle = CardBundle.objects.get(enterprise=enterprise)
    assert response["Location"] == reverse("documents:bundle", args=[bundle.pk])
    assert (bundle.status, bundle.total, bundle.done) == (BundleStatus.READY, 1, 1)

    page = client.get(reverse("documents:bundle", args=[bundle.pk])).content.decode()
    assert reverse("documents:bundle_pdf", args=[bundle.pk]) in page
    response = client.get(reverse("documents:bundle_pdf", args=[bundle.pk]))
    content = b"".join(response.streaming_content)
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]
    cover = " ".join(pages[0].split())
    assert "КАРТЫ ОЦЕНКИ ПРОФЕССИОНАЛЬНЫХ РИСКОВ" in cover
    assert "№ 12" in cover and "версия 1 от 02.03.2026" in cover
    assert (
        "Рабочие места без выпущенной карты" in cover and "№ 13" in " ".join(pages[0].split()[-20:]) + cover
    )
    assert any("КАРТА № 12" in page for page in pages[1:])
    card_world.card.refresh_from_db()
    assert card_world.card.file  # the card's own PDF was kept on the way


def test_bundle_status_page_polls_while_rendering(client, officer_a, card_world):
    bundle = bundle_request(
        enterprise=card_world.workplace.enterprise, user=officer_a
    )  # not committed: queued
    CardBundle.objects.filter(pk=bundle.pk).update(status=BundleStatus.RENDERING, total=4, done=1)
    client.force_login(officer_a)
    page = client.get(reverse("documents:bundle", args=[bundle.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in page and "25 %" in page
    fragment = client.get(reverse("documents:bundle", args=[bundle.pk]), HTTP_HX_REQUEST="true")
    assert fragment.content.decode().lstrip().startswith('<div id="bundle-status"')


def test_a_ready_bundle_is_not_rendered_again(officer_a, card_world):
    bundle = bundle_request(enterprise=card_world.workplace.enterprise, user=officer_a)
    bundle_render(bundle_id=bundle.pk)
    bundle.refresh_from_db()
    name = bundle.file.name
    assert bundle.status == BundleStatus.READY
    bundle_render(bundle_id=bundle.pk)
    bundle.refresh_from_db()
    assert bundle.file.name == name
