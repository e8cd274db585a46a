from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from riskpilot.admin import RegisterAdmin, archive_selected

from .models import Department, Enterprise, HeadcountPeriod, Region, User, Workplace


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name_ru", "name_en", "federal_district"]
    list_filter = ["federal_district"]
    search_fields = ["code", "name_ru", "name_en"]


@admin.register(Enterprise)
class EnterpriseAdmin(RegisterAdmin):
    list_display = ["short_name", "inn", "okved", "region", "risk_method", "joined_pilot_on", "archived_at"]
    list_filter = ["region", "risk_method", ("archived_at", admin.EmptyFieldListFilter)]
    list_select_related = ["region", "risk_method"]
    search_fields = ["short_name", "full_name", "inn", "ogrn", "okved"]
    actions = [archive_selected]


@admin.register(Department)
class DepartmentAdmin(RegisterAdmin):
    list_display = ["name", "kind", "parent", "enterprise", "archived_at"]
    list_filter = ["kind", "enterprise__region", ("archived_at", admin.EmptyFieldListFilter)]
    list_select_related = ["enterprise", "parent"]
    search_fields = ["name", "enterprise__short_name"]
    autocomplete_fields = ["enterprise", "parent"]
    actions = [archive_selected]


@admin.register(Workplace)
class WorkplaceAdmin(RegisterAdmin):
    list_display = ["number", "position", "department", "enterprise", "headcount_total", "sout_class"]
    list_filter = ["sout_class", "enterprise__region", ("archived_at", admin.EmptyFieldListFilter)]
    list_select_related = ["enterprise", "department"]
    search_fields = ["number", "position", "okpdtr_code", "enterprise__short_name"]
    autocomplete_fields = ["enterprise", "department"]
    actions = [archive_selected]


@admin.register(HeadcountPeriod)
class HeadcountPeriodAdmin(RegisterAdmin):
    list_display = ["enterprise", "month", "average_headcount", "hours_worked"]
    list_filter = ["month", "enterprise__region"]
    list_select_related = ["enterprise"]
    search_fields = ["enterprise__short_name"]
    autocomplete_fields = ["enterprise"]
    date_hierarchy = "month"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "get_full_name", "role", "enterprise", "region", "is_active"]
    list_filter = ["role", "is_active", "region"]
    list_select_related = ["enterprise", "region"]
    search_fields = ["username", "first_name", "last_name", "email", "enterprise__short_name"]
    autocomplete_fields = ["enterprise", "region"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("RiskPilot role"), {"fields": ("role", "enterprise", "region", "position", "language")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("RiskPilot role"), {"fields": ("role", "enterprise", "region")}),
    )
