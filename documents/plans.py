"""The action plan (план мероприятий по снижению уровней профессиональных рисков, REFERENCE §8):
a version is drawn up from the planned and running measures of the enterprise (or of a unit),
due in a period; the employer approves it («УТВЕРЖДАЮ»); its completion marks follow its
measures as they are done."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Max, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import OPEN_MEASURE_STATUSES, ControlMeasure, MeasureEvidence, MeasureStatus
from enterprises.models import Department, Enterprise
from enterprises.ordering import number_sort_key
from enterprises.services import department_path, descendants
from hazards.models import ControlLevel, HazardStatus, RiskLevel
from hazards.services import version_token

from .cards import measure_responsible, periodicity_text
from .models import ActionPlan, ActionPlanMeasure, PlanStatus


def user_short_name(user) -> str:
    """«Петров П. П.»: the surname and the initials of the names, as under a signature."""
    if user is None:
        return ""
    names = (user.first_name or "").split()
    initials = " ".join(f"{name[0]}." for name in names)
    surname = user.last_name or user.get_username()
    return f"{surname} {initials}".strip()


def plan_measures(
    enterprise: Enterprise,
    *,
    period_end: datetime.date,
    department: Department | None = None,
):
    """The measures a plan lists: planned or running, of active register rows, due by the end of
    the period (the overdue ones included) or repeated with a periodicity."""
    measures = ControlMeasure.objects.filter(
        hazard__enterprise=enterprise,
        hazard__status=HazardStatus.ACTIVE,
        status__in=OPEN_MEASURE_STATUSES,
    ).filter(Q(due_date__lte=period_end) | Q(due_date__isnull=True))
    if department is not None:
        by_id = {d.pk: d for d in Department.objects.filter(enterprise=enterprise)}
        measures = measures.filter(hazard__workplace__department_id__in=descendants(department.pk, by_id))
    return measures


def _plan_order(measure: ControlMeasure) -> tuple:
    return (
        number_sort_key(measure.hazard.workplace.number),
        measure.hazard.event.code,
        measure.due_date or datetime.date.max,
        measure.pk,
    )


@transaction.atomic
def plan_create(
    *,
    enterprise: Enterprise,
    user,
    title: str,
    period_start: datetime.date,
    period_end: datetime.date,
    department: Department | None = None,
) -> ActionPlan:
    """A new draft version of the enterprise's plan, listing the measures as they are now."""
    if period_end < period_start:
        raise ValidationError({"period_end": _("The period ends before it begins.")})
    if department is not None and department.enterprise_id != enterprise.pk:
        raise ValidationError({"department": _("The unit belongs to another enterprise.")})
    # One version number each, even for two officers at once: the enterprise's row is the lock.
    Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()
    last = ActionPlan.objects.filter(enterprise=enterprise).aggregate(last=Max("version"))["last"] or 0
    plan = ActionPlan(
        enterprise=enterprise,
        version=last + 1,
        title=title.strip(),
        period_start=period_start,
        period_end=period_end,
        department=department,
        created_by=user,
    )
    plan.full_clean()
    plan.save()
    measures = sorted(
        plan_measures(enterprise, period_end=period_end, department=department).select_related(
            "hazard__workplace", "hazard__event"
        ),
        key=_plan_order,
    )
    ActionPlanMeasure.objects.bulk_create(
        ActionPlanMeasure(plan=plan, measure=measure, position=number)
        for number, measure in enumerate(measures, start=1)
    )
    return plan


@transaction.atomic
def plan_approve(
    *, plan: ActionPlan, user, position: str = "", version: str | None = None, render: bool = True
) -> ActionPlan:
    """The employer approves a draft («УТВЕРЖДАЮ»): it is fixed and its PDF is kept."""
    plan = ActionPlan.objects.select_for_update().get(pk=plan.pk)
    if version not in (None, "") and version_token(plan.updated_at) != str(version):
        raise ValidationError(
            _("Someone else changed this plan while you were looking at it; reload the page and try again."),
            code="stale",
        )
    if plan.status == PlanStatus.APPROVED:
        raise ValidationError(_("This version of the plan is already approved."))
    if not user.can_approve:
        raise ValidationError(_("Only the employer's side (a manager) approves the plan."))
    if not plan.lines.exists():
        raise ValidationError(_("The plan lists no measures: there is nothing to approve."))
    plan.status = PlanStatus.APPROVED
    plan.approved_by = user
    plan.approved_at = timezone.now()
    plan.approver_position = (position or user.position or "").strip()
    plan.save()
    if render:
        plan_render_queue(plan)
    return plan


