"""Workers' acknowledgement of the card: paper sheet, kiosk, figures, digest line, sheet PDF, and
query counts of the pages that show them."""

import datetime
import io
import re
import shutil
import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from assessments import reminders
from documents.acknowledgements import (
    acknowledgements_record,
    cards_needing_acknowledgement,
    enterprise_shares,
    kiosk_acknowledge,
    kiosk_find_worker,
    workplace_shares,
)
from documents.cards import card_issue
from documents.models import AcknowledgementMethod, AcknowledgementSheet, CardAcknowledgement, SheetStatus
from documents.sheets import sheet_current, sheet_pdf, sheet_request, sheet_store
from enterprises.models import SoutClass
from enterprises.sout import sout_set
from enterprises.workers import worker_add, worker_end
from hazards.models import HazardousEvent
from tests.factories import ControlMeasureFactory, HazardFactory, WorkplaceFactory
from tests.submission import with_key

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def scans(tmp_path, monkeypatch):
    storage = FileSystemStorage(location=tmp_path / "private", base_url=None)
    monkeypatch.setattr(CardAcknowledgement._meta.get_field("scan"), "storage", storage)
    return storage


@pytest.fixture
def group(enterprise_a):
    """Two analogous workplaces (one SOUT card) with three workers, and a third workplace."""
    lead = WorkplaceFactory(department__enterprise=enterprise_a, number="105", sout_card_number="105")
    analogue = WorkplaceFactory(department=lead.department, number="105А", sout_card_number="105")
    HazardFactory(workplace=lead, event=HazardousEvent.objects.get_by_natural_key("12.1"), risk_level=4)
    workers = [
        worker_add(workplace=lead, surname="Иванов", first_name="Сергей", personnel_number="101"),
        worker_add(workplace=lead, surname="Петров", first_name="Олег", personnel_number="102"),
        worker_add(workplace=analogue, surname="Сидорова", first_name="Анна", personnel_number="103"),
    ]
    return lead, analogue, workers


@pytest.fixture
def card(group, officer_a):
    return card_issue(workplace=group[0], user=officer_a)


def png_upload() -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (10, 10), (0, 0, 0)).save(buffer, format="PNG")
    return SimpleUploadedFile("лист.png", buffer.getvalue(), content_type="image/png")


# --- Services -----------------------------------------------------------------------------------


def test_paper_acknowledgements_are_recorded_once_with_one_scan(group, card, officer_a):
    _lead, _analogue, workers = group
    created = acknowledgements_record(
        card=card, workers=workers[:2], acknowledged_on=TODAY, recorded_by=officer_a, scan=png_upload()
    )
    assert [a.method for a in created] == [AcknowledgementMethod.PAPER] * 2
    assert created[0].scan.name == created[1].scan.name != ""
    again = acknowledgements_record(card=card, workers=workers, acknowledged_on=TODAY, recorded_by=officer_a)
    assert [a.worker for a in again] == [workers[2]]
    assert CardAcknowledgement.objects.filter(card=card).count() == 3


def test_paper_acknowledgements_refuse_strangers_dates_and_bad_scans(group, card, officer_a, enterprise_a):
    other = WorkplaceFactory(department__enterprise=enterprise_a)
    stranger = worker_add(workplace=other, surname="Чужой", first_name="Пётр", personnel_number="9")
    for bad in (
        {"workers": [stranger]},
        {"acknowledged_on": TODAY + datetime.timedelta(days=1)},
        {"acknowledged_on": card.issued_on - datetime.timedelta(days=1)},
        {"scan": SimpleUploadedFile("a.exe", b"MZ\x90\x00 not an image")},
    ):
        arguments = {
            "card": card,
            "workers": group[2][:1],
            "acknowledged_on": TODAY,
            "recorded_by": officer_a,
        }
        with pytest.raises(ValidationError):
            acknowledgements_record(**{**arguments, **bad})
    assert not CardAcknowledgement.objects.exists()


def test_a_new_card_version_asks_for_new_acknowledgements(group, card, officer_a):
    lead, analogue, workers = group
    acknowledgements_record(card=card, workers=workers, acknowledged_on=TODAY, recorded_by=officer_a)
    assert workplace_shares([lead.pk, analogue.pk])[lead.pk].acknowledged == 2
    new = card_issue(workplace=lead, user=officer_a)
    shares = workplace_shares([lead.pk, analogue.pk])
    assert (shares[lead.pk].covered, shares[lead.pk].acknowledged) == (2, 0)
    with pytest.raises(ValidationError):
        acknowledgements_record(card=card, workers=workers, acknowledged_on=TODAY, recorded_by=officer_a)
    acknowledgements_record(card=new, workers=workers[2:], acknowledged_on=TODAY, recorded_by=officer_a)
    assert workplace_shares([analogue.pk])[analogue.pk].percent == 100
    # The old version keeps its acknowledgements.
    assert CardAcknowledgement.objects.filter(card=card).count() == 3


