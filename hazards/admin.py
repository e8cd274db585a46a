from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from riskpilot.admin import RegisterAdmin

from .models import Hazard, HazardGroup, HazardousEvent, HazardStatus, HazardType, ModelMeasure


@admin.register(HazardGroup)
class HazardGroupAdmin(admin.ModelAdmin):
    list_display = ["number", "name_ru", "name_en"]
    search_fields = ["name_ru", "name_en"]


@admin.register(HazardType)
class HazardTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name_ru", "group", "enterprise"]
    list_filter = ["group", ("enterprise", admin.EmptyFieldListFilter)]
    list_select_related = ["group", "enterprise"]
    search_fields = ["code", "name_ru", "name_en"]


@admin.register(HazardousEvent)
class HazardousEventAdmin(admin.ModelAdmin):
    list_display = ["code", "name_ru", "name_en", "hazard_type", "enterprise"]
    list_filter = ["hazard_type__group", ("enterprise", admin.EmptyFieldListFilter)]
    list_select_related = ["hazard_type", "enterprise"]
    search_fields = ["code", "name_ru", "name_en"]


@admin.register(ModelMeasure)
class ModelMeasureAdmin(admin.ModelAdmin):
    list_display = ["code", "name_ru", "control_level"]
    list_filter = ["control_level", "event__hazard_type__group"]
    search_fields = ["code", "name_ru"]
    raw_id_fields = ["event"]


@admin.action(description=_("Archive the selected register rows"))
def archive_hazards(modeladmin, request, queryset):
    # One save per row so that each change leaves a history record.
    for hazard in queryset.exclude(status=HazardStatus.ARCHIVED):
        hazard.status = HazardStatus.ARCHIVED
        hazard.save(update_fields=["status", "updated_at"])


@admin.register(Hazard)
class HazardAdmin(RegisterAdmin):
    list_display = [
        "id",
        "workplace",
        "event",
        "enterprise",
        "status",
        "risk_level",
        "needs_reassessment",
        "next_review_on",
    ]
    list_filter = ["status", "risk_level", "needs_reassessment", "activity", "event__hazard_type__group"]
    list_select_related = ["workplace", "event", "enterprise"]
    search_fields = [
        "source",
        "workplace__number",
        "workplace__position",
        "event__code",
        "enterprise__short_name",
    ]
    raw_id_fields = ["workplace", "event", "identified_by", "enterprise"]
    date_hierarchy = "identified_on"
    actions = [archive_hazards]
