"""The enterprise's commission: the order in force with its history, recording a new order, and
changing an order not yet used for a sign-off."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from enterprises.access import get_for_user
from enterprises.models import Enterprise
from hazards.services import version_token
from riskpilot.forms import HiddenErrorsAboveMixin, ModelIdChoiceField, VersionField
from riskpilot.submissions.forms import OnceFormMixin
from riskpilot.submissions.views import create_once

from .. import commission as services
from ..models import Commission, CommissionMember, CommissionRole

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CommissionForm(HiddenErrorsAboveMixin, forms.Form):
    order_number = forms.CharField(label=gettext_lazy("Order number"), max_length=50)
    order_date = forms.DateField(label=gettext_lazy("Order date"), widget=DATE_WIDGET)
    valid_from = forms.DateField(
        label=gettext_lazy("Valid from"),
        widget=DATE_WIDGET,
        help_text=gettext_lazy("From this day the order replaces the one in force."),
    )

    def clean_order_number(self):
        value = self.cleaned_data["order_number"].strip()
        if not value:
            raise ValidationError(_("Give the order number."))
        return value


class CommissionCreateForm(OnceFormMixin, CommissionForm):
    pass


class CommissionUpdateForm(CommissionForm):
    version = VersionField()


class MemberForm(forms.Form):
    role = forms.ChoiceField(
        label=gettext_lazy("Role"), choices=CommissionRole.choices, initial=CommissionRole.MEMBER
    )
    user = ModelIdChoiceField(
        label=gettext_lazy("Account"),
        queryset=CommissionMember.objects.none(),
        required=False,
        empty_label=gettext_lazy("— no account (signs on paper) —"),
    )
    full_name = forms.CharField(
        label=gettext_lazy("Surname, name and patronymic"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("For a member with an account, taken from the account when left empty."),
    )
    position = forms.CharField(label=gettext_lazy("Position"), max_length=300, required=False)

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people
        self.fields["user"].label_from_instance = lambda user: (
            f"{user.get_full_name() or user.username} — {user.get_role_display()}"
        )
        # Laid out as a table row: the widgets carry Bootstrap's classes themselves.
        for name, field in self.fields.items():
            css = "form-select" if name in ("role", "user") else "form-control"
            if self.is_bound and name in self.errors:
                css += " is-invalid"
            field.widget.attrs["class"] = css


class BaseMemberFormSet(forms.BaseFormSet):
    def members(self) -> list[services.MemberData]:
        """The filled lines, in the order shown (empty lines are ignored)."""
        return [
            services.MemberData(
                role=form.cleaned_data["role"],
                user=form.cleaned_data.get("user"),
                full_name=form.cleaned_data.get("full_name", ""),
                position=form.cleaned_data.get("position", ""),
            )
            for form in self.forms
            if form.cleaned_data and not self._should_delete_form(form) and _is_filled(form.cleaned_data)
        ]


def _is_filled(data: dict) -> bool:
    # A line with only its role chosen is an unused line.
    return bool(data.get("user") or data.get("full_name", "").strip() or data.get("position", "").strip())


MemberFormSet = forms.formset_factory(
    MemberForm, formset=BaseMemberFormSet, extra=3, max_num=30, absolute_max=30
)


def _member_initial(commission: Commission | None) -> list[dict]:
    if commission is None:
        return [{"role": CommissionRole.CHAIRMAN}]
    return [
        {"role": m.role, "user": m.user_id, "full_name": m.full_name, "position": m.position}
        for m in commission.members.all()
    ]


def _members_formset(request, enterprise, initial):
    people = services.enterprise_people(enterprise)
    kwargs = {"prefix": "members", "form_kwargs": {"people": people}}
    if request.method == "POST":
        return MemberFormSet(request.POST, **kwargs)
    return MemberFormSet(initial=initial, **kwargs)


def _show_errors(form, formset, error: ValidationError) -> None:
    """A service's refusal beside the field it names, the members' above their lines, the rest
    above the form: bad input is answered on the page, never with a 500."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, field_messages in error.message_dict.items():
        if field == "members":
            formset._non_form_errors = formset.error_class(field_messages, error_class="nonform")
        else:
            form.add_error(field if field in form.fields else None, field_messages)


