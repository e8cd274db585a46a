"""The change history of one register row, its assessments, measures and evidence, read from the
simple-history tables: who, when, and each field's old → new value.

Every historical table is read in one query and the differences are computed here (simple-history's
``prev_record`` would ask the database once per record), so the page's query count stays the same
however long the history grows."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hazards.models import Hazard

from ..models import ControlMeasure, Incident, IncidentVictim, MeasureEvidence, RiskAssessment

# Bookkeeping columns: they change with every save and tell a reader nothing.
_IGNORED = {"id", "created_at", "updated_at", "hazard", "enterprise", "is_current", "file", "search_text"}


@dataclass
class Change:
    label: str
    old: Any
    new: Any


@dataclass
class Entry:
    when: Any
    who: Any
    subject: str
    action: str
    changes: list[Change] = field(default_factory=list)


def _tracked_fields(model) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if f.name not in _IGNORED]


def _show(model_field: models.Field, value, related: dict) -> Any:
    if value is None or value == "":
        return "—"
    if model_field.is_relation:
        obj = related.get((model_field.related_model, value))
        return str(obj) if obj is not None else f"#{value}"
    if model_field.choices:
        return dict(model_field.flatchoices).get(value, value)
    if isinstance(model_field, models.BooleanField):
        return _("yes") if value else _("no")
    if isinstance(model_field, models.JSONField) and isinstance(value, dict):
        return ", ".join(f"{key} {val}" for key, val in value.items())
    return readable(value)


def readable(value) -> Any:
    """Dates, times and numbers as a reader of this language writes them: the history shows them
    as text (and may truncate them), so the template's own localisation would not apply."""
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, Decimal):
        # Scores are stored with four decimals; 12.0000 reads as 12, 2.5000 as 2,5.
        return number_format(
            value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()
        )
    return value


SUBJECTS = {
    Hazard: gettext_lazy("Register row"),
    RiskAssessment: gettext_lazy("Assessment"),
    ControlMeasure: gettext_lazy("Measure"),
    MeasureEvidence: gettext_lazy("Evidence"),
}


def row_history(hazard: Hazard, *, limit: int = 200) -> list[Entry]:
    """The newest ``limit`` changes, newest first."""
    sources = [
        (Hazard, Hazard.history.filter(id=hazard.pk)),
        (RiskAssessment, RiskAssessment.history.filter(hazard_id=hazard.pk)),
        (ControlMeasure, ControlMeasure.history.filter(hazard_id=hazard.pk)),
        (MeasureEvidence, MeasureEvidence.history.filter(measure__hazard_id=hazard.pk)),
    ]
    raw = []  # (model, record, [(field, old, new)])
    wanted: dict[type, set] = {}
    for model, records in sources:
        fields = _tracked_fields(model)
        previous_by_id = {}
        for record in records.select_related("history_user").order_by("history_date", "history_id"):
            before = previous_by_id.get(record.id)
            diffs = []
            if record.history_type == "~" and before is not None:
                for f in fields:
                    old, new = getattr(before, f.attname), getattr(record, f.attname)
                    if old != new:
                        diffs.append((f, old, new))
                        if f.is_relation:
                            wanted.setdefault(f.related_model, set()).update(v for v in (old, new) if v)
            previous_by_id[record.id] = record
            if record.history_type == "~" and not diffs:
                continue  # a save that changed only bookkeeping columns
            raw.append((model, record, diffs))
    # One query per related model named in the changes (users, events…), not one per change.
    related = {}
    for model, ids in wanted.items():
        for pk, obj in model._default_manager.in_bulk(ids).items():
            related[(model, pk)] = obj
    actions = {"+": _("created"), "~": _("changed"), "-": _("deleted")}
    entries = []
    for model, record, diffs in raw:
        subject = f"{SUBJECTS[model]}"
        if model is ControlMeasure:
            subject += f": {record.description[:60]}"
        elif model is MeasureEvidence:
            subject += f": {record.original_name}"
        elif model is RiskAssessment:
            subject += f" {date_format(record.assessed_on, 'SHORT_DATE_FORMAT')}"
        entries.append(
            Entry(
                when=record.history_date,
                who=record.history_user,
                subject=subject,
                action=actions.get(record.history_type, record.history_type),
                changes=[
                    Change(capfirst(f.verbose_name), _show(f, old, related), _show(f, new, related))
                    for f, old, new in diffs
                ],
            )
        )
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:limit]


