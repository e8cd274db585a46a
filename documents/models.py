"""The documents Russian procedure expects of an enterprise (REFERENCE §8): the commission that
assesses the risks, the rounds it signs, the risk assessment card of each workplace with the
workers' acknowledgements, and the action plan the employer approves."""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from assessments.models import private_storage
from enterprises.access import ScopedQuerySet
from enterprises.models import Department, Enterprise, Worker, Workplace
from riskpilot.models import TimeStampedModel


def document_upload_to(instance, filename: str) -> str:
    # Random names on disk, as for evidence: the user's file name never becomes a path.
    extension = PurePosixPath(filename).suffix.lower()
    return f"documents/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


# --- The commission ----------------------------------------------------------------------------


class CommissionQuerySet(ScopedQuerySet):
    def in_force(self, day=None):
        """The commissions whose order is in force on ``day``: the newest valid_from not after it."""
        day = day or timezone.localdate()
        return self.filter(valid_from__lte=day).order_by("enterprise_id", "-valid_from", "-id")


class Commission(TimeStampedModel):
    """The employer's order on the risk assessment commission. A new order replaces the old one
    from its valid_from date; the old ones stay as history."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="commissions", verbose_name=_("enterprise")
    )
    order_number = models.CharField(_("order number"), max_length=50)
    order_date = models.DateField(_("order date"))
    valid_from = models.DateField(_("valid from"))

    history = HistoricalRecords()
    objects = CommissionQuerySet.as_manager()

    class Meta:
        ordering = ["enterprise_id", "-valid_from", "-id"]
        verbose_name = _("risk assessment commission")
        verbose_name_plural = _("risk assessment commissions")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "order_number", "order_date"], name="commission_order_once"
            ),
        ]

    def __str__(self):
        return _("Order № %(number)s of %(date)s") % {
            "number": self.order_number,
            "date": f"{self.order_date:%d.%m.%Y}",
        }

    def clean(self):
        if self.order_date and self.valid_from and self.valid_from < self.order_date:
            raise ValidationError({"valid_from": _("The order cannot take effect before it is signed.")})


class CommissionRole(models.TextChoices):
    CHAIRMAN = "chairman", _("Chairman")
    MEMBER = "member", _("Member")


class CommissionMemberQuerySet(ScopedQuerySet):
    enterprise_path = "commission__enterprise"


class CommissionMember(TimeStampedModel):
    """A member of the commission: a user of the enterprise, or a named person without an account
    (whose signature the officer records from the paper sheet)."""

    commission = models.ForeignKey(
        Commission, on_delete=models.CASCADE, related_name="members", verbose_name=_("commission")
    )
    role = models.CharField(_("role"), max_length=10, choices=CommissionRole.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commission_seats",
        verbose_name=_("user"),
        help_text=_("Leave empty for a member without an account."),
    )
    full_name = models.CharField(
        _("surname, name and patronymic"),
        max_length=300,
        help_text=_("As under the signature; for a member with an account, filled from the account."),
    )
    position = models.CharField(_("position"), max_length=300)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = HistoricalRecords()
    objects = CommissionMemberQuerySet.as_manager()

    class Meta:
        ordering = ["commission_id", "sort_order", "id"]
        verbose_name = _("commission member")
        verbose_name_plural = _("commission members")
        constraints = [
            models.UniqueConstraint(
                fields=["commission"],
                condition=Q(role="chairman"),
                name="commission_one_chairman",
            ),
            models.UniqueConstraint(
                fields=["commission", "user"],
                condition=Q(user__isnull=False),
                name="commission_member_user_once",
            ),
        ]

    def __str__(self):
        return f"{self.full_name} ({self.position})"

    def clean(self):
        if self.user_id and self.commission_id and self.user.enterprise_id != self.commission.enterprise_id:
            raise ValidationError({"user": _("The user works for another enterprise.")})

    @property
    def short_name(self) -> str:
        """«Иванов И. И.» from «Иванов Иван Иванович»: the «расшифровка подписи»."""
        surname, *rest = self.full_name.split() or [""]
        return " ".join([surname, *(f"{part[0]}." for part in rest)]).strip()


# --- The assessment round and its sign-off -----------------------------------------------------


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    SIGNING = "signing", _("Being signed by the commission")
    SIGNED = "signed", _("Signed, waiting for the employer's approval")
    APPROVED = "approved", _("Approved")


class RoundScope(models.TextChoices):
    ALL = "all", _("All workplaces of the enterprise")
    DEPARTMENT = "unit", _("The workplaces of a structural unit")
    PICKED = "picked", _("Chosen workplaces")


class AssessmentRoundQuerySet(ScopedQuerySet):
    pass


class AssessmentRound(TimeStampedModel):
    """One assessment the commission carries out and signs: the enterprise's yearly assessment or
    the periodic review of a set of workplaces. Once the employer approves it, its cards and the
    register rows they show are fixed; a later change is a new version of the card."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="assessment_rounds", verbose_name=_("enterprise")
    )
    title = models.CharField(_("title"), max_length=300)
    commission = models.ForeignKey(
        Commission, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("commission")
    )
    workplaces = models.ManyToManyField(
        Workplace, related_name="assessment_rounds", verbose_name=_("workplaces")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("prepared by")
    )
    sent_for_signature_at = models.DateTimeField(_("sent for signature"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    # How the workplaces were chosen, to show it and to offer the same choice when editing.
    scope = models.CharField(
        _("workplaces covered"), max_length=10, choices=RoundScope.choices, default=RoundScope.ALL
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("structural unit"),
    )
    # Each sending for signature starts a new cycle: the notices of one cycle are sent once.
    signing_cycle = models.PositiveSmallIntegerField(_("signing cycle"), default=0)
    # The last objection, which sent the round back to preparation.
    returned_at = models.DateTimeField(_("returned for rework"), null=True, blank=True)
    returned_by = models.ForeignKey(
        CommissionMember,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("returned by"),
    )
    return_comment = models.TextField(_("reason for return"), blank=True)

    history = HistoricalRecords()
    objects = AssessmentRoundQuerySet.as_manager()

    class Meta:
        ordering = ["enterprise_id", "-created_at", "-id"]
        verbose_name = _("assessment round")
        verbose_name_plural = _("assessment rounds")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(approved_by__isnull=False, approved_at__isnull=False),
                name="round_approved_has_approver",
            ),
        ]

    def __str__(self):
        return self.title


