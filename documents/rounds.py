"""An assessment round and its sign-off by the commission (REFERENCE §8).

The states: being prepared → being signed by the commission → signed, waiting for the employer's
approval → approved.
- The safety officer prepares the round (title and workplaces) and sends it for signature: the
  commission in force that day is fixed on the round, a new version of the card of each card group
  of its workplaces is issued with the round, and the members with an account are told.
- Each member with an account confirms or objects in the application; the officer records from the
  paper sheet the signatures of the members without one.
- An objection (it always carries a comment) sends the round back to preparation: the comment stays
  on the round, the officer reworks the register and sends the round again, which issues new card
  versions and asks every member again. The signatures of the earlier cycle are kept in the history.
- When every member has confirmed, the managers are told; a manager approves for the employer. The
  approved round and its card versions are then fixed. The register rows stay editable, but a
  change shows on the round's page as "changed since approval" and calls for a new card version.
"""

import hashlib
import itertools
import json
import logging
import smtplib
from collections import defaultdict

from celery import shared_task
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assessments.models import ControlMeasure, RiskAssessment
from enterprises.models import Department, Enterprise, Role, User, Workplace
from hazards.models import Hazard

from .cards import (
    ASSESSMENT_FIELDS,
    HAZARD_FIELDS,
    MEASURE_FIELDS,
    WORKPLACE_FIELDS,
    card_group,
    card_issue,
)
from .commission import check_fresh, commission_in_force
from .models import (
    AssessmentRound,
    CommissionMember,
    NoticeKind,
    RiskCard,
    RoundNotice,
    RoundScope,
    RoundSignature,
    RoundStatus,
    SignatureDecision,
)

logger = logging.getLogger(__name__)


# --- Preparing --------------------------------------------------------------------------------


def round_workplaces(
    *, enterprise: Enterprise, scope: str, department: Department | None, workplaces
) -> list:
    """The active workplaces a round covers: all of the enterprise, those of a unit (with its
    sub-units), or the ones chosen."""
    active = Workplace.objects.active().filter(enterprise=enterprise)
    if scope == RoundScope.ALL:
        chosen = active
    elif scope == RoundScope.DEPARTMENT:
        if department is None or department.enterprise_id != enterprise.pk:
            raise ValidationError({"department": _("Choose a structural unit of this enterprise.")})
        ids = [department.pk]
        frontier = [department.pk]
        # The unit tree is shallow (shop → section → team): a query per level.
        while frontier:
            frontier = list(
                Department.objects.filter(enterprise=enterprise, parent_id__in=frontier).values_list(
                    "pk", flat=True
                )
            )
            ids += frontier
        chosen = active.filter(department_id__in=ids)
    elif scope == RoundScope.PICKED:
        chosen = active.filter(pk__in=[workplace.pk for workplace in workplaces or []])
    else:
        raise ValidationError({"scope": _("Choose which workplaces the round covers.")})
    chosen = list(chosen.order_by("pk"))
    if not chosen:
        raise ValidationError({"workplaces": _("The round covers no active workplace: choose at least one.")})
    return chosen


def _locked_error(assessment_round: AssessmentRound) -> ValidationError:
    if assessment_round.status == RoundStatus.APPROVED:
        return ValidationError(
            _("The round is approved: it can no longer be changed or signed."), code="locked"
        )
    return ValidationError(
        _("The round has been sent for signature: it can be changed only when it is back in preparation."),
        code="locked",
    )


@transaction.atomic
def round_create(
    *, enterprise: Enterprise, title: str, scope: str, department=None, workplaces=None, user
) -> AssessmentRound:
    commission = commission_in_force(enterprise)
    if commission is None:
        raise ValidationError(
            _("The enterprise has no commission in force: record the order on the commission first.")
        )
    chosen = round_workplaces(
        enterprise=enterprise, scope=scope, department=department, workplaces=workplaces
    )
    assessment_round = AssessmentRound.objects.create(
        enterprise=enterprise,
        title=title.strip(),
        commission=commission,
        created_by=user,
        scope=scope,
        department=department if scope == RoundScope.DEPARTMENT else None,
    )
    assessment_round.workplaces.set(chosen)
    return assessment_round


@transaction.atomic
def round_update(
    *, assessment_round: AssessmentRound, title: str, scope: str, department=None, workplaces=None, version
) -> AssessmentRound:
    assessment_round = AssessmentRound.objects.select_for_update().get(pk=assessment_round.pk)
    if assessment_round.status != RoundStatus.DRAFT:
        raise _locked_error(assessment_round)
    check_fresh(assessment_round, version)
    chosen = round_workplaces(
        enterprise=assessment_round.enterprise, scope=scope, department=department, workplaces=workplaces
    )
    assessment_round.title = title.strip()
    assessment_round.scope = scope
    assessment_round.department = department if scope == RoundScope.DEPARTMENT else None
    assessment_round.save()
    assessment_round.workplaces.set(chosen)
    return assessment_round