_INCIDENT_IGNORED = {"incident"}


def _incident_links():
    """simple-history's table of the rows linked at each historical record of an incident (the
    only table that points to the incident's historical records)."""
    (relation,) = Incident.history.model._meta.related_objects
    return relation.related_model


def incident_history(incident, *, limit: int = 200) -> list[Entry]:
    """The changes of one incident and its victims, newest first, in a fixed number of queries:
    each field's old → new value, the register rows linked and unlinked, victims added and
    removed (a correction replaces the victims that changed)."""
    sources = [
        (Incident, Incident.history.filter(id=incident.pk)),
        (IncidentVictim, IncidentVictim.history.filter(incident_id=incident.pk)),
    ]
    # The rows linked at each historical record, in one query (simple-history's per-record
    # ``record.hazards`` would ask once per record).
    linked_at: dict[int, set[int]] = {}
    for history_id, hazard_id in (
        _incident_links().objects.filter(history__id=incident.pk).values_list("history_id", "hazard_id")
    ):
        linked_at.setdefault(history_id, set()).add(hazard_id)
    raw = []  # (model, record, [(field, old, new)], hazards added, hazards removed)
    wanted: dict[type, set] = {}
    for model, records in sources:
        fields = [f for f in _tracked_fields(model) if f.name not in _INCIDENT_IGNORED]
        previous_by_id = {}
        for record in records.select_related("history_user").order_by("history_date", "history_id"):
            before = previous_by_id.get(record.id)
            diffs, added, removed = [], set(), set()
            if model is Incident:
                linked = linked_at.get(record.history_id, set())
                if before is not None:
                    was = linked_at.get(before.history_id, set())
                    added, removed = linked - was, was - linked
                    wanted.setdefault(Hazard, set()).update(added | removed)
            if record.history_type == "~" and before is not None:
                for f in fields:
                    old, new = getattr(before, f.attname), getattr(record, f.attname)
                    if old != new:
                        diffs.append((f, old, new))
                        if f.is_relation:
                            wanted.setdefault(f.related_model, set()).update(v for v in (old, new) if v)
            previous_by_id[record.id] = record
            if record.history_type == "~" and not (diffs or added or removed):
                continue
            raw.append((model, record, diffs, added, removed))
    related = {}
    for model, ids in wanted.items():
        manager = model._default_manager
        if model is Hazard:
            manager = manager.select_related("workplace", "event")
        for pk, obj in manager.in_bulk(ids).items():
            related[(model, pk)] = obj
    actions = {"+": _("created"), "~": _("changed"), "-": _("deleted")}
    rows_label = capfirst(Incident._meta.get_field("hazards").verbose_name)
    entries = []
    for model, record, diffs, added, removed in raw:
        if model is Incident:
            subject = str(capfirst(Incident._meta.verbose_name))
        else:
            subject = f"{capfirst(IncidentVictim._meta.verbose_name)}: {record.get_outcome_display()}"
            if record.history_type != "~":
                subject += f", {record.days_lost}"
        changes = [
            Change(capfirst(f.verbose_name), _show(f, old, related), _show(f, new, related))
            for f, old, new in diffs
        ]
        if added or removed:
            names = sorted(str(related.get((Hazard, pk), f"#{pk}")) for pk in removed)
            new_names = sorted(str(related.get((Hazard, pk), f"#{pk}")) for pk in added)
            changes.append(Change(rows_label, ", ".join(names) or "—", ", ".join(new_names) or "—"))
        entries.append(
            Entry(
                when=record.history_date,
                who=record.history_user,
                subject=subject,
                action=actions.get(record.history_type, record.history_type),
                changes=changes,
            )
        )
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:limit]
