"""The documents in the admin, read-only: cards, plans and sets of cards are made through the
application's pages (services keep their versions and files consistent)."""

from django.contrib import admin

from .models import ActionPlan, ActionPlanMeasure, CardBundle, RiskCard


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RiskCard)
class RiskCardAdmin(ReadOnlyAdmin):
    list_display = ["number", "version", "enterprise", "workplace", "issued_on", "is_current"]
    list_filter = ["is_current"]
    search_fields = ["number", "enterprise__short_name", "enterprise__inn"]
    raw_id_fields = ["enterprise", "workplace", "round", "issued_by"]


class ActionPlanMeasureInline(admin.TabularInline):
    model = ActionPlanMeasure
    raw_id_fields = ["measure"]
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ActionPlan)
class ActionPlanAdmin(ReadOnlyAdmin):
    list_display = ["enterprise", "version", "title", "period_start", "period_end", "status", "approved_at"]
    list_filter = ["status"]
    search_fields = ["title", "enterprise__short_name", "enterprise__inn"]
    raw_id_fields = ["enterprise", "department", "created_by", "approved_by"]
    inlines = [ActionPlanMeasureInline]


@admin.register(CardBundle)
class CardBundleAdmin(ReadOnlyAdmin):
    list_display = ["enterprise", "department", "status", "done", "total", "created_at", "finished_at"]
    list_filter = ["status"]
    raw_id_fields = ["enterprise", "department", "requested_by"]
