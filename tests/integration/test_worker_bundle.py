"""The salt mine's set of cards put together by a real pdf worker with two processes, through a
real Redis, on PostgreSQL: its parts rendered side by side, the merge queued once by the part
that completes it; and a card's acknowledgement sheet rendered by the same worker."""

import io

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from documents.models import AcknowledgementSheet, BundleStatus, CardBundle, RiskCard, SheetStatus
from enterprises.models import Enterprise, User

pytestmark = [pytest.mark.postgres, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SALT_MINE_INN = "5699000015"


@pytest.fixture
def salt_mine(reference_data):
    call_command("seed_demo")
    return Enterprise.objects.get(inn=SALT_MINE_INN)


def test_a_pdf_worker_with_two_processes_puts_the_set_together_in_parts(services, salt_mine):
    cards = RiskCard.objects.current().filter(enterprise=salt_mine)
    assert cards.count() > 20  # more than one part
    cards.update(file="")  # every card rendered on the way
    officer = User.objects.get(username="officer")
    bundle = CardBundle.objects.create(enterprise=salt_mine, requested_by=officer)
    worker = services.worker(name="pdf", queues="pdf", concurrency=2)
    services.call("documents.tasks.render_bundle", args=f"[{bundle.pk}]")

    def finished():
        bundle.refresh_from_db()
        return bundle.is_finished

    services.wait_until(finished, timeout=600, what="the set of cards")
    assert bundle.status == BundleStatus.READY, bundle.error
    assert bundle.done == bundle.total == cards.count()
    assert not cards.filter(file="").exists()
    content = (services.private_root / bundle.file.name).read_bytes()
    assert len(PdfReader(io.BytesIO(content)).pages) == bundle.pages > bundle.total
    # Both pool processes took parts (the worker logs each task's end under its process's name).
    parts = [line for line in worker.log.read_text().splitlines() if "render_bundle_part" in line]
    processes = {"ForkPoolWorker-1", "ForkPoolWorker-2"}
    assert {name for line in parts for name in processes if name in line} == processes


def test_the_pdf_worker_renders_the_acknowledgement_sheet(services, salt_mine):
    from documents.sheets import sheet_current, sheet_fingerprint

    card = RiskCard.objects.current().filter(enterprise=salt_mine).order_by("pk").first()
    # The row as sheet_request makes it, then the task through the services' broker.
    sheet = AcknowledgementSheet.objects.create(card=card, fingerprint=sheet_fingerprint(card))
    services.worker(name="pdf", queues="pdf")
    services.call("documents.tasks.render_sheet", args=f"[{sheet.pk}]")

    def finished():
        sheet.refresh_from_db()
        return sheet.is_finished

    services.wait_until(finished, timeout=180, what="the acknowledgement sheet")
    assert sheet.status == SheetStatus.READY, sheet.error
    assert sheet_current(card) == sheet
    content = (services.private_root / sheet.file.name).read_bytes()
    text = PdfReader(io.BytesIO(content)).pages[0].extract_text()
    assert "ЛИСТ ОЗНАКОМЛЕНИЯ" in text.upper()