def test_shares_per_enterprise_count_workers_at_workplaces_with_a_card(group, card, officer_a, enterprise_a):
    lonely = WorkplaceFactory(department__enterprise=enterprise_a)
    worker_add(workplace=lonely, surname="Без", first_name="Карты", personnel_number="500")
    left = worker_add(workplace=group[0], surname="Ушедший", first_name="Иван", personnel_number="104")
    worker_end(worker=left, employed_to=TODAY - datetime.timedelta(days=1))
    acknowledgements_record(card=card, workers=group[2][:1], acknowledged_on=TODAY, recorded_by=officer_a)
    share = enterprise_shares([enterprise_a.pk])[enterprise_a.pk]
    assert (share.workers, share.covered, share.acknowledged, share.percent) == (4, 3, 1, 33)


def test_kiosk_finds_only_the_card_workers_and_acknowledges_once(group, card, officer_a, enterprise_a):
    other = WorkplaceFactory(department__enterprise=enterprise_a)
    worker_add(workplace=other, surname="Чужой", first_name="Пётр", personnel_number="777")
    with pytest.raises(ValidationError):
        kiosk_find_worker(card=card, personnel_number="777")
    worker = kiosk_find_worker(card=card, personnel_number=" 103 ")
    first, created = kiosk_acknowledge(card=card, worker=worker, officer=officer_a)
    second, created_again = kiosk_acknowledge(card=card, worker=worker, officer=officer_a)
    assert (created, created_again, first.pk == second.pk, first.method) == (True, False, True, "kiosk")


def test_digest_names_changed_cards_not_acknowledged(group, card, officer_a, enterprise_a):
    lead, _analogue, workers = group
    assert cards_needing_acknowledgement(enterprise_a) == []
    HazardFactory(workplace=lead, event=HazardousEvent.objects.get_by_natural_key("20.1"))
    [item] = cards_needing_acknowledgement(enterprise_a)
    assert (item.card, item.stale) == (card, True)
    new = card_issue(workplace=lead, user=officer_a)
    [item] = cards_needing_acknowledgement(enterprise_a)
    assert (item.card, item.stale, item.missing) == (new, False, 3)
    acknowledgements_record(card=new, workers=workers, acknowledged_on=TODAY, recorded_by=officer_a)
    assert cards_needing_acknowledgement(enterprise_a) == []

    HazardFactory(workplace=lead, event=HazardousEvent.objects.get_by_natural_key("21.1"))
    officer_a.email = "ot@example.org"
    digest = reminders.digest_for(enterprise_a, TODAY)
    assert not digest.is_empty
    body = reminders.digest_message(digest, officer_a).body
    assert f"карта № {new.number}, версия 2" in body
    assert "реестр изменился" in body


def test_the_sheet_pdf_lists_the_workers_and_rasterises(group, card, officer_a, tmp_path):
    acknowledgements_record(card=card, workers=group[2][:1], acknowledged_on=TODAY, recorded_by=officer_a)
    content = sheet_pdf(card)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "ЛИСТ ОЗНАКОМЛЕНИЯ" in text.upper()
    assert f"№ {card.number}, версия 1" in text
    for name in ("Иванов С.", "Петров О.", "Сидорова А."):
        assert name in text
    assert "ст. 214 ТК РФ" in text
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm (poppler-utils) is needed to rasterise the sheet")
    source = tmp_path / "sheet.pdf"
    source.write_bytes(content)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", source, tmp_path / "page"], check=True
    )
    [png] = tmp_path.glob("page*.png")
    assert png.read_bytes().startswith(b"\x89PNG")


# --- The printed sheet, rendered by the pdf worker ---------------------------------------------


def _print(client, card, capture):
    """The officer asks for the sheet (htmx, as the page's button does); the pdf worker renders it
    once the request's transaction commits."""
    url = reverse("documents:acknowledgement_sheet_status", args=[card.pk])
    with capture(execute=True):
        return client.post(url, HTTP_HX_REQUEST="true")


