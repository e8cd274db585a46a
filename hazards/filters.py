"""Filters of an enterprise's register rows. The register list (assessments) extends them with
the filters on control measures, which this app does not know about."""

import django_filters
from django import forms
from django.db.models import F, Q
from django.db.models.functions import Length
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from enterprises.models import Workplace
from enterprises.ordering import workplace_order
from enterprises.services import department_path, department_tree, descendants
from riskpilot.markup import html

from .models import Hazard, HazardGroup, HazardStatus, RiskLevel
from .search import search

NOT_RATED = "none"
# The workplace select lists one unit's workplaces at most this many (the largest units of the
# pilot have a few hundred); the workplace page links to its rows whatever the number.
MAX_WORKPLACE_CHOICES = 500
ANY = _("Any")
ALL_STATUSES = "all"

# The approval state of a row is that of its current assessment. The values name the statuses of
# assessments.models.AssessmentStatus (this app cannot import it: assessments builds on hazards);
# tests/hazards/test_filters_approval.py checks that they agree.
APPROVAL_APPROVED = "approved"
APPROVAL_WAITING = "waiting"
APPROVAL_RETURNED = "returned"
APPROVAL_NOT_ASSESSED = "none"
APPROVAL_STATUSES = {APPROVAL_APPROVED: "approved", APPROVAL_WAITING: "draft", APPROVAL_RETURNED: "returned"}


WORKPLACE_HELP = _("Choose a structural unit and apply the filters to list its workplaces.")


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class PlainSelect(forms.Select):
    """A select drawn in Python: Django draws each option through a template of its own, and the
    filter form is on every page of the register list. Same markup, single choice only."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = self.format_value(value)[:1]
        selected = mark_safe(" selected")
        options = "".join(
            html('<option value="{}"{}>{}</option>', key, selected if [str(key)] == chosen else "", text)
            for key, text in self.choices
        )
        return html(
            '<select name="{}"{}>{}</select>',
            name,
            flatatt(self.build_attrs(self.attrs, attrs)),
            SafeString(options),
        )


def _style(form) -> None:
    """Bootstrap's classes on the widgets, as crispy-forms would set them: the list draws its
    filter form with a plain template (templates/assessments/register/_filter_fields.html)."""
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif type(widget) is forms.Select:
            css = "form-select"
            widget = field.widget = PlainSelect(attrs=widget.attrs, choices=widget.choices)
        else:
            css = "form-control"
        if form.is_bound and name in form.errors:
            css += " is-invalid"
            widget.attrs.update({"aria-invalid": "true", "aria-describedby": f"id_{name}_error"})
        widget.attrs["class"] = css
    form.styled = True


class CheckboxFilter(django_filters.BooleanFilter):
    """A yes-only filter shown as a checkbox: ticked narrows the list, unticked leaves it."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.CheckboxInput)
        super().__init__(*args, **kwargs)


# 776n codes in natural order within a group: 13.2 before 13.10.
EVENT_ORDER = ("event__hazard_type__group__number", Length("event__code"), "event__code")
# Workplaces in natural number order (enterprises.ordering): № 2А before № 10.
WORKPLACE_ORDER = workplace_order("workplace__")
DEFAULT_SORT = "workplace"
SORTS = {
    "workplace": (_("Workplace"), [*WORKPLACE_ORDER, *EVENT_ORDER, "pk"]),
    "event": (_("Hazardous event"), [*EVENT_ORDER, *WORKPLACE_ORDER, "pk"]),
    "-level": (_("Level, highest first"), [F("risk_level").desc(nulls_last=True), *WORKPLACE_ORDER, "pk"]),
    "level": (_("Level, lowest first"), [F("risk_level").asc(nulls_last=True), *WORKPLACE_ORDER, "pk"]),
    "next_review": (_("Next review"), [F("next_review_on").asc(nulls_last=True), *WORKPLACE_ORDER, "pk"]),
}


def with_approval(queryset, value: str):
    """Rows whose current assessment is in this approval state (the API filters with it too)."""
    # One join on the current assessment: a row has at most one (a unique constraint), so the
    # join never repeats a row.
    if value == APPROVAL_NOT_ASSESSED:
        return queryset.exclude(assessments__is_current=True)
    return queryset.filter(assessments__is_current=True, assessments__status=APPROVAL_STATUSES[value])


class HazardFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Source, event, controls, measures, comments…")}
        ),
    )
    department = django_filters.ChoiceFilter(
        label=_("Structural unit (with sub-units)"), method="filter_department", empty_label=ANY
    )
    workplace = django_filters.ChoiceFilter(label=_("Workplace"), method="filter_workplace", empty_label=ANY)
    group = django_filters.ModelChoiceFilter(
        label=_("Hazard group"),
        # What the label needs: 28 groups on every page of the register list.
        queryset=HazardGroup.objects.only("number", "name_ru", "name_en"),
        field_name="event__hazard_type__group",
        empty_label=ANY,
    )
    level = django_filters.ChoiceFilter(
        label=_("Current risk level"),
        choices=[*reversed(RiskLevel.choices), (NOT_RATED, _("Not rated"))],
        method="filter_level",
        empty_label=ANY,
    )
    approval = django_filters.ChoiceFilter(
        label=_("Approval"),
        choices=[
            (APPROVAL_APPROVED, _("Approved")),
            (APPROVAL_WAITING, _("Waiting for approval")),
            (APPROVAL_RETURNED, _("Returned for correction")),
            (APPROVAL_NOT_ASSESSED, _("Not assessed")),
        ],
        method="filter_approval",
        empty_label=ANY,
    )
    needs_reassessment = CheckboxFilter(label=_("Re-assessment needed"), method="filter_needs_reassessment")
    due_for_review = CheckboxFilter(label=_("Due for review"), method="filter_due_for_review")
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[
            (HazardStatus.ELIMINATED, HazardStatus.ELIMINATED.label),
            (HazardStatus.ARCHIVED, HazardStatus.ARCHIVED.label),
            (ALL_STATUSES, _("All statuses")),
        ],
        empty_label=HazardStatus.ACTIVE.label,
        method="filter_status",
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=[(key, label) for key, (label, _ordering) in SORTS.items()],
        empty_label=None,
        method="sort_rows",
    )

    class Meta:
        model = Hazard
        fields: list = []

    def __init__(self, data=None, queryset=None, *, enterprise, **kwargs):
        data = data.copy() if data is not None else {}
        # Always bound, so that the default sort and the "active rows" default apply to a bare URL.
        data.setdefault("sort", DEFAULT_SORT)
        super().__init__(data, queryset, **kwargs)
        self.enterprise = enterprise
        tree, self.departments_by_id = department_tree(enterprise)
        self.filters["department"].extra["choices"] = [
            (d.pk, "\u2003" * depth + d.name) for d, depth in tree if d.archived_at is None
        ]
        self.filters["workplace"].extra["choices"] = self.workplace_choices(data)

    def workplace_choices(self, data) -> list[tuple[int, str]]:
        """The workplaces of the chosen unit (with its sub-units), and the chosen workplace itself:
        a large enterprise has thousands, too many for one select on every page of the list. With
        no unit chosen the select offers only the chosen workplace (a link from the workplace page
        or the overview); choosing a unit and applying lists its workplaces (no script needed)."""
        department_id = _int_or_none(data.get("department"))
        workplace_id = _int_or_none(data.get("workplace"))
        chosen = Q(pk=workplace_id) if workplace_id else Q(pk__in=[])
        if department_id in self.departments_by_id:
            units = descendants(department_id, self.departments_by_id)
            workplaces = Workplace.objects.filter(
                Q(department_id__in=units) | chosen, enterprise=self.enterprise
            )
            limit = MAX_WORKPLACE_CHOICES
        elif workplace_id:
            workplaces = Workplace.objects.filter(chosen, enterprise=self.enterprise)
            limit = 1
        else:
            self.filters["workplace"].extra["help_text"] = WORKPLACE_HELP
            return []
        listed = workplaces.order_by(*workplace_order()).values_list("pk", "number", "position")[:limit]
        return [(pk, f"№ {number} — {position}") for pk, number, position in listed]

    @property
    def form(self):
        form = super().form
        if not getattr(form, "styled", False):
            _style(form)
        return form

    def filter_queryset(self, queryset):
        # No status chosen means the active rows (the register's working view).
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(status=HazardStatus.ACTIVE)
        if not self.form.cleaned_data.get("sort"):
            # An invalid sort is reported on the form; the list keeps a stable order for paging.
            queryset = queryset.order_by(*SORTS[DEFAULT_SORT][1])
        return super().filter_queryset(queryset)

    def department_path(self, department_id) -> str:
        department = self.departments_by_id.get(department_id)
        return " / ".join(department_path(department, self.departments_by_id)) if department else ""

    def filter_search(self, queryset, name, value):
        return search(queryset, value)

    def filter_department(self, queryset, name, value):
        return queryset.filter(workplace__department_id__in=descendants(int(value), self.departments_by_id))

    def filter_workplace(self, queryset, name, value):
        return queryset.filter(workplace_id=value)

    def filter_level(self, queryset, name, value):
        if value == NOT_RATED:
            return queryset.filter(risk_level__isnull=True)
        return queryset.filter(risk_level=value)

    def filter_approval(self, queryset, name, value):
        return with_approval(queryset, value)

    def filter_needs_reassessment(self, queryset, name, value):
        return queryset.filter(needs_reassessment=True) if value else queryset

    def filter_due_for_review(self, queryset, name, value):
        return queryset.filter(next_review_on__lte=timezone.localdate()) if value else queryset

    def filter_status(self, queryset, name, value):
        if value == ALL_STATUSES:
            return queryset
        return queryset.filter(status=value)

    def sort_rows(self, queryset, name, value):
        return queryset.order_by(*SORTS[value][1])
