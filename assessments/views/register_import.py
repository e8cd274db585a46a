"""Import of structural units, workplaces and register rows from an .xlsx file, and its
template. All or nothing: a file with any error writes nothing and lists every bad cell. The
upload is checked as an archive here; a worker task reads and writes it (a file of thousands of
rows outlasts a web request), and its status page follows it."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from enterprises.access import get_for_user
from enterprises.models import Enterprise

from ..exports import XLSX_CONTENT_TYPE
from ..imports import MAX_ROWS, CellError, ImportFileForm, register_import_request, template_bytes
from ..models import RegisterImport


@login_required
def import_register_view(request, enterprise_pk):
    enterprise = get_for_user(Enterprise.objects, request.user, write=True, pk=enterprise_pk)
    posted = request.method == "POST"
    form = ImportFileForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        job = register_import_request(
            enterprise=enterprise, user=request.user, file=form.cleaned_data["file"]
        )
        return redirect("assessments:import_status", enterprise_pk=enterprise.pk, pk=job.pk)
    recent = RegisterImport.objects.filter(enterprise=enterprise).select_related("requested_by")[:5]
    return render(
        request,
        "assessments/register/register_import.html",
        {"enterprise": enterprise, "form": form, "max_rows": MAX_ROWS, "recent": recent},
    )


@login_required
@require_GET
def import_status(request, enterprise_pk, pk):
    """An import's progress; while it is queued or running, htmx asks again every 2 s."""
    enterprise = get_for_user(Enterprise.objects, request.user, write=True, pk=enterprise_pk)
    job = get_object_or_404(RegisterImport.objects.filter(enterprise=enterprise), pk=pk)
    errors = [CellError(**error) for error in job.errors]
    context = {"enterprise": enterprise, "job": job, "errors": errors}
    if request.htmx:
        return render(request, "assessments/register/_import_status.html", context)
    return render(request, "assessments/register/register_import_status.html", context)


@login_required
@require_GET
def import_template(request, enterprise_pk):
    enterprise = get_for_user(Enterprise.objects, request.user, pk=enterprise_pk)
    response = HttpResponse(template_bytes(enterprise), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="register-import-template-{enterprise.inn}.xlsx"'
    return response