def plan_render_queue(plan: ActionPlan) -> None:
    # The kept PDF is rendered by the pdf worker once the approval is committed.
    from .tasks import render_plan

    render_plan.delay_on_commit(plan.pk)


def plan_store(*, plan_id: int) -> bool | None:
    """Render an approved plan's PDF and keep it; safe to call twice."""
    from .rendering import plan_pdf

    plan = ActionPlan.objects.select_related("enterprise").filter(pk=plan_id).first()
    if plan is None:
        return None
    if plan.file or plan.status != PlanStatus.APPROVED:
        return False
    content = plan_pdf(plan).content
    with transaction.atomic():
        locked = ActionPlan.objects.select_for_update().get(pk=plan_id)
        if locked.file:
            return False
        locked.file.save(
            f"action-plan-{plan.enterprise.inn}-v{plan.version}.pdf", ContentFile(content), save=False
        )
        locked.save(update_fields=["file", "updated_at"])
    return True


# --- What a plan shows -------------------------------------------------------------------------


@dataclass
class PlanRow:
    number: int
    department: str
    workplace: str
    hazard: str
    level_before: str
    level: int | None
    description: str
    control_level: str
    expected: str
    residual_level: int | None
    deadline: str
    responsible: str
    funding: str
    completion: str
    done: bool
    cancelled: bool
    measure_id: int
    hazard_id: int


def _completed_by(measure_ids: list[int]) -> dict[int, object]:
    """Who marked each measure done, from its history: one query for all of them."""
    records = (
        ControlMeasure.history.filter(id__in=measure_ids, status=MeasureStatus.DONE)
        .select_related("history_user")
        .order_by("id", "history_date")
    )
    found = {}
    for record in records:
        found.setdefault(record.id, record.history_user)
    return found


def plan_rows(plan: ActionPlan) -> list[PlanRow]:
    """The plan's lines with their completion marks, in a fixed number of queries."""
    lines = list(
        ActionPlanMeasure.objects.filter(plan=plan)
        .select_related("measure__hazard__workplace", "measure__hazard__event")
        .prefetch_related(
            Prefetch(
                "measure__evidence",
                queryset=MeasureEvidence.objects.select_related("uploaded_by").order_by("pk"),
            )
        )
        .order_by("position")
    )
    departments = {d.pk: d for d in Department.objects.filter(enterprise_id=plan.enterprise_id)}
    done_ids = [line.measure_id for line in lines if line.measure.status == MeasureStatus.DONE]
    completed_by = _completed_by(done_ids) if done_ids else {}
    rows = []
    for line in lines:
        measure = line.measure
        hazard = measure.hazard
        workplace = hazard.workplace
        department = departments.get(workplace.department_id)
        evidence = list(measure.evidence.all())
        completion = ""
        if measure.status == MeasureStatus.DONE:
            who = completed_by.get(measure.pk) or (evidence[0].uploaded_by if evidence else None)
            parts = [_("done %(date)s") % {"date": f"{measure.done_on:%d.%m.%Y}"}]
            if who is not None:
                parts.append(user_short_name(who))
            if evidence:
                parts.append(
                    _("evidence: %(files)s") % {"files": ", ".join(e.original_name for e in evidence)}
                )
            if measure.completion_note:
                parts.append(measure.completion_note)
            completion = "; ".join(parts)
        elif measure.status == MeasureStatus.CANCELLED:
            completion = _("cancelled")
        rows.append(
            PlanRow(
                number=line.position,
                department=" / ".join(department_path(department, departments)) if department else "",
                workplace=f"№ {workplace.number} — {workplace.position}",
                hazard=f"{hazard.event.code} {hazard.event.name_ru}",
                level_before=RiskLevel(hazard.risk_level).label if hazard.risk_level else _("Not rated"),
                level=hazard.risk_level,
                description=measure.description,
                control_level=ControlLevel(measure.control_level).label,
                expected=RiskLevel(hazard.residual_level).label if hazard.residual_level else "",
                residual_level=hazard.residual_level,
                deadline=periodicity_text(measure),
                responsible=measure_responsible(measure),
                # No funding source is recorded with a measure yet: the column is left to fill by hand.
                funding="",
                completion=completion,
                done=measure.status == MeasureStatus.DONE,
                cancelled=measure.status == MeasureStatus.CANCELLED,
                measure_id=measure.pk,
                hazard_id=hazard.pk,
            )
        )
    return rows