def _save(form, formset, save):
    """Run ``save`` with the members when both forms are valid; the saved object, or None."""
    if not (form.is_valid() and formset.is_valid()):
        return None
    try:
        return save(formset.members())
    except ValidationError as error:
        _show_errors(form, formset, error)
        return None


@login_required
@require_GET
def commission_list(request, enterprise_pk):
    enterprise = get_for_user(Enterprise.objects.all(), request.user, pk=enterprise_pk)
    commissions = list(
        Commission.objects.filter(enterprise=enterprise)
        .prefetch_related("members__user")
        .order_by("-valid_from", "-id")
    )
    in_force = services.commission_in_force(enterprise)
    return render(
        request,
        "documents/commission/commission_list.html",
        {
            "enterprise": enterprise,
            "in_force": next((c for c in commissions if in_force and c.pk == in_force.pk), None),
            "others": [c for c in commissions if not in_force or c.pk != in_force.pk],
        },
    )


@login_required
def commission_add(request, enterprise_pk):
    enterprise = get_for_user(Enterprise.objects.all(), request.user, write=True, pk=enterprise_pk)
    # A new order usually keeps most of the old one's people: start from the one in force.
    in_force = services.commission_in_force(enterprise)
    formset = _members_formset(request, enterprise, _member_initial(in_force))
    if request.method == "POST":
        form = CommissionCreateForm(request.POST)
        if form.is_valid() and formset.is_valid():
            try:
                _commission, created = create_once(
                    request,
                    form,
                    lambda: services.commission_create(
                        enterprise=enterprise,
                        order_number=form.cleaned_data["order_number"],
                        order_date=form.cleaned_data["order_date"],
                        valid_from=form.cleaned_data["valid_from"],
                        members=formset.members(),
                    ),
                )
            except ValidationError as error:
                _show_errors(form, formset, error)
            else:
                if created:
                    messages.success(request, _("The order on the commission is recorded."))
                return redirect("documents:commission_list", enterprise_pk=enterprise.pk)
    else:
        form = CommissionCreateForm()
    return render(
        request,
        "documents/commission/commission_form.html",
        {"enterprise": enterprise, "form": form, "formset": formset, "commission": None},
    )


@login_required
def commission_edit(request, pk):
    commission = get_for_user(
        Commission.objects.select_related("enterprise"), request.user, write=True, pk=pk
    )
    enterprise = commission.enterprise
    if not services.commission_is_editable(commission):
        messages.error(
            request,
            _(
                "The commission has already been sent a round for signature under this order: record a "
                "new order instead of changing this one."
            ),
        )
        return redirect("documents:commission_list", enterprise_pk=enterprise.pk)
    formset = _members_formset(request, enterprise, _member_initial(commission))
    if request.method == "POST":
        form = CommissionUpdateForm(request.POST)
        saved = _save(
            form,
            formset,
            lambda members: services.commission_update(
                commission=commission,
                order_number=form.cleaned_data["order_number"],
                order_date=form.cleaned_data["order_date"],
                valid_from=form.cleaned_data["valid_from"],
                members=members,
                version=form.cleaned_data["version"],
            ),
        )
        if saved is not None:
            messages.success(request, _("The order on the commission is saved."))
            return redirect("documents:commission_list", enterprise_pk=enterprise.pk)
    else:
        form = CommissionUpdateForm(
            initial={
                "order_number": commission.order_number,
                "order_date": commission.order_date,
                "valid_from": commission.valid_from,
                "version": version_token(commission.updated_at),
            }
        )
    return render(
        request,
        "documents/commission/commission_form.html",
        {"enterprise": enterprise, "form": form, "formset": formset, "commission": commission},
    )
