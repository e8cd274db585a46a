"""PDF progress reports, the subscriptions that e-mail them and each delivery's attempts."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from assessments.models import private_storage
from enterprises.models import Enterprise
from riskpilot.models import TimeStampedModel

# --- PDF progress reports ----------------------------------------------------------------------


class ReportType(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise progress report")
    REGION = "region", _("Regional summary")
    FEDERAL = "federal", _("Federal summary")


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RENDERING = "rendering", _("Rendering")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class ReportLanguage(models.TextChoices):
    RU = "ru", "Русский"
    EN = "en", "English"


class ReportScopedQuerySet(models.QuerySet):
    """Rows that name a report's scope (type, enterprise, region): reports and subscriptions."""

    def for_user(self, user):
        """An enterprise's reports follow Enterprise.objects.for_user; a region's go to its
        regional reviewers and to federal reviewers and admins; federal summaries to federal
        reviewers and admins only."""
        from enterprises.access import NOTHING

        if not (user and user.is_authenticated and user.is_active):
            return self.filter(NOTHING)
        if user.sees_everything:
            return self
        enterprises = Enterprise.objects.for_user(user).values("pk")
        scope = Q(type=ReportType.ENTERPRISE, enterprise__in=enterprises)
        if user.is_regional_reviewer and user.region_id:
            scope |= Q(type=ReportType.REGION, region_id=user.region_id)
        return self.filter(scope)


