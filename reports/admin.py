"""The roll-ups in the admin: read-only (they are derived data, rewritten by every refresh), so a
support person can see when the figures were last refreshed and what a dashboard reads."""

from django.contrib import admin

from .models import (
    Delivery,
    DeliveryAttempt,
    EnterpriseFigures,
    EnterpriseMonth,
    Report,
    RollupRun,
    Subscription,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RollupRun)
class RollupRunAdmin(ReadOnlyAdmin):
    list_display = ["finished_at", "kind", "as_of", "enterprise_count", "duration_ms"]
    list_filter = ["kind"]
    date_hierarchy = "finished_at"


@admin.register(EnterpriseFigures)
class EnterpriseFiguresAdmin(ReadOnlyAdmin):
    list_display = ["enterprise", "hazard_group", "rows", "rows_level_5", "rows_level_4", "measures_overdue"]
    list_filter = [("hazard_group", admin.EmptyFieldListFilter)]
    list_select_related = ["enterprise", "hazard_group"]
    search_fields = ["enterprise__short_name", "enterprise__inn"]


@admin.register(EnterpriseMonth)
class EnterpriseMonthAdmin(ReadOnlyAdmin):
    list_display = ["enterprise", "month", "measures_due", "measures_done", "accidents", "near_misses"]
    list_select_related = ["enterprise"]
    search_fields = ["enterprise__short_name", "enterprise__inn"]
    date_hierarchy = "month"


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Rendered reports: read-only (a report is requested through the pages or the command)."""

    list_display = ("__str__", "status", "pages", "size", "render_seconds", "created_at")
    list_filter = ("type", "status", "language")
    search_fields = ("scope_key", "enterprise__short_name", "enterprise__inn")
    list_select_related = ("enterprise", "region")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "language", "active", "created_by", "created_at")
    list_filter = ("type", "frequency", "active")
    list_select_related = ("enterprise", "region", "created_by")
    search_fields = ("recipients", "enterprise__short_name", "enterprise__inn")
    raw_id_fields = ("enterprise", "created_by")


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ("number", "started_at", "finished_at", "outcome", "error")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    """The record of what was sent: read-only (the reconciler and the tasks write it)."""

    list_display = ("report", "status", "attempts", "sent_at", "updated_at")
    list_filter = ("status",)
    list_select_related = ("report", "report__enterprise")
    search_fields = ("recipients", "report__scope_key")
    inlines = [DeliveryAttemptInline]