class SignatureDecision(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirms")
    OBJECTED = "objected", _("Objects")


class RoundSignatureQuerySet(ScopedQuerySet):
    enterprise_path = "round__enterprise"


class RoundSignature(TimeStampedModel):
    """A commission member's signature under a round: given in the application by the member, or
    recorded by the officer from the paper sheet (recorded_by is then the officer)."""

    round = models.ForeignKey(
        AssessmentRound, on_delete=models.CASCADE, related_name="signatures", verbose_name=_("round")
    )
    member = models.ForeignKey(
        CommissionMember, on_delete=models.PROTECT, related_name="signatures", verbose_name=_("member")
    )
    decision = models.CharField(_("decision"), max_length=10, choices=SignatureDecision.choices)
    comment = models.TextField(_("comment"), blank=True)
    signed_on = models.DateField(_("signed on"), default=timezone.localdate)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    on_paper = models.BooleanField(_("from the paper sheet"), default=False)

    history = HistoricalRecords()
    objects = RoundSignatureQuerySet.as_manager()

    class Meta:
        ordering = ["round_id", "member__sort_order", "member_id"]
        verbose_name = _("commission signature")
        verbose_name_plural = _("commission signatures")
        constraints = [
            models.UniqueConstraint(fields=["round", "member"], name="signature_once_per_member"),
            models.CheckConstraint(
                condition=~Q(decision="objected") | ~Q(comment=""), name="signature_objection_has_comment"
            ),
        ]

    def __str__(self):
        return f"{self.member}: {self.get_decision_display()}"


class NoticeKind(models.TextChoices):
    SIGN = "sign", _("Asked to sign")
    APPROVE = "approve", _("Asked to approve")
    RETURNED = "returned", _("Returned for rework")


class RoundNotice(TimeStampedModel):
    """An e-mail owed to one person about a round: to a member when it is sent for signature, to
    the managers when the commission has signed, to its author when a member objects. One per
    person, kind and signing cycle, so a task run twice mails nobody twice; sent_at is set in the
    transaction that sends."""

    round = models.ForeignKey(
        AssessmentRound, on_delete=models.CASCADE, related_name="notices", verbose_name=_("round")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=NoticeKind.choices)
    cycle = models.PositiveSmallIntegerField(_("signing cycle"))
    sent_at = models.DateTimeField(_("e-mail sent"), null=True, blank=True)

    class Meta:
        ordering = ["round_id", "cycle", "kind", "user_id"]
        verbose_name = _("round notice")
        verbose_name_plural = _("round notices")
        constraints = [
            models.UniqueConstraint(fields=["round", "user", "kind", "cycle"], name="round_notice_once"),
        ]

    def __str__(self):
        return f"{self.round_id} {self.kind} {self.user_id}"


# --- The risk assessment card ------------------------------------------------------------------


class RiskCardQuerySet(ScopedQuerySet):
    def current(self):
        return self.filter(is_current=True)


class RiskCard(TimeStampedModel):
    """One issued version of the карта оценки профессиональных рисков of a workplace or of a group
    of analogous workplaces (which share one card). The rendered PDF is kept; a change of the
    register after issue calls for a new version, and a new version for new acknowledgements."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="risk_cards", verbose_name=_("enterprise")
    )
    workplace = models.ForeignKey(
        Workplace,
        on_delete=models.PROTECT,
        related_name="risk_cards",
        verbose_name=_("workplace"),
        help_text=_("The workplace the card is made for; analogous workplaces are listed with it."),
    )
    analogous = models.ManyToManyField(
        Workplace, blank=True, related_name="shared_risk_cards", verbose_name=_("analogous workplaces")
    )
    number = models.CharField(_("card number"), max_length=50)
    version = models.PositiveIntegerField(_("version"))
    issued_on = models.DateField(_("issued on"), default=timezone.localdate)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by")
    )
    round = models.ForeignKey(
        AssessmentRound,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cards",
        verbose_name=_("assessment round"),
    )
    # What the card showed, as a digest of the rows, ratings and measures it was made from: the
    # card page compares it with the register now to say whether the card needs re-issuing.
    fingerprint = models.CharField(_("register fingerprint"), max_length=64)
    file = models.FileField(
        _("PDF"), upload_to=document_upload_to, storage=private_storage, max_length=255, blank=True
    )
    is_current = models.BooleanField(_("current version"), default=True)

    history = HistoricalRecords()
    objects = RiskCardQuerySet.as_manager()

    class Meta:
        ordering = ["enterprise_id", "number", "-version"]
        verbose_name = _("risk assessment card")
        verbose_name_plural = _("risk assessment cards")
        constraints = [
            models.UniqueConstraint(fields=["workplace", "version"], name="card_version_once_per_workplace"),
            models.UniqueConstraint(
                fields=["workplace"], condition=Q(is_current=True), name="card_one_current_per_workplace"
            ),
        ]

    def __str__(self):
        return _("Card № %(number)s, version %(version)s") % {"number": self.number, "version": self.version}


class AcknowledgementMethod(models.TextChoices):
    PAPER = "paper", _("Signed on paper")
    KIOSK = "kiosk", _("Confirmed in the application")


class CardAcknowledgementQuerySet(ScopedQuerySet):
    enterprise_path = "card__enterprise"


class CardAcknowledgement(TimeStampedModel):
    """A worker's «с результатами оценки профессиональных рисков ознакомлен» for one card version
    (TK 214)."""

    card = models.ForeignKey(
        RiskCard, on_delete=models.PROTECT, related_name="acknowledgements", verbose_name=_("card")
    )
    worker = models.ForeignKey(
        Worker, on_delete=models.PROTECT, related_name="acknowledgements", verbose_name=_("worker")
    )
    method = models.CharField(_("how"), max_length=10, choices=AcknowledgementMethod.choices)
    acknowledged_on = models.DateField(_("acknowledged on"), default=timezone.localdate)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
        help_text=_("The officer who recorded the paper sheet or opened the kiosk."),
    )
    scan = models.FileField(
        _("scan of the signed sheet"),
        upload_to=document_upload_to,
        storage=private_storage,
        max_length=255,
        blank=True,
    )

    history = HistoricalRecords()
    objects = CardAcknowledgementQuerySet.as_manager()

    class Meta:
        ordering = ["card_id", "worker__surname", "worker_id"]
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        constraints = [
            models.UniqueConstraint(fields=["card", "worker"], name="acknowledgement_once_per_card"),
        ]

    def __str__(self):
        return f"{self.worker} — {self.card}"


# --- The action plan ---------------------------------------------------------------------------


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")


class ActionPlanQuerySet(ScopedQuerySet):
    def approved(self):
        return self.filter(status=PlanStatus.APPROVED)


class ActionPlan(TimeStampedModel):
    """A version of the план мероприятий по снижению уровней профессиональных рисков: the planned
    and running measures of the enterprise (optionally of one unit) due in a period, approved by
    the employer («УТВЕРЖДАЮ»)."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="action_plans", verbose_name=_("enterprise")
    )
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=300)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("structural unit"),
        help_text=_("Empty for the whole enterprise."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("prepared by")
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approver_position = models.CharField(_("approver's position"), max_length=300, blank=True)
    file = models.FileField(
        _("PDF"), upload_to=document_upload_to, storage=private_storage, max_length=255, blank=True
    )

    history = HistoricalRecords()
    objects = ActionPlanQuerySet.as_manager()

    class Meta:
        ordering = ["enterprise_id", "-version"]
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "version"], name="plan_version_once"),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="plan_period_ordered"
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(approved_by__isnull=False, approved_at__isnull=False),
                name="plan_approved_has_approver",
            ),
        ]

    def __str__(self):
        return _("%(title)s, version %(version)s") % {"title": self.title, "version": self.version}


