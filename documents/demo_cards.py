"""The demo's risk assessment cards and action plan: the salt mine's cards issued (with the
approved assessment round that covers a workplace, if the demo has one) and a plan of the year
approved by its manager. Idempotent: what exists is left alone. The PDFs are not rendered here
(the demo loads in seconds): the card and plan pages queue each one the first time they are
opened, as they do for any document whose PDF is missing."""

import datetime

from enterprises.models import Enterprise, Role, User

from .cards import card_issue, card_leads, cards_current
from .models import ActionPlan, AssessmentRound, RoundStatus
from .plans import plan_approve, plan_create


def load_cards_demo(*, enterprise_inn: str, today: datetime.date) -> dict[str, int]:
    enterprise = Enterprise.objects.filter(inn=enterprise_inn).first()
    if enterprise is None:
        return {"cards": 0, "plans": 0}
    officer = User.objects.filter(enterprise=enterprise, role=Role.OFFICER).order_by("pk").first()
    manager = User.objects.filter(enterprise=enterprise, role=Role.MANAGER).order_by("pk").first()
    counts = {"cards": 0, "plans": 0}
    if officer is None:
        return counts
    rounds = list(
        AssessmentRound.objects.filter(enterprise=enterprise, status=RoundStatus.APPROVED)
        .order_by("-approved_at", "-pk")
        .prefetch_related("workplaces")
    )
    current = cards_current(enterprise)
    for lead in card_leads(enterprise):
        if lead.pk in current:
            continue
        covering = next((r for r in rounds if any(w.pk == lead.pk for w in r.workplaces.all())), None)
        card_issue(workplace=lead, user=officer, round=covering, render=False)
        counts["cards"] += 1
    if manager is not None and not ActionPlan.objects.filter(enterprise=enterprise).exists():
        plan = plan_create(
            enterprise=enterprise,
            user=officer,
            title=f"План мероприятий по снижению уровней профессиональных рисков на {today.year} год",
            period_start=datetime.date(today.year, 1, 1),
            period_end=datetime.date(today.year, 12, 31),
        )
        if plan.lines.exists():
            plan_approve(plan=plan, user=manager, position=manager.position, render=False)
        counts["plans"] += 1
    return counts
