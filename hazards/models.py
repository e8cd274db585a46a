"""The Order 776n hazard catalogue (as data) and the register: hazards identified at workplaces."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from enterprises.access import ScopedQuerySet
from enterprises.models import Enterprise, Workplace
from riskpilot.localization import localized
from riskpilot.models import TimeStampedModel


class RiskLevel(models.IntegerChoices):
    """The canonical level every method's bands map to, so that dashboards can compare
    enterprises that use different methods (5×5 matrix, Fine-Kinney)."""

    NEGLIGIBLE = 1, _("Negligible")
    LOW = 2, _("Low")
    MEDIUM = 3, _("Medium")
    HIGH = 4, _("High")
    CRITICAL = 5, _("Critical")


class ControlLevel(models.TextChoices):
    """Hierarchy of controls, in priority order (ISO 45001 8.1.2; Order 776n adds insurance)."""

    ELIMINATION = "elimination", _("Elimination")
    SUBSTITUTION = "substitution", _("Substitution")
    ENGINEERING = "engineering", _("Engineering controls")
    ADMINISTRATIVE = "administrative", _("Administrative controls")
    PPE = "ppe", _("Personal protective equipment")
    INSURANCE = "insurance", _("Insurance of the professional risk")


class CatalogueQuerySet(models.QuerySet):
    def catalogue(self):
        return self.filter(enterprise__isnull=True)

    def available_to(self, enterprise):
        """The 776n items plus the enterprise's own (Order 36)."""
        return self.filter(Q(enterprise__isnull=True) | Q(enterprise=enterprise))