# --- The plan's measures and the enterprise's set of cards ----------------------------------------


class ActionPlanMeasureQuerySet(ScopedQuerySet):
    enterprise_path = "plan__enterprise"


class ActionPlanMeasure(TimeStampedModel):
    """A measure as one line of an approved plan version: the plan keeps the measures it was
    approved with, and its completion marks follow those measures as they are done."""

    plan = models.ForeignKey(
        ActionPlan, on_delete=models.CASCADE, related_name="lines", verbose_name=_("action plan")
    )
    measure = models.ForeignKey(
        "assessments.ControlMeasure",
        on_delete=models.PROTECT,
        related_name="plan_lines",
        verbose_name=_("control measure"),
    )
    position = models.PositiveIntegerField(_("line number"))

    objects = ActionPlanMeasureQuerySet.as_manager()

    class Meta:
        ordering = ["plan_id", "position"]
        verbose_name = _("line of an action plan")
        verbose_name_plural = _("lines of action plans")
        constraints = [
            models.UniqueConstraint(fields=["plan", "measure"], name="plan_measure_once"),
            models.UniqueConstraint(fields=["plan", "position"], name="plan_line_number_once"),
        ]

    def __str__(self):
        return f"{self.plan_id} № {self.position}"


class BundleStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RENDERING = "rendering", _("Rendering")
    MERGING = "merging", _("Putting the file together")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class CardBundleQuerySet(ScopedQuerySet):
    pass