class Report(TimeStampedModel):
    """One rendered (or to-be-rendered) PDF report. The row is created before anything is queued,
    so the database, not the broker, knows which reports are owed; the file is a generated
    artefact (no history: rendering again makes a new version, never an edit)."""

    type = models.CharField(_("type"), max_length=12, choices=ReportType.choices)
    # The scope as a stable key ("enterprise:12", "region:56", "federal") carries the unique
    # constraint; the foreign keys serve access checks and joins.
    scope_key = models.CharField(_("scope"), max_length=40)
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("enterprise"),
    )
    region = models.ForeignKey(
        "enterprises.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("region"),
    )
    period_start = models.DateField(_("period start"), help_text=_("The first day of the first month."))
    period_end = models.DateField(_("period end"), help_text=_("The last day of the last month."))
    language = models.CharField(
        _("language"), max_length=2, choices=ReportLanguage.choices, default=ReportLanguage.RU
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    requested_by = models.ForeignKey(
        "enterprises.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    file = models.FileField(_("file"), storage=private_storage, upload_to="reports/%Y/%m/", blank=True)
    size = models.PositiveIntegerField(_("size, bytes"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    render_seconds = models.FloatField(_("render time, s"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("render attempts"), default=0)
    error = models.TextField(_("error"), blank=True)
    rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True)

    objects = ReportScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(
                fields=["type", "scope_key", "period_start", "period_end", "language", "version"],
                name="report_one_per_key_version",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="report_period"
            ),
            models.CheckConstraint(
                condition=~Q(type="enterprise") | Q(enterprise__isnull=False),
                name="report_enterprise_scope",
            ),
            models.CheckConstraint(
                condition=~Q(type="region") | Q(region__isnull=False), name="report_region_scope"
            ),
        ]
        indexes = [
            # The archive of one enterprise (its dashboard and the archive filter), newest first.
            models.Index(fields=["enterprise", "-created_at"], name="report_enterprise_created"),
            # A reconciler's "due but not done" scan.
            models.Index(fields=["status", "created_at"], name="report_status_created"),
        ]

    def __str__(self):
        return (
            f"{self.get_type_display()} {self.scope_key} {self.period_label} {self.language} v{self.version}"
        )

    @property
    def is_quarter(self) -> bool:
        return (self.period_end.year, self.period_end.month) != (
            self.period_start.year,
            self.period_start.month,
        )

    @property
    def period_label(self) -> str:
        if self.is_quarter:
            return f"{(self.period_start.month - 1) // 3 + 1}Q{self.period_start.year}"
        return f"{self.period_start:%m.%Y}"

    @property
    def file_name(self) -> str:
        scope = self.scope_key.replace(":", "-")
        return f"riskpilot-{scope}-{self.period_start:%Y-%m}-{self.language}-v{self.version}.pdf"

    @property
    def is_finished(self) -> bool:
        return self.status in (ReportStatus.READY, ReportStatus.FAILED)


# --- Subscriptions and delivery ----------------------------------------------------------------


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")


class SubscriptionQuerySet(ReportScopedQuerySet):
    """for_user: subscriptions to the reports the user may see."""

    def active(self):
        return self.filter(active=True)

    def delivering(self):
        """Subscriptions whose reports are sent: not stopped, approved, and their owner's account
        still active (a deactivated user's subscriptions stop with it)."""
        return self.active().filter(
            Q(created_by__isnull=True) | Q(created_by__is_active=True), pending_approval=False
        )


class Subscription(TimeStampedModel):
    """E-mail addresses that receive one report every month or quarter. At each due date the
    fan-out creates the report's row and one Delivery per subscription (reports.delivery)."""

    type = models.CharField(_("report"), max_length=12, choices=ReportType.choices)
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report_subscriptions",
        verbose_name=_("enterprise"),
    )
    region = models.ForeignKey(
        "enterprises.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report_subscriptions",
        verbose_name=_("region"),
    )
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices)
    language = models.CharField(
        _("language"), max_length=2, choices=ReportLanguage.choices, default=ReportLanguage.RU
    )
    # One address per line, lower-case, validated by the service (a text column works on every
    # database; there are only a handful per subscription).
    recipients = models.TextField(_("recipients"), help_text=_("One e-mail address per line."))
    active = models.BooleanField(_("active"), default=True)
    # Recipients outside the enterprise's and the ministry's domains (REPORTS_RECIPIENT_DOMAINS)
    # wait for an administrator: a report is not sent to an arbitrary address on one user's word.
    pending_approval = models.BooleanField(
        _("awaiting approval"),
        default=False,
        help_text=_(
            "Some recipients are outside the allowed domains; nothing is sent until an administrator "
            "approves."
        ),
    )
    created_by = models.ForeignKey(
        "enterprises.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    # Who subscribed whom, who stopped it: kept like the register's own changes.
    history = HistoricalRecords()
    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["-active", "type", "pk"]
        verbose_name = _("report subscription")
        verbose_name_plural = _("report subscriptions")
        constraints = [
            models.CheckConstraint(
                condition=~Q(type="enterprise") | Q(enterprise__isnull=False),
                name="subscription_enterprise_scope",
            ),
            models.CheckConstraint(
                condition=~Q(type="region") | Q(region__isnull=False), name="subscription_region_scope"
            ),
        ]

    def __str__(self):
        return f"{self.get_type_display()}: {self.scope_name} ({self.get_frequency_display()})"

    @property
    def scope_name(self) -> str:
        if self.enterprise_id:
            return self.enterprise.short_name
        if self.region_id:
            return self.region.name
        return str(_("Russian Federation"))

    @property
    def recipient_list(self) -> list[str]:
        return [line for line in self.recipients.split() if line]

    @property
    def state(self) -> str:
        """What the subscription list shows: active, stopped, awaiting approval, or stopped with its
        owner's account."""
        if not self.active:
            return "stopped"
        if self.created_by_id and not self.created_by.is_active:
            return "owner_inactive"
        if self.pending_approval:
            return "pending"
        return "active"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    # Its subscription stopped (or lost its approval or its owner) before the e-mail went.
    CANCELLED = "cancelled", _("Cancelled")


class Delivery(TimeStampedModel):
    """One report owed to one subscription. Created by the fan-out together with the report's row,
    before anything is queued; sent once the report is ready; every try is a DeliveryAttempt."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("subscription")
    )
    report = models.ForeignKey(
        Report, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("report")
    )
    recipients = models.TextField(_("recipients"), help_text=_("The addresses at the time of the fan-out."))
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["subscription", "report"], name="delivery_one_per_report"),
        ]
        indexes = [
            # The reconciler's scan of deliveries that are owed but not moving.
            models.Index(fields=["status", "updated_at"], name="delivery_status_updated"),
        ]

    def __str__(self):
        return f"{self.report} → {self.recipients.split()[0] if self.recipients else '-'}"

    @property
    def recipient_list(self) -> list[str]:
        return self.recipients.split()


class AttemptOutcome(models.TextChoices):
    SENDING = "sending", _("In progress")
    SENT = "sent", _("Sent")
    ERROR = "error", _("Error")
    INTERRUPTED = "interrupted", _("Interrupted")


class DeliveryAttempt(TimeStampedModel):
    """One try at sending a delivery's e-mail, and how it ended."""

    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="attempt_log", verbose_name=_("delivery")
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=AttemptOutcome.choices, default=AttemptOutcome.SENDING
    )
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["delivery", "number"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="delivery_attempt_number"),
        ]

    def __str__(self):
        return f"{self.delivery_id} #{self.number} {self.outcome}"
