"""What each indicator means, in one place: the dashboards' column headers and tooltips, their
"How the figures are counted" notes and the PDF reports' notes all read these texts, so a figure
is defined the same way wherever it is shown (REFERENCE §4.2, Order 223n, TK 226)."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str  # short: a table header
    name: str  # long: a line of the PDF's summary table
    definition: str


FREQUENCY = Indicator(
    "frequency_rate",
    _("Frequency rate (Kf)"),
    _("Frequency rate of injuries (Kf), per 1,000 workers"),
    _(
        "Kf = victims of accidents at work with at least one day of incapacity or a fatal outcome "
        "× 1,000 / average head-count of the period's months."
    ),
)
SEVERITY = Indicator(
    "severity_rate",
    _("Severity rate (Ks)"),
    _("Severity rate of injuries (Ks), days per victim"),
    _(
        "Ks = days of incapacity / victims with at least one day of incapacity; fatal victims are "
        "left out of both (a death has no days of incapacity)."
    ),
)
FATAL = Indicator(
    "fatal_rate",
    _("Fatal rate"),
    _("Fatal injury rate, per 1,000 workers"),
    _("Fatal rate = fatal victims × 1,000 / average head-count of the period's months."),
)
LTIFR = Indicator(
    "ltifr",
    _("LTIFR"),
    _("Lost-time injury frequency rate (LTIFR), per 1,000,000 hours"),
    _(
        "LTIFR = victims with at least one day of incapacity or a fatal outcome × 1,000,000 / hours "
        "worked, over the months with hours reported and only the victims of those months."
    ),
)
MICROTRAUMAS = Indicator(
    "microtraumas_per_100",
    _("Microtraumas per 100 workers"),
    _("Microtraumas per 100 workers"),
    _(
        "Microtraumas (TK 226: no loss of working capacity) × 100 / average head-count of the "
        "period's months."
    ),
)
DISEASES = Indicator(
    "occupational_diseases_per_10000",
    _("Occupational diseases per 10,000 workers"),
    _("Occupational diseases per 10,000 workers"),
    _("Occupational diseases × 10,000 / average head-count of the period's months."),
)

RATES = (FREQUENCY, SEVERITY, FATAL, LTIFR, MICROTRAUMAS, DISEASES)

# The rules every period figure follows (shown under the dashboards and in the PDFs' notes).
PERIOD_RULES = (
    _(
        "Figures of a period count only what happened inside it: incidents by their date, "
        "assessments by their date, measures by the date they fell due or were done."
    ),
    _(
        'Figures "at the end of the period" are the register as it stood on the period\'s last '
        "day, rebuilt from its history: a row eliminated later still counts, a workplace created "
        "later does not. While a period is still running they show the register today."
    ),
    _(
        "Register rows count while active (not eliminated); a row's level is that of its latest "
        "assessment by then. Rows archived as entered in error are left out of every period."
    ),
    _(
        "An accident at work has one or more victims, each with an outcome: minor, severe or "
        "fatal (Order 223n); a group accident (two or more victims) counts each of its victims "
        "with their own outcome."
    ),
    _(
        "Head-count is the average of the months of the period that have it; rates of a quarter "
        "or a month are not annualised."
    ),
)
