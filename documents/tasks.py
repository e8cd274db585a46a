"""Celery tasks of the documents (queue "pdf"). Thin and safe to run twice: each re-fetches its
row, returns early when the work is done, and calls one service."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

# Errors worth another try: the database or the storage briefly unreachable. Anything else (a
# template bug, bad data) fails the same way every time.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=4 * 60,
    time_limit=5 * 60,
    max_retries=3,
)
def render_card(self, card_id: int) -> bool | None:
    """Render and keep the PDF of one issued card version. True if rendered now, False if it was
    already there, None if the card is gone."""
    from .rendering import card_store

    try:
        return card_store(card_id=card_id)
    except TRANSIENT_ERRORS as error:
        raise self.retry(exc=error, countdown=min(30 * 2**self.request.retries, 300)) from error


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=4 * 60,
    time_limit=5 * 60,
    max_retries=3,
)
def render_plan(self, plan_id: int) -> bool | None:
    """Render and keep the PDF of an approved action plan version."""
    from .plans import plan_store

    try:
        return plan_store(plan_id=plan_id)
    except TRANSIENT_ERRORS as error:
        raise self.retry(exc=error, countdown=min(30 * 2**self.request.retries, 300)) from error


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=15 * 60, time_limit=16 * 60)
def render_bundle(bundle_id: int) -> str | None:
    """Put together the set of cards of an enterprise or a unit as one PDF, counting progress."""
    from .rendering import bundle_render

    bundle = bundle_render(bundle_id=bundle_id)
    return bundle.status if bundle else None