def test_the_sheet_is_rendered_by_the_worker_and_kept_until_its_list_changes(
    group, card, officer_a, django_capture_on_commit_callbacks
):
    _lead, _analogue, workers = group
    client = Client()
    client.force_login(officer_a)
    page = client.get(reverse("documents:acknowledgements", args=[card.pk])).content.decode()
    assert 'id="prepare-sheet"' in page and 'id="print-sheet"' not in page
    # Nothing is rendered inside the request: the sheet is queued for the pdf worker.
    with django_capture_on_commit_callbacks() as queued:
        fragment = client.post(
            reverse("documents:acknowledgement_sheet_status", args=[card.pk]), HTTP_HX_REQUEST="true"
        )
    assert len(queued) == 1
    sheet = AcknowledgementSheet.objects.get(card=card)
    assert sheet.status == SheetStatus.QUEUED and not sheet.file
    assert 'hx-trigger="every 2s"' in fragment.content.decode()

    queued[0]()  # the worker's turn
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.READY
    fragment = client.get(
        reverse("documents:acknowledgement_sheet_status", args=[card.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'id="print-sheet"' in fragment and "every 2s" not in fragment
    response = client.get(reverse("documents:acknowledgement_sheet", args=[card.pk]))
    content = b"".join(response.streaming_content)
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "Иванов С." in text and "Сидорова А." in text and "Новиков" not in text

    # Asked again with the same list: the kept sheet, not a new render.
    assert len(_print(client, card, django_capture_on_commit_callbacks).content) > 0
    assert AcknowledgementSheet.objects.filter(card=card).count() == 1

    # A new worker changes the list: the kept sheet is no longer offered; printing renders a new
    # one, and the old one goes.
    worker_add(workplace=group[0], surname="Новиков", first_name="Пётр", personnel_number="104")
    assert sheet_current(card) is None
    response = client.get(reverse("documents:acknowledgement_sheet", args=[card.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("documents:acknowledgements", args=[card.pk])
    _print(client, card, django_capture_on_commit_callbacks)
    [newer] = AcknowledgementSheet.objects.filter(card=card)
    assert newer.pk != sheet.pk and newer.status == SheetStatus.READY
    response = client.get(reverse("documents:acknowledgement_sheet", args=[card.pk]))
    assert "Новиков П." in PdfReader(io.BytesIO(b"".join(response.streaming_content))).pages[0].extract_text()

    # So does an acknowledgement recorded from the paper (the sheet marks who acknowledged).
    acknowledgements_record(card=card, workers=workers[:1], acknowledged_on=TODAY, recorded_by=officer_a)
    assert sheet_current(card) is None


def test_a_new_card_version_has_a_sheet_of_its_own(
    group, card, officer_a, django_capture_on_commit_callbacks
):
    client = Client()
    client.force_login(officer_a)
    _print(client, card, django_capture_on_commit_callbacks)
    newer = card_issue(workplace=group[0], user=officer_a, render=False)

    assert sheet_current(newer) is None
    with pytest.raises(ValidationError):
        sheet_request(card=card)  # the old version is printed no more
    response = client.get(reverse("documents:acknowledgement_sheet", args=[card.pk]))
    assert response.status_code == 302
    _print(client, newer, django_capture_on_commit_callbacks)
    kept = sheet_current(newer)
    assert kept.status == SheetStatus.READY
    assert "версия 2" in PdfReader(kept.file.open("rb")).pages[0].extract_text()


def test_a_failed_sheet_says_so_and_is_queued_again(group, card, officer_a, monkeypatch):
    from documents import sheets

    sheet = sheet_request(card=card)
    with monkeypatch.context() as patch:
        patch.setattr(sheets, "_pdf", lambda html: (_ for _ in ()).throw(ValueError("no fonts")))
        with pytest.raises(ValueError):
            sheet_store(sheet_id=sheet.pk)
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.FAILED and "no fonts" in sheet.error
    client = Client()
    client.force_login(officer_a)
    page = client.get(reverse("documents:acknowledgements", args=[card.pk])).content.decode()
    assert 'id="sheet-failed"' in page and 'id="prepare-sheet"' in page

    assert sheet_request(card=card).pk == sheet.pk
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.QUEUED
    assert sheet_store(sheet_id=sheet.pk).status == SheetStatus.READY
    # Run twice (a task delivered again): left as it is.
    name = sheet.file.name if sheet.file else AcknowledgementSheet.objects.get(pk=sheet.pk).file.name
    assert sheet_store(sheet_id=sheet.pk).file.name == name


# --- Pages --------------------------------------------------------------------------------------


def test_officer_records_the_paper_sheet_and_reviewer_sees_counts_only(
    group, card, officer_a, reviewer_region
):
    lead, _analogue, workers = group
    client = Client()
    client.force_login(officer_a)
    url = reverse("documents:acknowledgements", args=[card.pk])
    page = client.get(url)
    assert "Сидорова Анна" in page.content.decode()
    response = client.post(
        url,
        with_key(
            {
                "workers": [workers[0].pk, workers[2].pk],
                "acknowledged_on": TODAY.isoformat(),
                "scan": png_upload(),
            }
        ),
    )
    assert response.status_code == 302
    ack = CardAcknowledgement.objects.get(worker=workers[0])
    scan = client.get(reverse("documents:acknowledgement_scan", args=[ack.pk]))
    assert scan.status_code == 200
    b"".join(scan.streaming_content)

    reviewer = Client()
    reviewer.force_login(reviewer_region)
    workplace_page = reviewer.get(reverse("assessments:workplace", args=[lead.pk])).content.decode()
    assert "ознакомлены 1 из 2 (50 %)" in workplace_page
    assert "Иванов" not in workplace_page
    for name, pk in (
        ("documents:acknowledgements", card.pk),
        ("documents:acknowledgement_sheet", card.pk),
        ("documents:acknowledgement_sheet_status", card.pk),
        ("documents:acknowledgement_scan", ack.pk),
    ):
        assert reviewer.get(reverse(name, args=[pk])).status_code == 404


def _open_kiosk(client, card):
    assert client.post(reverse("documents:kiosk_open", args=[card.pk])).status_code == 302
    return reverse("documents:kiosk", args=[card.pk])


def test_kiosk_flow_lock_binding_and_rate_limit(group, card, officer_a, enterprise_a):
    lead, _analogue, workers = group
    ControlMeasureFactory(hazard=lead.hazards.get(), description="Выдать респираторы FFP3")
    client = Client()
    client.force_login(officer_a)
    url = reverse("documents:kiosk", args=[card.pk])
    # Not opened on this device: a page to open it, no form for numbers.
    assert "kiosk-number-form" not in client.get(url).content.decode()
    _open_kiosk(client, card)

    # While open, the session reaches the kiosk only.
    elsewhere = client.get(reverse("assessments:overview", args=[enterprise_a.pk]))
    assert (elsewhere.status_code, elsewhere["Location"]) == (302, url)
    other_card = card_issue(workplace=WorkplaceFactory(department=lead.department), user=officer_a)
    assert client.get(reverse("documents:kiosk", args=[other_card.pk]))["Location"] == url

    page = client.post(url, {"personnel_number": "103"})
    text = page.content.decode()
    assert "Сидорова А." in text and "Выдать респираторы FFP3" in text
    assert "Иванов" not in text and "Петров" not in text  # no other worker's name
    token = page.context["token"]

    # A token is for this card and this session only.
    done = client.post(url, {"confirm": "1", "token": token})
    assert "kiosk-done" in done.content.decode()
    assert CardAcknowledgement.objects.get(worker=workers[2]).method == "kiosk"
    stranger = Client()
    stranger.force_login(officer_a)
    _open_kiosk(stranger, card)
    stranger.post(url, {"confirm": "1", "token": token + "x"})
    assert CardAcknowledgement.objects.count() == 1

    # Wrong numbers: the fifth locks the kiosk, then even a right number is refused.
    for attempt in range(5):
        response = client.post(url, {"personnel_number": f"9{attempt}"})
    assert response.status_code == 429
    assert client.post(url, {"personnel_number": "101"}).status_code == 429

    # Closing asks for the officer's password.
    close = reverse("documents:kiosk_close", args=[card.pk])
    assert client.post(close, {"password": "wrong"}).status_code == 200
    assert client.post(close, {"password": _password()}).status_code == 302
    assert client.get(reverse("assessments:overview", args=[enterprise_a.pk])).status_code == 200


def _password() -> str:
    from tests.factories import PASSWORD

    return PASSWORD


# --- Query counts ---------------------------------------------------------------------------------


def _grow(enterprise, officer, count):
    """``count`` more workplaces, each with a card, two workers, SOUT data and an acknowledgement."""
    for index in range(count):
        workplace = WorkplaceFactory(department__enterprise=enterprise)
        sout_set(
            workplace=workplace,
            card_number="",
            approved_on=TODAY - datetime.timedelta(days=30),
            final_class="3.1",
            factors={"noise": "3.1", "aerosols": "2"},
        )
        people = [
            worker_add(
                workplace=workplace, surname="Рабочий", first_name="Номер", personnel_number=f"{index}-{n}"
            )
            for n in (1, 2)
        ]
        card = card_issue(workplace=workplace, user=officer)
        acknowledgements_record(card=card, workers=people[:1], acknowledged_on=TODAY, recorded_by=officer)


@pytest.mark.parametrize(
    "url_name",
    [
        "assessments:overview",
        "dashboards:enterprise",
        "dashboards:region",
        "dashboards:region_acknowledgement_sout",
    ],
)
def test_pages_query_count_does_not_grow_with_workplaces(
    url_name, enterprise_a, officer_a, federal, django_assert_max_num_queries
):
    _grow(enterprise_a, officer_a, 1)
    regional = url_name.startswith("dashboards:region")
    user = federal if regional else officer_a
    arg = enterprise_a.region.code if regional else enterprise_a.pk
    client = Client()
    client.force_login(user)
    url = reverse(url_name, args=[arg])
    # Each page is asked twice and the second counted: cached figures are then warm both times.
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow(enterprise_a, officer_a, 8)
    client.get(url)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    extra = [q["sql"] for q in large.captured_queries]
    for query in small.captured_queries:
        if query["sql"] in extra:
            extra.remove(query["sql"])
    assert len(large) <= len(small), extra


def test_workplace_and_acknowledgement_pages_query_counts(
    group, card, officer_a, django_assert_max_num_queries
):
    lead = group[0]
    client = Client()
    client.force_login(officer_a)
    urls = [
        reverse("assessments:workplace", args=[lead.pk]),
        reverse("documents:acknowledgements", args=[card.pk]),
    ]
    with CaptureQueriesContext(connection) as small:
        for url in urls:
            client.get(url)
    for n in range(20):
        worker_add(workplace=lead, surname="Новый", first_name="Работник", personnel_number=f"x{n}")
    with CaptureQueriesContext(connection) as large:
        for url in urls:
            assert client.get(url).status_code == 200
    assert len(large) <= len(small)


def test_the_regional_table_comes_in_pages_with_the_total_of_the_whole_region(
    enterprise_a, enterprise_b, officer_a, officer_b, federal, monkeypatch
):
    from documents.templatetags import documents_workers

    _grow(enterprise_a, officer_a, 1)  # 2 workers, 1 acknowledged, 1 workplace of class 3.1
    _grow(enterprise_b, officer_b, 2)  # 4 workers, 2 acknowledged, 2 workplaces of class 3.1
    monkeypatch.setattr(documents_workers, "PER_PAGE", 1)
    client = Client()
    client.force_login(federal)
    url = reverse("dashboards:region_acknowledgement_sout", args=[enterprise_a.region.code])

    def section(query=""):
        page = client.get(url + query, headers={"HX-Request": "true"}).content.decode()
        assert "<html" not in page  # the fragment alone, for the dashboard to put in place
        block = page.split('id="dashboard-region-ack-sout"', 1)[1].split("</section>", 1)[0]
        body, rest = block.split("<tfoot>", 1)
        total, pages = rest.split("</tfoot>", 1)
        return body, total, pages

    first, total_first, _pages = section()
    second, total_second, pages = section("?period=12m&apage=2")
    # In name order, one enterprise a page ("АО …" before "ООО …"), the other's name absent.
    assert enterprise_b.short_name in first and enterprise_a.short_name not in first
    assert enterprise_a.short_name in second and enterprise_b.short_name not in second
    assert "period=12m&amp;apage=1" in pages  # the link back keeps the dashboard's filters
    # The total row covers the whole region whatever the page: 6 workers, 3 of them acknowledged.
    assert total_first == total_second
    cells = re.findall(r'<td class="text-end">([^<]*)</td>', total_first)
    assert cells[:2] == ["6", "50 %"]
    assert cells[2 + SoutClass.values.index("3.1")] == "3"


def test_the_regional_dashboard_loads_the_table_when_reached_and_links_it_without_script(
    enterprise_a, officer_a, federal
):
    _grow(enterprise_a, officer_a, 1)
    client = Client()
    client.force_login(federal)
    code = enterprise_a.region.code
    table = reverse("dashboards:region_acknowledgement_sout", args=[code])
    dashboard = client.get(reverse("dashboards:region", args=[code]) + "?period=6m").content.decode()
    placeholder = dashboard.split('id="dashboard-region-ack-sout"', 1)[1].split("</section>", 1)[0]
    assert f'hx-get="{table}?period=6m"' in placeholder and 'hx-trigger="revealed"' in placeholder
    assert f'href="{table}?period=6m"' in placeholder  # without JavaScript: the table's own page
    assert enterprise_a.short_name not in placeholder  # counted only when asked for

    page = client.get(table + "?period=6m&apage=1")
    assert page["Vary"] and "HX-Request" in page["Vary"]
    html = page.content.decode()
    assert "<html" in html and enterprise_a.short_name in html
    # Back to the dashboard with its filters, without the table's page.
    assert f'href="{reverse("dashboards:region", args=[code])}?period=6m"' in html