def plan_completion(plan: ActionPlan) -> dict:
    """How much of the plan is done: its measures done of those not cancelled (one query)."""
    counts = ActionPlanMeasure.objects.filter(plan=plan).aggregate(
        total=Count("pk", filter=~Q(measure__status=MeasureStatus.CANCELLED)),
        done=Count("pk", filter=Q(measure__status=MeasureStatus.DONE)),
    )
    total, done = counts["total"], counts["done"]
    return {"total": total, "done": done, "percent": round(100 * done / total) if total else 0}


def plan_approval(plan: ActionPlan) -> dict:
    """The «УТВЕРЖДАЮ» block: position, surname and initials, date (blank lines for a draft)."""
    approved = plan.status == PlanStatus.APPROVED
    return {
        "approved": approved,
        "position": plan.approver_position if approved else "",
        "short_name": user_short_name(plan.approved_by) if approved else "",
        "date": timezone.localtime(plan.approved_at).date() if approved else None,
    }


def plan_context(plan: ActionPlan) -> dict:
    approval = plan_approval(plan)
    if approval["approved"]:
        approval_text = _("Approved by %(name)s, %(position)s, on %(date)s") % {
            "name": approval["short_name"],
            "position": approval["position"],
            "date": f"{approval['date']:%d.%m.%Y}",
        }
    else:
        approval_text = _("Draft, not approved")
    department_names = []
    if plan.department_id:
        departments = {d.pk: d for d in Department.objects.filter(enterprise_id=plan.enterprise_id)}
        department_names = department_path(departments[plan.department_id], departments)
    return {
        "plan": plan,
        "enterprise": plan.enterprise,
        "department_path": department_names,
        "rows": plan_rows(plan),
        "approval": approval,
        "approval_text": approval_text,
        "completion": plan_completion(plan),
    }


def plan_current(enterprise) -> ActionPlan | None:
    """The enterprise's plan in force: its newest approved version."""
    return ActionPlan.objects.approved().filter(enterprise=enterprise).order_by("-version").first()


def plans_current(enterprise_ids: list[int]) -> dict[int, tuple[ActionPlan, dict]]:
    """The plan in force of each enterprise with its completion, as plan_current and
    plan_completion give them one by one: two queries, whatever the number of enterprises."""
    plans = {}
    approved = ActionPlan.objects.approved().filter(enterprise_id__in=enterprise_ids)
    for plan in approved.order_by("enterprise_id", "version"):
        plans[plan.enterprise_id] = plan  # the newest approved version comes last
    counts = {
        row["plan"]: row
        for row in ActionPlanMeasure.objects.filter(plan__in=list(plans.values()))
        .values("plan")
        .annotate(
            total=Count("pk", filter=~Q(measure__status=MeasureStatus.CANCELLED)),
            done=Count("pk", filter=Q(measure__status=MeasureStatus.DONE)),
        )
    }
    result = {}
    for enterprise_id, plan in plans.items():
        total = counts.get(plan.pk, {}).get("total", 0)
        done = counts.get(plan.pk, {}).get("done", 0)
        percent = round(100 * done / total) if total else 0
        result[enterprise_id] = (plan, {"total": total, "done": done, "percent": percent})
    return result
