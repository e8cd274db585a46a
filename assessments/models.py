"""Risk methods (versioned configuration), assessments, control measures and incidents."""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from enterprises.access import ScopedQuerySet
from enterprises.models import Enterprise, Workplace
from hazards.models import ControlLevel, Hazard, HazardousEvent, HazardStatus, ModelMeasure, RiskLevel
from riskpilot.localization import localized
from riskpilot.models import TimeStampedModel

from . import scoring


class MethodKind(models.TextChoices):
    MATRIX = "matrix", _("5×5 matrix (probability × severity)")
    FINE_KINNEY = "fine_kinney", _("Fine-Kinney (probability × exposure × consequence)")


class RiskMethodQuerySet(models.QuerySet):
    def available_to(self, enterprise):
        """Shared default methods plus the enterprise's own."""
        return self.filter(Q(enterprise__isnull=True) | Q(enterprise=enterprise))


class RiskMethod(TimeStampedModel):
    """A risk assessment method. Its scales and bands live in versions (RiskMethodVersion), so an
    enterprise can adopt its own regulation without rewriting history."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=MethodKind.choices)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="own_risk_methods",
        verbose_name=_("enterprise (own method)"),
    )

    history = HistoricalRecords()
    objects = RiskMethodQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("risk assessment method")
        verbose_name_plural = _("risk assessment methods")

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")

    def current_version(self):
        return self.versions.order_by("-version").first()


class RiskMethodVersion(TimeStampedModel):
    """One version of a method's configuration (scales, labels, bands), as read by scoring.py.
    A version that assessments use is never edited: a change is a new version."""

    method = models.ForeignKey(
        RiskMethod, on_delete=models.PROTECT, related_name="versions", verbose_name=_("method")
    )
    version = models.PositiveIntegerField(_("version"))
    config = models.JSONField(_("configuration"))
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["method", "-version"]
        verbose_name = _("method version")
        verbose_name_plural = _("method versions")
        constraints = [
            models.UniqueConstraint(fields=["method", "version"], name="method_version_unique"),
        ]

    def __str__(self):
        return f"{self.method} v{self.version}"

    def clean(self):
        try:
            scoring.validate_config(self.config)
        except scoring.MethodConfigError as error:
            raise ValidationError({"config": str(error)}) from error

    @property
    def bands(self) -> list[scoring.Band]:
        return scoring.parse_bands(self.config)


class AssessmentStatus(models.TextChoices):
    """Draft → approved by a manager, or draft → returned to the officer with a reason. A returned
    assessment stays as it is (the row's history); the officer's correction is a re-assessment,
    a new draft that waits for approval again."""

    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned for correction")


class AssessmentReason(models.TextChoices):
    INITIAL = "initial", _("Initial assessment")
    AFTER_MEASURES = "after_measures", _("After control measures")
    AFTER_INCIDENT = "after_incident", _("After an incident")
    PERIODIC_REVIEW = "periodic_review", _("Periodic review")
    CHANGE = "change", _("Change of process or equipment")


class RiskAssessmentQuerySet(ScopedQuerySet):
    enterprise_path = "hazard__enterprise"

    def current(self):
        return self.filter(is_current=True)

    def waiting_for_approval(self):
        """The drafts a manager has to decide on: the current assessment of an active row. A draft
        that a newer assessment replaced, or whose row was archived, is outdated, not waiting."""
        return self.filter(status=AssessmentStatus.DRAFT, is_current=True, hazard__status=HazardStatus.ACTIVE)


class RiskAssessment(TimeStampedModel):
    """One scoring of a register row. A re-assessment adds a new row and makes it current; the
    earlier ones stay as the row's history."""

    hazard = models.ForeignKey(
        Hazard, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("register row")
    )
    method_version = models.ForeignKey(
        RiskMethodVersion,
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("method version"),
    )
    reason = models.CharField(
        _("reason"), max_length=20, choices=AssessmentReason.choices, default=AssessmentReason.INITIAL
    )
    inputs = models.JSONField(_("inputs"), help_text=_("The chosen level of each input of the method."))
    score = models.DecimalField(_("score"), max_digits=12, decimal_places=4)
    band = models.CharField(_("band"), max_length=30)
    level = models.PositiveSmallIntegerField(_("risk level"), choices=RiskLevel.choices)
    residual_inputs = models.JSONField(_("residual inputs"), null=True, blank=True)
    residual_score = models.DecimalField(
        _("residual score"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    residual_band = models.CharField(_("residual band"), max_length=30, blank=True)
    residual_level = models.PositiveSmallIntegerField(
        _("residual risk level"), choices=RiskLevel.choices, null=True, blank=True
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("assessor")
    )
    assessed_on = models.DateField(_("assessed on"), default=timezone.localdate)
    comment = models.TextField(_("comment"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
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
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("returned by"),
    )
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    return_reason = models.TextField(
        _("reason for return"), blank=True, help_text=_("What the officer has to correct.")
    )
    is_current = models.BooleanField(_("current"), default=True)

    history = HistoricalRecords()
    objects = RiskAssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-assessed_on", "-id"]
        get_latest_by = ["assessed_on", "id"]
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["hazard"], condition=Q(is_current=True), name="assessment_one_current_per_hazard"
            ),
            models.CheckConstraint(condition=Q(score__gte=0), name="assessment_score_not_negative"),
            models.CheckConstraint(condition=Q(level__range=(1, 5)), name="assessment_level_range"),
            models.CheckConstraint(
                condition=(
                    Q(residual_score__isnull=True, residual_level__isnull=True, residual_inputs__isnull=True)
                    | Q(
                        residual_score__isnull=False,
                        residual_level__range=(1, 5),
                        residual_inputs__isnull=False,
                    )
                ),
                name="assessment_residual_all_or_nothing",
            ),
            models.CheckConstraint(
                condition=~Q(status=AssessmentStatus.APPROVED)
                | Q(approved_by__isnull=False, approved_at__isnull=False),
                name="assessment_approved_has_approver",
            ),
            models.CheckConstraint(
                condition=~Q(status=AssessmentStatus.RETURNED)
                | (Q(returned_by__isnull=False, returned_at__isnull=False) & ~Q(return_reason="")),
                name="assessment_returned_has_reason",
            ),
        ]
        indexes = [
            # Trends by month across an enterprise's register.
            models.Index(fields=["assessed_on"], name="assessment_assessed_on"),
            # The approval queue and the menu's count of it (waiting_for_approval), oldest first:
            # a small index, since most assessments are approved or no longer current.
            models.Index(
                fields=["created_at"],
                condition=Q(status=AssessmentStatus.DRAFT, is_current=True),
                name="assessment_waiting",
            ),
        ]

    def __str__(self):
        return f"{self.hazard_id} {self.assessed_on}: {self.score}"

    @property
    def is_outdated(self) -> bool:
        """A draft that can no longer be approved: a newer assessment replaced it, or its row is
        no longer active (reads ``hazard``: select it with the assessment)."""
        return self.status == AssessmentStatus.DRAFT and (
            not self.is_current or self.hazard.status != HazardStatus.ACTIVE
        )


class MeasureStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_MEASURE_STATUSES = (MeasureStatus.PLANNED, MeasureStatus.IN_PROGRESS)


class Periodicity(models.TextChoices):
    CONTINUOUS = "continuous", _("Continuously")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    SEMIANNUAL = "semiannual", _("Twice a year")
    ANNUAL = "annual", _("Once a year")


class ControlMeasureQuerySet(ScopedQuerySet):
    enterprise_path = "hazard__enterprise"

    def open(self):
        return self.filter(status__in=OPEN_MEASURE_STATUSES)

    def overdue(self, on=None):
        return self.open().filter(due_date__lt=on or timezone.localdate())


class ControlMeasure(TimeStampedModel):
    """A measure of the risk-reduction plan for one register row."""

    hazard = models.ForeignKey(
        Hazard, on_delete=models.PROTECT, related_name="measures", verbose_name=_("register row")
    )
    control_level = models.CharField(_("control level"), max_length=20, choices=ControlLevel.choices)
    description = models.TextField(_("measure"))
    model_measure = models.ForeignKey(
        ModelMeasure,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from the 776n model measure"),
    )
    # The responsible person: a user of the enterprise (told by e-mail, sees it under "My tasks")
    # or, for someone without an account, a name. Exactly one of the two.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_measures",
        verbose_name=_("responsible user"),
    )
    responsible = models.CharField(
        _("responsible person (name)"),
        max_length=300,
        blank=True,
        help_text=_("For a person without an account in RiskPilot."),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    periodicity = models.CharField(_("periodicity"), max_length=20, choices=Periodicity.choices, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=MeasureStatus.choices, default=MeasureStatus.PLANNED
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    completion_note = models.TextField(_("completion note"), blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)

    history = HistoricalRecords()
    objects = ControlMeasureQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("control measure")
        verbose_name_plural = _("control measures")
        constraints = [
            models.CheckConstraint(
                condition=Q(due_date__isnull=False) | ~Q(periodicity=""),
                name="measure_has_due_date_or_periodicity",
            ),
            models.CheckConstraint(
                condition=(Q(status=MeasureStatus.DONE) & Q(done_on__isnull=False))
                | (~Q(status=MeasureStatus.DONE) & Q(done_on__isnull=True)),
                name="measure_done_iff_done_on",
            ),
            models.CheckConstraint(
                condition=Q(assignee__isnull=False, responsible="")
                | (Q(assignee__isnull=True) & ~Q(responsible="")),
                name="measure_responsible_user_or_name",
            ),
        ]
        indexes = [
            # "Overdue measures": open measures by due date.
            models.Index(fields=["status", "due_date"], name="measure_status_due"),
            # "My tasks": one person's measures by status and due date.
            models.Index(fields=["assignee", "status", "due_date"], name="measure_assignee_status_due"),
        ]

    def __str__(self):
        return self.description[:80]

    def clean(self):
        if not self.due_date and not self.periodicity:
            raise ValidationError(_("Give a due date or a periodicity."))
        if self.status == MeasureStatus.DONE and not self.done_on:
            raise ValidationError({"done_on": _("Give the date the measure was done.")})
        if bool(self.assignee_id) == bool(self.responsible.strip()):
            raise ValidationError(
                {"assignee": _("Choose the responsible user, or type a name if the person has no account.")}
            )

    @property
    def is_overdue(self) -> bool:
        return bool(
            self.status in OPEN_MEASURE_STATUSES and self.due_date and self.due_date < timezone.localdate()
        )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_MEASURE_STATUSES

    @property
    def responsible_name(self) -> str:
        """Who is responsible, as every page, PDF and e-mail shows it: the user's name or the
        name typed for someone without an account (select_related("assignee") on lists)."""
        if self.assignee_id:
            return self.assignee.get_full_name() or self.assignee.get_username()
        return self.responsible

    @property
    def control_level_number(self) -> int:
        """The level's place in the hierarchy of controls, 1 (elimination) to 6 (insurance):
        the one numbering of the form, the row's page and the task list."""
        return control_level_number(self.control_level)


def control_level_number(level: str) -> int:
    return ControlLevel.values.index(level) + 1 if level in ControlLevel.values else 0


class NoticeKind(models.TextChoices):
    ASSIGNED = "assigned", _("Measure assigned")
    DUE_SOON = "due_soon", _("Due date approaching")
    OVERDUE = "overdue", _("Measure overdue")


class MeasureNotice(TimeStampedModel):
    """One e-mail to a measure's responsible user: an assignment, an approaching due date or an
    overdue measure. The row is written before anything is queued and the task sends it once
    (``sent_at`` is set in the transaction that sends), so neither a task queued twice nor the
    daily check run twice mails anyone twice. A deadline notice is unique per measure, person,
    kind and due date: a new due date is a new deadline."""

    measure = models.ForeignKey(
        ControlMeasure, on_delete=models.CASCADE, related_name="notices", verbose_name=_("control measure")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=NoticeKind.choices)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("measure e-mail")
        verbose_name_plural = _("measure e-mails")
        constraints = [
            # Deadline e-mails only exist for measures with a due date, so the date is never
            # NULL here (a NULL would make every row distinct, on SQLite and PostgreSQL alike).
            models.UniqueConstraint(
                fields=["measure", "user", "kind", "due_date"],
                condition=~Q(kind="assigned") & Q(due_date__isnull=False),
                name="measure_notice_deadline_once",
            ),
        ]

    def __str__(self):
        return f"{self.measure_id} {self.kind} {self.user_id}"


class IncidentKind(models.TextChoices):
    MICROTRAUMA = "microtrauma", _("Microtrauma")
    ACCIDENT = "accident", _("Accident at work")
    OCCUPATIONAL_DISEASE = "occupational_disease", _("Occupational disease")
    NEAR_MISS = "near_miss", _("Near miss")


class VictimOutcome(models.TextChoices):
    """The outcome for one victim of an accident (Order 223n). "Group" is not an outcome: an
    accident with two or more victims is a group accident whatever their outcomes (TK 227-229)."""

    LIGHT = "light", _("Minor")  # лёгкий
    SEVERE = "severe", _("Severe")  # тяжёлый
    FATAL = "fatal", _("Fatal")  # со смертельным исходом


# Worst first: an accident's category is its worst victim's outcome.
OUTCOME_GRAVITY = {VictimOutcome.FATAL: 3, VictimOutcome.SEVERE: 2, VictimOutcome.LIGHT: 1}


class IncidentQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True)

    def with_victims(self):
        """Victims fetched with the incidents (one query), for the totals shown per incident."""
        return self.prefetch_related(
            models.Prefetch("victims", queryset=IncidentVictim.objects.order_by("id"))
        )


class Incident(TimeStampedModel):
    """An accident, microtrauma, occupational disease or near miss, linked to the register rows it
    shows were wrong."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="incidents", verbose_name=_("enterprise")
    )
    workplace = models.ForeignKey(
        Workplace, on_delete=models.PROTECT, related_name="incidents", verbose_name=_("workplace")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=IncidentKind.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    description = models.TextField(_("circumstances"))
    event = models.ForeignKey(
        HazardousEvent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("hazardous event"),
        help_text=_("For a near miss: the event it almost became."),
    )
    hazards = models.ManyToManyField(
        Hazard, blank=True, related_name="incidents", verbose_name=_("register rows involved")
    )
    act_number = models.CharField(_("act number (form N-1)"), max_length=50, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reported by"),
    )
    # A cancelled incident (entered in error, or found not to be one) is kept with its reason,
    # who and when; ``archived_at`` is its time and takes it out of every figure (active()).
    archived_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )
    cancel_reason = models.TextField(_("reason for cancellation"), blank=True)

    history = HistoricalRecords(m2m_fields=[hazards])
    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [
            # Incidents of an enterprise in the last 12 months (dashboards, reports).
            models.Index(fields=["enterprise", "occurred_at"], name="incident_ent_occurred"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.occurred_at:%d.%m.%Y}"

    @property
    def is_cancelled(self) -> bool:
        return self.archived_at is not None

    def clean(self):
        if self.occurred_at and self.occurred_at > timezone.now():
            raise ValidationError({"occurred_at": _("An incident cannot be in the future.")})
        if self.workplace_id and self.enterprise_id and self.workplace.enterprise_id != self.enterprise_id:
            raise ValidationError({"workplace": _("The workplace belongs to another enterprise.")})

    # The victims' figures of one incident. They read ``victims.all()``, so a list that fetched
    # them with ``with_victims()`` costs no query per incident.

    def _victims(self) -> list["IncidentVictim"]:
        return list(self.victims.all()) if self.kind == IncidentKind.ACCIDENT and self.pk else []

    @property
    def people_count(self) -> int:
        """People harmed: an accident's victims; one worker for a microtrauma or an occupational
        disease (counted per incident); none for a near miss."""
        if self.kind == IncidentKind.ACCIDENT:
            return len(self._victims())
        return 0 if self.kind == IncidentKind.NEAR_MISS else 1

    @property
    def fatal_count(self) -> int:
        return sum(v.outcome == VictimOutcome.FATAL for v in self._victims())

    @property
    def severe_count(self) -> int:
        return sum(v.outcome == VictimOutcome.SEVERE for v in self._victims())

    @property
    def days_lost(self) -> int:
        """Days of incapacity of the accident's victims (none for other kinds: TK 226)."""
        return sum(v.days_lost for v in self._victims())

    @property
    def is_group(self) -> bool:
        """A group accident: two or more victims (TK 227-229), whatever their outcomes."""
        return self.kind == IncidentKind.ACCIDENT and len(self._victims()) >= 2

    @property
    def worst_outcome(self) -> str:
        """The gravest outcome among the victims ("" for an accident without victims and for
        the other kinds): the accident's 223n category, with "group" shown beside it."""
        outcomes = [v.outcome for v in self._victims()]
        return max(outcomes, key=lambda o: OUTCOME_GRAVITY[o]) if outcomes else ""

    def get_worst_outcome_display(self) -> str:
        return VictimOutcome(self.worst_outcome).label if self.worst_outcome else ""


class IncidentVictimQuerySet(ScopedQuerySet):
    enterprise_path = "incident__enterprise"


class IncidentVictim(TimeStampedModel):
    """One victim of an accident at work, with their own outcome (Order 223n): a group accident
    can hold fatal and non-fatal victims. No names: the register keeps no personal data of the
    victim, only what the statistics and the re-assessment need."""

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="victims", verbose_name=_("accident")
    )
    outcome = models.CharField(
        pgettext_lazy("victim", "outcome"), max_length=10, choices=VictimOutcome.choices
    )
    days_lost = models.PositiveIntegerField(
        _("days of incapacity"),
        default=0,
        help_text=_("Days of temporary incapacity so far; none for a fatal outcome."),
    )
    position = models.CharField(
        _("profession (position)"),
        max_length=200,
        blank=True,
        help_text=_("As in the act of form N-1; no name."),
    )

    history = HistoricalRecords()
    objects = IncidentVictimQuerySet.as_manager()

    class Meta:
        ordering = ["incident_id", "id"]
        verbose_name = _("victim")
        verbose_name_plural = _("victims")
        constraints = [
            models.CheckConstraint(condition=Q(days_lost__gte=0), name="victim_days_not_negative"),
            # A death has no days of incapacity (Rosstat form 7-травматизм; REFERENCE §4.2).
            models.CheckConstraint(
                condition=~Q(outcome=VictimOutcome.FATAL) | Q(days_lost=0), name="victim_fatal_no_days"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=VictimOutcome.values), name="victim_outcome_known"
            ),
        ]

    def __str__(self):
        return f"{self.incident_id}: {self.get_outcome_display()}, {self.days_lost}"

    def clean(self):
        if self.outcome == VictimOutcome.FATAL and self.days_lost:
            raise ValidationError(
                {"days_lost": _("A fatal outcome has no days of incapacity: leave the days at 0.")}
            )
        if self.incident_id and self.incident.kind != IncidentKind.ACCIDENT:
            raise ValidationError(_("Only an accident at work has victims."))


