"""The workers of a workplace (list, add, edit, end), their .xlsx import and export, and the
head-count taken from the list. Names are personal data: every view here is for the enterprise's
own officers and managers (enterprises.workers.personal_scope); anyone else gets 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from riskpilot.submissions.views import create_once

from .access import get_for_user
from .forms_workers import WorkerEditForm, WorkerEndForm, WorkerForm
from .models import Enterprise, Worker, Workplace
from .sheets import XLSX_CONTENT_TYPE, SheetError, SheetUploadForm
from .workers import (
    MAX_ROWS,
    get_personal_for_user,
    get_worker_for_user,
    version_token,
    worker_add,
    worker_end,
    worker_update,
    workers_export,
    workers_import,
    workers_template,
    workplace_headcount_from_workers,
)


def add_errors(form, error: ValidationError) -> None:
    """A service's refusal, shown beside the field it names (or above the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _workplace(request, workplace_pk) -> Workplace:
    return get_personal_for_user(
        Workplace.objects.select_related("enterprise", "department"), request.user, pk=workplace_pk
    )


def _workers_url(workplace) -> str:
    return reverse("enterprises:workers", args=[workplace.pk])


@login_required
@require_GET
def workers(request, workplace_pk):
    workplace = _workplace(request, workplace_pk)
    today = timezone.localdate()
    listed = list(Worker.objects.filter(workplace=workplace))
    current = [w for w in listed if (w.employed_to is None or w.employed_to >= today)]
    return render(
        request,
        "enterprises/workers_list.html",
        {
            "workplace": workplace,
            "enterprise": workplace.enterprise,
            "current": [w for w in current if w.employed_from is None or w.employed_from <= today],
            "future": [w for w in current if w.employed_from and w.employed_from > today],
            "former": [w for w in listed if w.employed_to is not None and w.employed_to < today],
            "can_write": workplace.archived_at is None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def worker_add_view(request, workplace_pk):
    # Workers join active workplaces only; an archived one keeps its list as it was.
    workplace = get_personal_for_user(
        Workplace.objects.active().select_related("enterprise", "department"), request.user, pk=workplace_pk
    )
    form = WorkerForm(request.POST or None, initial={"position": workplace.position})
    if request.method == "POST" and form.is_valid():
        try:
            worker, created = create_once(
                request, form, lambda: worker_add(workplace=workplace, **form.cleaned_data)
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            if created:
                messages.success(
                    request, _("%(name)s is added to the workers of this workplace.") % {"name": worker}
                )
            return redirect(_workers_url(workplace))
    return render(
        request,
        "enterprises/worker_form.html",
        {"workplace": workplace, "enterprise": workplace.enterprise, "form": form, "worker": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def worker_edit(request, pk):
    worker = get_worker_for_user(request.user, pk)
    form = WorkerEditForm(request.POST or None, instance=worker)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            worker_update(worker=worker, version=form.cleaned_data["version"], **data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The worker's data is saved."))
            return redirect(_workers_url(worker.workplace))
    return render(
        request,
        "enterprises/worker_form.html",
        {"workplace": worker.workplace, "enterprise": worker.enterprise, "form": form, "worker": worker},
    )


@login_required
@require_http_methods(["GET", "POST"])
def worker_end_view(request, pk):
    worker = get_worker_for_user(request.user, pk)
    form = WorkerEndForm(request.POST or None, initial={"version": version_token(worker.updated_at)})
    if request.method == "POST" and form.is_valid():
        try:
            worker_end(
                worker=worker,
                employed_to=form.cleaned_data["employed_to"],
                version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("%(name)s no longer works at this workplace.") % {"name": worker})
            return redirect(_workers_url(worker.workplace))
    return render(
        request,
        "enterprises/worker_end.html",
        {"workplace": worker.workplace, "enterprise": worker.enterprise, "form": form, "worker": worker},
    )


@login_required
@require_POST
def headcount_from_workers(request, workplace_pk):
    """«Взять из списка работников»: the total head-count of the workplace from its list."""
    workplace = get_for_user(Workplace.objects.active(), request.user, write=True, pk=workplace_pk)
    try:
        workplace = workplace_headcount_from_workers(workplace=workplace)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The head-count of the workplace is now %(count)s, as in the list of its workers.")
            % {"count": workplace.headcount_total},
        )
    return redirect("assessments:workplace", pk=workplace.pk)


def _own_enterprise(request, enterprise_pk) -> Enterprise:
    return get_personal_for_user(Enterprise.objects.all(), request.user, path="", pk=enterprise_pk)


@login_required
@require_http_methods(["GET", "POST"])
def import_workers(request, enterprise_pk):
    """Workers from .xlsx: checked row by row, written only when every row is right."""
    enterprise = _own_enterprise(request, enterprise_pk)
    posted = request.method == "POST"
    form = SheetUploadForm(request.POST if posted else None, request.FILES if posted else None)
    errors = []
    if posted and form.is_valid():
        try:
            result = workers_import(enterprise=enterprise, file=form.cleaned_data["file"])
        except SheetError as error:
            form.add_error("file", str(error))
        else:
            if not result.errors:
                messages.success(
                    request,
                    _("Workers imported: %(added)s added, %(updated)s updated.")
                    % {"added": result.added, "updated": result.updated},
                )
                return redirect("enterprises:workers_import", enterprise_pk=enterprise.pk)
            errors = result.errors
    return render(
        request,
        "enterprises/workers_import.html",
        {"enterprise": enterprise, "form": form, "errors": errors, "max_rows": MAX_ROWS},
    )


@login_required
@require_GET
def workers_template_view(request, enterprise_pk):
    enterprise = _own_enterprise(request, enterprise_pk)
    return _xlsx(workers_template(enterprise), f"workers-template-{enterprise.inn}.xlsx")


@login_required
@require_GET
def workers_export_view(request, enterprise_pk):
    enterprise = _own_enterprise(request, enterprise_pk)
    return _xlsx(workers_export(enterprise), f"workers-{enterprise.inn}-{timezone.localdate():%Y-%m-%d}.xlsx")


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
