"""The roll-ups in the admin: read-only (they are derived data, rewritten by every refresh), so a
support person can see when the figures were last refreshed and what a dashboard reads."""

from django.contrib import admin

from .models import EnterpriseFigures, EnterpriseMonth, RollupRun


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
