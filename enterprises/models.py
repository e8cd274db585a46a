"""Regions, enterprises and their structure (departments, workplaces), head-count, and the people
who use RiskPilot with their role."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from riskpilot.localization import localized
from riskpilot.models import TimeStampedModel

from .access import ScopedQuerySet
from .ordering import NaturalSortKeyField, workplace_order
from .validators import validate_inn, validate_ogrn, validate_okpdtr, validate_okved


class FederalDistrict(models.TextChoices):
    CENTRAL = "central", _("Central")
    NORTHWESTERN = "northwestern", _("Northwestern")
    SOUTHERN = "southern", _("Southern")
    NORTH_CAUCASIAN = "north_caucasian", _("North Caucasian")
    VOLGA = "volga", _("Volga")
    URAL = "ural", _("Ural")
    SIBERIAN = "siberian", _("Siberian")
    FAR_EASTERN = "far_eastern", _("Far Eastern")


class Region(TimeStampedModel):
    """A federal subject of the Russian Federation. Kept as data: the count of subjects differs
    between sources, so none is hard-coded."""

    code = models.CharField(
        _("subject code"), max_length=2, unique=True, help_text=_("Two digits, e.g. 56 for Orenburg.")
    )
    okato = models.CharField(_("OKATO code"), max_length=2, blank=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    federal_district = models.CharField(_("federal district"), max_length=20, choices=FederalDistrict.choices)

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^\d{2}$"), name="region_code_two_digits"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        return localized(self, "name")


class EnterpriseQuerySet(ScopedQuerySet):
    enterprise_path = ""

    def active(self):
        return self.filter(archived_at__isnull=True)


class Enterprise(TimeStampedModel):
    full_name = models.CharField(_("full name"), max_length=500)
    short_name = models.CharField(_("short name"), max_length=200)
    inn = models.CharField(_("INN"), max_length=12, unique=True, validators=[validate_inn])
    ogrn = models.CharField(_("OGRN"), max_length=15, blank=True, validators=[validate_ogrn])
    okved = models.CharField(
        _("main OKVED2 code"), max_length=8, validators=[validate_okved], help_text=_("e.g. 08.93")
    )
    insurance_class = models.PositiveSmallIntegerField(
        _("occupational risk class"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(32)],
        help_text=_("Insurance tariff class 1–32 by the main OKVED2 activity."),
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="enterprises", verbose_name=_("region")
    )
    address = models.CharField(_("address"), max_length=500, blank=True)
    # A lazy reference: assessments builds on enterprises, never the other way round in code.
    risk_method = models.ForeignKey(
        "assessments.RiskMethod",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("risk assessment method"),
        help_text=_("The method set by the enterprise's regulation on risk assessment."),
    )
    joined_pilot_on = models.DateField(_("joined the pilot on"), null=True, blank=True)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)

    history = HistoricalRecords()
    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        ordering = ["short_name"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        constraints = [
            models.CheckConstraint(
                condition=Q(inn__regex=r"^(\d{10}|\d{12})$"), name="enterprise_inn_digits"
            ),
        ]

    def __str__(self):
        return self.short_name


class DepartmentKind(models.TextChoices):
    SHOP = "shop", _("Workshop")
    SECTION = "section", _("Section")
    TEAM = "team", _("Team")
    OFFICE = "office", _("Office / service")
    OTHER = "other", _("Other unit")


class DepartmentQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True)


class Department(TimeStampedModel):
    """A structural unit; nested shop → section → team."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="departments", verbose_name=_("enterprise")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(
        _("kind"), max_length=10, choices=DepartmentKind.choices, default=DepartmentKind.SHOP
    )
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)

    history = HistoricalRecords()
    objects = DepartmentQuerySet.as_manager()

    class Meta:
        ordering = ["enterprise_id", "name"]
        verbose_name = _("structural unit")
        verbose_name_plural = _("structural units")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "parent", "name"], name="department_name_unique_in_parent"
            ),
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="department_not_own_parent"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.parent_id and self.parent.enterprise_id != self.enterprise_id:
            raise ValidationError({"parent": _("The parent unit belongs to another enterprise.")})
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk and self.pk is not None:
                raise ValidationError({"parent": _("A unit cannot be nested inside itself.")})
            ancestor = ancestor.parent