# --- Sending for signature ------------------------------------------------------------------


def _issue_cards(assessment_round: AssessmentRound, user) -> list[RiskCard]:
    """A new card version of each card group of the round's workplaces (analogous workplaces
    share one card, so a group is issued once)."""
    covered = set()
    cards = []
    for workplace in assessment_round.workplaces.order_by("pk"):
        if workplace.pk in covered:
            continue
        group = card_group(workplace)
        covered.update(other.pk for other in group)
        cards.append(card_issue(workplace=workplace, user=user, round=assessment_round))
    return cards


@transaction.atomic
def round_send(*, assessment_round: AssessmentRound, user, version: str | None) -> AssessmentRound:
    """Send the round to the commission in force for signature (see the module's docstring)."""
    assessment_round = AssessmentRound.objects.select_for_update().get(pk=assessment_round.pk)
    if assessment_round.status != RoundStatus.DRAFT:
        raise _locked_error(assessment_round)
    check_fresh(assessment_round, version)
    commission = commission_in_force(assessment_round.enterprise)
    if commission is None:
        raise ValidationError(
            _("The enterprise has no commission in force: record the order on the commission first.")
        )
    if not assessment_round.workplaces.exists():
        raise ValidationError(_("The round covers no workplace: choose at least one."))
    # A new cycle: the earlier cycle's signatures go (their history stays, shown on the page).
    for signature in assessment_round.signatures.all():
        signature.delete()
    assessment_round.commission = commission
    assessment_round.status = RoundStatus.SIGNING
    assessment_round.sent_for_signature_at = timezone.now()
    assessment_round.signing_cycle += 1
    assessment_round.save()
    _issue_cards(assessment_round, user)
    members = User.objects.filter(commission_seats__commission=commission, is_active=True)
    _notify(assessment_round, members, NoticeKind.SIGN)
    return assessment_round


# --- Signing --------------------------------------------------------------------------------


def member_of(assessment_round: AssessmentRound, user) -> CommissionMember | None:
    """The seat of ``user`` on the commission the round was sent to, if any."""
    if not user.is_authenticated:
        return None
    return assessment_round.commission.members.filter(user=user).first()


def _signable(assessment_round: AssessmentRound, member: CommissionMember) -> None:
    if assessment_round.status != RoundStatus.SIGNING:
        if assessment_round.status == RoundStatus.DRAFT:
            raise ValidationError(
                _("The round is being prepared: it can be signed once it is sent for signature."),
                code="state",
            )
        raise ValidationError(_("The commission has already signed this round."), code="state")
    if member.commission_id != assessment_round.commission_id:
        raise ValidationError(_("This person is not a member of the round's commission."))
    if assessment_round.signatures.filter(member=member).exists():
        raise ValidationError(_("This member has already signed the round."), code="signed")


def _decision_checked(decision: str, comment: str) -> str:
    if decision not in SignatureDecision.values:
        raise ValidationError({"decision": _("Confirm or object.")})
    comment = comment.strip()
    if decision == SignatureDecision.OBJECTED and not comment:
        raise ValidationError({"comment": _("Say what is wrong: an objection needs a comment.")})
    return comment


@transaction.atomic
def round_sign(
    *, assessment_round: AssessmentRound, user, decision: str, comment: str = ""
) -> RoundSignature:
    """A member with an account confirms or objects in the application."""
    assessment_round = AssessmentRound.objects.select_for_update().get(pk=assessment_round.pk)
    member = member_of(assessment_round, user)
    if member is None:
        raise ValidationError(_("Only the members of the round's commission sign it."), code="not_member")
    _signable(assessment_round, member)
    comment = _decision_checked(decision, comment)
    signature = RoundSignature.objects.create(
        round=assessment_round,
        member=member,
        decision=decision,
        comment=comment,
        signed_on=timezone.localdate(),
        recorded_by=user,
        on_paper=False,
    )
    _after_signature(assessment_round, signature)
    return signature


