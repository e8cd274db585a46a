"""PDF reports on demand: request one for an enterprise, follow its progress (queued → rendering →
ready), download it through an access check, and browse the archive. Rendering happens in a Celery
task (reports.tasks.render_report), never in a request."""

import django_filters
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from dashboards.rollups import add_months, first_of_month
from dashboards.views import region_for_user
from enterprises.access import get_for_user
from enterprises.models import Enterprise
from riskpilot.submissions.forms import OnceFormMixin
from riskpilot.submissions.views import create_once

from . import pdf, services
from .models import DeliveryStatus, Report, ReportLanguage, ReportStatus, ReportType

REPORTS_PER_PAGE = 50


class ReportRequestForm(OnceFormMixin, forms.Form):
    """Which report to make: a month (or the quarter holding it) and a language."""

    month = forms.DateField(
        label=_("Month"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(format="%Y-%m", attrs={"type": "month"}),
        help_text=_("The report covers this month, or with “quarter” the calendar quarter holding it."),
    )
    quarter = forms.BooleanField(label=_("The whole quarter"), required=False)
    language = forms.ChoiceField(label=_("Language"), choices=ReportLanguage.choices)
    regenerate = forms.BooleanField(
        label=_("Render again as a new version"),
        required=False,
        help_text=_("Without this, the existing report of the same period and language is shown."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Generate report")))

    def clean_month(self):
        month = self.cleaned_data["month"]
        if month > timezone.localdate():
            raise forms.ValidationError(_("The month has not begun yet."))
        return month

    def period(self) -> pdf.ReportPeriod:
        return pdf.period_of(self.cleaned_data["month"], quarter=self.cleaned_data["quarter"])


@login_required
@require_http_methods(["GET", "POST"])
def report_new(request, pk):
    """The "Generate report" form of an enterprise; POST creates (or finds) the report and shows it."""
    enterprise = get_for_user(Enterprise.objects.select_related("region"), request.user, pk=pk)
    recent = Report.objects.filter(type=ReportType.ENTERPRISE, enterprise=enterprise)
    return _request_form(request, ReportType.ENTERPRISE, enterprise, recent, enterprise=enterprise)


@login_required
@require_http_methods(["GET", "POST"])
def region_report_new(request, code):
    """The regional summary, for the region's reviewers and federal reviewers."""
    region = region_for_user(request.user, code)
    recent = Report.objects.filter(type=ReportType.REGION, region=region)
    return _request_form(request, ReportType.REGION, region, recent, region=region)


@login_required
@require_http_methods(["GET", "POST"])
def federal_report_new(request):
    """The federal summary, for federal reviewers and administrators."""
    if not request.user.sees_everything:
        raise Http404
    recent = Report.objects.filter(type=ReportType.FEDERAL)
    return _request_form(request, ReportType.FEDERAL, None, recent)


def _request_form(request, kind, scope, recent, **context):
    if request.method == "POST":
        form = ReportRequestForm(request.POST)
        if form.is_valid():
            order = {
                "type": kind,
                "scope": scope,
                "period": form.period(),
                "language": form.cleaned_data["language"],
            }
            try:
                # A repeated "Render again" must not queue a second render: the key answers it.
                report, _created = create_once(
                    request,
                    form,
                    lambda: services.report_request(
                        **order, user=request.user, regenerate=form.cleaned_data["regenerate"]
                    )[0],
                )
            except services.QuotaExceeded as error:
                form.add_error(None, error)
            except services.BROKER_UNREACHABLE:
                # The row was committed before the task was sent: the reconciler queues it once
                # the broker is back (reports.delivery.reconcile).
                report = services.report_latest(**order)
                messages.warning(
                    request, _("The report is queued; rendering will start when the task queue is back.")
                )
                return redirect("reports:report_detail", pk=report.pk)
            else:
                return redirect("reports:report_detail", pk=report.pk)
    else:
        # The last whole month by default: the current one is still running.
        last_month = add_months(first_of_month(timezone.localdate()), -1)
        form = ReportRequestForm(initial={"month": last_month, "language": request.user.language or "ru"})
    recent = recent.select_related("enterprise", "region")[:10]
    return render(
        request,
        "reports/report_form.html",
        {"form": form, "recent": recent, "kind": kind, "kind_label": ReportType(kind).label, **context},
    )


def _report_for_user(user, pk) -> Report:
    return get_object_or_404(Report.objects.for_user(user).select_related("enterprise", "region"), pk=pk)


@login_required
@require_GET
def report_detail(request, pk):
    """The report's status; while it is queued or rendering, htmx asks again every 2 s."""
    report = _report_for_user(request.user, pk)
    if request.htmx:
        return render(request, "reports/report_status.html", {"report": report})
    deliveries = report.deliveries.select_related("subscription").prefetch_related("attempt_log")
    return render(request, "reports/report_detail.html", {"report": report, "deliveries": deliveries})


@login_required
@require_GET
def report_download(request, pk):
    report = _report_for_user(request.user, pk)
    if report.status != ReportStatus.READY or not report.file:
        raise Http404
    name = report.file_name
    return FileResponse(
        report.file.open("rb"), as_attachment=True, filename=name, content_type="application/pdf"
    )


class ReportFilter(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(label=_("Type"), choices=ReportType.choices, empty_label=_("All"))
    enterprise = django_filters.ModelChoiceFilter(
        label=_("Enterprise"), queryset=Enterprise.objects.none(), empty_label=_("All")
    )
    month = django_filters.DateFilter(
        label=_("Period includes"),
        method="filter_month",
        input_formats=["%Y-%m"],
        widget=forms.DateInput(format="%Y-%m", attrs={"type": "month"}),
    )
    language = django_filters.ChoiceFilter(
        label=_("Language"), choices=ReportLanguage.choices, empty_label=_("All")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ReportStatus.choices, empty_label=_("All")
    )

    class Meta:
        model = Report
        fields = ["type", "enterprise", "month", "language", "status"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["enterprise"].queryset = Enterprise.objects.for_user(user).order_by("short_name")

    def filter_month(self, queryset, name, value):
        return queryset.filter(period_start__lte=value, period_end__gte=value)


@login_required
@require_GET
def report_list(request):
    """The archive: every report the user may see, newest first, with filters."""
    reports = (
        Report.objects.for_user(request.user)
        .select_related("enterprise", "region", "requested_by")
        .annotate(failed_deliveries=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)))
        .order_by("-created_at", "-pk")  # an aggregate drops Meta.ordering
    )
    filterset = ReportFilter(request.GET or None, queryset=reports, user=request.user)
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else reports
    page = Paginator(rows, REPORTS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reports/report_list.html",
        {
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
            "order_url": _order_url(request.user),
        },
    )


def _order_url(user) -> str:
    """Where this user orders a report of what they oversee: their enterprise, their region or
    the whole federation."""
    if user.sees_everything:
        return reverse("reports:federal_report_new")
    if user.is_regional_reviewer and user.region_id:
        return reverse("reports:region_report_new", args=[user.region.code])
    if user.enterprise_id:
        return reverse("reports:report_new", args=[user.enterprise_id])
    return ""