class OkpdtrCategory(models.TextChoices):
    WORKER = "worker", _("profession of workers")
    EMPLOYEE = "employee", _("position of employees")


class OkpdtrEntry(TimeStampedModel):
    """One profession or position of the ОКПДТР classifier (ОК 016-94). The seed of
    enterprises/data/okpdtr.csv is loaded on migrate; the full classifier by `manage.py load_okpdtr`."""

    code = models.CharField(_("code"), max_length=5, unique=True, validators=[validate_okpdtr])
    check_digit = models.PositiveSmallIntegerField(_("check digit"), validators=[MaxValueValidator(9)])
    name = models.CharField(_("name"), max_length=300)
    category = models.CharField(_("category"), max_length=10, choices=OkpdtrCategory.choices)

    class Meta:
        verbose_name = _("OKPDTR profession or position")
        verbose_name_plural = _("OKPDTR classifier")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(check_digit__lte=9), name="okpdtr_check_digit_one_digit"),
        ]

    def __str__(self):
        return f"{self.code} {self.check_digit} — {self.name}"


class SoutClass(models.TextChoices):
    """Working-conditions classes of the special assessment (426-FZ art. 14)."""

    OPTIMAL = "1", _("1 — optimal")
    PERMISSIBLE = "2", _("2 — permissible")
    HARMFUL_1 = "3.1", _("3.1 — harmful, 1st degree")
    HARMFUL_2 = "3.2", _("3.2 — harmful, 2nd degree")
    HARMFUL_3 = "3.3", _("3.3 — harmful, 3rd degree")
    HARMFUL_4 = "3.4", _("3.4 — harmful, 4th degree")
    DANGEROUS = "4", _("4 — dangerous")


class WorkplaceQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True)