class CardBundle(TimeStampedModel):
    """All current cards of an enterprise (or of one structural unit with the units inside it) as
    one PDF, put together by the pdf worker; the user follows its progress on its page. A
    generated artefact: ordering it again makes a new one."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="card_bundles", verbose_name=_("enterprise")
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("structural unit"),
        help_text=_("Empty for the whole enterprise."),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("ordered by")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=BundleStatus.choices, default=BundleStatus.QUEUED
    )
    cards = models.JSONField(
        _("cards of the set"),
        default=list,
        blank=True,
        help_text=_("The ids of the card versions in the set, in the order it puts them together."),
    )
    total = models.PositiveIntegerField(_("cards"), default=0)
    done = models.PositiveIntegerField(_("cards put together"), default=0)
    file = models.FileField(
        _("PDF"), upload_to=document_upload_to, storage=private_storage, max_length=255, blank=True
    )
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = CardBundleQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("set of cards")
        verbose_name_plural = _("sets of cards")
        constraints = [
            models.CheckConstraint(condition=Q(done__lte=models.F("total")), name="bundle_done_within_total"),
        ]

    def __str__(self):
        return _("Cards of %(scope)s, %(date)s") % {
            "scope": self.department or self.enterprise,
            "date": f"{timezone.localtime(self.created_at):%d.%m.%Y %H:%M}",
        }

    @property
    def is_finished(self) -> bool:
        return self.status in (BundleStatus.READY, BundleStatus.FAILED)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


# --- The printed acknowledgement sheet ---------------------------------------------------------


class SheetStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RENDERING = "rendering", _("Rendering")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class AcknowledgementSheetQuerySet(ScopedQuerySet):
    enterprise_path = "card__enterprise"


class AcknowledgementSheet(TimeStampedModel):
    """The printable лист ознакомления of a card version as a PDF rendered by the pdf worker and
    kept. Its fingerprint digests what it lists (the workers of the card's workplaces on the day
    and who of them acknowledged): when that changes, printing it again renders a new sheet. A
    generated artefact: a newer sheet of the card replaces the older ones."""

    card = models.ForeignKey(
        RiskCard, on_delete=models.CASCADE, related_name="sheets", verbose_name=_("risk assessment card")
    )
    fingerprint = models.CharField(_("fingerprint of the list"), max_length=64)
    status = models.CharField(
        _("status"), max_length=10, choices=SheetStatus.choices, default=SheetStatus.QUEUED
    )
    file = models.FileField(
        _("PDF"), upload_to=document_upload_to, storage=private_storage, max_length=255, blank=True
    )
    error = models.TextField(_("error"), blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = AcknowledgementSheetQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("acknowledgement sheet")
        verbose_name_plural = _("acknowledgement sheets")
        indexes = [
            # The sheet of a card's list as it is now (sheets.sheet_current).
            models.Index(fields=["card", "fingerprint"], name="sheet_card_fingerprint"),
        ]

    def __str__(self):
        return _("Acknowledgement sheet of %(card)s") % {"card": self.card}

    @property
    def is_finished(self) -> bool:
        return self.status in (SheetStatus.READY, SheetStatus.FAILED)
