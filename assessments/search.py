"""Keeping the register rows' search text (Hazard.search_text, hazards.search) up to date: the
row's own text, its event and workplace (number and position), the descriptions of its measures
and the comments of its assessments.

The text is refreshed by signal handlers rather than by each service: rows, measures and
assessments are written by many services (and the import), and a missed call would silently hide
a row from the search. The refresh is a plain UPDATE of that one column: it records no history
and leaves ``updated_at`` alone, so it neither moves the optimistic-locking versions nor wakes
the dashboards' roll-ups."""

import contextlib
import threading
from collections.abc import Iterable

from django.db.models import Prefetch
from django.db.models.signals import post_delete, post_save

from enterprises.models import Workplace
from hazards.models import Hazard
from hazards.search import document

from .models import ControlMeasure, RiskAssessment

# The row's own fields the search text is made of: a save that touches none of them (a new
# level, the re-assessment flag) leaves the text as it is.
HAZARD_FIELDS = frozenset(
    {
        "source",
        "activity",
        "object_description",
        "existing_controls",
        "exposed_description",
        "event",
        "workplace",
    }
)
BATCH = 2000


def hazard_document(hazard: Hazard, measures: Iterable[str], comments: Iterable[str]) -> str:
    event = hazard.event
    return document(
        [
            event.code,
            event.name_ru,
            event.name_en,
            f"№ {hazard.workplace.number}",
            hazard.workplace.position,
            hazard.source,
            hazard.object_description,
            hazard.exposed_description,
            hazard.existing_controls,
            *measures,
            *comments,
        ]
    )


def hazards_search_refresh(hazard_ids: Iterable[int]) -> int:
    """Rewrite the search text of these rows where it changed; returns how many changed."""
    ids = sorted(set(hazard_ids))
    changed = 0
    for start in range(0, len(ids), BATCH):
        rows = (
            Hazard.objects.filter(pk__in=ids[start : start + BATCH])
            .select_related("event", "workplace")
            .prefetch_related(
                Prefetch(
                    "measures",
                    queryset=ControlMeasure.objects.only("hazard_id", "description").order_by("id"),
                ),
                Prefetch(
                    "assessments",
                    queryset=RiskAssessment.objects.exclude(comment="")
                    .only("hazard_id", "comment")
                    .order_by("id"),
                ),
            )
        )
        for row in rows:
            text = hazard_document(
                row,
                [m.description for m in row.measures.all()],
                [a.comment for a in row.assessments.all()],
            )
            if text != row.search_text:
                Hazard.objects.filter(pk=row.pk).update(search_text=text)
                changed += 1
    return changed


# Rows whose refresh waits for the end of a batch (refresh_deferred); None: refresh at once.
_deferred = threading.local()


@contextlib.contextmanager
def refresh_deferred():
    """Within the block, new and changed rows' texts are refreshed once, together, at its end
    (one batch of queries instead of several per row: the API's bulk create)."""
    if getattr(_deferred, "ids", None) is not None:
        yield  # already deferred by an outer block, which refreshes
        return
    _deferred.ids = set()
    try:
        yield
        ids = _deferred.ids
    finally:
        _deferred.ids = None
    hazards_search_refresh(ids)


def _hazard_saved(sender, instance, created, update_fields=None, raw=False, **kwargs):
    if raw or (update_fields is not None and not HAZARD_FIELDS.intersection(update_fields)):
        return
    if getattr(_deferred, "ids", None) is not None:
        _deferred.ids.add(instance.pk)
        return
    hazards_search_refresh([instance.pk])


def _workplace_saved(sender, instance, created, update_fields=None, raw=False, **kwargs):
    # The rows' text holds the workplace's number and position (a renumbering or a new position).
    if raw or created or (update_fields is not None and not {"number", "position"} & set(update_fields)):
        return
    hazards_search_refresh(Hazard.objects.filter(workplace=instance).values_list("pk", flat=True))


def _measure_changed(sender, instance, update_fields=None, raw=False, **kwargs):
    if raw or (update_fields is not None and "description" not in update_fields):
        return
    hazards_search_refresh([instance.hazard_id])


def _assessment_changed(sender, instance, update_fields=None, raw=False, **kwargs):
    if raw or (update_fields is not None and "comment" not in update_fields):
        return
    if not instance.comment and kwargs.get("signal") is post_save and kwargs.get("created"):
        return  # a new assessment without a comment adds nothing to the text
    hazards_search_refresh([instance.hazard_id])


def connect() -> None:
    """Called once from AssessmentsConfig.ready()."""
    post_save.connect(_hazard_saved, sender=Hazard, dispatch_uid="hazard_search_saved")
    post_save.connect(_workplace_saved, sender=Workplace, dispatch_uid="workplace_search_saved")
    post_save.connect(_measure_changed, sender=ControlMeasure, dispatch_uid="measure_search_saved")
    post_delete.connect(_measure_changed, sender=ControlMeasure, dispatch_uid="measure_search_deleted")
    post_save.connect(_assessment_changed, sender=RiskAssessment, dispatch_uid="assessment_search_saved")
    post_delete.connect(_assessment_changed, sender=RiskAssessment, dispatch_uid="assessment_search_deleted")