class Workplace(TimeStampedModel):
    """A workplace as on its SOUT card. Analogous workplaces share a card and carry the suffix "А"."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="workplaces", verbose_name=_("enterprise")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="workplaces", verbose_name=_("structural unit")
    )
    number = models.CharField(
        _("workplace number"), max_length=30, help_text=_("As on the SOUT card, e.g. 12 or 12А.")
    )
    # Kept from the number on every write (enterprises.ordering): № 2А before № 10 everywhere.
    number_sort = NaturalSortKeyField(_("number order key"), source="number")
    position = models.CharField(_("profession or position"), max_length=300)
    okpdtr_code = models.CharField(_("OKPDTR code"), max_length=5, blank=True, validators=[validate_okpdtr])
    job_function = models.TextField(_("job function"), blank=True)
    equipment = models.TextField(_("equipment and materials"), blank=True)
    headcount_total = models.PositiveIntegerField(_("workers, total"), default=1)
    headcount_women = models.PositiveIntegerField(_("of them women"), default=0)
    headcount_under_18 = models.PositiveIntegerField(_("of them under 18"), default=0)
    headcount_disabled = models.PositiveIntegerField(_("of them disabled"), default=0)
    sout_card_number = models.CharField(
        _("SOUT card number"),
        max_length=30,
        blank=True,
        help_text=_("Analogous workplaces share one SOUT card and one risk assessment card."),
    )
    sout_class = models.CharField(_("SOUT class"), max_length=3, choices=SoutClass.choices, blank=True)
    sout_date = models.DateField(_("SOUT report approved on"), null=True, blank=True)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)

    history = HistoricalRecords()
    objects = WorkplaceQuerySet.as_manager()

    class Meta:
        ordering = ["enterprise_id", *workplace_order()]
        verbose_name = _("workplace")
        verbose_name_plural = _("workplaces")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "number"], name="workplace_number_unique"),
            models.CheckConstraint(
                condition=Q(headcount_women__lte=F("headcount_total"))
                & Q(headcount_under_18__lte=F("headcount_total"))
                & Q(headcount_disabled__lte=F("headcount_total")),
                name="workplace_headcount_parts_within_total",
            ),
        ]
        indexes = [
            # An enterprise's workplaces in number order: the structure page, the workplace filter
            # and the forms' workplace choices.
            models.Index(fields=["enterprise", "number_sort"], name="workplace_ent_number_order"),
        ]

    def __str__(self):
        return f"№ {self.number} — {self.position}"

    def clean(self):
        if self.department_id and self.enterprise_id and self.department.enterprise_id != self.enterprise_id:
            raise ValidationError({"department": _("The unit belongs to another enterprise.")})
        for part in ("headcount_women", "headcount_under_18", "headcount_disabled"):
            if (getattr(self, part) or 0) > (self.headcount_total or 0):
                raise ValidationError({part: _("Cannot exceed the total number of workers.")})


class SoutFactor(models.TextChoices):
    """Harmful and dangerous factors measured by the special assessment (426-FZ art. 13)."""

    CHEMICAL = "chemical", _("chemical")
    BIOLOGICAL = "biological", _("biological")
    AEROSOLS = "aerosols", _("aerosols of mainly fibrogenic action (dust)")
    NOISE = "noise", _("noise")
    INFRASOUND = "infrasound", _("infrasound")
    ULTRASOUND = "ultrasound", _("airborne ultrasound")
    VIBRATION_GENERAL = "vibration_general", _("general vibration")
    VIBRATION_LOCAL = "vibration_local", _("local vibration")
    NON_IONISING = "non_ionising", _("non-ionising radiation")
    IONISING = "ionising", _("ionising radiation")
    MICROCLIMATE = "microclimate", _("microclimate")
    LIGHTING = "lighting", _("lighting")
    SEVERITY = "severity", _("severity of work (physical load)")
    INTENSITY = "intensity", _("intensity of work")


HARMFUL_CLASSES = (
    SoutClass.HARMFUL_1,
    SoutClass.HARMFUL_2,
    SoutClass.HARMFUL_3,
    SoutClass.HARMFUL_4,
    SoutClass.DANGEROUS,
)


class SoutFactorClassQuerySet(ScopedQuerySet):
    enterprise_path = "workplace__enterprise"

    def harmful(self):
        return self.filter(sout_class__in=HARMFUL_CLASSES)


class SoutFactorClass(TimeStampedModel):
    """The class the special assessment gave one factor at a workplace."""

    workplace = models.ForeignKey(
        Workplace, on_delete=models.CASCADE, related_name="sout_factors", verbose_name=_("workplace")
    )
    factor = models.CharField(_("factor"), max_length=20, choices=SoutFactor.choices)
    sout_class = models.CharField(_("class"), max_length=3, choices=SoutClass.choices)

    history = HistoricalRecords()
    objects = SoutFactorClassQuerySet.as_manager()

    class Meta:
        ordering = ["workplace_id", "factor"]
        verbose_name = _("SOUT class of a factor")
        verbose_name_plural = _("SOUT classes of factors")
        constraints = [
            models.UniqueConstraint(fields=["workplace", "factor"], name="sout_factor_once_per_workplace"),
        ]

    def __str__(self):
        return f"{self.get_factor_display()}: {self.sout_class}"


class WorkerQuerySet(ScopedQuerySet):
    def on(self, day):
        """Workers assigned to their workplace on ``day``."""
        return self.filter(Q(employed_from__isnull=True) | Q(employed_from__lte=day)).filter(
            Q(employed_to__isnull=True) | Q(employed_to__gte=day)
        )


class Worker(TimeStampedModel):
    """A person working at a workplace, from the enterprise's personnel list. Names are personal
    data (152-FZ): only the enterprise's officers and managers see them."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="workers", verbose_name=_("enterprise")
    )
    workplace = models.ForeignKey(
        Workplace, on_delete=models.PROTECT, related_name="workers", verbose_name=_("workplace")
    )
    surname = models.CharField(_("surname"), max_length=100)
    first_name = models.CharField(_("first name"), max_length=100)
    patronymic = models.CharField(_("patronymic"), max_length=100, blank=True)
    personnel_number = models.CharField(_("personnel number"), max_length=30)
    position = models.CharField(_("position"), max_length=300, blank=True)
    employed_from = models.DateField(_("at the workplace from"), null=True, blank=True)
    employed_to = models.DateField(_("at the workplace until"), null=True, blank=True)

    history = HistoricalRecords()
    objects = WorkerQuerySet.as_manager()

    class Meta:
        ordering = ["surname", "first_name", "patronymic", "id"]
        verbose_name = _("worker")
        verbose_name_plural = _("workers")
        constraints = [
            models.UniqueConstraint(
                fields=["workplace", "personnel_number"], name="worker_personnel_number_once_per_workplace"
            ),
            models.CheckConstraint(
                condition=Q(employed_to__isnull=True)
                | Q(employed_from__isnull=True)
                | Q(employed_to__gte=F("employed_from")),
                name="worker_period_ordered",
            ),
        ]
        indexes = [models.Index(fields=["enterprise", "personnel_number"], name="worker_personnel_number")]

    def __str__(self):
        return self.short_name

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.surname, self.first_name, self.patronymic) if part)

    @property
    def short_name(self) -> str:
        """Surname and initials, as under a signature: «Иванов И. И.»."""
        initials = " ".join(f"{part[0]}." for part in (self.first_name, self.patronymic) if part)
        return f"{self.surname} {initials}".strip()

    def clean(self):
        if self.workplace_id and self.enterprise_id and self.workplace.enterprise_id != self.enterprise_id:
            raise ValidationError({"workplace": _("The workplace belongs to another enterprise.")})
        if self.employed_from and self.employed_to and self.employed_to < self.employed_from:
            raise ValidationError({"employed_to": _("The end date is before the start date.")})


