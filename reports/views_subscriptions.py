"""Report subscriptions: who receives which report by e-mail, every month or quarter. Managers
subscribe to their enterprise's report, regional reviewers to their region's summary and its
enterprises' reports, federal reviewers and administrators to anything; safety officers see their
enterprise's subscriptions but change none."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from enterprises.models import Enterprise, Region
from riskpilot.forms import ModelIdChoiceField
from riskpilot.submissions.forms import OnceFormMixin
from riskpilot.submissions.views import create_once

from . import delivery
from .models import DeliveryStatus, Frequency, ReportLanguage, ReportType, Subscription


class SubscriptionForm(OnceFormMixin, forms.Form):
    type = forms.ChoiceField(label=gettext_lazy("Report"), choices=ReportType.choices)
    enterprise = ModelIdChoiceField(
        label=gettext_lazy("Enterprise"),
        queryset=Enterprise.objects.none(),
        required=False,
        help_text=gettext_lazy("For an enterprise progress report."),
    )
    region = ModelIdChoiceField(
        label=gettext_lazy("Region"),
        queryset=Region.objects.none(),
        required=False,
        help_text=gettext_lazy("For a regional summary."),
    )
    frequency = forms.ChoiceField(
        label=gettext_lazy("Frequency"),
        choices=Frequency.choices,
        help_text=gettext_lazy(
            "The report of the last whole month (or quarter) is sent on the morning after it ends."
        ),
    )
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=ReportLanguage.choices)
    recipients = forms.CharField(
        label=gettext_lazy("Recipients"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("E-mail addresses, one per line (at most 20)."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["enterprise"].queryset = Enterprise.objects.for_user(user).order_by("short_name")
        if user.sees_everything:
            regions = Region.objects.all()
        elif user.is_regional_reviewer and user.region_id:
            regions = Region.objects.filter(pk=user.region_id)
        else:
            regions = Region.objects.none()
        self.fields["region"].queryset = regions.order_by("code")
        allowed = [ReportType.ENTERPRISE]
        if regions.exists():
            allowed.append(ReportType.REGION)
        if user.sees_everything:
            allowed.append(ReportType.FEDERAL)
        self.fields["type"].choices = [
            (value, label) for value, label in ReportType.choices if value in allowed
        ]
        if not regions.exists():
            del self.fields["region"]
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Subscribe")))

    def clean_recipients(self):
        try:
            return delivery.recipients_clean(self.cleaned_data["recipients"])
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("type")
        if kind == ReportType.ENTERPRISE and not cleaned.get("enterprise"):
            self.add_error("enterprise", _("Choose the enterprise."))
        if kind == ReportType.REGION and not cleaned.get("region"):
            self.add_error("region", _("Choose the region."))
        return cleaned


@login_required
@require_GET
def subscription_list(request):
    subscriptions = (
        Subscription.objects.for_user(request.user)
        .select_related("enterprise", "region", "created_by")
        .annotate(
            sent=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.SENT)),
            failed=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
            last_sent=Max("deliveries__sent_at"),
        )
        .order_by("-active", "type", "pk")  # an aggregate drops Meta.ordering
    )
    return render(
        request,
        "reports/subscription_list.html",
        {"subscriptions": subscriptions, "can_subscribe": delivery.can_subscribe(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def subscription_new(request):
    if not delivery.can_subscribe(request.user):
        raise PermissionDenied
    form = SubscriptionForm(
        request.POST or None, user=request.user, initial={"language": request.user.language}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        subscription, created = create_once(
            request,
            form,
            lambda: delivery.subscription_create(
                type=data["type"],
                enterprise=data.get("enterprise"),
                region=data.get("region"),
                frequency=data["frequency"],
                language=data["language"],
                recipients=data["recipients"],
                user=request.user,
            ),
        )
        if created and subscription.pending_approval:
            outside = delivery.recipients_outside(
                subscription.recipient_list, enterprise=subscription.enterprise
            )
            messages.warning(
                request,
                _(
                    "Subscribed, but these addresses are outside the enterprise's and the ministry's "
                    "domains: %(addresses)s. Nothing is sent until an administrator approves the "
                    "subscription."
                )
                % {"addresses": ", ".join(outside)},
            )
        elif created:
            messages.success(
                request, _("Subscribed. The next report is sent on the morning after its period ends.")
            )
        return redirect("reports:subscription_list")
    return render(request, "reports/subscription_form.html", {"form": form})


@login_required
@require_POST
def subscription_deactivate(request, pk):
    subscription = get_object_or_404(Subscription.objects.for_user(request.user), pk=pk)
    if not delivery.can_subscribe(request.user):
        raise PermissionDenied
    delivery.subscription_deactivate(subscription=subscription)
    messages.success(request, _("The subscription is stopped; nothing more will be sent."))
    return redirect("reports:subscription_list")