# --- Evidence of completed measures and periodic reviews -------------------------------------


def private_storage():
    """Evidence is never under a public URL: it is served only by the access-checked view."""
    return storages["private"]


def evidence_upload_to(instance, filename: str) -> str:
    # A random name on disk: the user's file name is kept (sanitised) in a column, never used as
    # a path, so no upload can choose where it lands or overwrite another.
    extension = PurePosixPath(filename).suffix.lower()
    return f"evidence/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


class EvidenceType(models.TextChoices):
    """The file types accepted as evidence, recognised by their content, not their name."""

    JPEG = "image/jpeg", "JPEG"
    PNG = "image/png", "PNG"
    WEBP = "image/webp", "WebP"
    PDF = "application/pdf", "PDF"


class MeasureEvidenceQuerySet(ScopedQuerySet):
    enterprise_path = "measure__hazard__enterprise"


class MeasureEvidence(TimeStampedModel):
    """A photo or document showing that a control measure was done."""

    measure = models.ForeignKey(
        ControlMeasure, on_delete=models.PROTECT, related_name="evidence", verbose_name=_("control measure")
    )
    file = models.FileField(_("file"), upload_to=evidence_upload_to, storage=private_storage, max_length=255)
    original_name = models.CharField(_("original file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=50, choices=EvidenceType.choices)
    size = models.PositiveIntegerField(_("size, bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    history = HistoricalRecords()
    objects = MeasureEvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="evidence_not_empty"),
            models.CheckConstraint(
                condition=Q(content_type__in=EvidenceType.values), name="evidence_accepted_type"
            ),
        ]

    def __str__(self):
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class WorkplaceReviewQuerySet(ScopedQuerySet):
    enterprise_path = "workplace__enterprise"


class WorkplaceReview(TimeStampedModel):
    """A completed periodic review of one workplace's register rows.

    The newest review's ``created_at`` is the workplace's "last review": what was added, changed or
    removed after that moment is shown at the next review. It is written last in the review's
    transaction, so the review's own changes are never reported as changes since it."""

    workplace = models.ForeignKey(
        Workplace, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("workplace")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("reviewed by")
    )
    reviewed_on = models.DateField(_("reviewed on"), default=timezone.localdate)
    next_review_on = models.DateField(_("next review"))
    confirmed_count = models.PositiveIntegerField(_("ratings confirmed"), default=0)
    flagged_count = models.PositiveIntegerField(_("rows left for re-assessment"), default=0)
    comment = models.TextField(_("comment"), blank=True)

    history = HistoricalRecords()
    objects = WorkplaceReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("periodic review")
        verbose_name_plural = _("periodic reviews")
        constraints = [
            models.CheckConstraint(
                condition=Q(next_review_on__gt=models.F("reviewed_on")), name="review_next_after_reviewed"
            ),
        ]
        indexes = [
            # "The last review of this workplace" at the start of the next one.
            models.Index(fields=["workplace", "created_at"], name="review_workplace_created"),
        ]

    def __str__(self):
        return f"{self.workplace_id} {self.reviewed_on}"


class DigestSent(TimeStampedModel):
    """The weekly reminder sent to one user for one week: written in the transaction that sends
    it, so a task queued twice (or re-delivered by the broker) never mails a person twice."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    week = models.DateField(_("week"), help_text=_("The Monday of the week."))

    class Meta:
        ordering = ["-week", "user"]
        verbose_name = _("weekly reminder sent")
        verbose_name_plural = _("weekly reminders sent")
        constraints = [models.UniqueConstraint(fields=["user", "week"], name="digest_once_a_week")]

    def __str__(self):
        return f"{self.user_id} {self.week}"


class ImportStatus(models.TextChoices):
    """An import is checked first (queued, running), shown as a preview, and written only once the
    user confirms it (confirmed, applying)."""

    QUEUED = "queued", _("queued")
    RUNNING = "running", _("checking")
    PREVIEW = "preview", _("checked, awaiting confirmation")
    CONFIRMED = "confirmed", _("confirmed, waiting to be written")
    APPLYING = "applying", _("importing")
    DONE = "done", _("imported")
    FAILED = "failed", _("not imported")


class RegisterImportQuerySet(ScopedQuerySet):
    pass


class RegisterImport(TimeStampedModel):
    """One uploaded .xlsx register (assessments/imports.py), read and written by a worker task so
    that a long file never holds a web worker; the user follows it on its status page. The file is
    kept privately until the task has read it."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="+", verbose_name=_("enterprise")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    file = models.FileField(
        _("file"), storage=private_storage, upload_to="imports/%Y/%m/", blank=True, max_length=255
    )
    original_name = models.CharField(_("original file name"), max_length=200)
    # The page's language when uploaded: the worker writes the errors in it.
    language = models.CharField(_("language"), max_length=10, default="ru")
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    departments = models.PositiveIntegerField(_("new structural units"), default=0)
    workplaces = models.PositiveIntegerField(_("new workplaces"), default=0)
    hazards = models.PositiveIntegerField(_("new register rows"), default=0)
    changed = models.PositiveIntegerField(_("changed register rows"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    # What the check found (assessments.imports.Check.preview): new, changed and unchanged rows,
    # the version of every matched row, and the fingerprint the confirmation must still match.
    preview = models.JSONField(_("preview"), default=dict, blank=True)
    # Progress of the check, shown on the status page (the write phase runs in one transaction,
    # so its progress goes through the cache instead).
    rows_total = models.PositiveIntegerField(_("rows in the file"), default=0)
    rows_checked = models.PositiveIntegerField(_("rows checked"), default=0)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # Runs begun: a file that takes its worker process down is re-delivered, and refused after
    # a few attempts instead of looping.
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = RegisterImportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("register import")
        verbose_name_plural = _("register imports")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ImportStatus.values), name="register_import_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)

    @property
    def is_working(self) -> bool:
        """A worker has it, or will: its page asks again until it is not."""
        return self.status in (
            ImportStatus.QUEUED,
            ImportStatus.RUNNING,
            ImportStatus.CONFIRMED,
            ImportStatus.APPLYING,
        )


class DeletedRowKind(models.TextChoices):
    UNIT = "unit", _("Structural unit")
    WORKPLACE = "workplace", _("Workplace")
    HAZARD = "hazard", _("Register row")
    ASSESSMENT = "assessment", _("Assessment")
    MEASURE = "measure", _("Control measure")
    INCIDENT = "incident", _("Incident")
    # The enterprise's own entries of the catalogue (Order 36), beside the 776n ones.
    HAZARD_TYPE = "hazard_type", _("Own hazard")
    EVENT = "event", _("Own hazardous event")


class DeletedRowQuerySet(ScopedQuerySet):
    def of_kind(self, kind: str, since):
        return self.filter(kind=kind, deleted_at__gt=since)


class DeletedRow(TimeStampedModel):
    """A row deleted outright rather than archived — only when an enterprise's register is
    replaced by a restored export (register_dump). Kept so that programs keeping a copy in sync
    (the API's ``updated_since``) learn of the deletion; written in the deleting transaction."""

    kind = models.CharField(_("kind"), max_length=20, choices=DeletedRowKind.choices)
    object_id = models.BigIntegerField(_("id of the deleted row"))
    # Tombstones go with their enterprise: nobody can sync an enterprise that no longer exists.
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="+", verbose_name=_("enterprise")
    )
    deleted_at = models.DateTimeField(_("deleted at"), default=timezone.now)

    objects = DeletedRowQuerySet.as_manager()

    class Meta:
        ordering = ["deleted_at", "id"]
        verbose_name = _("deleted row")
        verbose_name_plural = _("deleted rows")
        constraints = [
            # Ids come from sequences and are never reused: a row is deleted once.
            models.UniqueConstraint(fields=["kind", "object_id"], name="deletedrow_kind_object_unique"),
        ]
        indexes = [
            # The API's sync: the tombstones of one kind of row since a moment.
            models.Index(fields=["kind", "deleted_at"], name="deletedrow_kind_deleted_at"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.object_id}"
