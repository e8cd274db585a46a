from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from riskpilot.admin import RegisterAdmin, archive_selected

from .models import (
    AssessmentStatus,
    ControlMeasure,
    Incident,
    IncidentKind,
    IncidentVictim,
    MeasureEvidence,
    RegisterImport,
    RiskAssessment,
    RiskMethod,
    RiskMethodVersion,
    VictimOutcome,
    WorkplaceReview,
)
from .services import incident_victims_check


class RiskMethodVersionInline(admin.StackedInline):
    model = RiskMethodVersion
    extra = 0
    fields = ["version", "valid_from", "notes", "config"]

    def has_change_permission(self, request, obj=None):
        # A version in use is history: changing its bands would silently re-score old assessments.
        return False


@admin.register(RiskMethod)
class RiskMethodAdmin(admin.ModelAdmin):
    list_display = ["code", "name_ru", "kind", "enterprise"]
    list_filter = ["kind", ("enterprise", admin.EmptyFieldListFilter)]
    search_fields = ["code", "name_ru", "name_en"]
    inlines = [RiskMethodVersionInline]


@admin.register(RiskMethodVersion)
class RiskMethodVersionAdmin(RegisterAdmin):
    list_display = ["method", "version", "valid_from"]
    list_filter = ["method"]
    search_fields = ["method__code", "method__name_ru", "notes"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.assessments.exists():
            return ["method", "version", "config"]
        return []


@admin.register(RiskAssessment)
class RiskAssessmentAdmin(RegisterAdmin):
    list_display = ["id", "hazard", "assessed_on", "score", "level", "residual_level", "status", "is_current"]
    list_filter = ["status", "level", "is_current", "reason", "method_version__method"]
    list_select_related = ["hazard__workplace", "hazard__event"]
    search_fields = ["hazard__workplace__number", "hazard__event__code", "hazard__enterprise__short_name"]
    raw_id_fields = ["hazard", "assessor", "approved_by", "returned_by"]
    date_hierarchy = "assessed_on"

    def has_change_permission(self, request, obj=None):
        # An approved assessment is a signed-off record, a returned one a manager's decision: a
        # change is a re-assessment, not an edit.
        if obj is not None and obj.status in (AssessmentStatus.APPROVED, AssessmentStatus.RETURNED):
            return False
        return super().has_change_permission(request, obj)


@admin.register(ControlMeasure)
class ControlMeasureAdmin(RegisterAdmin):
    list_display = ["description", "control_level", "responsible_name", "due_date", "status", "done_on"]
    list_filter = ["status", "control_level", "periodicity"]
    search_fields = [
        "description",
        "responsible",
        "assignee__last_name",
        "assignee__username",
        "hazard__enterprise__short_name",
    ]
    raw_id_fields = ["hazard", "model_measure", "assignee"]
    list_select_related = ["assignee"]

    @admin.display(description=_("responsible person"))
    def responsible_name(self, measure):
        return measure.responsible_name

    date_hierarchy = "due_date"


class IncidentVictimFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        # The same rule as the incident form's: an accident has victims, the other kinds none.
        victims = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        try:
            incident_victims_check(kind=self.instance.kind, victims=victims)
        except ValidationError as error:
            raise ValidationError(error.messages) from error


class IncidentVictimInline(admin.TabularInline):
    model = IncidentVictim
    formset = IncidentVictimFormSet
    extra = 0
    fields = ["outcome", "days_lost", "position"]


@admin.register(Incident)
class IncidentAdmin(RegisterAdmin):
    list_display = [
        "occurred_at",
        "kind",
        "workplace",
        "enterprise",
        "victim_count",
        "fatal_victims",
        "victim_days",
    ]
    list_filter = ["kind", "victims__outcome", "enterprise__region"]
    list_select_related = ["workplace", "enterprise"]
    search_fields = ["description", "act_number", "enterprise__short_name", "workplace__number"]
    raw_id_fields = ["workplace", "event", "reported_by", "hazards"]
    date_hierarchy = "occurred_at"
    actions = [archive_selected]
    inlines = [IncidentVictimInline]

    def get_queryset(self, request):
        # The victims' totals in the list's one query, not one query per incident.
        return (
            super()
            .get_queryset(request)
            .annotate(
                _victims=Count("victims", filter=Q(kind=IncidentKind.ACCIDENT)),
                _fatal=Count("victims", filter=Q(victims__outcome=VictimOutcome.FATAL)),
                _days=Sum("victims__days_lost"),
            )
        )

    @admin.display(description=_("victims"), ordering="_victims")
    def victim_count(self, obj):
        return obj._victims

    @admin.display(description=_("of them fatal"), ordering="_fatal")
    def fatal_victims(self, obj):
        return obj._fatal

    @admin.display(description=_("days of incapacity"), ordering="_days")
    def victim_days(self, obj):
        return obj._days or 0


@admin.register(MeasureEvidence)
class MeasureEvidenceAdmin(RegisterAdmin):
    list_display = ["original_name", "content_type", "size", "measure", "uploaded_by", "uploaded_at"]
    list_filter = ["content_type"]
    list_select_related = ["measure", "uploaded_by"]
    search_fields = ["original_name", "measure__description", "measure__hazard__enterprise__short_name"]
    raw_id_fields = ["measure", "uploaded_by"]
    date_hierarchy = "uploaded_at"
    # Files come in only through the checked upload (type by content, size, private storage).
    readonly_fields = ["file", "original_name", "content_type", "size", "uploaded_by", "uploaded_at"]

    def has_add_permission(self, request):
        return False


@admin.register(WorkplaceReview)
class WorkplaceReviewAdmin(RegisterAdmin):
    list_display = [
        "workplace",
        "reviewed_on",
        "reviewer",
        "next_review_on",
        "confirmed_count",
        "flagged_count",
    ]
    list_select_related = ["workplace", "reviewer"]
    search_fields = ["workplace__number", "workplace__position", "workplace__enterprise__short_name"]
    raw_id_fields = ["workplace", "reviewer"]
    date_hierarchy = "reviewed_on"


@admin.register(RegisterImport)
class RegisterImportAdmin(admin.ModelAdmin):
    """Uploaded register files and what became of them; written only by the import task."""

    list_display = ["original_name", "enterprise", "requested_by", "status", "hazards", "created_at"]
    list_filter = ["status"]
    list_select_related = ["enterprise", "requested_by"]
    search_fields = ["original_name", "enterprise__short_name", "enterprise__inn"]
    readonly_fields = [f.name for f in RegisterImport._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
