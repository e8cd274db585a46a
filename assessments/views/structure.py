"""Editing an enterprise's structure in the browser: structural units and workplaces are created,
renamed, moved and archived from the structure page (enterprises:structure). The rules are the
services' (enterprises.services, the same as the register import's); archiving decides what
becomes of the register rows (hazards.services), which is why these pages live here."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from enterprises import services as structure
from enterprises.access import get_for_user
from enterprises.forms import UnitAddForm, UnitEditForm, WorkplaceAddForm, WorkplaceEditForm
from enterprises.models import Department, Enterprise, Workplace
from hazards import services as register
from hazards.forms import ArchiveForm, UnitArchiveForm
from hazards.models import HazardStatus
from riskpilot.forms import ModelIdChoiceField
from riskpilot.submissions.views import create_once


def _add_errors(form, error: ValidationError) -> None:
    """A service's refusal, shown beside the field it names (or above the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _structure_url(enterprise_id, anchor: str = "") -> str:
    url = reverse("enterprises:structure", args=[enterprise_id])
    return f"{url}#{anchor}" if anchor else url


def _initial_unit(request, enterprise, name: str):
    """A unit named in the query string (the structure page's "add here" buttons), if valid."""
    field = ModelIdChoiceField(
        queryset=Department.objects.filter(enterprise=enterprise).active(), required=False
    )
    try:
        return field.clean(request.GET.get(name))
    except ValidationError:
        return None


# --- Structural units -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def unit_add(request, enterprise_pk):
    enterprise = get_for_user(Enterprise.objects, request.user, write=True, pk=enterprise_pk)
    parent = _initial_unit(request, enterprise, "parent")
    form = UnitAddForm(
        request.POST if request.method == "POST" else None,
        enterprise=enterprise,
        initial={"parent": parent.pk if parent else None},
    )
    if request.method == "POST" and form.is_valid():
        try:
            department, created = create_once(
                request, form, lambda: structure.department_add(enterprise=enterprise, **form.cleaned_data)
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if created:
                messages.success(request, _("Structural unit “%(name)s” added.") % {"name": department.name})
            return redirect(_structure_url(enterprise.pk, f"dept-{department.pk}"))
    return render(
        request,
        "enterprises/department_form.html",
        {"form": form, "enterprise": enterprise, "department": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def unit_edit(request, pk):
    department = get_for_user(
        Department.objects.active().select_related("enterprise", "parent"), request.user, write=True, pk=pk
    )
    enterprise = department.enterprise
    form = UnitEditForm(
        request.POST if request.method == "POST" else None, instance=department, enterprise=enterprise
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            department = structure.department_update(
                department=department, version=data.pop("version"), **data
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Structural unit “%(name)s” saved.") % {"name": department.name})
            return redirect(_structure_url(enterprise.pk, f"dept-{department.pk}"))
    return render(
        request,
        "enterprises/department_form.html",
        {"form": form, "enterprise": enterprise, "department": department},
    )


@login_required
@require_http_methods(["GET", "POST"])
def unit_archive(request, pk):
    department = get_for_user(
        Department.objects.active().select_related("enterprise"), request.user, write=True, pk=pk
    )
    enterprise = department.enterprise
    contents = register.department_contents(department)
    form = UnitArchiveForm(
        request.POST if request.method == "POST" else None,
        obj=department,
        enterprise=enterprise,
        contents=contents,
    )
    if request.method == "POST" and form.is_valid():
        try:
            register.department_archive(
                department=department,
                cascade=form.cleaned_data.get("cascade", False),
                rows=form.cleaned_data.get("rows") or None,
                target=form.cleaned_data.get("target"),
                version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Structural unit “%(name)s” archived.") % {"name": department.name})
            return redirect(_structure_url(enterprise.pk))
    return render(
        request,
        "enterprises/department_archive.html",
        {"form": form, "enterprise": enterprise, "department": department, "contents": contents},
    )


# --- Workplaces -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def workplace_add(request, enterprise_pk):
    enterprise = get_for_user(Enterprise.objects, request.user, write=True, pk=enterprise_pk)
    department = _initial_unit(request, enterprise, "department")
    form = WorkplaceAddForm(
        request.POST if request.method == "POST" else None,
        enterprise=enterprise,
        initial={"department": department.pk if department else None},
    )
    if request.method == "POST" and form.is_valid():
        try:
            workplace, created = create_once(
                request, form, lambda: structure.workplace_add(enterprise=enterprise, **form.cleaned_data)
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if created:
                messages.success(request, _("Workplace № %(number)s added.") % {"number": workplace.number})
            return redirect(_structure_url(enterprise.pk, f"workplace-{workplace.pk}"))
    return render(
        request,
        "enterprises/workplace_form.html",
        {"form": form, "enterprise": enterprise, "workplace": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def workplace_edit(request, pk):
    workplace = get_for_user(
        Workplace.objects.active().select_related("enterprise", "department"), request.user, write=True, pk=pk
    )
    enterprise = workplace.enterprise
    form = WorkplaceEditForm(
        request.POST if request.method == "POST" else None, instance=workplace, enterprise=enterprise
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            workplace = structure.workplace_update(workplace=workplace, version=data.pop("version"), **data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Workplace № %(number)s saved.") % {"number": workplace.number})
            return redirect(_structure_url(enterprise.pk, f"workplace-{workplace.pk}"))
    return render(
        request,
        "enterprises/workplace_form.html",
        {"form": form, "enterprise": enterprise, "workplace": workplace},
    )


@login_required
@require_http_methods(["GET", "POST"])
def workplace_archive(request, pk):
    workplace = get_for_user(
        Workplace.objects.active()
        .select_related("enterprise", "department")
        .annotate(active_rows=Count("hazards", filter=Q(hazards__status=HazardStatus.ACTIVE))),
        request.user,
        write=True,
        pk=pk,
    )
    enterprise = workplace.enterprise
    form = ArchiveForm(
        request.POST if request.method == "POST" else None,
        obj=workplace,
        enterprise=enterprise,
        keep_out=[workplace],
        active_rows=workplace.active_rows,
    )
    if request.method == "POST" and form.is_valid():
        try:
            register.workplace_archive(
                workplace=workplace,
                rows=form.cleaned_data.get("rows") or None,
                target=form.cleaned_data.get("target"),
                version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Workplace № %(number)s archived.") % {"number": workplace.number})
            return redirect(_structure_url(enterprise.pk, f"dept-{workplace.department_id}"))
    return render(
        request,
        "enterprises/workplace_archive.html",
        {"form": form, "enterprise": enterprise, "workplace": workplace},
    )
