"""The register list's filters: the row filters of the hazards app plus those on control
measures (status, overdue), and the per-row measure counts every list shows."""

import django_filters
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hazards.filters import ANY, CheckboxFilter, HazardFilter
from hazards.models import Hazard

from ..models import OPEN_MEASURE_STATUSES, ControlMeasure, MeasureStatus

NO_MEASURES = "none"
# The order of the filter form: what is looked for most comes first.
FIELD_ORDER = (
    "q",
    "department",
    "workplace",
    "group",
    "level",
    "approval",
    "measure_status",
    "overdue",
    "needs_reassessment",
    "due_for_review",
    "status",
    "sort",
)


def with_measure_counts(queryset):
    """Open and overdue measures per row, counted in the list's own query (one join, so the
    counts are exact; the measure filters below use EXISTS and add no join)."""
    open_measures = Q(measures__status__in=OPEN_MEASURE_STATUSES)
    return queryset.annotate(
        open_measures=Count("measures", filter=open_measures),
        overdue_measures=Count(
            "measures", filter=open_measures & Q(measures__due_date__lt=timezone.localdate())
        ),
    )


class RegisterFilter(HazardFilter):
    measure_status = django_filters.ChoiceFilter(
        label=_("Control measures"),
        choices=[*MeasureStatus.choices, (NO_MEASURES, _("No measures planned"))],
        method="filter_measure_status",
        empty_label=ANY,
    )
    overdue = CheckboxFilter(label=_("Overdue measures"), method="filter_overdue")

    class Meta:
        model = Hazard
        fields: list = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters = {name: self.filters[name] for name in FIELD_ORDER}

    def filter_measure_status(self, queryset, name, value):
        return with_measure_status(queryset, value)

    def filter_overdue(self, queryset, name, value):
        return with_overdue_measures(queryset) if value else queryset


# The measure filters, also used by the API's register list (api.routers.hazards).


def with_measure_status(queryset, value: str):
    """Rows with a measure in this state; NO_MEASURES: rows without a measure that is not cancelled."""
    measures = ControlMeasure.objects.filter(hazard=OuterRef("pk"))
    if value == NO_MEASURES:
        return queryset.filter(~Exists(measures.exclude(status=MeasureStatus.CANCELLED)))
    return queryset.filter(Exists(measures.filter(status=value)))


def with_overdue_measures(queryset):
    """Rows with an open measure past its due date."""
    overdue = ControlMeasure.objects.filter(
        hazard=OuterRef("pk"),
        status__in=OPEN_MEASURE_STATUSES,
        due_date__lt=timezone.localdate(),
    )
    return queryset.filter(Exists(overdue))
