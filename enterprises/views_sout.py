"""SOUT data of a workplace (its form) and of the enterprise (the .xlsx sheet, its import)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from .access import get_for_user
from .forms_workers import SoutForm
from .models import Enterprise, SoutFactorClass, Workplace
from .sheets import SheetError, SheetUploadForm
from .sout import MAX_ROWS, sout_import, sout_set, sout_template
from .views_workers import _xlsx, add_errors


@login_required
@require_http_methods(["GET", "POST"])
def sout_edit(request, workplace_pk):
    workplace = get_for_user(
        Workplace.objects.active().select_related("enterprise", "department"),
        request.user,
        write=True,
        pk=workplace_pk,
    )
    factor_classes = dict(
        SoutFactorClass.objects.filter(workplace=workplace).values_list("factor", "sout_class")
    )
    form = SoutForm(request.POST or None, workplace=workplace, factor_classes=factor_classes)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sout_set(
                workplace=workplace,
                card_number=data["sout_card_number"],
                approved_on=data["sout_date"],
                final_class=data["sout_class"],
                factors=form.factors(),
                version=data["version"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The SOUT data of the workplace is saved."))
            return redirect("assessments:workplace", pk=workplace.pk)
    return render(
        request,
        "enterprises/sout_form.html",
        {"workplace": workplace, "enterprise": workplace.enterprise, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_sout(request, enterprise_pk):
    enterprise = get_for_user(Enterprise.objects, request.user, write=True, pk=enterprise_pk)
    posted = request.method == "POST"
    form = SheetUploadForm(request.POST if posted else None, request.FILES if posted else None)
    errors = []
    if posted and form.is_valid():
        try:
            result = sout_import(enterprise=enterprise, file=form.cleaned_data["file"])
        except SheetError as error:
            form.add_error("file", str(error))
        else:
            if not result.errors:
                messages.success(
                    request, _("SOUT data imported for %(count)s workplaces.") % {"count": result.workplaces}
                )
                return redirect("enterprises:sout_import", enterprise_pk=enterprise.pk)
            errors = result.errors
    return render(
        request,
        "enterprises/sout_import.html",
        {"enterprise": enterprise, "form": form, "errors": errors, "max_rows": MAX_ROWS},
    )


@login_required
@require_GET
def sout_sheet(request, enterprise_pk):
    """The enterprise's SOUT data as the import's sheet (no personal data: reviewers may have it)."""
    enterprise = get_for_user(Enterprise.objects, request.user, pk=enterprise_pk)
    return _xlsx(sout_template(enterprise), f"sout-{enterprise.inn}-{timezone.localdate():%Y-%m-%d}.xlsx")
