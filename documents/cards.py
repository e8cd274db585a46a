"""The risk assessment card of a workplace: which workplaces share it, what of the register it
shows, and issuing a new version of it. Rendering it (PDF, .xlsx) builds on these."""

import hashlib
import json

from django.db import transaction
from django.db.models import Max

from assessments.models import ControlMeasure, RiskAssessment
from enterprises.models import Workplace
from enterprises.ordering import workplace_order
from hazards.models import Hazard

from .models import RiskCard


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
def card_issue(*, workplace: Workplace, user, round=None) -> RiskCard:
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
    return card


def card_is_stale(card: RiskCard) -> bool:
    """Has the register changed since the card was issued (it then needs re-issuing and new
    acknowledgements)?"""
    return register_fingerprint([card.workplace, *card.analogous.all()]) != card.fingerprint
