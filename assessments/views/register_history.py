"""A workplace's change history (django-simple-history): who changed what, when, old → new, for
the workplace itself and its register rows. A fixed number of queries whatever the history's
length: records are fetched per model at once and compared in Python."""

from django.db.models import ForeignKey
from django.utils.translation import gettext_lazy as _

from enterprises.models import Department, Workplace
from hazards.models import Hazard, HazardousEvent

from .risk_history import readable

# Bookkeeping columns that change with every save or never change after creation.
_SKIPPED = {"id", "created_at", "updated_at", "enterprise", "identified_by", "search_text"}
_KINDS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


def _tracked_fields(model):
    return [f for f in model._meta.concrete_fields if f.name not in _SKIPPED]


def _diffs(records, fields):
    """(record, [(field, old, new), …]) for each record, comparing with the object's previous
    record; records must be in ascending history order."""
    previous: dict = {}
    result = []
    for record in records:
        before = previous.get(record.id)
        changes = []
        if before is not None:
            for field in fields:
                old, new = getattr(before, field.attname), getattr(record, field.attname)
                if old != new:
                    changes.append((field, old, new))
        result.append((record, changes))
        previous[record.id] = record
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


def workplace_history(workplace: Workplace, *, departments_by_id: dict, limit: int = 30) -> list[dict]:
    workplace_fields = _tracked_fields(Workplace)
    hazard_fields = _tracked_fields(Hazard)
    workplace_records = _diffs(
        Workplace.history.filter(id=workplace.pk).select_related("history_user").order_by("history_id"),
        workplace_fields,
    )
    hazard_records = _diffs(
        Hazard.history.filter(workplace_id=workplace.pk)
        .select_related("history_user")
        .order_by("history_id"),
        hazard_fields,
    )
    latest = sorted(
        [(record, changes, None) for record, changes in workplace_records]
        + [(record, changes, record.event_id) for record, changes in hazard_records],
        key=lambda item: (item[0].history_date, item[0].history_id),
        reverse=True,
    )
    # A save that changed nothing a reader sees (only updated_at) is left out.
    latest = [item for item in latest if item[0].history_type != "~" or item[1]][:limit]

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
