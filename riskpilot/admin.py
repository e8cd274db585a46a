"""Shared pieces of the admin site."""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin


class RegisterAdmin(SimpleHistoryAdmin):
    """Admin for register models: history visible, nothing deleted (rows are archived instead)."""

    def has_delete_permission(self, request, obj=None):
        return False


@admin.action(description=_("Archive the selected rows"))
def archive_selected(modeladmin, request, queryset):
    changed = 0
    # One save per object, not queryset.update(), so that every change leaves a history record.
    for obj in queryset.filter(archived_at__isnull=True):
        obj.archived_at = timezone.now()
        obj.save(update_fields=["archived_at", "updated_at"])
        changed += 1
    modeladmin.message_user(request, _("Archived: %(count)d.") % {"count": changed}, messages.SUCCESS)
