"""The set of an enterprise's (or a unit's) current cards as one PDF, put together on the pdf
worker in three steps so that its processes render the cards side by side:

1. ``bundle_start`` claims the set, lists its cards and splits those without a kept PDF into
   parts of ``BUNDLE_PART_CARDS``;
2. ``bundle_render_part`` renders and keeps the cards of one part (one task per part, on any of
   the worker's processes), counting progress card by card; the part that finds every card
   rendered moves the set on to merging, under the set's row lock, so exactly one does;
3. ``bundle_finish`` puts the cover (which lists the cards, those whose register changed since
   and the workplaces without a card) before the kept files and keeps the merged file.

Every step is safe to run twice: a card with its file is not rendered again, progress is a count
of rendered cards rather than a sum of increments, and the merge writes the set only while it is
merging. A part that fails marks the whole set failed; ordering it again (or a re-delivered
start) renders only the cards still without a file."""

import datetime
import io

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Prefetch, Q
from django.db.models.functions import Greatest
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from pypdf import PdfReader, PdfWriter

from enterprises.models import Department
from reports.pdf import css_string

from .cards import card_is_stale, card_leads, cards_current
from .models import BundleStatus, CardBundle, RiskCard
from .rendering import DOCUMENT_LANGUAGE, card_render_and_keep, document_pages, document_pdf

# Cards per part: small enough that the worker's processes share the set evenly and a lost part
# costs little to redo (~20 × 0.3 s), large enough that a part's own overhead stays negligible.
BUNDLE_PART_CARDS = 20
# Longer than the finishing task's hard time limit: a set still claimed after this belongs to a
# worker that died.
BUNDLE_ABANDONED_AFTER = datetime.timedelta(minutes=20)


def bundle_fail(bundle_id: int, error: BaseException) -> None:
    """Mark the set failed (unless it got ready meanwhile), with the error for the administrators."""
    CardBundle.objects.filter(pk=bundle_id).exclude(status=BundleStatus.READY).update(
        status=BundleStatus.FAILED,
        error=f"{type(error).__name__}: {error}"[:2000],
        finished_at=timezone.now(),
    )


def _unrendered(card_ids: list[int]):
    return RiskCard.objects.filter(pk__in=card_ids, file="")


def bundle_start(*, bundle_id: int) -> list[list[int]] | None:
    """Claim a queued (or failed, or abandoned) set and list its cards. Returns the parts to
    render — the ids of the cards without a kept PDF, ``BUNDLE_PART_CARDS`` at a time; an empty
    list when every card is kept already (the set is then merging) — or None when there is nothing
    to do (the set is gone or another run has it)."""
    # A run whose worker died mid-way (past the tasks' hard time limits) may be taken over.
    abandoned = Q(
        status__in=[BundleStatus.RENDERING, BundleStatus.MERGING],
        started_at__lt=timezone.now() - BUNDLE_ABANDONED_AFTER,
    )
    claimed = (
        CardBundle.objects.filter(pk=bundle_id)
        .filter(Q(status__in=[BundleStatus.QUEUED, BundleStatus.FAILED]) | abandoned)
        .update(status=BundleStatus.RENDERING, started_at=timezone.now(), done=0, error="")
    )
    bundle = CardBundle.objects.select_related("enterprise", "department").filter(pk=bundle_id).first()
    if bundle is None or not claimed:
        return None
    leads = card_leads(bundle.enterprise, department=bundle.department)
    current = cards_current(bundle.enterprise)
    card_ids = [current[lead.pk].pk for lead in leads if lead.pk in current]
    pending = list(_unrendered(card_ids).values_list("pk", flat=True))
    CardBundle.objects.filter(pk=bundle_id).update(
        cards=card_ids, total=len(card_ids), done=len(card_ids) - len(pending)
    )
    order = {card_id: index for index, card_id in enumerate(card_ids)}
    pending.sort(key=order.__getitem__)
    if not pending:
        bundle_merge_if_complete(bundle_id=bundle_id)
    return [pending[start : start + BUNDLE_PART_CARDS] for start in range(0, len(pending), BUNDLE_PART_CARDS)]


def bundle_render_part(*, bundle_id: int, card_ids: list[int]) -> bool:
    """Render and keep the cards of one part that have no PDF yet, counting the set's progress
    after each. True if this part completed the set (it is then merging: queue the finish)."""
    bundle = CardBundle.objects.filter(pk=bundle_id).only("status", "cards").first()
    if bundle is None or bundle.status != BundleStatus.RENDERING:
        return False  # failed, finished or gone meanwhile: nothing of this part is wanted
    departments_by_id = None
    for card in (
        _unrendered(card_ids)
        .select_related("workplace__enterprise")
        .prefetch_related("analogous")
        .order_by("pk")
    ):
        if departments_by_id is None:
            departments_by_id = {d.pk: d for d in Department.objects.filter(enterprise_id=card.enterprise_id)}
        card_render_and_keep(card, departments_by_id=departments_by_id)
        _count_progress(bundle_id, bundle.cards)
    return bundle_merge_if_complete(bundle_id=bundle_id)