@transaction.atomic
def round_record_paper(
    *,
    assessment_round: AssessmentRound,
    member: CommissionMember,
    decision: str,
    comment: str = "",
    signed_on,
    user,
) -> RoundSignature:
    """The officer records the signature of a member without an account from the paper sheet."""
    assessment_round = AssessmentRound.objects.select_for_update().get(pk=assessment_round.pk)
    if member.user_id is not None:
        raise ValidationError(
            {"member": _("This member has an account and signs in the application.")}, code="has_account"
        )
    _signable(assessment_round, member)
    comment = _decision_checked(decision, comment)
    sent_on = timezone.localdate(assessment_round.sent_for_signature_at)
    if signed_on > timezone.localdate():
        raise ValidationError({"signed_on": _("The date of signing cannot be in the future.")})
    if signed_on < sent_on:
        raise ValidationError(
            {
                "signed_on": _("The round was sent for signature on %(date)s: it cannot be signed before.")
                % {"date": f"{sent_on:%d.%m.%Y}"}
            }
        )
    signature = RoundSignature.objects.create(
        round=assessment_round,
        member=member,
        decision=decision,
        comment=comment,
        signed_on=signed_on,
        recorded_by=user,
        on_paper=True,
    )
    _after_signature(assessment_round, signature)
    return signature


def _after_signature(assessment_round: AssessmentRound, signature: RoundSignature) -> None:
    if signature.decision == SignatureDecision.OBJECTED:
        assessment_round.status = RoundStatus.DRAFT
        assessment_round.returned_at = timezone.now()
        assessment_round.returned_by = signature.member
        assessment_round.return_comment = signature.comment
        assessment_round.save()
        _notify(assessment_round, User.objects.filter(pk=assessment_round.created_by_id), NoticeKind.RETURNED)
        return
    members = assessment_round.commission.members.count()
    confirmed = assessment_round.signatures.filter(decision=SignatureDecision.CONFIRMED).count()
    if confirmed == members:
        assessment_round.status = RoundStatus.SIGNED
        assessment_round.save()
        managers = User.objects.filter(
            enterprise_id=assessment_round.enterprise_id, role=Role.MANAGER, is_active=True
        )
        _notify(assessment_round, managers, NoticeKind.APPROVE)


# --- Approving --------------------------------------------------------------------------------


@transaction.atomic
def round_approve(*, assessment_round: AssessmentRound, user, version: str | None) -> AssessmentRound:
    """The employer's approval: only once every member has confirmed. The round is then fixed."""
    assessment_round = AssessmentRound.objects.select_for_update().get(pk=assessment_round.pk)
    if not user.can_approve:
        raise ValidationError(_("Only a manager approves for the employer."), code="not_manager")
    if assessment_round.status == RoundStatus.APPROVED:
        raise _locked_error(assessment_round)
    members = assessment_round.commission.members.count()
    confirmed = assessment_round.signatures.filter(decision=SignatureDecision.CONFIRMED).count()
    if assessment_round.status != RoundStatus.SIGNED or confirmed != members:
        raise ValidationError(
            _("The round can be approved once every member of the commission has signed it.")
        )
    check_fresh(assessment_round, version)
    assessment_round.status = RoundStatus.APPROVED
    assessment_round.approved_by = user
    assessment_round.approved_at = timezone.now()
    assessment_round.save()
    return assessment_round


# --- What a person has to do ------------------------------------------------------------------


def rounds_to_sign(user):
    """Rounds waiting for this user's signature (the "To sign" list)."""
    return (
        AssessmentRound.objects.for_user(user)
        .filter(status=RoundStatus.SIGNING, commission__members__user=user)
        .exclude(signatures__member__user=user)
        .select_related("enterprise", "commission")
        .order_by("sent_for_signature_at", "pk")
    )


def rounds_to_approve(user):
    """Rounds the commission has signed, waiting for the employer's approval."""
    return (
        AssessmentRound.objects.for_user(user)
        .filter(status=RoundStatus.SIGNED)
        .select_related("enterprise", "commission")
        .order_by("sent_for_signature_at", "pk")
    )


# --- The cards of a round -----------------------------------------------------------------------


