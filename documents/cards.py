"""The risk assessment card of a workplace: which workplaces share it, what of the register it
shows, and issuing a new version of it. Rendering it (PDF, .xlsx) builds on these."""

import datetime
import hashlib
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import ControlMeasure, MeasureStatus, RiskAssessment
from enterprises.models import Department, Worker, Workplace
from enterprises.ordering import number_sort_key, workplace_order, workplace_sort_key
from enterprises.services import department_path, descendants, natural_key
from hazards.models import ControlLevel, Hazard, RiskLevel

from .models import (
    AcknowledgementMethod,
    CardAcknowledgement,
    CardBundle,
    Commission,
    CommissionMember,
    CommissionRole,
    RiskCard,
    RoundSignature,
    SignatureDecision,
)


def card_group(workplace: Workplace) -> list[Workplace]:
    """The workplace and its analogous workplaces, which share one card: the active workplaces of
    the enterprise with the same SOUT card number. Without a SOUT card number it stands alone."""
    if not workplace.sout_card_number:
        return [workplace]
    return list(
        Workplace.objects.active()
        .filter(enterprise_id=workplace.enterprise_id, sout_card_number=workplace.sout_card_number)
        .order_by(*workplace_order())
    )


# The fields a card prints. A change to any of them makes an issued card out of date.
WORKPLACE_FIELDS = (
    "number",
    "position",
    "okpdtr_code",
    "job_function",
    "equipment",
    "headcount_total",
    "headcount_women",
    "headcount_under_18",
    "headcount_disabled",
    "sout_card_number",
    "sout_class",
    "sout_date",
    "department_id",
)
HAZARD_FIELDS = ("id", "event_id", "source", "activity", "object_description", "existing_controls")
ASSESSMENT_FIELDS = (
    "hazard_id",
    "method_version_id",
    "inputs",
    "score",
    "level",
    "residual_inputs",
    "residual_score",
    "residual_level",
    "status",
)
MEASURE_FIELDS = (
    "hazard_id",
    "id",
    "control_level",
    "description",
    "assignee_id",
    "responsible",
    "due_date",
    "periodicity",
    "status",
)


