from django.contrib import admin

from riskpilot.admin import RegisterAdmin, archive_selected

from .models import ControlMeasure, Incident, RiskAssessment, RiskMethod, RiskMethodVersion


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
    raw_id_fields = ["hazard", "assessor", "approved_by"]
    date_hierarchy = "assessed_on"


@admin.register(ControlMeasure)
class ControlMeasureAdmin(RegisterAdmin):
    list_display = ["description", "control_level", "responsible", "due_date", "status", "done_on"]
    list_filter = ["status", "control_level", "periodicity"]
    search_fields = ["description", "responsible", "hazard__enterprise__short_name"]
    raw_id_fields = ["hazard", "model_measure"]
    date_hierarchy = "due_date"


@admin.register(Incident)
class IncidentAdmin(RegisterAdmin):
    list_display = [
        "occurred_at",
        "kind",
        "severity",
        "workplace",
        "enterprise",
        "people_affected",
        "days_lost",
    ]
    list_filter = ["kind", "severity", "enterprise__region"]
    list_select_related = ["workplace", "enterprise"]
    search_fields = ["description", "act_number", "enterprise__short_name", "workplace__number"]
    raw_id_fields = ["workplace", "event", "reported_by", "hazards"]
    date_hierarchy = "occurred_at"
    actions = [archive_selected]
