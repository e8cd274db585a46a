"""Reports, subscriptions and deliveries in the admin: read-only where the rows are written by the
services (a report is ordered through the pages, a delivery by the worker)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _

from dashboards.admin import ReadOnlyAdmin

from . import delivery
from .models import (
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Report,
    Subscription,
)


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
    list_display = ("__str__", "language", "active", "pending_approval", "created_by", "created_at")
    list_filter = ("pending_approval", "type", "frequency", "active")
    actions = ["approve_selected"]

    @admin.action(description=_("Approve the selected subscriptions"), permissions=["change"])
    def approve_selected(self, request, queryset):
        count = delivery.subscriptions_approve(subscriptions=queryset.filter(pending_approval=True))
        self.message_user(request, _("Approved: %(count)d.") % {"count": count}, messages.SUCCESS)

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
    """The record of what was sent: read-only (the reconciler and the tasks write it), except that
    an administrator may send failed deliveries again, selected ones or all of them at once."""

    list_display = ("report", "status", "attempts", "next_attempt_at", "sent_at", "updated_at")
    list_filter = ("status",)
    list_select_related = ("report", "report__enterprise")
    search_fields = ("recipients", "report__scope_key")
    inlines = [DeliveryAttemptInline]
    actions = ["retry_selected"]

    def has_retry_permission(self, request):
        return request.user.has_perm("reports.change_delivery")

    @admin.action(description=_("Send the selected failed deliveries again"), permissions=["retry"])
    def retry_selected(self, request, queryset):
        count = delivery.deliveries_retry(deliveries=queryset.filter(status=DeliveryStatus.FAILED))
        self.message_user(request, _("Queued again: %(count)d.") % {"count": count}, messages.SUCCESS)

    def get_urls(self):
        retry_all = self.admin_site.admin_view(self.retry_all_view)
        return [path("retry-failed/", retry_all, name="reports_delivery_retry_failed"), *super().get_urls()]

    def retry_all_view(self, request):
        """POST: every failed delivery, queued again (the button above the list)."""
        if request.method != "POST" or not self.has_retry_permission(request):
            raise PermissionDenied
        count = delivery.deliveries_retry(deliveries=Delivery.objects.filter(status=DeliveryStatus.FAILED))
        self.message_user(request, _("Queued again: %(count)d.") % {"count": count}, messages.SUCCESS)
        return redirect("admin:reports_delivery_changelist")

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_retry": self.has_retry_permission(request),
            "failed_count": Delivery.objects.filter(status=DeliveryStatus.FAILED).count(),
        }
        return super().changelist_view(request, extra_context)