def register_fingerprint(workplaces: list[Workplace]) -> str:
    """A digest of everything of the register a card of these workplaces shows: four queries,
    whatever the number of rows."""
    ids = sorted(workplace.pk for workplace in workplaces)
    hazards = Hazard.objects.active().filter(workplace_id__in=ids)
    content = {
        "workplaces": list(
            Workplace.objects.filter(pk__in=ids).order_by("pk").values_list(*WORKPLACE_FIELDS)
        ),
        "hazards": list(hazards.order_by("pk").values_list(*HAZARD_FIELDS)),
        "assessments": list(
            RiskAssessment.objects.current()
            .filter(hazard__in=hazards)
            .order_by("hazard_id")
            .values_list(*ASSESSMENT_FIELDS)
        ),
        "measures": list(
            ControlMeasure.objects.filter(hazard__in=hazards).order_by("pk").values_list(*MEASURE_FIELDS)
        ),
    }
    serialised = json.dumps(content, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(serialised.encode()).hexdigest()


def card_number(workplace: Workplace) -> str:
    """A card carries the SOUT card's number where there is one, as practice does, else the
    workplace number."""
    return workplace.sout_card_number or workplace.number


@transaction.atomic
def card_issue(*, workplace: Workplace, user, round=None, render: bool = True) -> RiskCard:
    """Issue the next version of the card of ``workplace`` (and its analogous workplaces); the
    previous version stops being current but is kept with its acknowledgements."""
    group = card_group(workplace)
    lead = group[0]
    # Lock the lead workplace so two issues at once cannot take the same version number.
    Workplace.objects.select_for_update().filter(pk=lead.pk).first()
    previous = RiskCard.objects.filter(workplace=lead).aggregate(last=Max("version"))["last"] or 0
    RiskCard.objects.filter(workplace=lead, is_current=True).update(is_current=False)
    card = RiskCard.objects.create(
        enterprise_id=lead.enterprise_id,
        workplace=lead,
        number=card_number(lead),
        version=previous + 1,
        issued_by=user,
        round=round,
        fingerprint=register_fingerprint(group),
    )
    card.analogous.set([other for other in group if other.pk != lead.pk])
    if render:
        card_render_queue(card)
    return card


def card_render_queue(card: RiskCard) -> None:
    # The kept PDF is rendered by the pdf worker once the card's row is committed.
    from .tasks import render_card

    render_card.delay_on_commit(card.pk)


def card_is_stale(card: RiskCard) -> bool:
    """Has the register changed since the card was issued (it then needs re-issuing and new
    acknowledgements)?"""
    return register_fingerprint([card.workplace, *card.analogous.all()]) != card.fingerprint


# --- What a card shows -------------------------------------------------------------------------


def measure_responsible(measure: ControlMeasure) -> str:
    """The responsible person of a measure as the documents print it. The one place the cards and
    the plan read it, so a change of how a measure names its responsible person is made here."""
    return measure.responsible


def input_letter(spec: dict) -> str:
    """The letter the method's own Russian label gives an input: «Вероятность (В)» → «В»,
    «Частота воздействия (E)» → «E»; the configuration's symbol when the label has none."""
    found = re.search(r"\(([^()]{1,4})\)\s*$", spec.get("label_ru", ""))
    return found.group(1) if found else spec["symbol"]


def number_text(value) -> str:
    """16, 270, 0,3: no trailing zeros, no exponent, a Russian decimal comma."""
    if value is None:
        return ""
    text = format(Decimal(value).normalize(), "f")
    return text.replace(".", ",")


def periodicity_text(measure: ControlMeasure) -> str:
    if measure.due_date:
        return _("by %(date)s") % {"date": f"{measure.due_date:%d.%m.%Y}"}
    return measure.get_periodicity_display()


@dataclass
class MethodColumns:
    """The method's columns of a card: one per input, in the method's own letters."""

    name: str
    version: int | None
    letters: list[str]
    keys: list[str]
    labels: list[str]
    score_label: str
    kind: str
    score_short: str = ""


def method_columns(config: dict | None, method=None, version=None) -> MethodColumns:
    if not config:
        return MethodColumns("", None, [], [], [], _("Score"), "", _("Score"))
    inputs = config.get("inputs", [])
    letters = [input_letter(spec) for spec in inputs]
    formula = " × ".join(letters)
    if config.get("kind") == "matrix":
        score_label = _("Occupational risk index (ИПР = %(formula)s)") % {"formula": formula}
        score_short = f"ИПР = {formula}"
    else:
        score_label = _("Risk score (R = %(formula)s)") % {"formula": formula}
        score_short = f"R = {formula}"
    return MethodColumns(
        name=method.name_ru if method else "",
        version=version,
        letters=letters,
        keys=[spec["key"] for spec in inputs],
        labels=[spec.get("label_ru", letter) for spec, letter in zip(inputs, letters, strict=True)],
        score_label=score_label,
        kind=config.get("kind", ""),
        score_short=score_short,
    )


def _band(config: dict, key: str) -> dict:
    for band in config.get("bands", []):
        if band.get("key") == key:
            return band
    return {}


@dataclass
class CardMeasure:
    control_level: str
    description: str
    deadline: str
    responsible: str
    status: str
    done_on: datetime.date | None


@dataclass
class CardLine:
    number: int
    hazard_code: str
    hazard_name: str
    event_code: str
    event_name: str
    source: str
    object_text: str
    existing_controls: str
    inputs: list[str]
    score: str
    level: int | None
    level_label: str
    acceptability: str
    measures: list[CardMeasure]
    residual_inputs: list[str]
    residual_score: str
    residual_level: int | None
    residual_label: str
    workplace_number: str = ""


@dataclass
class CardSigner:
    role: str
    position: str
    short_name: str
    signed_on: datetime.date | None
    objected: bool = False


@dataclass
class CardWorker:
    short_name: str
    personnel_number: str
    workplace_number: str
    acknowledged_on: datetime.date | None
    acknowledged_in_app: bool = False


@dataclass
class CardContent:
    card: RiskCard | None
    number: str
    version: int | None
    issued_on: datetime.date
    enterprise: object
    department_path: list[str]
    workplaces: list[Workplace]
    lead: Workplace
    method: MethodColumns
    mixed_methods: bool
    lines: list[CardLine]
    commission: Commission | None
    signers: list[CardSigner]
    workers: list[CardWorker]
    headcount: dict = field(default_factory=dict)

    @property
    def workplace_numbers(self) -> str:
        return ", ".join(workplace.number for workplace in self.workplaces)

    @property
    def column_numbers(self) -> list[int]:
        """The numbers under the table's heads: six columns, the method's inputs, six more."""
        return list(range(1, 13 + len(self.method.letters)))


def _commission_for(card: RiskCard | None, enterprise, day: datetime.date) -> Commission | None:
    members = Prefetch("members", queryset=CommissionMember.objects.order_by("sort_order", "pk"))
    if card is not None and card.round_id:
        return Commission.objects.prefetch_related(members).get(pk=card.round.commission_id)
    return Commission.objects.filter(enterprise=enterprise).in_force(day).prefetch_related(members).first()


def _signers(commission: Commission | None, card: RiskCard | None) -> list[CardSigner]:
    if commission is None:
        return []
    signatures = {}
    if card is not None and card.round_id:
        signatures = {s.member_id: s for s in RoundSignature.objects.filter(round_id=card.round_id)}
    members = sorted(
        commission.members.all(), key=lambda m: (m.role != CommissionRole.CHAIRMAN, m.sort_order, m.pk)
    )
    signers = []
    for member in members:
        signature = signatures.get(member.pk)
        signers.append(
            CardSigner(
                role=member.get_role_display(),
                position=member.position,
                short_name=member.short_name,
                signed_on=signature.signed_on if signature else None,
                objected=bool(signature and signature.decision == SignatureDecision.OBJECTED),
            )
        )
    return signers


def card_content(
    workplace: Workplace, *, card: RiskCard | None = None, departments_by_id: dict | None = None
) -> CardContent:
    """Everything the card of ``workplace``'s group shows, from the register now, in a fixed
    number of queries whatever the number of rows (a set of cards passes ``departments_by_id``,
    loaded once). With ``card``, its number, version, date, round and acknowledgements."""
    if card is not None:
        group = sorted([card.workplace, *card.analogous.all()], key=lambda w: w.pk)
    else:
        group = card_group(workplace)
    lead = group[0]
    enterprise = lead.enterprise
    issued_on = card.issued_on if card else timezone.localdate()
    if departments_by_id is None:
        departments_by_id = {d.pk: d for d in Department.objects.filter(enterprise_id=lead.enterprise_id)}
    department = departments_by_id.get(lead.department_id)
    ids = [w.pk for w in group]
    numbers = {w.pk: w.number for w in group}

    measures = Prefetch(
        "measures",
        queryset=ControlMeasure.objects.exclude(status=MeasureStatus.CANCELLED).order_by("due_date", "pk"),
    )
    current = Prefetch(
        "assessments",
        queryset=RiskAssessment.objects.current().select_related("method_version__method"),
        to_attr="current_assessments",
    )
    hazards = sorted(
        Hazard.objects.active()
        .filter(workplace_id__in=ids)
        .select_related("event__hazard_type__group")
        .prefetch_related(measures, current),
        key=lambda h: (
            h.event.hazard_type.group.number,
            natural_key(h.event.code),
            number_sort_key(numbers[h.workplace_id]),
            h.pk,
        ),
    )
    versions = {a.method_version_id: a.method_version for h in hazards for a in h.current_assessments}
    if versions:
        # The card's columns follow the method its rows were rated with (the newest version).
        version = max(versions.values(), key=lambda v: (v.method_id == enterprise.risk_method_id, v.pk))
    else:
        method = enterprise.risk_method
        version = method.current_version() if method else None
    columns = method_columns(
        version.config if version else None,
        version.method if version else None,
        version.version if version else None,
    )
    mixed = len({v.config.get("kind") for v in versions.values()}) > 1

    lines = []
    for number, hazard in enumerate(hazards, start=1):
        assessment = hazard.current_assessments[0] if hazard.current_assessments else None
        lines.append(_line(number, hazard, assessment, columns, mixed, numbers if len(group) > 1 else {}))

    commission = _commission_for(card, enterprise, issued_on)
    acknowledged = {}
    if card is not None:
        acknowledged = {
            worker_id: (day, method)
            for worker_id, day, method in CardAcknowledgement.objects.filter(card=card).values_list(
                "worker_id", "acknowledged_on", "method"
            )
        }
    workers = [
        CardWorker(
            short_name=worker.short_name,
            personnel_number=worker.personnel_number,
            workplace_number=numbers[worker.workplace_id],
            acknowledged_on=acknowledged.get(worker.pk, (None, ""))[0],
            acknowledged_in_app=acknowledged.get(worker.pk, (None, ""))[1] == AcknowledgementMethod.KIOSK,
        )
        for worker in Worker.objects.on(issued_on)
        .filter(workplace_id__in=ids)
        .order_by("surname", "first_name", "patronymic", "pk")
    ]
    headcount = {
        key: sum(getattr(w, f"headcount_{key}") for w in group)
        for key in ("total", "women", "under_18", "disabled")
    }
    return CardContent(
        card=card,
        number=card.number if card else card_number(lead),
        version=card.version if card else None,
        issued_on=issued_on,
        enterprise=enterprise,
        department_path=department_path(department, departments_by_id) if department else [],
        workplaces=group,
        lead=lead,
        method=columns,
        mixed_methods=mixed,
        lines=lines,
        commission=commission,
        signers=_signers(commission, card),
        workers=workers,
        headcount=headcount,
    )


def _inputs(config: dict, values: dict | None, columns: MethodColumns, mixed: bool) -> list[str]:
    """One cell per input of the card's method; a row rated with another kind of method (after a
    change of method) shows its own letters in the first cell instead."""
    if not values:
        return ["" for _ in columns.keys]
    if not mixed or config.get("kind") == columns.kind:
        return [number_text(values.get(key)) if key in values else "" for key in columns.keys]
    own = " · ".join(
        f"{input_letter(spec)} {number_text(values[spec['key']])}"
        for spec in config.get("inputs", [])
        if spec["key"] in values
    )
    return [own] + ["" for _ in columns.keys[1:]]


def _line(number, hazard, assessment, columns, mixed, numbers) -> CardLine:
    event = hazard.event
    object_text = ", ".join(
        part for part in (hazard.object_description, hazard.get_activity_display()) if part
    )
    card_measures = [
        CardMeasure(
            control_level=ControlLevel(m.control_level).label if m.control_level else "",
            description=m.description,
            deadline=periodicity_text(m),
            responsible=measure_responsible(m),
            status=m.status,
            done_on=m.done_on,
        )
        for m in hazard.measures.all()
    ]
    if assessment is None:
        empty = ["" for _ in columns.keys]
        return CardLine(
            number, event.hazard_type.code, event.hazard_type.name_ru, event.code, event.name_ru,
            hazard.source, object_text, hazard.existing_controls, empty, "", None, _("Not rated"), "",
            card_measures, empty, "", None, "", numbers.get(hazard.workplace_id, ""),
        )  # fmt: skip
    config = assessment.method_version.config
    band = _band(config, assessment.band)
    residual_band = _band(config, assessment.residual_band) if assessment.residual_band else {}
    return CardLine(
        number=number,
        hazard_code=event.hazard_type.code,
        hazard_name=event.hazard_type.name_ru,
        event_code=event.code,
        event_name=event.name_ru,
        source=hazard.source,
        object_text=object_text,
        existing_controls=hazard.existing_controls,
        inputs=_inputs(config, assessment.inputs, columns, mixed),
        score=number_text(assessment.score),
        level=assessment.level,
        level_label=band.get("label_ru") or RiskLevel(assessment.level).label,
        acceptability=band.get("acceptability_ru", ""),
        measures=card_measures,
        residual_inputs=_inputs(config, assessment.residual_inputs, columns, mixed),
        residual_score=number_text(assessment.residual_score),
        residual_level=assessment.residual_level,
        residual_label=(
            residual_band.get("label_ru") or RiskLevel(assessment.residual_level).label
            if assessment.residual_level
            else ""
        ),
        workplace_number=numbers.get(hazard.workplace_id, ""),
    )


# --- Groups of a scope -------------------------------------------------------------------------


def card_leads(enterprise, *, department: Department | None = None) -> list[Workplace]:
    """The lead workplace of every card group of the enterprise, or of the groups with a
    workplace in a unit (or a unit inside it), in the order of workplace numbers: two queries."""
    workplaces = list(Workplace.objects.active().filter(enterprise=enterprise).order_by("pk"))
    inside = None
    if department is not None:
        by_id = {d.pk: d for d in Department.objects.filter(enterprise=enterprise)}
        inside = descendants(department.pk, by_id)
    groups: dict[str, list[Workplace]] = {}
    for workplace in workplaces:
        groups.setdefault(workplace.sout_card_number or f"#{workplace.pk}", []).append(workplace)
    leads = [
        members[0]
        for members in groups.values()
        if inside is None or any(member.department_id in inside for member in members)
    ]
    return sorted(leads, key=workplace_sort_key)


def cards_current(enterprise) -> dict[int, RiskCard]:
    """The current card of each lead workplace of the enterprise, by workplace id."""
    return {
        card.workplace_id: card
        for card in RiskCard.objects.current().filter(enterprise=enterprise).prefetch_related("analogous")
    }


def card_versions(card: RiskCard):
    return (
        RiskCard.objects.filter(workplace_id=card.workplace_id)
        .select_related("issued_by")
        .order_by("-version")
    )


@transaction.atomic
def bundle_request(*, enterprise, user, department: Department | None = None) -> CardBundle:
    """Order the set of current cards of the enterprise (or of a unit) as one PDF: the row first,
    the pdf worker's task once it is committed."""
    from .tasks import render_bundle

    if department is not None and department.enterprise_id != enterprise.pk:
        raise ValidationError({"department": _("The unit belongs to another enterprise.")})
    bundle = CardBundle.objects.create(enterprise=enterprise, department=department, requested_by=user)
    render_bundle.delay_on_commit(bundle.pk)
    return bundle
