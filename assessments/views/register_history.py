"""A workplace's change history (django-simple-history): who changed what, when, old → new, for
the workplace itself and its register rows. The page shows the newest changes only, so only the
newest records are read, each with the record before it (found by a window function in the
database): the work does not grow with the history's length."""

from django.db.models import F, ForeignKey, Window
from django.db.models.functions import Lag
from django.utils.translation import gettext_lazy as _

from enterprises.models import Department, Workplace
from hazards.models import Hazard, HazardousEvent

from .risk_history import readable

# Bookkeeping columns that change with every save or never change after creation.
_SKIPPED = {"id", "created_at", "updated_at", "enterprise", "identified_by", "search_text"}
_KINDS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


def _tracked_fields(model):
    return [f for f in model._meta.concrete_fields if f.name not in _SKIPPED]


def _newest(records, fields, count: int) -> list:
    """The newest ``count`` records, newest first, each as (record, [(field, old, new), …]) against
    the object's record before it. One or two queries whatever the history's length."""
    order = [F("history_date").asc(), F("history_id").asc()]
    newest = list(
        records.annotate(previous_id=Window(Lag("history_id"), partition_by=[F("id")], order_by=order))
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:count]
    )
    before = {record.history_id: record for record in newest}
    older = {r.previous_id for r in newest if r.previous_id and r.previous_id not in before}
    if older:  # records before the newest ones read: one more query
        before.update(records.model._default_manager.in_bulk(older))
    result = []
    for record in newest:
        previous = before.get(record.previous_id)
        changes = []
        if previous is not None:
            for field in fields:
                old, new = getattr(previous, field.attname), getattr(record, field.attname)
                if old != new:
                    changes.append((field, old, new))
        result.append((record, changes))
    return result


def _display(field, value, lookups):
    if value is None or value == "":
        return "—"
    if isinstance(field, ForeignKey):
        related = lookups.get(field.related_model, {}).get(value)
        return str(related) if related is not None else f"#{value}"
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return readable(value)


def _when(item) -> tuple:
    return item[0].history_date, item[0].history_id


def _latest(workplace: Workplace, limit: int) -> list:
    """The newest ``limit`` changes a reader sees, newest first: (record, changes, event id or None
    for the workplace). A save that changed nothing shown (only updated_at) is left out, so more
    records are read when those crowd the newest (rarely: the count doubles each time)."""
    sources = [
        (Workplace.history.filter(id=workplace.pk), _tracked_fields(Workplace), False),
        (Hazard.history.filter(workplace_id=workplace.pk), _tracked_fields(Hazard), True),
    ]
    count = limit * 2
    while True:
        latest, cutoffs = [], []
        for records, fields, is_row in sources:
            newest = [
                (record, changes, record.event_id if is_row else None)
                for record, changes in _newest(records, fields, count)
            ]
            latest += newest
            if len(newest) == count:  # older records of this source were not read
                cutoffs.append(_when(newest[-1]))
        latest.sort(key=_when, reverse=True)
        # Beyond the oldest record read of a source cut short, that source's changes are missing.
        cutoff = max(cutoffs, default=None)
        shown = [
            item
            for item in latest
            if (item[0].history_type != "~" or item[1]) and (cutoff is None or _when(item) >= cutoff)
        ]
        if len(shown) >= limit or cutoff is None:
            return shown[:limit]
        count *= 2


def workplace_history(workplace: Workplace, *, departments_by_id: dict, limit: int = 30) -> list[dict]:
    latest = _latest(workplace, limit)

    # Related names shown in the changes, fetched once per model.
    event_ids = {event_id for _record, _changes, event_id in latest}
    for _record, changes, _event_id in latest:
        event_ids |= {value for field, old, new in changes if field.name == "event" for value in (old, new)}
    events = HazardousEvent.objects.in_bulk([pk for pk in event_ids if pk])
    lookups = {Department: departments_by_id, HazardousEvent: events}

    entries = []
    for record, changes, event_id in latest:
        event = events.get(event_id)
        entries.append(
            {
                "when": record.history_date,
                "who": record.history_user,
                "kind": _KINDS.get(record.history_type, record.history_type),
                "is_creation": record.history_type == "+",
                "subject": (_("Row %(code)s") % {"code": event.code} if event else _("Workplace")),
                "hazard_id": record.id if event_id else None,
                "reason": record.history_change_reason or "",
                "changes": [
                    {
                        "field": field.verbose_name,
                        "old": _display(field, old, lookups),
                        "new": _display(field, new, lookups),
                    }
                    for field, old, new in changes
                ],
            }
        )
    return entries
