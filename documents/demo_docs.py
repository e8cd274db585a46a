"""The salt mine's commission and its signed, approved assessment round, for the demo
(`manage.py seed_demo` calls ``load`` once the registers are in)."""

import datetime

from django.utils import timezone

from enterprises.models import Enterprise, Role, User
from hazards.services import version_token

from .commission import MemberData, commission_create
from .models import AssessmentRound, CommissionRole, RoundNotice, RoundScope
from .rounds import round_approve, round_create, round_record_paper, round_send, round_sign

ORDER_NUMBER = "14-ОТ"
ROUND_TITLE = "Оценка профессиональных рисков {year}"
# Members without an account: their signatures are recorded by the officer from the paper sheet.
HEAD_OF_MINE = ("Сафонов Виктор Петрович", "Начальник подземного рудника")
REPRESENTATIVE = ("Григорьева Анна Сергеевна", "Уполномоченный по охране труда (представитель работников)")


def load(*, enterprise: Enterprise, today: datetime.date | None = None) -> AssessmentRound | None:
    """The commission (chairman: the chief engineer, who is the demo manager; the safety officer;
    the head of the mine and the workers' representative without an account) and a round covering
    every workplace, sent, signed in the application and on paper, and approved. Does nothing if
    the enterprise already has a commission."""
    today = today or timezone.localdate()
    if enterprise.commissions.exists():
        return None
    officer = User.objects.filter(enterprise=enterprise, role=Role.OFFICER).order_by("pk").first()
    manager = User.objects.filter(enterprise=enterprise, role=Role.MANAGER).order_by("pk").first()
    if officer is None or manager is None:
        return None
    order_date = today - datetime.timedelta(days=75)
    commission = commission_create(
        enterprise=enterprise,
        order_number=ORDER_NUMBER,
        order_date=order_date,
        valid_from=order_date,
        members=[
            MemberData(role=CommissionRole.CHAIRMAN, user=manager),
            MemberData(role=CommissionRole.MEMBER, user=officer),
            MemberData(role=CommissionRole.MEMBER, full_name=HEAD_OF_MINE[0], position=HEAD_OF_MINE[1]),
            MemberData(role=CommissionRole.MEMBER, full_name=REPRESENTATIVE[0], position=REPRESENTATIVE[1]),
        ],
    )
    assessment_round = round_create(
        enterprise=enterprise, title=ROUND_TITLE.format(year=today.year), scope=RoundScope.ALL, user=officer
    )
    assessment_round = round_send(
        assessment_round=assessment_round, user=officer, version=version_token(assessment_round.updated_at)
    )
    for user in (officer, manager):
        round_sign(assessment_round=assessment_round, user=user, decision="confirmed")
    for member in commission.members.filter(user__isnull=True):
        round_record_paper(
            assessment_round=assessment_round,
            member=member,
            decision="confirmed",
            signed_on=today,
            user=officer,
        )
    assessment_round.refresh_from_db()
    assessment_round = round_approve(
        assessment_round=assessment_round, user=manager, version=version_token(assessment_round.updated_at)
    )
    # The demo mails nobody: its notices count as sent (the task queued on commit then skips them).
    RoundNotice.objects.filter(round=assessment_round).update(sent_at=timezone.now())
    return assessment_round