def _count_progress(bundle_id: int, card_ids: list[int]) -> None:
    # A count, not an increment: a part run twice cannot count a card twice; Greatest keeps the
    # bar from stepping back when two parts write their counts out of order.
    done = len(card_ids) - _unrendered(card_ids).count()
    CardBundle.objects.filter(pk=bundle_id).update(done=Greatest("done", done))


@transaction.atomic
def bundle_merge_if_complete(*, bundle_id: int) -> bool:
    """Move a rendering set whose cards all have their PDF on to merging. The set's row lock makes
    the parts that finish at the same moment take turns, so exactly one of them sees the set
    complete and still rendering. True for that one."""
    bundle = CardBundle.objects.select_for_update().filter(pk=bundle_id).first()
    if bundle is None or bundle.status != BundleStatus.RENDERING or _unrendered(bundle.cards).exists():
        return False
    bundle.status = BundleStatus.MERGING
    bundle.done = bundle.total
    bundle.save(update_fields=["status", "done", "updated_at"])
    return True


def merge_pdfs(readers: list[PdfReader]) -> tuple[bytes, int]:
    """The documents one after another, each with its own pages (and its own "page N of M")."""
    writer = PdfWriter()
    for reader in readers:
        writer.append(reader)
    pages = len(writer.pages)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue(), pages


def bundle_cover_html(bundle: CardBundle, entries: list[dict], missing: list) -> str:
    with translation.override(DOCUMENT_LANGUAGE):
        title = _("Risk assessment cards")
        css = {
            "header_left": css_string(title),
            "header_right": css_string(bundle.enterprise.short_name),
            "page": css_string(_("Page")),
            "of": css_string(_("of")),
        }
        return render_to_string(
            "documents/pdf/bundle_cover.html",
            {
                "bundle": bundle,
                "entries": entries,
                "missing": missing,
                "css": css,
                "language": DOCUMENT_LANGUAGE,
                "made_on": timezone.localdate(),
            },
        )


def bundle_finish(*, bundle_id: int) -> CardBundle | None:
    """Put the cover and the kept PDFs of a merging set together and keep the file. Safe to call
    twice: only a merging set is written."""
    bundle = CardBundle.objects.select_related("enterprise", "department").filter(pk=bundle_id).first()
    if bundle is None or bundle.status != BundleStatus.MERGING:
        return bundle
    try:
        _bundle_merge(bundle)
    except Exception as error:
        bundle_fail(bundle_id, error)
        raise
    bundle.refresh_from_db()
    return bundle


def _bundle_merge(bundle: CardBundle) -> None:
    by_id = (
        RiskCard.objects.select_related("workplace")
        .prefetch_related(Prefetch("analogous"))
        .in_bulk(bundle.cards)
    )
    cards = [by_id[card_id] for card_id in bundle.cards if card_id in by_id]
    leads = card_leads(bundle.enterprise, department=bundle.department)
    included = {card.workplace_id for card in cards}
    missing = [lead for lead in leads if lead.pk not in included]
    readers, entries = [], []
    for card in cards:
        with card.file.open("rb") as handle:
            reader = PdfReader(io.BytesIO(handle.read()))
        readers.append(reader)
        entries.append(
            {
                "card": card,
                "workplaces": ", ".join(
                    w.number for w in sorted([card.workplace, *card.analogous.all()], key=lambda w: w.pk)
                ),
                "stale": card_is_stale(card),
                "pages": len(reader.pages),
            }
        )
    # The cover's length does not depend on the page numbers it gives (a fixed column): laid out
    # once without them to learn it, then rendered with them.
    first = document_pages(bundle_cover_html(bundle, entries, missing)) + 1
    for entry in entries:
        entry["first_page"] = first
        first += entry["pages"]
    cover = document_pdf(bundle_cover_html(bundle, entries, missing))
    content, pages = merge_pdfs([PdfReader(io.BytesIO(cover.content)), *readers])
    with transaction.atomic():
        locked = CardBundle.objects.select_for_update().get(pk=bundle.pk)
        if locked.status != BundleStatus.MERGING:
            return  # failed or written by another run meanwhile
        name = f"cards-{bundle.enterprise.inn}-{timezone.localdate():%Y%m%d}.pdf"
        locked.file.save(name, ContentFile(content), save=False)
        locked.pages = pages
        locked.status = BundleStatus.READY
        locked.finished_at = timezone.now()
        locked.save()


def bundle_render(*, bundle_id: int) -> CardBundle | None:
    """The whole set in this process, one part after another (the tasks spread the parts over the
    worker's processes instead). Safe to call twice: a ready set is left as it is."""
    parts = bundle_start(bundle_id=bundle_id)
    try:
        for part in parts or []:
            bundle_render_part(bundle_id=bundle_id, card_ids=part)
    except Exception as error:
        bundle_fail(bundle_id, error)
        raise
    return bundle_finish(bundle_id=bundle_id)
