"""Import of structural units, workplaces and register rows from an .xlsx file, and its
template. The upload is checked as an archive here; a worker task reads and checks it (a file of
thousands of rows outlasts a web request) and keeps a preview; the user confirms the preview on
the status page, and the worker writes it, all or nothing."""

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from enterprises.access import get_for_user
from enterprises.models import Enterprise

from ..exports import XLSX_CONTENT_TYPE
from ..imports import (
    MAX_ROWS,
    CellError,
    ImportConfirmForm,
    ImportFileForm,
    apply_progress_key,
    register_import_confirm,
    register_import_request,
    template_bytes,
)
from ..models import ImportStatus, RegisterImport

# Rows of each kind listed on the preview; the counts above them are always complete.
PREVIEW_SHOWN = 500


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


def _get_import(request, enterprise_pk, pk):
    enterprise = get_for_user(Enterprise.objects, request.user, write=True, pk=enterprise_pk)
    return enterprise, get_object_or_404(RegisterImport.objects.filter(enterprise=enterprise), pk=pk)


def _status_context(enterprise, job, form=None) -> dict:
    preview = job.preview or {}
    written = cache.get(apply_progress_key(job.pk)) if job.status == ImportStatus.APPLYING else None
    return {
        "enterprise": enterprise,
        "job": job,
        "errors": [CellError(**error) for error in job.errors],
        "preview": preview,
        "shown": PREVIEW_SHOWN,
        "shown_slice": f":{PREVIEW_SHOWN}",
        "written": written,
        "form": form or ImportConfirmForm(initial={"fingerprint": preview.get("fingerprint", "")}),
    }


@login_required
@require_GET
def import_status(request, enterprise_pk, pk):
    """An import's progress and, once checked, its preview; while a worker has it, htmx asks
    again every 2 s."""
    enterprise, job = _get_import(request, enterprise_pk, pk)
    context = _status_context(enterprise, job)
    if request.htmx:
        return render(request, "assessments/register/_import_status.html", context)
    return render(request, "assessments/register/register_import_status.html", context)


@login_required
@require_POST
def import_confirm(request, enterprise_pk, pk):
    """Write the checked file: the worker checks it again in the transaction that writes it. A
    refused confirmation shows the page again with the reason, nothing changed."""
    enterprise, job = _get_import(request, enterprise_pk, pk)
    form = ImportConfirmForm(request.POST)
    if form.is_valid():
        try:
            register_import_confirm(job=job, user=request.user, fingerprint=form.cleaned_data["fingerprint"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("assessments:import_status", enterprise_pk=enterprise.pk, pk=job.pk)
    job.refresh_from_db()
    context = _status_context(enterprise, job, form)
    return render(request, "assessments/register/register_import_status.html", context)


@login_required
@require_GET
def import_template(request, enterprise_pk):
    enterprise = get_for_user(Enterprise.objects, request.user, pk=enterprise_pk)
    response = HttpResponse(template_bytes(enterprise), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="register-import-template-{enterprise.inn}.xlsx"'
    return response
