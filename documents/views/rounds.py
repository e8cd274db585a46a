"""Assessment rounds and their sign-off: the list of an enterprise's rounds, preparing one,
sending it for signature, a member's signature, the officer's record of a paper signature, the
manager's approval, and each person's lists "To sign" and "Rounds to approve"."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from enterprises.access import get_for_user
from enterprises.models import Department, Enterprise, Workplace
from enterprises.ordering import workplace_order
from hazards.services import version_token
from riskpilot.forms import (
    HiddenErrorsAboveMixin,
    ModelIdChoiceField,
    ModelIdMultipleChoiceField,
    VersionField,
)
from riskpilot.submissions.forms import OnceFormMixin
from riskpilot.submissions.views import create_once

from .. import rounds as services
from ..models import (
    AssessmentRound,
    CommissionMember,
    RoundScope,
    RoundSignature,
    RoundStatus,
    SignatureDecision,
)
from .commission import DATE_WIDGET


def _add_errors(form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, field_messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, field_messages)


# --- Forms ------------------------------------------------------------------------------------


class RoundForm(HiddenErrorsAboveMixin, forms.Form):
    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=300,
        help_text=gettext_lazy(
            "E.g. “Оценка профессиональных рисков 2026” or “Periodic review of the mine”."
        ),
    )
    scope = forms.ChoiceField(
        label=gettext_lazy("Workplaces covered"), choices=RoundScope.choices, widget=forms.RadioSelect
    )
    department = ModelIdChoiceField(
        label=gettext_lazy("Structural unit"),
        queryset=Department.objects.none(),
        required=False,
        help_text=gettext_lazy("With its sub-units."),
    )
    workplaces = ModelIdMultipleChoiceField(
        label=gettext_lazy("Workplaces"),
        queryset=Workplace.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, enterprise, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(enterprise=enterprise).order_by("name")
        self.fields["workplaces"].queryset = (
            Workplace.objects.active().filter(enterprise=enterprise).order_by(*workplace_order())
        )
        self.fields["workplaces"].label_from_instance = lambda w: f"№ {w.number} — {w.position}"

    def clean_title(self):
        value = self.cleaned_data["title"].strip()
        if not value:
            raise ValidationError(_("Give the round a title."))
        return value

    def clean(self):
        cleaned = super().clean()
        scope = cleaned.get("scope")
        if scope == RoundScope.DEPARTMENT and not cleaned.get("department"):
            self.add_error("department", _("Choose the structural unit."))
        if scope == RoundScope.PICKED and not cleaned.get("workplaces"):
            self.add_error("workplaces", _("Choose at least one workplace."))
        return cleaned

    @property
    def round_data(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "scope": data["scope"],
            "department": data.get("department"),
            "workplaces": list(data.get("workplaces") or []),
        }


class RoundCreateForm(OnceFormMixin, RoundForm):
    pass


class RoundUpdateForm(RoundForm):
    version = VersionField()


class ActionForm(HiddenErrorsAboveMixin, forms.Form):
    """Sending for signature and approving: nothing to fill in, only the version of the round the
    person saw (a state changed meanwhile is refused, never acted on unseen)."""

    version = VersionField()


class SignForm(OnceFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"), choices=SignatureDecision.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=gettext_lazy("Comment"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Required with an objection: it is shown to the officer who prepares the round."
        ),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == SignatureDecision.OBJECTED and not cleaned.get("comment", "").strip():
            self.add_error("comment", _("Say what is wrong: an objection needs a comment."))
        return cleaned


class PaperSignForm(SignForm):
    member = ModelIdChoiceField(label=gettext_lazy("Member"), queryset=CommissionMember.objects.none())
    signed_on = forms.DateField(label=gettext_lazy("Signed on"), widget=DATE_WIDGET)

    field_order = ["member", "decision", "signed_on", "comment"]

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["member"].label_from_instance = lambda m: f"{m.full_name} — {m.position}"


# --- Helpers ----------------------------------------------------------------------------------


def _round(request, pk, *, write=False):
    return get_for_user(
        AssessmentRound.objects.select_related("enterprise", "commission", "created_by", "approved_by"),
        request.user,
        write=write,
        pk=pk,
    )


def _paper_members(assessment_round):
    """Members without an account who have not signed yet in this cycle."""
    return (
        assessment_round.commission.members.filter(user__isnull=True)
        .exclude(signatures__round=assessment_round)
        .order_by("sort_order", "pk")
    )


# --- Pages ------------------------------------------------------------------------------------


@login_required
@require_GET
def round_list(request, enterprise_pk):
    enterprise = get_for_user(Enterprise.objects.all(), request.user, pk=enterprise_pk)
    rounds = (
        AssessmentRound.objects.filter(enterprise=enterprise)
        .select_related("commission", "approved_by")
        .annotate(
            workplace_count=Count("workplaces", distinct=True),
            member_count=Count("commission__members", distinct=True),
            confirmed_count=Count(
                "signatures", filter=Q(signatures__decision=SignatureDecision.CONFIRMED), distinct=True
            ),
        )
        .order_by("-created_at", "-pk")
    )
    return render(
        request,
        "documents/rounds/round_list.html",
        {
            "enterprise": enterprise,
            "rounds": rounds,
            "in_force": services.commission_in_force(enterprise),
        },
    )


@login_required
def round_add(request, enterprise_pk):
    enterprise = get_for_user(Enterprise.objects.all(), request.user, write=True, pk=enterprise_pk)
    in_force = services.commission_in_force(enterprise)
    if request.method == "POST":
        form = RoundCreateForm(request.POST, enterprise=enterprise)
        if form.is_valid():
            try:
                assessment_round, created = create_once(
                    request,
                    form,
                    lambda: services.round_create(
                        enterprise=enterprise, user=request.user, **form.round_data
                    ),
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                if created:
                    messages.success(
                        request, _("The round is created. Check it, then send it for signature.")
                    )
                return redirect("documents:round", pk=assessment_round.pk)
    else:
        year = timezone.localdate().year
        form = RoundCreateForm(
            enterprise=enterprise,
            initial={"title": f"Оценка профессиональных рисков {year}", "scope": RoundScope.ALL},
        )
    return render(
        request,
        "documents/rounds/round_form.html",
        {"enterprise": enterprise, "form": form, "in_force": in_force, "round": None},
    )


@login_required
def round_edit(request, pk):
    assessment_round = _round(request, pk, write=True)
    enterprise = assessment_round.enterprise
    if assessment_round.status != RoundStatus.DRAFT:
        messages.error(request, services._locked_error(assessment_round).messages[0])
        return redirect("documents:round", pk=assessment_round.pk)
    if request.method == "POST":
        form = RoundUpdateForm(request.POST, enterprise=enterprise)
        if form.is_valid():
            try:
                services.round_update(
                    assessment_round=assessment_round, version=form.cleaned_data["version"], **form.round_data
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("The round is saved."))
                return redirect("documents:round", pk=assessment_round.pk)
    else:
        form = RoundUpdateForm(
            enterprise=enterprise,
            initial={
                "title": assessment_round.title,
                "scope": assessment_round.scope,
                "department": assessment_round.department_id,
                "workplaces": [w.pk for w in assessment_round.workplaces.all()],
                "version": version_token(assessment_round.updated_at),
            },
        )
    return render(
        request,
        "documents/rounds/round_form.html",
        {
            "enterprise": enterprise,
            "form": form,
            "in_force": services.commission_in_force(enterprise),
            "round": assessment_round,
        },
    )


def _signature_history(assessment_round):
    """Signatures of the earlier cycles (an objection sends the round back and the next sending
    asks everyone again): from the history, newest first."""
    current = set(assessment_round.signatures.values_list("pk", flat=True))
    records = (
        RoundSignature.history.filter(round_id=assessment_round.pk, history_type="+")
        .exclude(id__in=current)
        .select_related("member", "recorded_by")
        .order_by("-history_date")
    )
    return list(records)


@login_required
@require_GET
def round_detail(request, pk):
    assessment_round = _round(request, pk)
    user = request.user
    signatures = {s.member_id: s for s in assessment_round.signatures.select_related("recorded_by", "member")}
    members = list(assessment_round.commission.members.select_related("user").order_by("sort_order", "pk"))
    seat = next((m for m in members if user.is_authenticated and m.user_id == user.pk), None)
    workplaces = list(assessment_round.workplaces.select_related("department").order_by("number", "pk"))
    version = version_token(assessment_round.updated_at)
    is_signing = assessment_round.status == RoundStatus.SIGNING
    return render(
        request,
        "documents/rounds/round_detail.html",
        {
            "enterprise": assessment_round.enterprise,
            "round": assessment_round,
            "members": [{"member": m, "signature": signatures.get(m.pk)} for m in members],
            "workplaces": workplaces,
            "cards": services.round_cards(assessment_round),
            "earlier": _signature_history(assessment_round),
            "version": version,
            "can_edit": user.can_write and assessment_round.status == RoundStatus.DRAFT,
            "can_sign": is_signing and seat is not None and seat.pk not in signatures,
            "can_record_paper": user.can_write
            and is_signing
            and any(m.user_id is None and m.pk not in signatures for m in members),
            "can_approve": user.can_approve and assessment_round.status == RoundStatus.SIGNED,
            "approve_form": ActionForm(initial={"version": version}),
        },
    )


@login_required
@require_POST
def round_send(request, pk):
    assessment_round = _round(request, pk, write=True)
    form = ActionForm(request.POST)
    if not form.is_valid():
        for error in form.non_field_errors():
            messages.error(request, error)
        return redirect("documents:round", pk=assessment_round.pk)
    try:
        services.round_send(
            assessment_round=assessment_round, user=request.user, version=form.cleaned_data["version"]
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("The round is sent for signature: the card versions are issued and the members are notified."),
        )
    return redirect("documents:round", pk=assessment_round.pk)


@login_required
def round_sign(request, pk):
    assessment_round = _round(request, pk)
    seat = services.member_of(assessment_round, request.user)
    if seat is None:
        raise PermissionDenied
    if (
        assessment_round.status != RoundStatus.SIGNING
        or assessment_round.signatures.filter(member=seat).exists()
    ):
        messages.info(request, _("There is nothing for you to sign in this round now."))
        return redirect("documents:round", pk=assessment_round.pk)
    if request.method == "POST":
        form = SignForm(request.POST)
        if form.is_valid():
            try:
                signature, created = create_once(
                    request,
                    form,
                    lambda: services.round_sign(
                        assessment_round=assessment_round,
                        user=request.user,
                        decision=form.cleaned_data["decision"],
                        comment=form.cleaned_data["comment"],
                    ),
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                if created:
                    if signature.decision == SignatureDecision.CONFIRMED:
                        messages.success(request, _("Your signature is recorded."))
                    else:
                        messages.warning(
                            request, _("Your objection is recorded: the round is back in preparation.")
                        )
                return redirect("documents:round", pk=assessment_round.pk)
    else:
        form = SignForm()
    return render(
        request,
        "documents/rounds/round_sign.html",
        {
            "enterprise": assessment_round.enterprise,
            "round": assessment_round,
            "seat": seat,
            "form": form,
            "cards": services.round_cards(assessment_round),
        },
    )


@login_required
def round_paper(request, pk):
    assessment_round = _round(request, pk, write=True)
    if assessment_round.status != RoundStatus.SIGNING:
        messages.info(request, _("Paper signatures are recorded while the round is being signed."))
        return redirect("documents:round", pk=assessment_round.pk)
    members = _paper_members(assessment_round)
    if request.method == "POST":
        form = PaperSignForm(request.POST, members=members)
        if form.is_valid():
            try:
                _signature, created = create_once(
                    request,
                    form,
                    lambda: services.round_record_paper(
                        assessment_round=assessment_round,
                        member=form.cleaned_data["member"],
                        decision=form.cleaned_data["decision"],
                        comment=form.cleaned_data["comment"],
                        signed_on=form.cleaned_data["signed_on"],
                        user=request.user,
                    ),
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                if created:
                    messages.success(request, _("The signature from the paper sheet is recorded."))
                return redirect("documents:round", pk=assessment_round.pk)
    else:
        form = PaperSignForm(members=members, initial={"signed_on": timezone.localdate()})
    return render(
        request,
        "documents/rounds/round_paper.html",
        {"enterprise": assessment_round.enterprise, "round": assessment_round, "form": form},
    )


@login_required
@require_POST
def round_approve(request, pk):
    assessment_round = _round(request, pk)
    if not request.user.can_approve:
        raise PermissionDenied
    form = ActionForm(request.POST)
    if not form.is_valid():
        for error in form.non_field_errors():
            messages.error(request, error)
        return redirect("documents:round", pk=assessment_round.pk)
    try:
        services.round_approve(
            assessment_round=assessment_round, user=request.user, version=form.cleaned_data["version"]
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The round is approved. Its cards are now in force."))
    return redirect("documents:round", pk=assessment_round.pk)


def _with_progress(rounds):
    return rounds.annotate(
        member_count=Count("commission__members", distinct=True),
        confirmed_count=Count(
            "signatures", filter=Q(signatures__decision=SignatureDecision.CONFIRMED), distinct=True
        ),
        workplace_count=Count("workplaces", distinct=True),
    )


@login_required
@require_GET
def to_sign(request):
    """«На подпись»: the rounds waiting for the signed-in user's signature."""
    return render(
        request,
        "documents/rounds/to_sign.html",
        {"rounds": _with_progress(services.rounds_to_sign(request.user))},
    )


@login_required
@require_GET
def to_approve(request):
    """«Оценки на утверждение»: rounds the commission has signed, waiting for a manager."""
    return render(
        request,
        "documents/rounds/to_approve.html",
        {"rounds": _with_progress(services.rounds_to_approve(request.user))},
    )
