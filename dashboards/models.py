"""Roll-ups of the dashboards: the register's figures per enterprise, kept in summary tables.

At national scale (a million register rows) counting the register live on every page view costs
seconds; the dashboards read these tables instead (a few thousand rows). They are derived data:
``dashboards.rollups.refresh`` recomputes them from the register — the only place that writes them —
in a Celery task run every few minutes for the enterprises whose register changed, and in full
once a day (figures such as "overdue" depend on the date). Each refresh is stamped (RollupRun) and
the pages show that stamp. Nothing here is edited by hand; deleting a row only means that the
next refresh writes it again.

The tables keep the names they had when these models belonged to the reports app (Meta.db_table):
the models moved, the data did not (dashboards' migration 0001).
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

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
        db_table = "reports_rolluprun"
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
        db_table = "reports_enterprisefigures"
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
        db_table = "reports_heatcell"
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
            # The heat map of all groups, the one every dashboard opens with: an index-only scan of
            # each enterprise's 25 cells, not of its cells of every group.
            # (Key columns rather than INCLUDE, which SQLite, the embedded default, lacks.)
            models.Index(
                fields=["enterprise", "probability", "severity", "rows"],
                condition=Q(hazard_group__isnull=True),
                name="heatcell_all_groups",
            ),
        ]

    def __str__(self):
        return f"{self.enterprise_id} P{self.probability}×S{self.severity}: {self.rows}"


class EnterpriseMonth(models.Model):
    """One enterprise's month: the risk profile at the month's end, measures due and done,
    incidents, head-count and hours. Kept for the last few years (dashboards.rollups.HORIZON_MONTHS)."""

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
        db_table = "reports_enterprisemonth"
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
