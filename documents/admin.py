"""The documents in the admin, read-only: the commission, rounds, cards, plans and sets of cards
change only through the application's pages, whose services keep their rules, versions and files."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    ActionPlan,
    ActionPlanMeasure,
    AssessmentRound,
    CardBundle,
    Commission,
    CommissionMember,
    RiskCard,
    RoundNotice,
    RoundSignature,
)


class ReadOnly:
    """The commission and the sign-off change only through the application's pages, whose services
    keep the rules (one chairman, the states of a round, a fixed approved round)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnly, SimpleHistoryAdmin):
    pass


class CommissionMemberInline(admin.TabularInline):
    model = CommissionMember
    fields = ["sort_order", "role", "full_name", "position", "user"]
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Commission)
class CommissionAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "enterprise", "valid_from"]
    list_select_related = ["enterprise"]
    search_fields = ["order_number", "enterprise__short_name"]
    inlines = [CommissionMemberInline]


class RoundSignatureInline(admin.TabularInline):
    model = RoundSignature
    fields = ["member", "decision", "comment", "signed_on", "on_paper", "recorded_by"]
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AssessmentRound)
class AssessmentRoundAdmin(ReadOnlyAdmin):
    list_display = ["title", "enterprise", "status", "sent_for_signature_at", "approved_at"]
    list_filter = ["status"]
    list_select_related = ["enterprise"]
    search_fields = ["title", "enterprise__short_name"]
    inlines = [RoundSignatureInline]


@admin.register(RoundNotice)
class RoundNoticeAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["round", "user", "kind", "cycle", "sent_at"]
    list_filter = ["kind"]
    list_select_related = ["round", "user"]


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
