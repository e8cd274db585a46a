"""The risk assessment cards: a workplace's card page (current version, earlier versions, whether
the register changed since, a new version), the card's files, and the set of an enterprise's
cards as one PDF made by the pdf worker.

A card's PDF lists the workers who acknowledged it: their names are personal data (REFERENCE
§8), so the PDFs are for the enterprise's officers and managers only; reviewers see the card page
and the table (.xlsx), and are answered 404 for the PDFs, as for anything else they may not see."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessments.exports import XLSX_CONTENT_TYPE
from enterprises.access import get_for_user
from enterprises.models import Department, Enterprise, Workplace
from enterprises.ordering import workplace_sort_key
from enterprises.services import department_tree
from enterprises.workers import get_personal_for_user, sees_personal_data
from riskpilot.submissions.forms import OnceFormMixin
from riskpilot.submissions.views import create_once

from ..cards import (
    bundle_request,
    card_group,
    card_is_stale,
    card_issue,
    card_leads,
    card_render_queue,
    card_versions,
    cards_current,
)
from ..models import BundleStatus, CardBundle, RiskCard
from ..rendering import card_file_name, card_xlsx


def _personal(queryset, user, path: str = "enterprise", **lookup):
    """Documents that list workers' names: the enterprise's own officers and managers only;
    everyone else gets the same 404 as for another enterprise's id (REFERENCE §8)."""
    return get_personal_for_user(queryset, user, path=path, **lookup)


class CardIssueForm(OnceFormMixin, forms.Form):
    """Issue the next version of a workplace's card: only the one-time key."""


@login_required
@require_GET
def card_page(request, workplace_pk):
    workplace = get_for_user(
        Workplace.objects.select_related("enterprise", "department"), request.user, pk=workplace_pk
    )
    group = card_group(workplace)
    lead = group[0]
    current = RiskCard.objects.current().filter(workplace=lead).select_related("round", "issued_by").first()
    versions = list(card_versions(current)) if current else []
    if current is not None and not current.file:
        # Its render was lost or never queued (the demo issues cards without one): queue it again.
        card_render_queue(current)
        current.refresh_from_db(fields=["file"])  # without a broker it was rendered just now
    return render(
        request,
        "documents/cards/card_page.html",
        {
            "workplace": workplace,
            "enterprise": workplace.enterprise,
            "group": group,
            "lead": lead,
            "current": current,
            "versions": versions,
            "stale": card_is_stale(current) if current else False,
            "can_write": request.user.can_write and workplace.archived_at is None,
            "sees_personal_data": sees_personal_data(request.user, workplace.enterprise_id),
            "issue_form": CardIssueForm(),
        },
    )


@login_required
@require_POST
def card_issue_view(request, workplace_pk):
    workplace = get_for_user(
        Workplace.objects.select_related("enterprise"), request.user, write=True, pk=workplace_pk
    )
    if workplace.archived_at is not None:
        messages.error(request, _("This workplace is archived: no new card can be issued for it."))
        return redirect("documents:card", workplace_pk=workplace.pk)
    form = CardIssueForm(request.POST)
    if not form.is_valid():
        for error in form.non_field_errors():
            messages.error(request, error)
        return redirect("documents:card", workplace_pk=workplace.pk)
    card, created = create_once(request, form, lambda: card_issue(workplace=workplace, user=request.user))
    if created:
        messages.success(
            request,
            _(
                "Version %(version)s of card № %(number)s is issued. Its PDF is being prepared; the "
                "workers need to acknowledge it again."
            )
            % {"version": card.version, "number": card.number},
        )
    return redirect("documents:card", workplace_pk=workplace.pk)


@login_required
@require_GET
def card_pdf(request, pk):
    card = _personal(RiskCard.objects.select_related("workplace"), request.user, pk=pk)
    if not card.file:
        raise Http404
    return FileResponse(
        card.file.open("rb"),
        as_attachment=True,
        filename=card_file_name(card),
        content_type="application/pdf",
    )


@login_required
@require_GET
def card_xlsx_view(request, pk):
    card = get_for_user(RiskCard.objects.select_related("workplace__enterprise"), request.user, pk=pk)
    response = HttpResponse(card_xlsx(card), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="card-{card.number}-v{card.version}.xlsx"'
    return response


# --- All cards of an enterprise ----------------------------------------------------------------


class BundleForm(OnceFormMixin, forms.Form):
    department = forms.ModelChoiceField(
        label=gettext_lazy("Structural unit"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=gettext_lazy("The whole enterprise"),
        help_text=gettext_lazy("A unit includes the units inside it."),
    )

    def __init__(self, *args, enterprise, **kwargs):
        super().__init__(*args, **kwargs)
        tree, _by_id = department_tree(enterprise)
        self.fields["department"].queryset = Department.objects.filter(
            enterprise=enterprise, archived_at__isnull=True
        )
        self.fields["department"].choices = [("", self.fields["department"].empty_label)] + [
            (department.pk, "\u00a0\u00a0" * depth + department.name)
            for department, depth in tree
            if department.archived_at is None
        ]


@login_required
@require_GET
def card_list(request, enterprise_pk):
    """The card of every workplace group of the enterprise: current version, date, whether the
    register changed since; and the set of all cards as one PDF."""
    enterprise = get_for_user(Enterprise.objects.select_related("region"), request.user, pk=enterprise_pk)
    leads = card_leads(enterprise)
    current = cards_current(enterprise)
    rows = [{"lead": lead, "card": current.get(lead.pk)} for lead in leads]
    personal = sees_personal_data(request.user, enterprise.pk)
    bundles = (
        CardBundle.objects.filter(enterprise=enterprise).select_related("department", "requested_by")[:5]
        if personal
        else []
    )
    return render(
        request,
        "documents/cards/card_list.html",
        {
            "enterprise": enterprise,
            "rows": sorted(rows, key=lambda row: workplace_sort_key(row["lead"])),
            "issued": sum(1 for row in rows if row["card"]),
            "sees_personal_data": personal,
            "bundles": bundles,
            "form": BundleForm(enterprise=enterprise) if personal else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def bundle_new(request, enterprise_pk):
    enterprise = _personal(Enterprise.objects, request.user, path="", pk=enterprise_pk)
    form = BundleForm(request.POST or None, enterprise=enterprise)
    if request.method == "POST" and form.is_valid():
        bundle, _created = create_once(
            request,
            form,
            lambda: bundle_request(
                enterprise=enterprise, department=form.cleaned_data["department"], user=request.user
            ),
        )
        return redirect("documents:bundle", pk=bundle.pk)
    return render(request, "documents/cards/bundle_form.html", {"enterprise": enterprise, "form": form})


@login_required
@require_GET
def bundle_status(request, pk):
    """The set's progress; while it is queued or rendering, htmx asks again every 2 s."""
    bundle = _personal(CardBundle.objects.select_related("enterprise", "department"), request.user, pk=pk)
    context = {"bundle": bundle, "enterprise": bundle.enterprise}
    if request.htmx:
        return render(request, "documents/cards/_bundle_status.html", context)
    return render(request, "documents/cards/bundle_status.html", context)


@login_required
@require_GET
def bundle_download(request, pk):
    bundle = _personal(CardBundle.objects.select_related("enterprise"), request.user, pk=pk)
    if bundle.status != BundleStatus.READY or not bundle.file:
        raise Http404
    name = f"cards-{bundle.enterprise.inn}-{bundle.created_at:%Y%m%d}.pdf"
    return FileResponse(
        bundle.file.open("rb"), as_attachment=True, filename=name, content_type="application/pdf"
    )
