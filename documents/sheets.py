"""The printed лист ознакомления of a card version (REFERENCE §8): rendered by the pdf worker and
kept, like the card's own PDF. A sheet lists the workers of the card's workplaces on the day and
marks who of them acknowledged already; its fingerprint digests that list, so a sheet is rendered
again only when the card version, its workers or their acknowledgements changed. The sheet names
workers: only the enterprise's officers and managers reach it (enterprises.workers.personal_scope).
Like the card, it is a Russian document whatever the language of the person who prints it."""

import datetime
import hashlib
import json

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reports.pdf import HTML

from .acknowledgements import card_workers, card_workplaces
from .models import AcknowledgementSheet, CardAcknowledgement, RiskCard, SheetStatus
from .rendering import DOCUMENT_LANGUAGE

# A sheet lists the workers of one card; a workplace group of more than this is printed as
# several sheets by the officer (the page says so).
SHEET_MAX_WORKERS = 300
# Longer than the render_sheet task's hard time limit: a sheet still rendering after this belongs
# to a worker that died, and printing it again queues it again.
SHEET_ABANDONED_AFTER = datetime.timedelta(minutes=5)


def _sheet_lines(card: RiskCard) -> tuple[list, dict[int, CardAcknowledgement]]:
    """The workers the sheet lists (today's, in alphabetical order) and their acknowledgements of
    this version: two queries."""
    workers = list(
        card_workers(card).order_by("surname", "first_name", "patronymic", "pk")[:SHEET_MAX_WORKERS]
    )
    done = {ack.worker_id: ack for ack in CardAcknowledgement.objects.filter(card=card, worker__in=workers)}
    return workers, done


def _digest(card: RiskCard, workplaces: list, workers: list, done: dict) -> str:
    content = {
        "card": [card.pk, card.number, card.version, card.issued_on],
        "workplaces": [(w.pk, w.number, w.position) for w in workplaces],
        "workers": [
            (w.pk, w.surname, w.first_name, w.patronymic, w.personnel_number, w.workplace_id) for w in workers
        ],
        "acknowledged": sorted((a.worker_id, a.acknowledged_on, a.method) for a in done.values()),
    }
    serialised = json.dumps(content, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(serialised.encode()).hexdigest()


def sheet_fingerprint(card: RiskCard) -> str:
    """A digest of what the card's sheet would list now."""
    workers, done = _sheet_lines(card)
    return _digest(card, card_workplaces(card), workers, done)


def sheet_current(card: RiskCard) -> AcknowledgementSheet | None:
    """The newest sheet of the card's list as it is now, in whatever state, or None."""
    return card.sheets.filter(fingerprint=sheet_fingerprint(card)).first()


def _abandoned(sheet: AcknowledgementSheet) -> bool:
    return (
        sheet.status == SheetStatus.RENDERING
        and sheet.started_at is not None
        and sheet.started_at < timezone.now() - SHEET_ABANDONED_AFTER
    )


@transaction.atomic
def sheet_request(*, card: RiskCard) -> AcknowledgementSheet:
    """The sheet of the card's list as it is now: the one rendered or on its way, else a new one
    queued for the pdf worker (a failed or abandoned one is queued again)."""
    # Locked: two clicks at once queue one sheet.
    card = RiskCard.objects.select_for_update().select_related("enterprise").get(pk=card.pk)
    if not card.is_current:
        raise ValidationError(
            _("This card version is no longer current; print the sheet of the current one.")
        )
    fingerprint = sheet_fingerprint(card)
    sheet = card.sheets.filter(fingerprint=fingerprint).first()
    if sheet is None:
        sheet = AcknowledgementSheet.objects.create(card=card, fingerprint=fingerprint)
    elif sheet.status == SheetStatus.FAILED or _abandoned(sheet):
        sheet.status, sheet.error = SheetStatus.QUEUED, ""
        sheet.save(update_fields=["status", "error", "updated_at"])
    else:
        return sheet
    # The pdf worker renders it once the row is committed.
    from .tasks import render_sheet

    render_sheet.delay_on_commit(sheet.pk)
    return sheet


def sheet_html(card: RiskCard, workers: list, done: dict) -> str:
    with translation.override(DOCUMENT_LANGUAGE):
        for worker in workers:
            worker.acknowledgement = done.get(worker.pk)
        return render_to_string(
            "documents/acknowledgements/sheet_pdf.html",
            {
                "card": card,
                "workplaces": card_workplaces(card),
                "enterprise": card.enterprise,
                "workers": workers,
                "language": DOCUMENT_LANGUAGE,
                "generated_at": timezone.now(),
            },
        )


def sheet_pdf(card: RiskCard) -> bytes:
    """The sheet as it would be printed now: a page or two rendered with WeasyPrint."""
    workers, done = _sheet_lines(card)
    return _pdf(sheet_html(card, workers, done))


def _pdf(html: str) -> bytes:
    # The sheet's CSS is inline and its font a system one: nothing is fetched at all.
    return HTML(string=html, url_fetcher=_fetch_nothing, base_url=None).write_pdf()


def _fetch_nothing(url, *args, **kwargs):
    raise ValueError(f"The acknowledgement sheet fetches no resources, not {url!r}")


def sheet_store(*, sheet_id: int) -> AcknowledgementSheet | None:
    """Render a queued sheet and keep it. Safe to call twice: a sheet rendered, or being rendered
    by another run, is left as it is. The sheet takes the fingerprint of what it lists when it is
    rendered (the list may have changed since it was queued); older sheets of the card go."""
    claimable = Q(status__in=[SheetStatus.QUEUED, SheetStatus.FAILED]) | Q(
        status=SheetStatus.RENDERING, started_at__lt=timezone.now() - SHEET_ABANDONED_AFTER
    )
    claimed = AcknowledgementSheet.objects.filter(claimable, pk=sheet_id).update(
        status=SheetStatus.RENDERING, started_at=timezone.now(), error=""
    )
    sheet = (
        AcknowledgementSheet.objects.select_related("card__workplace", "card__enterprise")
        .filter(pk=sheet_id)
        .first()
    )
    if sheet is None or not claimed:
        return sheet
    card = sheet.card
    try:
        workers, done = _sheet_lines(card)
        fingerprint = _digest(card, card_workplaces(card), workers, done)
        content = _pdf(sheet_html(card, workers, done))
    except Exception as error:
        AcknowledgementSheet.objects.filter(pk=sheet_id).update(
            status=SheetStatus.FAILED,
            error=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(),
        )
        raise
    with transaction.atomic():
        locked = AcknowledgementSheet.objects.select_for_update().get(pk=sheet_id)
        locked.file.save(
            f"acknowledgement-sheet-{card.pk}-v{card.version}.pdf", ContentFile(content), save=False
        )
        locked.fingerprint = fingerprint
        locked.status = SheetStatus.READY
        locked.finished_at = timezone.now()
        locked.save()
    for old in AcknowledgementSheet.objects.filter(card=card, pk__lt=sheet_id).exclude(
        status__in=[SheetStatus.QUEUED, SheetStatus.RENDERING]
    ):
        old.file.delete(save=False)
        old.delete()
    locked.card = card
    return locked
