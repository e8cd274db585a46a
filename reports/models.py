"""Roll-ups of the dashboards: the register's figures per enterprise, kept in summary tables.

At national scale (a million register rows) counting the register live on every page view costs
seconds; the dashboards read these tables instead (a few thousand rows). They are derived data:
``reports.rollups.refresh`` recomputes them from the register — the only place that writes them —
in a Celery task run every few minutes for the enterprises whose register changed, and in full
once a day (figures such as "overdue" depend on the date). Each refresh is stamped (RollupRun) and
the pages show that stamp. Nothing here is edited by hand; deleting a row only means that the
next refresh writes it again.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from assessments.models import private_storage
from enterprises.models import Enterprise
from hazards.models import HazardGroup
from riskpilot.models import TimeStampedModel


class RollupKind(models.TextChoices):
    FULL = "full", _("Full")
    CHANGES = "changes", _("Changed enterprises")


class RollupRun(TimeStampedModel):
    """One refresh of the roll-ups; the latest one is the freshness stamp shown on the pages."""

    kind = models.CharField(_("kind"), max_length=10, choices=RollupKind.choices)
    started_at = models.DateTimeField(
        _("started at"), help_text=_("The figures include every register change committed before this.")
    )
    finished_at = models.DateTimeField(_("finished at"))
    as_of = models.DateField(_("as of"), help_text=_("The date against which “overdue” was counted."))
    enterprise_count = models.PositiveIntegerField(_("enterprises refreshed"))
    duration_ms = models.PositiveIntegerField(_("duration, ms"))

    class Meta:
        ordering = ["-finished_at"]
        get_latest_by = "finished_at"
        verbose_name = _("roll-up refresh")
        verbose_name_plural = _("roll-up refreshes")
        indexes = [
            # "The latest refresh" (the stamp every dashboard reads) and "the latest full one".
            models.Index(fields=["kind", "-finished_at"], name="rollup_run_kind_finished"),
            models.Index(fields=["-finished_at"], name="rollup_run_finished"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.finished_at:%d.%m.%Y %H:%M}"


class EnterpriseFigures(models.Model):
    """The current state of one enterprise's register (active rows), for all hazard groups
    (hazard_group NULL) and for each group that has rows. Workplace coverage is kept on the
    all-groups row only: a workplace is assessed as a whole."""

    # Derived data: it goes with its enterprise (enterprises are archived, never deleted, anyway).
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="+", verbose_name=_("enterprise")
    )
    hazard_group = models.ForeignKey(
        HazardGroup,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hazard group"),
    )
    workplaces_total = models.PositiveIntegerField(default=0)
    workplaces_with_rows = models.PositiveIntegerField(default=0)
    workplaces_assessed = models.PositiveIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0)
    rows_not_rated = models.PositiveIntegerField(default=0)
    rows_level_1 = models.PositiveIntegerField(default=0)
    rows_level_2 = models.PositiveIntegerField(default=0)
    rows_level_3 = models.PositiveIntegerField(default=0)
    rows_level_4 = models.PositiveIntegerField(default=0)
    rows_level_5 = models.PositiveIntegerField(default=0)
    rows_due_for_review = models.PositiveIntegerField(default=0)
    rows_needing_reassessment = models.PositiveIntegerField(default=0)
    rows_in_heat_map = models.PositiveIntegerField(
        default=0, help_text=_("Rated rows whose current assessment used a 5×5 matrix method.")
    )
    measures_open = models.PositiveIntegerField(default=0)
    measures_done = models.PositiveIntegerField(default=0)
    measures_overdue = models.PositiveIntegerField(default=0)
    last_change_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["enterprise_id", "hazard_group_id"]
        verbose_name = _("enterprise figures")
        verbose_name_plural = _("enterprise figures")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise"], condition=Q(hazard_group__isnull=True), name="figures_one_total"
            ),
            models.UniqueConstraint(fields=["enterprise", "hazard_group"], name="figures_one_per_group"),
        ]
        indexes = [
            # Dashboards read the all-groups rows (or one group's) of the enterprises in scope.
            models.Index(fields=["hazard_group", "enterprise"], name="figures_group_enterprise"),
        ]

    def __str__(self):
        return f"{self.enterprise_id}/{self.hazard_group_id or '*'}"


class HeatCell(models.Model):
    """Active rows per cell of the 5×5 matrix (current assessment's probability × severity)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="+")
    hazard_group = models.ForeignKey(
        HazardGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    probability = models.PositiveSmallIntegerField()
    severity = models.PositiveSmallIntegerField()
    rows = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["enterprise_id", "probability", "severity"]
        verbose_name = _("heat map cell")
        verbose_name_plural = _("heat map cells")
        constraints = [
            models.CheckConstraint(
                condition=Q(probability__range=(1, 5), severity__range=(1, 5)), name="heatcell_in_matrix"
            ),
        ]
        indexes = [
            # The heat map of a scope: SUM(rows) GROUP BY cell for the enterprises in scope.
            models.Index(fields=["hazard_group", "enterprise"], name="heatcell_group_enterprise"),
        ]

    def __str__(self):
        return f"{self.enterprise_id} P{self.probability}×S{self.severity}: {self.rows}"


class EnterpriseMonth(models.Model):
    """One enterprise's month: the risk profile at the month's end, measures due and done,
    incidents, head-count and hours. Kept for the last few years (reports.rollups.HORIZON_MONTHS)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text=_("The first day of the month."))
    # Active rows by the level of their latest assessment dated on or before the month's end.
    profile_not_rated = models.PositiveIntegerField(default=0)
    profile_level_1 = models.PositiveIntegerField(default=0)
    profile_level_2 = models.PositiveIntegerField(default=0)
    profile_level_3 = models.PositiveIntegerField(default=0)
    profile_level_4 = models.PositiveIntegerField(default=0)
    profile_level_5 = models.PositiveIntegerField(default=0)
    measures_due = models.PositiveIntegerField(default=0)
    measures_due_passed = models.PositiveIntegerField(default=0)
    measures_done_on_time = models.PositiveIntegerField(default=0)
    measures_done = models.PositiveIntegerField(default=0)
    accidents = models.PositiveIntegerField(default=0)
    # Victims of the month's accidents by outcome; lost time = at least a day of incapacity, or
    # death; days are those of the non-fatal victims (Kт leaves the fatal ones out).
    accident_victims = models.PositiveIntegerField(default=0)
    fatal_victims = models.PositiveIntegerField(default=0)
    severe_victims = models.PositiveIntegerField(default=0)
    lost_time_victims = models.PositiveIntegerField(default=0)
    victims_with_days = models.PositiveIntegerField(default=0)
    days_lost = models.PositiveIntegerField(default=0)
    microtraumas = models.PositiveIntegerField(default=0)
    occupational_diseases = models.PositiveIntegerField(default=0)
    near_misses = models.PositiveIntegerField(default=0)
    headcount = models.PositiveIntegerField(null=True, blank=True)
    hours_worked = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["enterprise_id", "month"]
        verbose_name = _("enterprise month")
        verbose_name_plural = _("enterprise months")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "month"], name="enterprise_month_unique"),
        ]
        indexes = [
            # Trends and period sums of the federal dashboard: all enterprises, a range of months.
            models.Index(fields=["month", "enterprise"], name="enterprise_month_month"),
        ]

    def __str__(self):
        return f"{self.enterprise_id} {self.month:%m.%Y}"


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
