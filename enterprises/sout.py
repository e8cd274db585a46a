"""SOUT data of each workplace (426-FZ, Order 33n; REFERENCE §3.4, §8): the SOUT card number, the
date the SOUT report was approved, the final class and the class per factor; entered on the
workplace page or imported from .xlsx; and the figures the overview and dashboards show (class
distribution, workplaces whose SOUT is missing or older than five years)."""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Enterprise, SoutClass, SoutFactor, SoutFactorClass, Workplace
from .sheets import CellError, SheetColumn, column_title, date_cell, read_sheet, template_workbook, text_cell
from .workers import check_version

# SOUT is repeated at least every five years (426-FZ art. 17): an older report is a finding.
SOUT_VALID_YEARS = 5


def sout_expires_on(approved_on: datetime.date) -> datetime.date:
    try:
        return approved_on.replace(year=approved_on.year + SOUT_VALID_YEARS)
    except ValueError:  # 29 February
        return approved_on.replace(year=approved_on.year + SOUT_VALID_YEARS, day=28)


def sout_oldest_valid_date(today: datetime.date | None = None) -> datetime.date:
    """A SOUT approved before this day is older than five years on ``today``."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year - SOUT_VALID_YEARS)
    except ValueError:
        return today.replace(year=today.year - SOUT_VALID_YEARS, day=28)


class SoutState:
    CURRENT = "current"
    MISSING = "missing"
    OUTDATED = "outdated"


def sout_state(workplace: Workplace, today: datetime.date | None = None) -> str:
    if not workplace.sout_date or not workplace.sout_class:
        return SoutState.MISSING
    if workplace.sout_date < sout_oldest_valid_date(today):
        return SoutState.OUTDATED
    return SoutState.CURRENT


def normalise_class(value) -> str:
    """ "3,1", 3.1, "3.1 " and 2.0 read as the stored class values; "" for empty; ValueError for
    anything that is not a class."""
    text = text_cell(value).replace(",", ".").strip()
    if text == "":
        return ""
    if text.endswith(".0") and text[:-2] in ("1", "2", "4"):
        text = text[:-2]
    # A label typed in full ("3.1 — вредный…") counts by its leading class.
    head = text.split()[0] if text.split() else text
    if head in SoutClass.values:
        return head
    raise ValueError(text)


@transaction.atomic
def sout_set(
    *,
    workplace: Workplace,
    card_number: str,
    approved_on: datetime.date | None,
    final_class: str,
    factors: dict[str, str],
    version: str | None = None,
) -> Workplace:
    """Record the workplace's SOUT card: number, approval date, final class and the class of each
    factor measured (a factor left out has no class). ``version`` is the form's token."""
    workplace = Workplace.objects.select_for_update().get(pk=workplace.pk)
    check_version(
        obj=workplace,
        expected=version,
        message=_("%(name)s changed this workplace at %(time)s while you were editing; reload the page."),
    )
    unknown = [key for key in factors if key not in SoutFactor.values]
    bad = [value for value in [*factors.values(), final_class] if value and value not in SoutClass.values]
    if unknown or bad:
        raise ValidationError(_("Unknown SOUT factor or class."))
    if approved_on and approved_on > timezone.localdate():
        raise ValidationError({"sout_date": _("The SOUT report cannot be approved in the future.")})
    if (final_class or approved_on) and not (final_class and approved_on):
        raise ValidationError(_("Give both the approval date and the final class, or neither."))
    harmful = [value for value in factors.values() if value]
    if final_class and harmful and final_class != max(harmful, key=SoutClass.values.index):
        # The final class is the highest class of the factors (Order 33n, Methodology §IV).
        raise ValidationError(
            {
                "sout_class": _("The final class is the highest class among the factors (%(highest)s).")
                % {"highest": max(harmful, key=SoutClass.values.index)}
            }
        )
    values = {"sout_card_number": card_number.strip(), "sout_date": approved_on, "sout_class": final_class}
    changed = [name for name, value in values.items() if getattr(workplace, name) != value]
    for name in changed:
        setattr(workplace, name, values[name])
    workplace.full_clean()

    existing = {row.factor: row for row in SoutFactorClass.objects.filter(workplace=workplace)}
    wanted = {key: value for key, value in factors.items() if value}
    factors_changed = False
    for factor, row in existing.items():
        if factor not in wanted:
            row.delete()
            factors_changed = True
        elif row.sout_class != wanted[factor]:
            row.sout_class = wanted[factor]
            row.save(update_fields=["sout_class", "updated_at"])
            factors_changed = True
    for factor, value in wanted.items():
        if factor not in existing:
            SoutFactorClass.objects.create(workplace=workplace, factor=factor, sout_class=value)
            factors_changed = True
    if changed or factors_changed:
        # The workplace's version moves with its factors too, so a stale form sees the change.
        workplace.save(update_fields=[*changed, "updated_at"])
    return workplace


