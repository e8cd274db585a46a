"""Builders for the tests of the commission and its sign-off."""

import datetime

from django.utils import timezone

from documents.commission import MemberData, commission_create
from documents.models import CommissionRole
from documents.rounds import round_create, round_send
from hazards.services import version_token


def paper_member(full_name="Петров Пётр Петрович", position="Уполномоченный по охране труда"):
    return MemberData(role=CommissionRole.MEMBER, full_name=full_name, position=position)


def commission_of(
    enterprise, *, chairman, members=(), paper=True, number="12-ОТ", valid_from=None, order_date=None
):
    """An order in force on ``enterprise``: ``chairman`` (a user), the users ``members`` and, with
    ``paper``, a workers' representative without an account."""
    day = valid_from or timezone.localdate() - datetime.timedelta(days=30)
    lines = [MemberData(role=CommissionRole.CHAIRMAN, user=chairman, position="Главный инженер")]
    lines += [
        MemberData(role=CommissionRole.MEMBER, user=user, position="Специалист по охране труда")
        for user in members
    ]
    if paper:
        lines.append(paper_member())
    return commission_create(
        enterprise=enterprise,
        order_number=number,
        order_date=order_date or min(day, timezone.localdate()),
        valid_from=day,
        members=lines,
    )


def sent_round(enterprise, officer, *, title="Оценка профессиональных рисков 2026"):
    assessment_round = round_create(enterprise=enterprise, title=title, scope="all", user=officer)
    return round_send(
        assessment_round=assessment_round, user=officer, version=version_token(assessment_round.updated_at)
    )