class HazardGroup(TimeStampedModel):
    """One of the 28 numbered groups of Order 776n Appendix 1 (1 biological … 28 violence)."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    history = HistoricalRecords()

    class Meta:
        ordering = ["number"]
        verbose_name = _("hazard group")
        verbose_name_plural = _("hazard groups")

    def __str__(self):
        return f"{self.number}. {self.name}"

    @property
    def name(self) -> str:
        return localized(self, "name")


class HazardType(TimeStampedModel):
    """A hazard (опасность), coded <group>-<k> as in 776n, e.g. 3-1 slippery surfaces.
    Rows with an enterprise are that enterprise's own additions (Order 36)."""

    code = models.CharField(_("code"), max_length=20)
    group = models.ForeignKey(
        HazardGroup, on_delete=models.PROTECT, related_name="hazard_types", verbose_name=_("group")
    )
    name_ru = models.TextField(_("name (Russian)"))
    name_en = models.TextField(_("name (English)"), blank=True)
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="own_hazard_types",
        verbose_name=_("enterprise (own hazard)"),
    )

    history = HistoricalRecords()
    objects = CatalogueQuerySet.as_manager()

    class Meta:
        ordering = ["group__number", "code"]
        verbose_name = _("hazard")
        verbose_name_plural = _("hazards (catalogue)")
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(enterprise__isnull=True), name="hazardtype_catalogue_code_unique"
            ),
            models.UniqueConstraint(fields=["enterprise", "code"], name="hazardtype_own_code_unique"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        return localized(self, "name")


class HazardousEventManager(models.Manager.from_queryset(CatalogueQuerySet)):
    def get_by_natural_key(self, code):
        return self.get(code=code, enterprise__isnull=True)


class HazardousEvent(TimeStampedModel):
    """A hazardous event (опасное событие), numbered <group>.<n>; the natural key of the register."""

    code = models.CharField(_("code"), max_length=20)
    hazard_type = models.ForeignKey(
        HazardType, on_delete=models.PROTECT, related_name="events", verbose_name=_("hazard")
    )
    name_ru = models.TextField(_("name (Russian)"))
    name_en = models.TextField(_("name (English)"), blank=True)
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="own_hazardous_events",
        verbose_name=_("enterprise (own event)"),
    )

    history = HistoricalRecords()
    objects = HazardousEventManager()

    class Meta:
        ordering = ["hazard_type__group__number", "code"]
        verbose_name = _("hazardous event")
        verbose_name_plural = _("hazardous events")
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(enterprise__isnull=True), name="event_catalogue_code_unique"
            ),
            models.UniqueConstraint(fields=["enterprise", "code"], name="event_own_code_unique"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def natural_key(self):
        return (self.code,)

    @property
    def name(self) -> str:
        return localized(self, "name")


class ModelMeasure(TimeStampedModel):
    """A model control measure of 776n, numbered <event>.<m>, offered as a suggestion. The source
    gives no hierarchy level, so it stays empty until someone sets it with care."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    event = models.ForeignKey(
        HazardousEvent,
        on_delete=models.PROTECT,
        related_name="model_measures",
        verbose_name=_("hazardous event"),
    )
    name_ru = models.TextField(_("text (Russian)"))
    name_en = models.TextField(_("text (English)"), blank=True)
    control_level = models.CharField(
        _("control level"), max_length=20, choices=ControlLevel.choices, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["event", "id"]
        verbose_name = _("model control measure")
        verbose_name_plural = _("model control measures")

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        return localized(self, "name")


class Activity(models.TextChoices):
    ROUTINE = "routine", _("Routine work")
    NON_ROUTINE = "non_routine", _("Non-routine work")
    EMERGENCY = "emergency", _("Emergency situation")


class HazardStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ELIMINATED = "eliminated", _("Eliminated")
    ARCHIVED = "archived", _("Archived")


class HazardQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(status=HazardStatus.ACTIVE)

    def due_for_review(self, on=None):
        return self.active().filter(next_review_on__lte=on or timezone.localdate())

    def needing_reassessment(self):
        return self.active().filter(needs_reassessment=True)

    def at_least(self, level: int):
        return self.filter(risk_level__gte=level)


class Hazard(TimeStampedModel):
    """A register row: a hazard and its hazardous event at one workplace."""

    # Denormalised from the workplace (which never changes enterprise) so that scoping and the
    # per-enterprise counts of the dashboards need no join.
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="hazards", verbose_name=_("enterprise")
    )
    workplace = models.ForeignKey(
        Workplace, on_delete=models.PROTECT, related_name="hazards", verbose_name=_("workplace")
    )
    event = models.ForeignKey(
        HazardousEvent,
        on_delete=models.PROTECT,
        related_name="register_rows",
        verbose_name=_("hazardous event"),
    )
    source = models.TextField(_("source of the hazard"), help_text=_("What produces the hazard here."))
    activity = models.CharField(
        _("activity"), max_length=20, choices=Activity.choices, default=Activity.ROUTINE
    )
    object_description = models.CharField(
        _("object"), max_length=500, blank=True, help_text=_("Room, area or work where it occurs.")
    )
    existing_controls = models.TextField(_("existing controls"), blank=True)
    exposed_description = models.CharField(
        _("who is exposed"), max_length=300, blank=True, help_text=_("Employees, contractors, visitors…")
    )
    exposed_count = models.PositiveIntegerField(_("number exposed"), default=1)
    identified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("identified by"),
    )
    identified_on = models.DateField(_("identified on"), default=timezone.localdate)
    status = models.CharField(
        _("status"), max_length=12, choices=HazardStatus.choices, default=HazardStatus.ACTIVE
    )
    next_review_on = models.DateField(_("next review"), null=True, blank=True)
    needs_reassessment = models.BooleanField(_("re-assessment needed"), default=False)
    # The current and residual level of the current assessment, kept by assessments.services in
    # the same transaction as the assessment itself. NULL means "not rated yet".
    risk_level = models.PositiveSmallIntegerField(
        _("risk level"), choices=RiskLevel.choices, null=True, blank=True
    )
    residual_level = models.PositiveSmallIntegerField(
        _("residual risk level"), choices=RiskLevel.choices, null=True, blank=True
    )
    # What the register's search looks in, casefolded (hazards.search.document): the row's own
    # text, its event, its workplace, its measures and its assessments' comments, kept by
    # assessments.search whenever one of them changes. One column, so the search is one indexed
    # lookup on the row (a GIN full-text index on PostgreSQL), never a join per request.
    search_text = models.TextField(_("search text"), blank=True, default="", editable=False)

    # The search text is derived and rewritten without a save: it is no part of the row's history.
    history = HistoricalRecords(excluded_fields=["search_text"])
    objects = HazardQuerySet.as_manager()

    class Meta:
        # Lists sort explicitly; a default ordering on related fields would add joins to every query.
        ordering = ["id"]
        verbose_name = _("register row")
        verbose_name_plural = _("risk register")
        constraints = [
            models.CheckConstraint(
                condition=Q(risk_level__isnull=True) | Q(risk_level__range=(1, 5)),
                name="hazard_risk_level_range",
            ),
            models.CheckConstraint(
                condition=Q(residual_level__isnull=True) | Q(residual_level__range=(1, 5)),
                name="hazard_residual_level_range",
            ),
        ]
        indexes = [
            # The register list and the dashboards count active rows of an enterprise by level.
            models.Index(fields=["enterprise", "status", "risk_level"], name="hazard_ent_status_level"),
            # The API's register list of an enterprise in id order (keyset pages: id > cursor).
            models.Index(fields=["enterprise", "status", "id"], name="hazard_ent_status_id"),
            # Reminders and "due for review" filters.
            models.Index(fields=["next_review_on"], name="hazard_next_review"),
        ]

    def __str__(self):
        return f"{self.workplace.number}: {self.event.code}"

    def clean(self):
        if self.workplace_id and self.enterprise_id and self.workplace.enterprise_id != self.enterprise_id:
            raise ValidationError({"workplace": _("The workplace belongs to another enterprise.")})
        if self.event_id and self.event.enterprise_id not in (None, self.enterprise_id):
            raise ValidationError({"event": _("This hazardous event belongs to another enterprise.")})