# --- Figures ----------------------------------------------------------------------------------


@dataclass
class SoutDistribution:
    """Active workplaces by SOUT final class, with those missing or older than five years."""

    by_class: dict = field(default_factory=dict)
    missing: int = 0
    outdated: int = 0
    total: int = 0

    @property
    def covered(self) -> int:
        return self.total - self.missing - self.outdated

    def rows(self) -> list[tuple[str, str, int]]:
        return [(value, label, self.by_class.get(value, 0)) for value, label in SoutClass.choices]


def sout_distribution(workplaces, today: datetime.date | None = None) -> dict[int, SoutDistribution]:
    """Per enterprise id, the distribution of its active workplaces' SOUT: one query."""
    result: dict[int, SoutDistribution] = {}
    for row in _sout_counts(workplaces, today, "enterprise_id"):
        _add_count(result.setdefault(row["enterprise_id"], SoutDistribution()), row)
    return result


def sout_distribution_total(workplaces, today: datetime.date | None = None) -> SoutDistribution:
    """The same over all the active ``workplaces`` together, counted in the database: one query."""
    total = SoutDistribution()
    for row in _sout_counts(workplaces, today):
        _add_count(total, row)
    return total


def _sout_counts(workplaces, today, *keys):
    oldest = sout_oldest_valid_date(today)
    return (
        workplaces.filter(archived_at__isnull=True)
        .values(*keys, "sout_class")
        .annotate(
            total=Count("id"),
            missing=Count("id", filter=Q(sout_date__isnull=True) | Q(sout_class="")),
            outdated=Count("id", filter=Q(sout_date__lt=oldest) & ~Q(sout_class="")),
        )
        .order_by()
    )


def _add_count(entry: SoutDistribution, row: dict) -> None:
    entry.total += row["total"]
    entry.missing += row["missing"]
    entry.outdated += row["outdated"]
    if row["sout_class"]:
        entry.by_class[row["sout_class"]] = entry.by_class.get(row["sout_class"], 0) + row["total"]


# --- Import from .xlsx -------------------------------------------------------------------------
# One row per workplace; an enterprise has at most a few thousand workplaces, checked and written
# in one request.

MAX_ROWS = 3000
COLUMNS = [
    SheetColumn("workplace_number", gettext_lazy("Workplace number"), 16, required=True),
    SheetColumn("sout_card_number", gettext_lazy("SOUT card number"), 16),
    SheetColumn("sout_date", gettext_lazy("SOUT report approved on"), 18, required=True, kind="date"),
    SheetColumn("sout_class", gettext_lazy("Final class"), 12, required=True),
    *(SheetColumn(value, label, 14) for value, label in SoutFactor.choices),
]
LABELS = {column.key: column.label for column in COLUMNS}


@dataclass
class SoutImportResult:
    workplaces: int = 0
    errors: list[CellError] = field(default_factory=list)


