"""What SOUT data tells about the register (REFERENCE §3.4, §8): a workplace whose SOUT is missing
or older than five years, and a harmful class (3.x, 4) on a factor without an occupational-disease
row for that factor in the register (TK 218 asks for injury *and* disease risks).

How the 776n catalogue marks disease hazards. The catalogue has no "disease / injury" flag: the
kind of harm is in the hazardous event's wording. Events of the health-damage kind read
«заболевание», «отравление», «снижение остроты слуха, тугоухость», «воздействие вибрации»,
«тепловой удар», «повреждение органов дыхания», «перегрузки»; injury events read «травма»,
«ожог», «падение», «удар». The SOUT factors are therefore mapped to the catalogue's
health-damage events below (event codes as in hazards/data/catalogue-776n-events.csv):

- chemical → 9.1–9.6 (poisoning, dermatitis) and 12.3–12.5 (airways harmed by chemical aerosols);
- biological → 1.1, 1.2 (infection, disease from micro-organisms);
- aerosols of fibrogenic action (АПФД, dust) → 12.1, 12.2;
- noise → 20.1 (hearing loss); ultrasound → 20.3;
- general vibration → 21.2; local vibration → 21.1;
- microclimate → 13.3, 13.4, 13.8, 13.10 (heat stroke), 14.1, 15.1 (hypothermia), 16.1;
- severity of work (тяжесть) → 23.1 (musculoskeletal damage from overload);
- intensity of work (напряжённость) → 24.1–24.4 (psycho-emotional overload).

Infrasound, non-ionising and ionising radiation and lighting have no hazard in 776n (they appear
only in the 767n groups 12–14, REFERENCE §2.3). A harmful class on them cannot be matched to a
catalogue row: the workplace page names them as "check by hand" (the enterprise records them as
its own hazards, Order 36), and they are not counted as findings.

Only active register rows count; an enterprise's own hazardous events are not matched (their
wording is free)."""

import datetime
from dataclasses import dataclass, field

from enterprises.models import HARMFUL_CLASSES, SoutFactor, SoutFactorClass
from enterprises.sout import SoutState, sout_state
from hazards.models import Hazard

DISEASE_EVENTS: dict[str, tuple[str, ...]] = {
    SoutFactor.CHEMICAL: ("9.1", "9.2", "9.3", "9.4", "9.5", "9.6", "12.3", "12.4", "12.5"),
    SoutFactor.BIOLOGICAL: ("1.1", "1.2"),
    SoutFactor.AEROSOLS: ("12.1", "12.2"),
    SoutFactor.NOISE: ("20.1",),
    SoutFactor.INFRASOUND: (),
    SoutFactor.ULTRASOUND: ("20.3",),
    SoutFactor.VIBRATION_GENERAL: ("21.2",),
    SoutFactor.VIBRATION_LOCAL: ("21.1",),
    SoutFactor.NON_IONISING: (),
    SoutFactor.IONISING: (),
    SoutFactor.MICROCLIMATE: ("13.3", "13.4", "13.8", "13.10", "14.1", "15.1", "16.1"),
    SoutFactor.LIGHTING: (),
    SoutFactor.SEVERITY: ("23.1",),
    SoutFactor.INTENSITY: ("24.1", "24.2", "24.3", "24.4"),
}


@dataclass
class WorkplaceSout:
    """The SOUT picture of one workplace: its state, its factor classes, and the harmful factors
    without a disease row (``gaps``) or without any 776n hazard to match (``unmapped``)."""

    state: str
    factors: list = field(default_factory=list)  # SoutFactorClass rows, in factor order
    gaps: list = field(default_factory=list)  # SoutFactorClass rows
    unmapped: list = field(default_factory=list)  # SoutFactorClass rows

    @property
    def finding_count(self) -> int:
        return len(self.gaps) + (self.state != SoutState.CURRENT)


def sout_findings(workplaces, today: datetime.date | None = None) -> dict[int, WorkplaceSout]:
    """Per workplace id (of the loaded ``workplaces``): two queries, whatever their number."""
    workplaces = list(workplaces)
    ids = [w.pk for w in workplaces]
    order = list(SoutFactor.values)
    factors: dict[int, list] = {}
    for row in SoutFactorClass.objects.filter(workplace_id__in=ids):
        factors.setdefault(row.workplace_id, []).append(row)
    codes: dict[int, set] = {}
    rows = (
        Hazard.objects.active()
        .filter(workplace_id__in=ids, event__enterprise__isnull=True)
        .values_list("workplace_id", "event__code")
        .distinct()
    )
    for workplace_id, code in rows:
        codes.setdefault(workplace_id, set()).add(code)
    result = {}
    for workplace in workplaces:
        own = sorted(factors.get(workplace.pk, []), key=lambda row: order.index(row.factor))
        found = WorkplaceSout(state=sout_state(workplace, today), factors=own)
        present = codes.get(workplace.pk, set())
        for row in own:
            if row.sout_class not in HARMFUL_CLASSES:
                continue
            events = DISEASE_EVENTS.get(row.factor, ())
            if not events:
                found.unmapped.append(row)
            elif not present.intersection(events):
                found.gaps.append(row)
        result[workplace.pk] = found
    return result


def disease_gaps_by_enterprise(workplaces) -> dict[int, int]:
    """Enterprise id → the number of (workplace, factor) pairs with a harmful class and no
    disease row, over the active ``workplaces`` (a queryset): two queries, for the dashboards."""
    mapped = [factor for factor, events in DISEASE_EVENTS.items() if events]
    harmful = list(
        SoutFactorClass.objects.harmful()
        .filter(workplace__in=workplaces.filter(archived_at__isnull=True), factor__in=mapped)
        .values_list("workplace_id", "workplace__enterprise_id", "factor")
    )
    codes: dict[int, set] = {}
    rows = (
        Hazard.objects.active()
        .filter(workplace_id__in={row[0] for row in harmful}, event__enterprise__isnull=True)
        .values_list("workplace_id", "event__code")
        .distinct()
    )
    for workplace_id, code in rows:
        codes.setdefault(workplace_id, set()).add(code)
    gaps: dict[int, int] = {}
    for workplace_id, enterprise_id, factor in harmful:
        if not codes.get(workplace_id, set()).intersection(DISEASE_EVENTS[factor]):
            gaps[enterprise_id] = gaps.get(enterprise_id, 0) + 1
    return gaps
