"""Import of structural units, workplaces and register rows from an .xlsx file, and its
template. All or nothing: a file with any error writes nothing and lists every bad cell."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from enterprises.access import get_for_user
from enterprises.models import Enterprise

from ..exports import XLSX_CONTENT_TYPE
from ..imports import MAX_ROWS, ImportFileForm, import_register, template_bytes


@login_required
def import_register_view(request, enterprise_pk):
    enterprise = get_for_user(Enterprise.objects, request.user, write=True, pk=enterprise_pk)
    posted = request.method == "POST"
    form = ImportFileForm(request.POST if posted else None, request.FILES if posted else None)
    errors = []
    if posted and form.is_valid():
        result = import_register(enterprise=enterprise, rows=form.cleaned_data["rows"], user=request.user)
        if not result.errors:
            messages.success(
                request,
                _(
                    "Imported: %(departments)s new structural units, %(workplaces)s new workplaces, "
                    "%(hazards)s register rows."
                )
                % {
                    "departments": result.departments,
                    "workplaces": result.workplaces,
                    "hazards": result.hazards,
                },
            )
            return redirect("assessments:register", enterprise_pk=enterprise.pk)
        errors = result.errors
    return render(
        request,
        "assessments/register/register_import.html",
        {"enterprise": enterprise, "form": form, "errors": errors, "max_rows": MAX_ROWS},
    )


@login_required
@require_GET
def import_template(request, enterprise_pk):
    enterprise = get_for_user(Enterprise.objects, request.user, pk=enterprise_pk)
    response = HttpResponse(template_bytes(enterprise), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="register-import-template-{enterprise.inn}.xlsx"'
    return response