def sout_import(*, enterprise: Enterprise, file) -> SoutImportResult:
    """Set the SOUT data of every workplace listed (the row is the workplace's whole SOUT card:
    an empty factor cell means no class for it). Any error writes nothing."""
    result = SoutImportResult()
    rows = read_sheet(file, COLUMNS, max_rows=MAX_ROWS)
    workplaces = {w.number: w for w in Workplace.objects.filter(enterprise=enterprise).active()}
    plans = []
    seen: dict[str, int] = {}

    def error(row, key, value, message):
        result.errors.append(CellError(row, column_title(LABELS[key]), text_cell(value)[:200], message))

    today = timezone.localdate()
    for number, cells in rows:
        workplace_number = text_cell(cells.get("workplace_number"))
        workplace = workplaces.get(workplace_number)
        if not workplace_number:
            error(number, "workplace_number", "", _("Required."))
        elif workplace is None:
            error(
                number,
                "workplace_number",
                workplace_number,
                _("No active workplace with this number at the enterprise."),
            )
        elif workplace_number in seen:
            error(
                number,
                "workplace_number",
                workplace_number,
                _("The same workplace is already on row %(row)s.") % {"row": seen[workplace_number]},
            )
        seen.setdefault(workplace_number, number)
        if all(cells.get(key) in (None, "") for key in LABELS if key != "workplace_number"):
            continue  # a workplace of the template left empty: nothing to set
        card_number = text_cell(cells.get("sout_card_number"))
        if len(card_number) > 30:
            error(number, "sout_card_number", card_number, _("At most %(max)s characters.") % {"max": 30})
        try:
            approved_on = date_cell(cells.get("sout_date"))
            if approved_on is None:
                error(number, "sout_date", "", _("Required."))
            elif approved_on > today:
                error(
                    number,
                    "sout_date",
                    cells.get("sout_date"),
                    _("The SOUT report cannot be approved in the future."),
                )
        except ValueError:
            approved_on = None
            error(number, "sout_date", cells.get("sout_date"), _("A date as DD.MM.YYYY."))
        classes = {}
        for key in ("sout_class", *SoutFactor.values):
            try:
                classes[key] = normalise_class(cells.get(key))
            except ValueError:
                classes[key] = ""
                error(number, key, cells.get(key), _("A class: 1, 2, 3.1, 3.2, 3.3, 3.4 or 4."))
        if not classes["sout_class"] and cells.get("sout_class") in (None, ""):
            error(number, "sout_class", "", _("Required."))
        factors = {key: classes[key] for key in SoutFactor.values}
        measured = [value for value in factors.values() if value]
        if classes["sout_class"] and measured:
            highest = max(measured, key=SoutClass.values.index)
            if highest != classes["sout_class"]:
                error(
                    number,
                    "sout_class",
                    classes["sout_class"],
                    _("The final class is the highest class among the factors (%(highest)s).")
                    % {"highest": highest},
                )
        if workplace is not None:
            plans.append((workplace, card_number, approved_on, classes["sout_class"], factors))
    if result.errors:
        return result
    with transaction.atomic():
        for workplace, card_number, approved_on, final_class, factors in plans:
            sout_set(
                workplace=workplace,
                card_number=card_number,
                approved_on=approved_on,
                final_class=final_class,
                factors=factors,
            )
            result.workplaces += 1
    return result


def sout_rows(enterprise: Enterprise) -> list[list]:
    """The enterprise's active workplaces in the import's layout (two queries)."""
    workplaces = list(Workplace.objects.filter(enterprise=enterprise).active().order_by("number"))
    classes: dict = {}
    for row in SoutFactorClass.objects.filter(workplace__in=workplaces):
        classes.setdefault(row.workplace_id, {})[row.factor] = row.sout_class
    return [
        [
            w.number,
            w.sout_card_number,
            w.sout_date,
            w.sout_class,
            *(classes.get(w.pk, {}).get(factor, "") for factor in SoutFactor.values),
        ]
        for w in workplaces
    ]


def sout_template(enterprise: Enterprise) -> bytes:
    """The SOUT sheet of the enterprise as it stands (a row per active workplace): filled in and
    uploaded, it is the import."""
    return template_workbook(
        title=_("SOUT"),
        columns=COLUMNS,
        instructions=[
            _("How to fill in the SOUT sheet"),
            _("One row per workplace, as on its SOUT card; the sheet lists the enterprise's workplaces."),
            _("Classes: 1, 2, 3.1, 3.2, 3.3, 3.4 or 4. Leave a factor empty if SOUT did not assess it."),
            _("The final class is the highest class among the factors."),
            _("Dates as DD.MM.YYYY. A row sets the whole SOUT card of its workplace."),
            _(
                "If any row has an error, nothing is imported and every error is listed with its row "
                "and column."
            ),
        ],
        rows=sout_rows(enterprise),
    )