class HeadcountPeriod(TimeStampedModel):
    """Average head-count and hours worked per month: the denominators of the frequency rate
    (Kч = N × 1000 / head-count) and of LTIFR (LTI × 10⁶ / hours)."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="headcount_periods", verbose_name=_("enterprise")
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    average_headcount = models.PositiveIntegerField(_("average head-count"))
    hours_worked = models.PositiveBigIntegerField(_("hours worked"))

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["enterprise_id", "-month"]
        verbose_name = _("head-count for a month")
        verbose_name_plural = _("head-count by month")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "month"], name="headcount_one_per_month"),
        ]

    def __str__(self):
        return f"{self.enterprise} {self.month:%m.%Y}"

    def clean(self):
        if self.month and self.month.day != 1:
            raise ValidationError({"month": _("Give the first day of the month.")})


class Role(models.TextChoices):
    OFFICER = "officer", _("Safety officer")
    MANAGER = "manager", _("Enterprise manager")
    REGIONAL_REVIEWER = "regional_reviewer", _("Regional reviewer")
    FEDERAL_REVIEWER = "federal_reviewer", _("Federal reviewer")
    ADMIN = "admin", _("Administrator")


ENTERPRISE_ROLES = (Role.OFFICER, Role.MANAGER)


class User(AbstractUser):
    """A RiskPilot user with exactly one role; the role decides the scope (enterprises/access.py)."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.OFFICER)
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("enterprise"),
        help_text=_("For safety officers and enterprise managers."),
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviewers",
        verbose_name=_("region"),
        help_text=_("For regional reviewers."),
    )
    position = models.CharField(_("position"), max_length=200, blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=[("ru", "Русский"), ("en", "English")], default="ru"
    )
    weekly_digest = models.BooleanField(
        _("weekly reminder e-mail"),
        default=True,
        help_text=_(
            "On Mondays: measures overdue or due within two weeks and register rows due for review "
            "(safety officers and managers)."
        ),
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role__in=ENTERPRISE_ROLES) | Q(enterprise__isnull=False),
                name="user_enterprise_role_has_enterprise",
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.REGIONAL_REVIEWER) | Q(region__isnull=False),
                name="user_regional_reviewer_has_region",
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    def clean(self):
        super().clean()
        if self.role in ENTERPRISE_ROLES and not self.enterprise_id:
            raise ValidationError({"enterprise": _("Choose the enterprise this user works for.")})
        if self.role == Role.REGIONAL_REVIEWER and not self.region_id:
            raise ValidationError({"region": _("Choose the region this reviewer oversees.")})

    @property
    def sees_everything(self) -> bool:
        return self.is_superuser or self.role in (Role.FEDERAL_REVIEWER, Role.ADMIN)

    @property
    def is_regional_reviewer(self) -> bool:
        return self.role == Role.REGIONAL_REVIEWER and not self.is_superuser

    @property
    def can_write(self) -> bool:
        """Reviewers read; officers and managers change their enterprise's register."""
        return self.is_superuser or self.role in (Role.OFFICER, Role.MANAGER, Role.ADMIN)

    @property
    def can_approve(self) -> bool:
        return self.is_superuser or self.role in (Role.MANAGER, Role.ADMIN)