def _digest(content: dict) -> str:
    # As cards.register_fingerprint serialises it, so the two always agree.
    serialised = json.dumps(content, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(serialised.encode()).hexdigest()


def fingerprints(groups: dict) -> dict:
    """cards.register_fingerprint of many card groups at once ({key: workplace ids} → {key:
    digest}): four queries whatever the number of groups, for pages that list many cards."""
    ids = sorted({pk for members in groups.values() for pk in members})
    workplaces = {
        row[0]: row[1:]
        for row in Workplace.objects.filter(pk__in=ids).order_by("pk").values_list("pk", *WORKPLACE_FIELDS)
    }
    hazards = Hazard.objects.active().filter(workplace_id__in=ids)
    by_workplace = defaultdict(lambda: {"hazards": [], "assessments": [], "measures": []})
    for row in hazards.order_by("pk").values_list("workplace_id", *HAZARD_FIELDS):
        by_workplace[row[0]]["hazards"].append(row[1:])
    assessments = (
        RiskAssessment.objects.current()
        .filter(hazard__in=hazards)
        .order_by("hazard_id")
        .values_list("hazard__workplace_id", *ASSESSMENT_FIELDS)
    )
    for row in assessments:
        by_workplace[row[0]]["assessments"].append(row[1:])
    measures = ControlMeasure.objects.filter(hazard__in=hazards).order_by("pk")
    for row in measures.values_list("hazard__workplace_id", *MEASURE_FIELDS):
        by_workplace[row[0]]["measures"].append(row[1:])
    result = {}
    for key, members in groups.items():
        members = sorted(set(members))
        # Each part in the order register_fingerprint queries it.
        hazard_rows = sorted((r for pk in members for r in by_workplace[pk]["hazards"]), key=lambda r: r[0])
        assessment_rows = sorted(
            (r for pk in members for r in by_workplace[pk]["assessments"]), key=lambda r: r[0]
        )
        measure_rows = sorted((r for pk in members for r in by_workplace[pk]["measures"]), key=lambda r: r[1])
        result[key] = _digest(
            {
                "workplaces": [workplaces[pk] for pk in members if pk in workplaces],
                "hazards": hazard_rows,
                "assessments": assessment_rows,
                "measures": measure_rows,
            }
        )
    return result


def _natural(number: str) -> tuple:
    """Workplace numbers in the order people count them: 2, 10, 10А, not 10, 10А, 2."""
    digits = "".join(itertools.takewhile(str.isdigit, number))
    return (int(digits) if digits else float("inf"), number)


def round_cards(assessment_round: AssessmentRound) -> list[dict]:
    """The card versions the round issued in its last sending (one per card group), each with
    whether the register changed since: a constant number of queries."""
    cards = (
        RiskCard.objects.filter(round=assessment_round)
        .select_related("workplace__department")
        .prefetch_related(Prefetch("analogous", queryset=Workplace.objects.order_by("pk")))
        .order_by("workplace_id", "-version")
    )
    latest = {}
    for card in cards:
        latest.setdefault(card.workplace_id, card)
    chosen = sorted(latest.values(), key=lambda card: (_natural(card.workplace.number), card.pk))
    digests = fingerprints(
        {card.pk: [card.workplace_id, *(other.pk for other in card.analogous.all())] for card in chosen}
    )
    return [{"card": card, "changed": digests[card.pk] != card.fingerprint} for card in chosen]


# --- Notices ----------------------------------------------------------------------------------


def _notify(assessment_round: AssessmentRound, users, kind: str) -> None:
    """Owe each of ``users`` one e-mail of ``kind`` for the round's current cycle; sent by a task
    once the transaction commits."""
    ids = []
    for user in users:
        notice, _created = RoundNotice.objects.get_or_create(
            round=assessment_round, user=user, kind=kind, cycle=assessment_round.signing_cycle
        )
        if notice.sent_at is None and user.email:
            ids.append(notice.pk)
    if ids:
        send_round_notices.delay_on_commit(ids)


def notice_message(notice: RoundNotice) -> EmailMessage:
    user = notice.user
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {
            "notice": notice,
            "round": notice.round,
            "user": user,
            "round_url": settings.SITE_URL + reverse("documents:round", args=[notice.round_id]),
        }
        subject = render_to_string("documents/rounds/email_subject.txt", context)
        body = render_to_string("documents/rounds/email_body.txt", context)
    return EmailMessage(subject=" ".join(subject.split()), body=body, to=[user.email])


def notices_send(*, notice_ids: list[int]) -> int:
    """Send the owed e-mails; those already sent are skipped, so a retry sends only what is
    missing. A mail server error propagates (the task retries)."""
    sent = 0
    for pk in sorted(notice_ids):
        with transaction.atomic():
            notice = (
                RoundNotice.objects.select_for_update()
                .select_related("user", "round__enterprise")
                .filter(pk=pk, sent_at__isnull=True)
                .first()
            )
            if notice is None or not notice.user.email:
                continue
            # Marked inside the transaction: if the mail server refuses, the mark is rolled back.
            notice.sent_at = timezone.now()
            notice.save(update_fields=["sent_at", "updated_at"])
            notice_message(notice).send()
            sent += 1
    return sent


@shared_task(
    bind=True, acks_late=True, reject_on_worker_lost=True, soft_time_limit=60, time_limit=90, max_retries=5
)
def send_round_notices(self, notice_ids: list[int]) -> int:
    try:
        return notices_send(notice_ids=notice_ids)
    except (smtplib.SMTPException, ConnectionError, TimeoutError) as error:
        delay = min(settings.REPORTS_DELIVERY_RETRY_BASE * 2**self.request.retries, 1800)
        raise self.retry(exc=error, countdown=delay) from error
