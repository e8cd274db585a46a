"""Celery tasks of the documents (queue "pdf"). Thin and safe to run twice: each re-fetches its
row, returns early when the work is done, and calls one service."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

# Errors worth another try: the database or the storage briefly unreachable. Anything else (a
# template bug, bad data) fails the same way every time.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)
# Celery retries those itself: 30, 60, 120 s (30 × 2^retries, capped at 300, no jitter), well under
# Redis' visibility timeout (settings); after the third retry the error propagates.
RETRY_TRANSIENT = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 30,
    "retry_backoff_max": 300,
    "retry_jitter": False,
    "max_retries": 3,
}


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=4 * 60,
    time_limit=5 * 60,
    **RETRY_TRANSIENT,
)
def render_card(card_id: int) -> bool | None:
    """Render and keep the PDF of one issued card version. True if rendered now, False if it was
    already there, None if the card is gone."""
    from .rendering import card_store

    return card_store(card_id=card_id)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=4 * 60,
    time_limit=5 * 60,
    **RETRY_TRANSIENT,
)
def render_plan(plan_id: int) -> bool | None:
    """Render and keep the PDF of an approved action plan version."""
    from .plans import plan_store

    return plan_store(plan_id=plan_id)


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=60, time_limit=90)
def render_bundle(bundle_id: int) -> int | None:
    """Start putting together the set of cards of an enterprise or a unit as one PDF: its cards
    without a kept PDF go out in parts, one task each, so that the worker's processes render them
    side by side; the part that completes the set queues the merge. The number of parts, or None
    when there was nothing to start."""
    from .bundles import bundle_start

    parts = bundle_start(bundle_id=bundle_id)
    if parts is None:
        return None
    for card_ids in parts:
        render_bundle_part.delay(bundle_id, card_ids)
    if not parts:  # every card was kept already: straight to the merge
        finish_bundle.delay(bundle_id)
    return len(parts)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=4 * 60,
    time_limit=5 * 60,
    max_retries=3,
)
def render_bundle_part(self, bundle_id: int, card_ids: list[int]) -> bool:
    """Render and keep one part of a set's cards. A part that cannot be rendered fails the set."""
    from .bundles import bundle_fail, bundle_render_part

    try:
        complete = bundle_render_part(bundle_id=bundle_id, card_ids=card_ids)
    except TRANSIENT_ERRORS as error:
        if self.request.retries < self.max_retries:
            raise self.retry(exc=error, countdown=min(30 * 2**self.request.retries, 300)) from error
        bundle_fail(bundle_id, error)
        raise
    except Exception as error:
        bundle_fail(bundle_id, error)
        raise
    if complete:
        finish_bundle.delay(bundle_id)
    return complete


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=15 * 60, time_limit=16 * 60)
def finish_bundle(bundle_id: int) -> str | None:
    """Put the cover and the set's kept cards together as one file."""
    from .bundles import bundle_finish

    bundle = bundle_finish(bundle_id=bundle_id)
    return bundle.status if bundle else None


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=2 * 60,
    time_limit=3 * 60,
    **RETRY_TRANSIENT,
)
def render_sheet(sheet_id: int) -> str | None:
    """Render and keep a card's printable acknowledgement sheet."""
    from .sheets import sheet_store

    sheet = sheet_store(sheet_id=sheet_id)
    return sheet.status if sheet else None
