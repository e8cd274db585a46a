import tempfile
from pathlib import Path

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from riskpilot.admin import RegisterAdmin, archive_selected

from .models import Department, Enterprise, HeadcountPeriod, OkpdtrEntry, Region, User, Workplace
from .okpdtr import ClassifierFileError, classifier_load, read_classifier_file

CLASSIFIER_MAX_BYTES = 10 * 1024 * 1024  # the full classifier is well under 1 MB


class ClassifierFileForm(forms.Form):
    file = forms.FileField(label=_("Classifier file (.csv or .xlsx)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > CLASSIFIER_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        if Path(upload.name).suffix.lower() not in {".csv", ".xlsx"}:
            raise forms.ValidationError(_("Only .csv and .xlsx files can be loaded."))
        return upload


@admin.register(OkpdtrEntry)
class OkpdtrEntryAdmin(admin.ModelAdmin):
    """The classifier, searchable; staff load the official file here or by `manage.py load_okpdtr`."""

    list_display = ["code", "check_digit", "name", "category"]
    list_filter = ["category"]
    search_fields = ["code", "name"]

    def get_urls(self):
        load = self.admin_site.admin_view(self.load_view)
        return [path("load/", load, name="enterprises_okpdtrentry_load"), *super().get_urls()]

    def load_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = ClassifierFileForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            with tempfile.NamedTemporaryFile(suffix=Path(upload.name).suffix.lower()) as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
                handle.flush()
                try:
                    rows = read_classifier_file(Path(handle.name))
                except ClassifierFileError as error:
                    form.add_error("file", str(error))
                    rows = None
            if rows is not None:
                result = classifier_load(rows=rows)
                messages.success(
                    request,
                    _("%(rows)s rows read: %(added)s added, %(updated)s updated, %(unchanged)s unchanged.")
                    % {
                        "rows": len(rows),
                        "added": result.added,
                        "updated": result.updated,
                        "unchanged": result.unchanged,
                    },
                )
                return redirect("admin:enterprises_okpdtrentry_changelist")
        context = {**self.admin_site.each_context(request), "form": form, "opts": self.model._meta}
        return render(request, "admin/enterprises/okpdtrentry/load.html", context)


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
