"""Forms of the register rows: add from the 776n catalogue, edit, status, copy, own hazards, and
what becomes of a workplace's rows when it (or its unit) is archived."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from enterprises.models import Workplace
from enterprises.ordering import workplace_order, workplace_sort_key
from riskpilot.forms import (
    HiddenErrorsAboveMixin,
    ModelIdChoiceField,
    ModelIdMultipleChoiceField,
    VersionField,
)
from riskpilot.submissions.forms import OnceFormMixin

from .models import Hazard, HazardGroup, HazardousEvent, HazardStatus, HazardType
from .services import RowsOnArchive, version_token

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DESCRIPTION_WIDGETS = {
    "source": forms.Textarea(attrs={"rows": 2}),
    "existing_controls": forms.Textarea(attrs={"rows": 3}),
    "next_review_on": DATE_INPUT,
}


def code_sort_key(code: str) -> tuple:
    """776n codes in their natural order (3.2 before 3.10); own codes (3.С1) after the group's
    catalogue items."""
    key = []
    for part in re.split(r"[.\-]", code):
        if part.isdigit():
            key.append((0, int(part), ""))
        else:
            digits = re.sub(r"\D", "", part)
            key.append((1, int(digits) if digits else 0, part))
    return tuple(key)


def catalogue_events(enterprise) -> list[HazardousEvent]:
    """The 776n events plus the enterprise's own, grouped by hazard group in natural code order.
    Small (about a hundred rows), so searching happens in Python: SQLite's LIKE folds the case of
    Latin letters only, and Russian words must match whatever their case."""
    events = HazardousEvent.objects.available_to(enterprise).select_related("hazard_type__group")
    return sorted(events, key=lambda e: (e.hazard_type.group.number, code_sort_key(e.code)))


def search_events(events, query: str) -> list[HazardousEvent]:
    """Events whose code starts with a word of the query or whose Russian or English text (of the
    event, its hazard or its group) contains it; every word must match."""
    words = query.casefold().split()
    if not words:
        return list(events)

    def matches(event, word):
        hazard = event.hazard_type
        texts = (
            event.name_ru,
            event.name_en,
            hazard.name_ru,
            hazard.name_en,
            hazard.group.name_ru,
            hazard.group.name_en,
        )
        return (
            event.code.casefold().startswith(word)
            or hazard.code.casefold().startswith(word)
            or any(word in text.casefold() for text in texts)
        )

    return [event for event in events if all(matches(event, word) for word in words)]


def grouped_choices(events) -> list:
    """Choices with one optgroup per hazard group, for a plain <select> that works without JS.
    Events worded alike (4.1–4.3 "drowning after falling into water") carry their hazard's name,
    so they can be told apart."""
    events = list(events)
    names: dict = {}
    for event in events:
        names[event.name] = names.get(event.name, 0) + 1
    groups: dict = {}
    for event in events:
        label = f"{event.code} {event.name}"
        if names[event.name] > 1:
            label += f" ({event.hazard_type.name})"
        groups.setdefault(event.hazard_type.group, []).append((event.pk, label))
    return [(str(group), options) for group, options in groups.items()]


class EventChoiceField(forms.ChoiceField):
    """A hazardous event chosen from the grouped list; cleans to the event itself."""

    def __init__(self, *, events, **kwargs):
        self.events = {str(event.pk): event for event in events}
        super().__init__(choices=[("", "—"), *grouped_choices(events)], **kwargs)

    def clean(self, value):
        value = super().clean(value)
        return self.events[value] if value else None


class HazardForm(OnceFormMixin, forms.ModelForm):
    """A new register row. The instance carries the workplace and enterprise, so the model's
    own checks (an own event of another enterprise) run on the form."""

    class Meta:
        model = Hazard
        fields = [
            "event",
            "source",
            "activity",
            "object_description",
            "existing_controls",
            "exposed_description",
            "exposed_count",
            "next_review_on",
        ]
        widgets = DESCRIPTION_WIDGETS

    def __init__(self, *args, events, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"] = EventChoiceField(
            events=events,
            label=_("Hazardous event (776n catalogue)"),
            help_text=_("Type a code or words in the search box to narrow the list."),
        )
        self.fields["event"].widget.attrs.update({"size": 12, "class": "form-select catalogue-select"})


class HazardEditForm(HiddenErrorsAboveMixin, forms.ModelForm):
    # The row's version when the form was loaded (hazards.services.check_version).
    version = VersionField()

    class Meta:
        model = Hazard
        fields = [
            "source",
            "activity",
            "object_description",
            "existing_controls",
            "exposed_description",
            "exposed_count",
            "next_review_on",
        ]
        widgets = DESCRIPTION_WIDGETS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = version_token(self.instance.updated_at)


class HazardStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=HazardStatus.choices)


class CopyChoiceField(ModelIdMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, *args, label_from_instance, **kwargs):
        super().__init__(*args, **kwargs)
        self._label = label_from_instance

    def label_from_instance(self, obj):
        return self._label(obj)


def _same_position(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


class HazardCopyForm(OnceFormMixin, forms.Form):
    """Which rows of a workplace go to which other workplaces. Nothing is ticked until the
    officer ticks it (a copy adds rows to other workplaces' registers); workplaces with the same
    position (analogous workplaces) come first and are marked."""

    rows = CopyChoiceField(
        queryset=Hazard.objects.none(),
        label=_("Rows to copy"),
        label_from_instance=lambda row: f"{row.event.code} {row.event.name} — {row.source}",
    )
    targets = CopyChoiceField(
        queryset=Workplace.objects.none(),
        label=_("Copy to workplaces"),
        label_from_instance=lambda w: f"№ {w.number} — {w.position} ({w.department.name})",
    )

    def __init__(self, *args, source: Workplace, **kwargs):
        super().__init__(*args, **kwargs)
        rows = sorted(
            Hazard.objects.filter(workplace=source, status=HazardStatus.ACTIVE).select_related("event"),
            key=lambda row: (code_sort_key(row.event.code), row.pk),
        )
        # Analogous workplaces first, so they are at hand on a long list.
        candidates = sorted(
            Workplace.objects.filter(enterprise_id=source.enterprise_id)
            .active()
            .exclude(pk=source.pk)
            .select_related("department"),
            key=lambda w: (not _same_position(w.position, source.position), workplace_sort_key(w)),
        )
        self.similar = [w for w in candidates if _same_position(w.position, source.position)]
        same = _("same position")
        rows_field, targets_field = self.fields["rows"], self.fields["targets"]
        rows_field.queryset = Hazard.objects.filter(workplace=source, status=HazardStatus.ACTIVE)
        rows_field.choices = [(row.pk, rows_field.label_from_instance(row)) for row in rows]
        targets_field.queryset = Workplace.objects.filter(pk__in=[w.pk for w in candidates])
        targets_field.choices = [
            (w.pk, targets_field.label_from_instance(w) + (f" · {same}" if w in self.similar else ""))
            for w in candidates
        ]


class OwnEventForm(OnceFormMixin, forms.Form):
    """An enterprise's own hazard and hazardous event (Order 36), in one of the 776n groups."""

    group = ModelIdChoiceField(queryset=HazardGroup.objects.all(), label=_("Hazard group"))
    hazard_type = ModelIdChoiceField(
        queryset=HazardType.objects.none(),
        required=False,
        label=_("Own hazard"),
        empty_label=_("— a new hazard (name it below) —"),
        help_text=_("Add another event to one of your own hazards, or leave empty to describe a new hazard."),
    )
    hazard_name_ru = forms.CharField(
        label=_("Hazard (in Russian)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    hazard_name_en = forms.CharField(
        label=_("Hazard (in English)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    event_name_ru = forms.CharField(
        label=_("Hazardous event (in Russian)"), widget=forms.Textarea(attrs={"rows": 2})
    )
    event_name_en = forms.CharField(
        label=_("Hazardous event (in English)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, enterprise, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hazard_type"].queryset = HazardType.objects.filter(enterprise=enterprise).select_related(
            "group"
        )

    def clean(self):
        data = super().clean()
        hazard_type, group = data.get("hazard_type"), data.get("group")
        if hazard_type is None and not (data.get("hazard_name_ru") or "").strip():
            self.add_error("hazard_name_ru", _("Name the new hazard, or choose one of your own hazards."))
        if hazard_type is not None and group is not None and hazard_type.group_id != group.pk:
            self.add_error("hazard_type", _("This hazard belongs to another group."))
        return data


class ArchiveForm(HiddenErrorsAboveMixin, forms.Form):
    """Archive a workplace or a unit: with active register rows, say whether they are archived too
    or moved to another workplace (hazards.services.workplace_archive)."""

    # The object's version when the page was loaded (enterprises.services.check_structure_version).
    version = VersionField()
    rows = forms.ChoiceField(
        label=_("Its active register rows"),
        choices=RowsOnArchive.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    target = ModelIdChoiceField(
        queryset=Workplace.objects.none(),
        required=False,
        label=_("Move them to workplace"),
        empty_label="—",
    )

    def __init__(self, *args, obj, enterprise, keep_out=(), active_rows: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = version_token(obj.updated_at)
        self.active_rows = active_rows
        self.fields["target"].queryset = (
            Workplace.objects.filter(enterprise=enterprise)
            .active()
            .exclude(pk__in=[w.pk for w in keep_out])
            .order_by(*workplace_order())
        )
        self.fields["target"].label_from_instance = lambda w: f"№ {w.number} — {w.position}"
        if not active_rows:
            del self.fields["rows"], self.fields["target"]

    def clean(self):
        data = super().clean()
        if self.active_rows and not data.get("rows") and "rows" not in self.errors:
            self.add_error("rows", _("Choose what becomes of the active register rows."))
        if data.get("rows") == RowsOnArchive.MOVE and not data.get("target") and "target" not in self.errors:
            self.add_error("target", _("Choose the workplace the rows move to."))
        return data


class UnitArchiveForm(ArchiveForm):
    cascade = forms.BooleanField(
        label=_("Archive its sub-units and workplaces with it"),
        required=False,
    )

    field_order = ["version", "cascade", "rows", "target"]

    def __init__(self, *args, contents, **kwargs):
        super().__init__(*args, keep_out=contents.workplaces, active_rows=contents.active_rows, **kwargs)
        self.contents = contents
        if contents.empty:
            del self.fields["cascade"]

    def clean(self):
        data = super().clean()
        if "cascade" in self.fields and not data.get("cascade"):
            self.add_error(
                "cascade",
                _(
                    "This unit is not empty: tick the box to archive everything in it, or move its "
                    "sub-units and workplaces elsewhere first."
                ),
            )
        return data
