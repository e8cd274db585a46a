"""Business actions on the register rows. Views, imports, commands and the demo seeding all call
these, so the rules (same enterprise, history, flags) hold whichever way a row is written."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enterprises.models import Workplace

from .models import Activity, Hazard, HazardousEvent, HazardStatus


@transaction.atomic
def hazard_add(
    *,
    workplace: Workplace,
    event: HazardousEvent,
    source: str,
    identified_by=None,
    activity: str = Activity.ROUTINE,
    object_description: str = "",
    existing_controls: str = "",
    exposed_description: str = "",
    exposed_count: int = 1,
    identified_on: datetime.date | None = None,
    next_review_on: datetime.date | None = None,
) -> Hazard:
    if workplace.archived_at is not None:
        raise ValidationError(_("This workplace is archived: restore it before adding hazards."))
    hazard = Hazard(
        enterprise_id=workplace.enterprise_id,
        workplace=workplace,
        event=event,
        source=source,
        activity=activity,
        object_description=object_description,
        existing_controls=existing_controls,
        exposed_description=exposed_description,
        exposed_count=exposed_count,
        identified_by=identified_by,
        identified_on=identified_on or timezone.localdate(),
        next_review_on=next_review_on,
    )
    hazard.full_clean()
    hazard.save()
    return hazard


@transaction.atomic
def hazard_set_status(*, hazard: Hazard, status: str) -> Hazard:
    """Eliminate or archive a row (the register never deletes), or bring it back."""
    if status not in HazardStatus.values:
        raise ValidationError(_("Unknown status."))
    hazard.status = status
    hazard.save(update_fields=["status", "updated_at"])
    return hazard


def hazards_flag_for_reassessment(hazards) -> int:
    """Mark rows "re-assessment needed" one by one, so each flag is in the row's history."""
    flagged = 0
    for hazard in hazards:
        if not hazard.needs_reassessment:
            hazard.needs_reassessment = True
            hazard.save(update_fields=["needs_reassessment", "updated_at"])
            flagged += 1
    return flagged
