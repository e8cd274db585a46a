"""Forms of the work on one register row: assess, plan and complete measures, record incidents,
review a workplace. Forms check what a person typed; the rules of the register are checked again
by the services they feed, whose errors the views put back beside the fields."""

import datetime
from decimal import Decimal, InvalidOperation

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enterprises.ordering import workplace_order
from hazards.forms import HazardCopyForm
from hazards.models import ControlLevel, Hazard, HazardousEvent, HazardStatus, ModelMeasure
from hazards.services import version_token
from riskpilot.forms import (
    HiddenErrorsAboveMixin,
    ModelIdChoiceField,
    ModelIdMultipleChoiceField,
    VersionField,
)
from riskpilot.localization import current_language, localized_key
from riskpilot.submissions.forms import OnceFormMixin

from . import scoring, services
from .models import (
    AssessmentReason,
    ControlMeasure,
    IncidentKind,
    Periodicity,
    RiskAssessment,
    VictimOutcome,
    control_level_number,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
# Radio buttons drawn inside large list items (templates/assessments/risk/): easy to hit on a tablet.
RADIO_ATTRS = {"class": "form-check-input flex-shrink-0 mt-1"}

# A hint for each level of the hierarchy of controls (ISO 45001 8.1.2, Order 776n), shown beside
# the choice so the officer sees that PPE is the last resort, not the first.
CONTROL_LEVEL_HINTS = {
    ControlLevel.ELIMINATION: _("Remove the hazard altogether: stop the operation, take the source away."),
    ControlLevel.SUBSTITUTION: _("Replace it with a less hazardous process, material or equipment."),
    ControlLevel.ENGINEERING: _(
        "Separate people from the hazard: guards, interlocks, ventilation, automation, reorganised work."
    ),
    ControlLevel.ADMINISTRATIVE: _(
        "Change how people work: procedures, permits, training, signs, shorter exposure time."
    ),
    ControlLevel.PPE: _("Protect each worker: respirators, hearing protection, harnesses. The last resort."),
    ControlLevel.INSURANCE: _("Insure the professional risk that remains (Order 776n)."),
}


def _same_value(a, b) -> bool:
    """Level values compare as numbers: a stored "4" matches the configured 4, "0.50" matches 0.5."""
    try:
        return Decimal(str(a)) == Decimal(str(b))
    except (InvalidOperation, ValueError):
        return False


class AssessmentForm(OnceFormMixin, forms.Form):
    """Built from the method version's configuration: one choice per input, each level explained
    in words in the user's language; the residual inputs are optional but all or nothing."""

    reason = forms.ChoiceField(label=_("Reason"), choices=AssessmentReason.choices)
    assessed_on = forms.DateField(label=_("Assessed on"), widget=DATE)
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    # The row's current assessment when the form was loaded (services.current_assessment_token).
    current = VersionField(max_length=20)

    def __init__(self, *args, config: dict, previous=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["current"].initial = services.current_assessment_token(previous)
        self.config = config
        self.scales = []
        for spec in config["inputs"]:
            key = spec["key"]
            levels = [
                {
                    "value": str(level["value"]),
                    "label": localized_key(level, "label"),
                    "description": localized_key(level, "description"),
                }
                for level in spec["levels"]
            ]
            label = localized_key(spec, "label")
            choices = [(level["value"], f"{level['value']} — {level['label']}") for level in levels]
            self.fields[key] = forms.ChoiceField(
                label=label,
                choices=choices,
                widget=forms.RadioSelect(attrs=RADIO_ATTRS),
                error_messages={"required": _("Choose a level.")},
            )
            self.fields[f"residual_{key}"] = forms.ChoiceField(
                label=label, choices=[("", "—"), *choices], required=False
            )
            self.scales.append(
                {
                    "key": key,
                    "symbol": scoring.input_symbol(spec, current_language()),
                    "label": label,
                    "levels": levels,
                }
            )
            if previous is not None:
                self._carry_forward(key, levels, previous)
        self.input_keys = [scale["key"] for scale in self.scales]
        self.fields["assessed_on"].initial = timezone.localdate()

    def _carry_forward(self, key: str, levels: list[dict], previous) -> None:
        """Start a re-assessment from the current one's levels."""
        for source, name in ((previous.inputs, key), (previous.residual_inputs or {}, f"residual_{key}")):
            for level in levels:
                if key in source and _same_value(source[key], level["value"]):
                    self.initial.setdefault(name, level["value"])

    def scale_rows(self):
        """The template's view of each input: its radio buttons with the level's words beside them,
        and the residual choice."""
        rows = []
        for scale in self.scales:
            radios = list(self[scale["key"]])
            rows.append(
                {
                    **scale,
                    "field": self[scale["key"]],
                    "residual_field": self[f"residual_{scale['key']}"],
                    "options": list(zip(radios, scale["levels"], strict=True)),
                }
            )
        return rows

    def clean_assessed_on(self):
        assessed_on = self.cleaned_data["assessed_on"]
        if assessed_on > timezone.localdate():
            raise forms.ValidationError(_("An assessment cannot be dated in the future."))
        return assessed_on

    def clean(self):
        cleaned = super().clean()
        residual = {key: cleaned.get(f"residual_{key}") for key in self.input_keys}
        given = [key for key, value in residual.items() if value]
        if given and len(given) < len(self.input_keys):
            for key in self.input_keys:
                if not residual[key]:
                    self.add_error(
                        f"residual_{key}", _("Give every residual input, or none for no residual risk.")
                    )
        return cleaned

    @property
    def inputs(self) -> dict:
        return {key: self.cleaned_data[key] for key in self.input_keys}

    @property
    def residual_inputs(self) -> dict | None:
        residual = {key: self.cleaned_data.get(f"residual_{key}") for key in self.input_keys}
        return residual if all(residual.values()) else None


class AssigneeChoiceField(ModelIdChoiceField):
    def label_from_instance(self, user):
        name = user.get_full_name() or user.get_username()
        return f"{name} — {user.position}" if user.position else name


def responsible_clean(form, cleaned) -> None:
    """Exactly one of a user and a typed name, the error beside the field that needs it."""
    if "assignee" in form.errors or "responsible" in form.errors:
        return
    assignee, name = cleaned.get("assignee"), (cleaned.get("responsible") or "").strip()
    if assignee is not None and name:
        form.add_error("responsible", _("Choose a user or type a name, not both."))
    elif assignee is None and not name:
        form.add_error(
            "assignee", _("Choose the responsible user, or type a name if the person has no account.")
        )


# --- The manager's decisions on drafts ------------------------------------------------------------


class ApprovalForm(forms.Form):
    """The drafts ticked in the approval queue, each with the version the queue showed
    (``version-<id>``, services.approval_token). Posted first without ``confirm``: the
    confirmation page; then with it: the approval."""

    assessments = ModelIdMultipleChoiceField(
        label=_("Assessments"),
        queryset=RiskAssessment.objects.none(),
        error_messages={"required": _("Tick at least one assessment to approve.")},
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, enterprise, **kwargs):
        super().__init__(*args, **kwargs)
        # Only this enterprise's drafts can be named: another id is an invalid choice.
        self.fields["assessments"].queryset = RiskAssessment.objects.filter(
            hazard__enterprise=enterprise
        ).select_related("hazard__workplace", "hazard__event", "assessor", "method_version")

    @property
    def versions(self) -> dict[int, str]:
        """The version of each chosen draft as the form carried it ('' when missing)."""
        return {
            a.pk: str(self.data.get(f"version-{a.pk}", ""))[:40] for a in self.cleaned_data["assessments"]
        }


class ReturnForm(HiddenErrorsAboveMixin, forms.Form):
    """Send a draft back to the officer with what to correct."""

    reason = forms.CharField(
        label=_("What has to be corrected"),
        max_length=services.RETURN_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The officer sees this on the row's page, in the register and in the weekly reminder."),
        error_messages={"required": _("Say what the officer has to correct.")},
    )
    version = VersionField(max_length=40)


class MeasureForm(forms.Form):
    """A control measure of the plan. With ``optional`` (beside an assessment), an untouched form
    means "no measure"; once anything is typed, the whole measure must be valid."""

    control_level = forms.ChoiceField(
        label=_("Level of the hierarchy of controls"),
        choices=ControlLevel.choices,
        widget=forms.RadioSelect(attrs=RADIO_ATTRS),
    )
    description = forms.CharField(
        label=_("Measure"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    assignee = AssigneeChoiceField(
        label=_("Responsible person"),
        queryset=None,
        required=False,
        empty_label=_("— a person without an account —"),
        help_text=_("A user of the enterprise: told by e-mail, sees it under “My tasks”."),
    )
    responsible = forms.CharField(
        label=_("or the name of a person without an account"), max_length=300, required=False
    )
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DATE)
    periodicity = forms.ChoiceField(
        label=_("or periodicity"),
        choices=[("", _("— one-off measure —")), *Periodicity.choices],
        required=False,
        help_text=_("For a recurring measure (inspections, training) instead of a due date."),
    )
    model_measure = ModelIdChoiceField(
        queryset=ModelMeasure.objects.none(), required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, hazard: Hazard, optional: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.hazard = hazard
        self.optional = optional
        self.fields["model_measure"].queryset = ModelMeasure.objects.filter(event_id=hazard.event_id)
        self.fields["assignee"].queryset = services.measure_assignee_choices(hazard.enterprise_id)
        if optional:
            for field in self.fields.values():
                field.required = False

    def control_level_options(self):
        """(radio, hint, number): the number is the level's place in the hierarchy, as on the
        row's page (ControlMeasure.control_level_number)."""
        return [
            (radio, CONTROL_LEVEL_HINTS[radio.data["value"]], control_level_number(radio.data["value"]))
            for radio in self["control_level"]
        ]

    def model_measure_options(self):
        """The 776n model measures of the row's event, each with the level it presets."""
        return list(self.fields["model_measure"].queryset.order_by("id"))

    def is_empty(self) -> bool:
        """Nothing typed into an optional measure (the hierarchy choice alone does not count)."""
        if not self.is_bound:
            return True
        return not any(
            (self.data.get(self.add_prefix(name)) or "").strip()
            for name in ("description", "assignee", "responsible", "due_date", "periodicity")
        )

    def clean_due_date(self):
        due_date = self.cleaned_data.get("due_date")
        if due_date and due_date < timezone.localdate():
            raise forms.ValidationError(_("A new measure cannot be due in the past."))
        return due_date

    def clean(self):
        cleaned = super().clean()
        if self.optional and self.is_empty():
            return cleaned
        for name in ("control_level", "description"):
            if not cleaned.get(name) and name not in self.errors:
                self.add_error(name, _("This field is required."))
        responsible_clean(self, cleaned)
        if not cleaned.get("due_date") and not cleaned.get("periodicity") and "due_date" not in self.errors:
            self.add_error("due_date", _("Give a due date or a periodicity."))
        return cleaned

    @property
    def measure(self) -> dict:
        """Keyword arguments for services.measure_plan."""
        data = self.cleaned_data
        return {
            "control_level": data["control_level"],
            "description": data["description"].strip(),
            "assignee": data.get("assignee"),
            "responsible": (data.get("responsible") or "").strip(),
            "due_date": data.get("due_date"),
            "periodicity": data.get("periodicity") or "",
            "model_measure": data.get("model_measure"),
        }


class MeasurePlanForm(OnceFormMixin, MeasureForm):
    """A measure planned on its own page (beside an assessment, the assessment's key covers it)."""


class MeasureEditForm(HiddenErrorsAboveMixin, forms.Form):
    """Who is responsible for an open measure and when it is due."""

    assignee = MeasureForm.base_fields["assignee"]
    responsible = MeasureForm.base_fields["responsible"]
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DATE)
    periodicity = MeasureForm.base_fields["periodicity"]
    version = VersionField()

    def __init__(self, *args, measure: ControlMeasure, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "assignee": measure.assignee_id,
                "responsible": measure.responsible,
                "due_date": measure.due_date,
                "periodicity": measure.periodicity,
            },
        )
        super().__init__(*args, **kwargs)
        self.measure = measure
        self.fields["assignee"].queryset = services.measure_assignee_choices(measure.hazard.enterprise_id)
        self.fields["version"].initial = version_token(measure.updated_at)

    def clean_due_date(self):
        due_date = self.cleaned_data.get("due_date")
        # An overdue measure may keep its date; a new date in the past is a typing error.
        if due_date and due_date != self.measure.due_date and due_date < timezone.localdate():
            raise forms.ValidationError(_("A new due date cannot be in the past."))
        return due_date

    def clean(self):
        cleaned = super().clean()
        responsible_clean(self, cleaned)
        if not cleaned.get("due_date") and not cleaned.get("periodicity") and "due_date" not in self.errors:
            self.add_error("due_date", _("Give a due date or a periodicity."))
        return cleaned

    @property
    def changes(self) -> dict:
        data = self.cleaned_data
        return {
            "assignee": data.get("assignee"),
            "responsible": (data.get("responsible") or "").strip(),
            "due_date": data.get("due_date"),
            "periodicity": data.get("periodicity") or "",
            "version": data["version"],
        }


class MeasureStartForm(HiddenErrorsAboveMixin, forms.Form):
    version = VersionField()


class MeasureCancelForm(HiddenErrorsAboveMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason for cancelling the measure.")},
        help_text=_("Shown on the row's page and kept in its history."),
    )
    version = VersionField()

    def __init__(self, *args, measure: ControlMeasure, **kwargs):
        super().__init__(*args, **kwargs)
        self.measure = measure
        self.fields["version"].initial = version_token(measure.updated_at)

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Give the reason for cancelling the measure."))
        return reason


class MeasureCompleteForm(OnceFormMixin, forms.Form):
    done_on = forms.DateField(label=_("Done on"), widget=DATE)
    note = forms.CharField(
        label=_("What was done"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    file = forms.FileField(
        label=_("Evidence: photo or document"),
        help_text=_("JPEG, PNG or WebP photo, or a PDF document."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}),
        error_messages={
            "required": _("Attach a photo or document that shows the measure was done."),
            "empty": _("The file is empty."),
        },
    )
    # The measure's version when the form was loaded (hazards.services.check_version).
    version = VersionField()

    def __init__(self, *args, measure: ControlMeasure, **kwargs):
        super().__init__(*args, **kwargs)
        self.measure = measure
        self.fields["version"].initial = version_token(measure.updated_at)
        self.fields["done_on"].initial = timezone.localdate()

    def clean_done_on(self):
        done_on = self.cleaned_data["done_on"]
        if done_on > timezone.localdate():
            raise forms.ValidationError(_("A measure cannot be done in the future."))
        return done_on

    def clean_file(self):
        file = self.cleaned_data["file"]
        services.evidence_inspect(file)
        return file


class HazardChoiceField(ModelIdMultipleChoiceField):
    def label_from_instance(self, hazard):
        return f"{hazard.event.code} {hazard.event.name} — {hazard.source}"


class EventChoiceField(ModelIdChoiceField):
    def label_from_instance(self, event):
        name = event.name
        return f"{event.code} {name[:120]}{'…' if len(name) > 120 else ''}"


class IncidentFields(forms.Form):
    """What is recorded of an incident, the same whether it is recorded or corrected."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=IncidentKind.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    occurred_at = forms.DateTimeField(label=_("Date and time"), widget=DATETIME)
    workplace = ModelIdChoiceField(label=_("Workplace"), queryset=None)
    hazards = HazardChoiceField(
        label=_("Register rows involved"),
        queryset=Hazard.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each row chosen is flagged “re-assessment needed”."),
    )
    description = forms.CharField(
        label=_("Circumstances"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    event = EventChoiceField(
        label=_("Hazardous event it almost became"),
        queryset=HazardousEvent.objects.none(),
        required=False,
        empty_label="—",
        help_text=_("Required for a near miss."),
    )
    act_number = forms.CharField(label=_("Act number (form N-1)"), max_length=50, required=False)

    def __init__(self, *args, enterprise, workplace=None, linked=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.enterprise = enterprise
        workplaces = enterprise.workplaces.filter(archived_at__isnull=True)
        if workplace is not None:
            # A corrected incident keeps its workplace even if it was archived since.
            workplaces = enterprise.workplaces.filter(Q(archived_at__isnull=True) | Q(pk=workplace.pk))
        self.fields["workplace"].queryset = workplaces.order_by(*workplace_order())
        self.fields["event"].queryset = HazardousEvent.objects.available_to(enterprise).order_by("id")
        if workplace is not None:
            self.fields["workplace"].initial = workplace.pk
        self.workplace_id = self._chosen_workplace_id(workplace)
        # Active rows of the workplace, and those already linked (a row eliminated since stays).
        self.fields["hazards"].queryset = (
            Hazard.objects.filter(enterprise=enterprise, workplace_id=self.workplace_id)
            .filter(Q(status=HazardStatus.ACTIVE) | Q(pk__in=[h.pk for h in linked]))
            .select_related("event")
            .order_by("id")
            if self.workplace_id
            else Hazard.objects.none()
        )

    def _chosen_workplace_id(self, workplace):
        raw = self.data.get(self.add_prefix("workplace")) if self.is_bound else None
        if raw is None:
            return workplace.pk if workplace is not None else None
        try:
            return int(raw)
        except (TypeError, ValueError):
            return None

    def clean_occurred_at(self):
        occurred_at = self.cleaned_data["occurred_at"]
        if occurred_at > timezone.now():
            raise forms.ValidationError(_("An incident cannot be in the future."))
        return occurred_at

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == IncidentKind.NEAR_MISS and not cleaned.get("event"):
            self.add_error("event", _("Name the hazardous event this near miss almost became."))
        return cleaned


class IncidentForm(OnceFormMixin, IncidentFields):
    """Recording an incident (a one-time key: a double click records it once)."""


class IncidentEditForm(HiddenErrorsAboveMixin, IncidentFields):
    """Correcting an incident: the same fields and checks, and the version it was loaded at."""

    version = VersionField()

    def __init__(self, *args, incident, workplace=None, **kwargs):
        kwargs.setdefault("linked", list(incident.hazards.all()))
        super().__init__(
            *args, enterprise=incident.enterprise, workplace=workplace or incident.workplace, **kwargs
        )
        self.fields["version"].initial = version_token(incident.updated_at)


class IncidentCancelForm(HiddenErrorsAboveMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancellation"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For example: recorded twice, or the investigation found it was not an incident at work."
        ),
    )
    version = VersionField()

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = version_token(incident.updated_at)

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Say why the incident is cancelled."))
        return reason


class VictimForm(forms.Form):
    """One victim of an accident: outcome and days of incapacity (Order 223n), no name."""

    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", "—"), *VictimOutcome.choices])
    days_lost = forms.IntegerField(
        label=_("Days of incapacity"), min_value=0, max_value=100_000, required=False, initial=0
    )
    position = forms.CharField(label=_("Profession (position)"), max_length=200, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("days_lost") is None and "days_lost" not in self.errors:
            cleaned["days_lost"] = 0
        if cleaned.get("outcome") == VictimOutcome.FATAL and cleaned.get("days_lost"):
            self.add_error("days_lost", _("A fatal outcome has no days of incapacity: leave the days at 0."))
        return cleaned


class BaseVictimFormSet(forms.BaseFormSet):
    """The victims of an accident. A row left as it was shown (no outcome chosen) is no victim,
    so a near miss never gets one by default; whether the kind may have victims at all is the
    service's rule (services.incident_victims_check), checked here so the page can say it."""

    def __init__(self, *args, kind: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"

    def initial_form_count(self):
        # Every row is a new victim, none an "initial" one: a row left blank is simply no victim.
        return 0

    def victims(self) -> list[dict]:
        """The rows that describe a victim, as the service takes them."""
        return [
            {name: form.cleaned_data[name] for name in ("outcome", "days_lost", "position")}
            for form in self.forms
            if form.has_changed() and form.cleaned_data and not self._should_delete_form(form)
        ]

    def clean(self):
        if any(self.errors) or self.kind not in IncidentKind.values:
            return
        try:
            services.incident_victims_check(kind=self.kind, victims=self.victims())
        except forms.ValidationError as error:
            raise forms.ValidationError(error.messages) from error


MAX_VICTIMS = 200
VictimFormSet = forms.formset_factory(
    VictimForm,
    formset=BaseVictimFormSet,
    extra=0,
    can_delete=True,
    max_num=MAX_VICTIMS,
    absolute_max=MAX_VICTIMS,
    validate_max=True,
)


class IncidentFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *IncidentKind.choices], required=False
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE)
    cancelled = forms.BooleanField(
        label=_("Include cancelled incidents"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date_from") and cleaned.get("date_to") and cleaned["date_from"] > cleaned["date_to"]:
            self.add_error("date_to", _("The end of the period is before its start."))
        return cleaned


class ReviewForm(OnceFormMixin, forms.Form):
    confirm = ModelIdMultipleChoiceField(
        label=_("Ratings confirmed unchanged"),
        queryset=Hazard.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reviewed_on = forms.DateField(label=_("Reviewed on"), widget=DATE)
    next_review_on = forms.DateField(label=_("Next review"), widget=DATE)
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, confirmable, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["confirm"].queryset = confirmable
        today = timezone.localdate()
        self.fields["reviewed_on"].initial = today
        self.fields["next_review_on"].initial = today + datetime.timedelta(days=365)

    def clean_reviewed_on(self):
        reviewed_on = self.cleaned_data["reviewed_on"]
        if reviewed_on > timezone.localdate():
            raise forms.ValidationError(_("A review cannot be dated in the future."))
        return reviewed_on

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("reviewed_on")
            and cleaned.get("next_review_on")
            and cleaned["next_review_on"] <= cleaned["reviewed_on"]
        ):
            self.add_error("next_review_on", _("The next review must come after this one."))
        return cleaned


class HazardCopyWithRatingForm(HazardCopyForm):
    """The copy to analogous workplaces, offering to carry each row's current rating over as a
    draft (off unless ticked: the same rating at another workplace is the officer's call)."""

    carry_rating = forms.BooleanField(
        label=_("Carry the current rating over to each copy as a draft assessment"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
        help_text=_(
            "Each copy gets its source row's current rating as a new draft, marked “copied from "
            "workplace № …”; check it at the new workplace before approving. Rows not rated yet are "
            "copied unrated."
        ),
    )
