"""The workers' acknowledgement of the risk assessment card (TK 214, REFERENCE §8): per worker and
per card version, on paper (the printed лист ознакомления, then recorded by the officer with an
optional scan) or in the application (the worker kiosk). A new card version needs new
acknowledgements: an acknowledgement belongs to the version it was given for.

Figures (per workplace, enterprise, region) count workers and percentages only; names are shown
only to the enterprise's own officers and managers (enterprises/workers.py)."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import OPEN_MEASURE_STATUSES, ControlMeasure, MeasureStatus
from assessments.services import evidence_file_name, evidence_inspect
from enterprises.models import Worker, Workplace
from enterprises.workers import current_workers
from hazards.models import Hazard

from .cards import card_is_stale
from .models import AcknowledgementMethod, CardAcknowledgement, RiskCard

# --- Which card a workplace has ------------------------------------------------------------------


def card_workplaces(card: RiskCard) -> list[Workplace]:
    return [card.workplace, *card.analogous.all()]


def current_card(workplace: Workplace) -> RiskCard | None:
    """The current card of the workplace: its own, or the one it shares as an analogous workplace."""
    return (
        RiskCard.objects.current()
        .filter(Q(workplace=workplace) | Q(analogous=workplace))
        .select_related("workplace")
        .order_by("-issued_on", "-pk")
        .first()
    )


def current_cards(workplace_ids) -> dict[int, RiskCard]:
    """Workplace id → its current card, for many workplaces: two queries."""
    ids = list(workplace_ids)
    cards = (
        RiskCard.objects.current()
        .filter(Q(workplace_id__in=ids) | Q(analogous__in=ids))
        .distinct()
        .prefetch_related("analogous")
    )
    found: dict[int, RiskCard] = {}
    for card in cards:
        for workplace_id in (card.workplace_id, *(w.pk for w in card.analogous.all())):
            if workplace_id in ids:
                found[workplace_id] = card
    return found


def card_workers(card: RiskCard, day: datetime.date | None = None):
    """The workers who must acknowledge the card: those at its workplaces on ``day``."""
    return current_workers(card_workplaces(card), day).select_related("workplace")


def acknowledged_worker_ids(card: RiskCard) -> set[int]:
    return set(CardAcknowledgement.objects.filter(card=card).values_list("worker_id", flat=True))


# --- Recording acknowledgements -------------------------------------------------------------


def _check_date(card: RiskCard, day: datetime.date) -> None:
    if day > timezone.localdate():
        raise ValidationError({"acknowledged_on": _("The date cannot be in the future.")})
    if day < card.issued_on:
        raise ValidationError({"acknowledged_on": _("The date cannot be before the card was issued.")})


@transaction.atomic
def acknowledgements_record(
    *,
    card: RiskCard,
    workers: list[Worker],
    acknowledged_on: datetime.date,
    recorded_by,
    scan=None,
) -> list[CardAcknowledgement]:
    """Record from the signed paper sheet that these workers acknowledged the card on
    ``acknowledged_on``; workers who already acknowledged this version are left as they were.
    The optional scan (photo or PDF, checked by content like evidence) is kept privately with
    each acknowledgement recorded."""
    # Locked and read again: a new version issued meanwhile makes this one no longer current.
    card = RiskCard.objects.select_for_update().get(pk=card.pk)
    if not card.is_current:
        raise ValidationError(
            _("This card version is no longer current; record the signatures on the current one.")
        )
    _check_date(card, acknowledged_on)
    allowed = set(card_workers(card, acknowledged_on).values_list("pk", flat=True))
    if not workers:
        raise ValidationError({"workers": _("Choose the workers who signed.")})
    strangers = [worker for worker in workers if worker.pk not in allowed]
    if strangers:
        raise ValidationError(
            {"workers": _("Some of the chosen workers were not at the card's workplaces on that day.")}
        )
    done = acknowledged_worker_ids(card)
    created = []
    stored_name = None
    if scan is not None:
        content_type = evidence_inspect(scan)
        original = evidence_file_name(getattr(scan, "name", ""), content_type)
    for worker in workers:
        if worker.pk in done:
            continue
        acknowledgement = CardAcknowledgement(
            card=card,
            worker=worker,
            method=AcknowledgementMethod.PAPER,
            acknowledged_on=acknowledged_on,
            recorded_by=recorded_by,
        )
        if scan is not None:
            if stored_name is None:
                # Stored once; every acknowledgement of the sheet points to the same file.
                acknowledgement.scan.save(original, scan, save=False)
                stored_name = acknowledgement.scan.name
            else:
                acknowledgement.scan.name = stored_name
        acknowledgement.full_clean(exclude=["scan"])
        acknowledgement.save()
        created.append(acknowledgement)
    return created


class KioskError(ValidationError):
    pass


def kiosk_find_worker(*, card: RiskCard, personnel_number: str) -> Worker:
    """The worker with this personnel number at the card's workplaces today, else KioskError. The
    message is the same whether the number is unknown or belongs to another workplace: the kiosk
    tells nothing about other workers."""
    number = (personnel_number or "").strip()
    worker = card_workers(card).filter(personnel_number=number).order_by("pk").first() if number else None
    if worker is None:
        raise KioskError(
            _(
                "This personnel number is not on the list of this workplace. Check it or ask the "
                "safety officer."
            ),
            code="unknown",
        )
    return worker


@transaction.atomic
def kiosk_acknowledge(*, card: RiskCard, worker: Worker, officer) -> tuple[CardAcknowledgement, bool]:
    """The worker confirms on the kiosk that they were informed of the card's risks. Once per
    card version: a second confirmation returns the first one (False)."""
    card = RiskCard.objects.select_for_update().get(pk=card.pk)
    if not card.is_current:
        raise KioskError(
            _("A new version of this card was issued; the kiosk must be opened again."), code="stale"
        )
    if not card_workers(card).filter(pk=worker.pk).exists():
        raise KioskError(_("This worker is not on the list of this workplace."), code="unknown")
    existing = CardAcknowledgement.objects.filter(card=card, worker=worker).first()
    if existing is not None:
        return existing, False
    acknowledgement = CardAcknowledgement.objects.create(
        card=card,
        worker=worker,
        method=AcknowledgementMethod.KIOSK,
        acknowledged_on=timezone.localdate(),
        recorded_by=officer,
    )
    return acknowledgement, True


# --- What the worker reads ---------------------------------------------------------------------


def card_risks(card: RiskCard) -> list[Hazard]:
    """The card's active register rows, highest level first, each with its measures that are not
    cancelled (``shown_measures``): three queries."""
    measures = ControlMeasure.objects.exclude(status=MeasureStatus.CANCELLED).order_by("due_date", "pk")
    rows = list(
        Hazard.objects.active()
        .filter(workplace__in=card_workplaces(card))
        .select_related("event__hazard_type")
        .prefetch_related(Prefetch("measures", queryset=measures, to_attr="shown_measures"))
    )
    seen, unique = set(), []
    # Analogous workplaces repeat the same hazards: the worker reads each event once.
    for row in sorted(rows, key=lambda r: (-(r.risk_level or 0), r.event.code, r.pk)):
        key = (row.event_id, row.source)
        if key not in seen:
            seen.add(key)
            unique.append(row)
    for row in unique:
        row.open_measures = [m for m in row.shown_measures if m.status in OPEN_MEASURE_STATUSES]
        row.done_measures = [m for m in row.shown_measures if m.status == MeasureStatus.DONE]
    return unique


# --- Figures -------------------------------------------------------------------------------------


@dataclass
class AckShare:
    workers: int = 0  # at the workplace(s) today
    covered: int = 0  # of them at a workplace with a current card
    acknowledged: int = 0  # of them acknowledged the current card

    @property
    def percent(self) -> int | None:
        return round(100 * self.acknowledged / self.covered) if self.covered else None

    @property
    def missing(self) -> int:
        return self.covered - self.acknowledged

    def add(self, other: "AckShare") -> None:
        self.workers += other.workers
        self.covered += other.covered
        self.acknowledged += other.acknowledged


def _annotated_workers(day: datetime.date):
    """Today's workers with whether their workplace has a current card and whether they
    acknowledged it (a card of their workplace, as lead or analogous workplace)."""
    of_their_workplace = Q(workplace_id=OuterRef("workplace_id")) | Q(analogous=OuterRef("workplace_id"))
    cards = RiskCard.objects.filter(is_current=True).filter(of_their_workplace)
    acks = CardAcknowledgement.objects.filter(
        Q(card__workplace_id=OuterRef("workplace_id")) | Q(card__analogous=OuterRef("workplace_id")),
        worker_id=OuterRef("pk"),
        card__is_current=True,
    )
    return Worker.objects.on(day).annotate(has_card=Exists(cards), acked=Exists(acks))


def _shares(queryset, key: str) -> dict[int, AckShare]:
    rows = (
        queryset.values(key)
        .annotate(
            workers=Count("id"),
            covered=Count("id", filter=Q(has_card=True)),
            acknowledged=Count("id", filter=Q(has_card=True, acked=True)),
        )
        .order_by()
    )
    return {
        row[key]: AckShare(workers=row["workers"], covered=row["covered"], acknowledged=row["acknowledged"])
        for row in rows
    }


def workplace_shares(workplace_ids, day: datetime.date | None = None) -> dict[int, AckShare]:
    """Workplace id → share of its workers acknowledged with the current card: one query."""
    day = day or timezone.localdate()
    return _shares(_annotated_workers(day).filter(workplace_id__in=list(workplace_ids)), "workplace_id")


def enterprise_shares(enterprises, day: datetime.date | None = None) -> dict[int, AckShare]:
    """Enterprise id → the same over all its workers: one query."""
    day = day or timezone.localdate()
    return _shares(_annotated_workers(day).filter(enterprise__in=enterprises), "enterprise_id")


@dataclass
class UnacknowledgedCard:
    card: RiskCard
    stale: bool
    missing: int


def cards_needing_acknowledgement(enterprise, day: datetime.date | None = None) -> list[UnacknowledgedCard]:
    """The weekly digest's line: current cards whose register changed since issue (they need a
    new version and new acknowledgements) or, if re-issued, not yet acknowledged by all their
    workers. Staleness is a digest per card (cards.card_is_stale): this runs in the weekly
    task, not in a page."""
    day = day or timezone.localdate()
    cards = list(
        RiskCard.objects.current()
        .filter(enterprise=enterprise)
        .select_related("workplace")
        .prefetch_related("analogous")
        .order_by("number", "pk")
    )
    shares = workplace_shares([w.pk for card in cards for w in card_workplaces(card)], day)
    found = []
    for card in cards:
        share = AckShare()
        for workplace in card_workplaces(card):
            share.add(shares.get(workplace.pk, AckShare()))
        stale = card_is_stale(card)
        if stale or (card.version > 1 and share.missing > 0):
            found.append(UnacknowledgedCard(card=card, stale=stale, missing=share.missing))
    return found
