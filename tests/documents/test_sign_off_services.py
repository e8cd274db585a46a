"""The commission's orders and the sign-off of a round: states, who signs, paper signatures,
approval only when all have confirmed, the approved round fixed, the history kept."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from documents import rounds
from documents.cards import card_is_stale, register_fingerprint
from documents.commission import MemberData, commission_create, commission_in_force, commission_update
from documents.models import (
    AssessmentRound,
    CommissionRole,
    NoticeKind,
    RiskCard,
    RoundNotice,
    RoundSignature,
    RoundStatus,
)
from hazards.services import version_token
from tests.factories import ControlMeasureFactory, HazardFactory, UserFactory, WorkplaceFactory

from .sign_off import commission_of, paper_member, sent_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks, settings):
    """Runs what waits for the commit (the notices' task, run in the test) at the block's end."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def setup(enterprise_a, officer_a, manager_a):
    officer_a.email = "officer@example.org"
    officer_a.save()
    manager_a.email = "manager@example.org"
    manager_a.save()
    workplace = WorkplaceFactory(department__enterprise=enterprise_a)
    HazardFactory(workplace=workplace)
    commission = commission_of(enterprise_a, chairman=manager_a, members=[officer_a])
    return {"workplace": workplace, "commission": commission}


def _fresh(assessment_round):
    assessment_round.refresh_from_db()
    return assessment_round


def _version(assessment_round):
    return version_token(_fresh(assessment_round).updated_at)


def _paper(assessment_round, officer, decision="confirmed", comment=""):
    member = assessment_round.commission.members.get(user__isnull=True)
    return rounds.round_record_paper(
        assessment_round=assessment_round,
        member=member,
        decision=decision,
        comment=comment,
        signed_on=timezone.localdate(),
        user=officer,
    )


# --- The commission ----------------------------------------------------------------------------


def test_a_new_order_replaces_the_old_one_from_its_date_and_the_old_stays(enterprise_a, manager_a, officer_a):
    today = timezone.localdate()
    old = commission_of(
        enterprise_a, chairman=manager_a, number="1", valid_from=today - datetime.timedelta(days=400)
    )
    new = commission_of(
        enterprise_a, chairman=officer_a, number="2", valid_from=today - datetime.timedelta(days=3)
    )
    commission_of(
        enterprise_a,
        chairman=officer_a,
        number="3",
        order_date=today,
        valid_from=today + datetime.timedelta(days=10),
    )

    assert commission_in_force(enterprise_a) == new
    assert commission_in_force(enterprise_a, today - datetime.timedelta(days=30)) == old
    assert old.members.count() == 2  # history kept


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([], "Name the chairman"),
        ([paper_member()], "exactly one chairman"),
        (
            [
                MemberData(role=CommissionRole.CHAIRMAN, full_name="А Б В", position="Директор"),
                MemberData(role=CommissionRole.CHAIRMAN, full_name="Г Д Е", position="Главный инженер"),
            ],
            "exactly one chairman",
        ),
        ([MemberData(role=CommissionRole.CHAIRMAN, position="Директор")], "surname, name and patronymic"),
        ([MemberData(role=CommissionRole.CHAIRMAN, full_name="А Б В")], "position"),
    ],
)
def test_members_are_checked(enterprise_a, lines, message, russian_by_default):
    from django.utils import translation

    day = timezone.localdate()
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        commission_create(
            enterprise=enterprise_a, order_number="1", order_date=day, valid_from=day, members=lines
        )
    assert message in " ".join(caught.value.messages)
    assert not enterprise_a.commissions.exists()


def test_a_user_sits_once_and_only_on_their_own_enterprise(enterprise_a, officer_a, officer_b):
    day = timezone.localdate()
    twice = [
        MemberData(role=CommissionRole.CHAIRMAN, user=officer_a),
        MemberData(role=CommissionRole.MEMBER, user=officer_a),
    ]
    stranger = [MemberData(role=CommissionRole.CHAIRMAN, user=officer_b, position="Инженер")]
    for lines in (twice, stranger):
        with pytest.raises(ValidationError):
            commission_create(
                enterprise=enterprise_a, order_number="1", order_date=day, valid_from=day, members=lines
            )
    assert not enterprise_a.commissions.exists()


def test_a_member_with_an_account_takes_name_and_position_from_it(enterprise_a, officer_a):
    officer_a.first_name, officer_a.last_name, officer_a.position = "Ольга", "Кузнецова", "Специалист по ОТ"
    officer_a.save()
    day = timezone.localdate()
    commission = commission_create(
        enterprise=enterprise_a,
        order_number="7",
        order_date=day,
        valid_from=day,
        members=[MemberData(role=CommissionRole.CHAIRMAN, user=officer_a)],
    )
    member = commission.members.get()
    assert (member.full_name, member.position, member.short_name) == (
        "Ольга Кузнецова",
        "Специалист по ОТ",
        "Ольга К.",
    )


def test_an_order_used_for_a_sign_off_cannot_be_changed(setup, enterprise_a, officer_a, manager_a):
    commission = setup["commission"]
    sent_round(enterprise_a, officer_a)
    commission.refresh_from_db()
    with pytest.raises(ValidationError, match=r"new order|новый приказ"):
        commission_update(
            commission=commission,
            order_number="99",
            order_date=commission.order_date,
            valid_from=commission.valid_from,
            members=[MemberData(role=CommissionRole.CHAIRMAN, user=manager_a)],
            version=version_token(commission.updated_at),
        )
    assert commission.members.count() == 3


def test_a_stale_commission_form_is_refused(setup, manager_a):
    commission = setup["commission"]
    with pytest.raises(ValidationError, match=r"Someone else|Кто-то"):
        commission_update(
            commission=commission,
            order_number="99",
            order_date=commission.order_date,
            valid_from=commission.valid_from,
            members=[MemberData(role=CommissionRole.CHAIRMAN, user=manager_a)],
            version="1",
        )


# --- The round ----------------------------------------------------------------------------------


def test_a_round_needs_a_commission_in_force(enterprise_a, officer_a):
    WorkplaceFactory(department__enterprise=enterprise_a)
    with pytest.raises(ValidationError):
        rounds.round_create(enterprise=enterprise_a, title="Оценка", scope="all", user=officer_a)
    assert not AssessmentRound.objects.exists()


def test_a_round_covers_all_a_unit_with_its_sub_units_or_chosen_workplaces(setup, enterprise_a, officer_a):
    from tests.factories import DepartmentFactory

    shop = setup["workplace"].department
    section = DepartmentFactory(enterprise=enterprise_a, parent=shop)
    inside = WorkplaceFactory(department=section)
    outside = WorkplaceFactory(department__enterprise=enterprise_a)
    WorkplaceFactory()  # another enterprise's

    def covered(**kwargs):
        r = rounds.round_create(enterprise=enterprise_a, title="Оценка", user=officer_a, **kwargs)
        return set(r.workplaces.all())

    assert covered(scope="all") == {setup["workplace"], inside, outside}
    assert covered(scope="unit", department=shop) == {setup["workplace"], inside}
    assert covered(scope="picked", workplaces=[outside]) == {outside}


def test_sending_issues_one_card_per_group_and_asks_the_members(setup, enterprise_a, officer_a, committed):
    lead = WorkplaceFactory(department__enterprise=enterprise_a, sout_card_number="17", number="17")
    WorkplaceFactory(department=lead.department, sout_card_number="17", number="17А")
    mail.outbox.clear()

    with committed():
        assessment_round = sent_round(enterprise_a, officer_a)

    assert assessment_round.status == RoundStatus.SIGNING
    cards = RiskCard.objects.filter(round=assessment_round)
    assert sorted(c.workplace_id for c in cards) == sorted([setup["workplace"].pk, lead.pk])
    assert {m.to[0] for m in mail.outbox} == {"officer@example.org", "manager@example.org"}
    assert all(assessment_round.title in m.subject for m in mail.outbox)
    assert set(rounds.rounds_to_sign(officer_a)) == {assessment_round}


def test_notices_are_sent_once(setup, enterprise_a, officer_a, committed):
    with committed():
        assessment_round = sent_round(enterprise_a, officer_a)
    ids = list(RoundNotice.objects.filter(round=assessment_round).values_list("pk", flat=True))
    mail.outbox.clear()
    assert rounds.notices_send(notice_ids=ids) == 0
    assert mail.outbox == []


def test_only_members_sign_and_only_once(setup, enterprise_a, officer_a, officer_b):
    assessment_round = sent_round(enterprise_a, officer_a)
    stranger = UserFactory(username="stranger", enterprise=enterprise_a)
    with pytest.raises(ValidationError):
        rounds.round_sign(assessment_round=assessment_round, user=stranger, decision="confirmed")
    rounds.round_sign(assessment_round=assessment_round, user=officer_a, decision="confirmed")
    with pytest.raises(ValidationError):
        rounds.round_sign(assessment_round=assessment_round, user=officer_a, decision="confirmed")
    assert assessment_round.signatures.count() == 1
    assert not rounds.rounds_to_sign(officer_a).exists()


def test_a_draft_round_is_not_signed(setup, enterprise_a, officer_a):
    assessment_round = rounds.round_create(
        enterprise=enterprise_a, title="Оценка", scope="all", user=officer_a
    )
    with pytest.raises(ValidationError):
        rounds.round_sign(assessment_round=assessment_round, user=officer_a, decision="confirmed")


def test_paper_signatures_are_for_members_without_an_account(setup, enterprise_a, officer_a):
    assessment_round = sent_round(enterprise_a, officer_a)
    with_account = assessment_round.commission.members.get(user=officer_a)
    with pytest.raises(ValidationError):
        rounds.round_record_paper(
            assessment_round=assessment_round,
            member=with_account,
            decision="confirmed",
            signed_on=timezone.localdate(),
            user=officer_a,
        )
    member = assessment_round.commission.members.get(user__isnull=True)
    for day in (
        timezone.localdate() + datetime.timedelta(days=1),
        timezone.localdate() - datetime.timedelta(days=5),
    ):
        with pytest.raises(ValidationError):
            rounds.round_record_paper(
                assessment_round=assessment_round,
                member=member,
                decision="confirmed",
                signed_on=day,
                user=officer_a,
            )
    signature = _paper(assessment_round, officer_a)
    assert (signature.on_paper, signature.recorded_by) == (True, officer_a)


def test_an_objection_needs_a_comment_and_sends_the_round_back(
    setup, enterprise_a, officer_a, manager_a, committed
):
    assessment_round = sent_round(enterprise_a, officer_a)
    with pytest.raises(ValidationError):
        rounds.round_sign(
            assessment_round=assessment_round, user=manager_a, decision="objected", comment="  "
        )
    mail.outbox.clear()
    with committed():
        rounds.round_sign(
            assessment_round=assessment_round, user=manager_a, decision="objected", comment="Нет шума"
        )

    assessment_round = _fresh(assessment_round)
    assert assessment_round.status == RoundStatus.DRAFT
    assert assessment_round.return_comment == "Нет шума"
    assert assessment_round.returned_by.user == manager_a
    assert [m.to for m in mail.outbox] == [["officer@example.org"]]  # the round's author

    # Sent again: a new cycle, new card versions, everyone asked again; the objection in the history.
    first_cards = set(RiskCard.objects.filter(round=assessment_round).values_list("pk", flat=True))
    rounds.round_send(assessment_round=assessment_round, user=officer_a, version=_version(assessment_round))
    assessment_round = _fresh(assessment_round)
    assert (assessment_round.status, assessment_round.signing_cycle) == (RoundStatus.SIGNING, 2)
    assert not assessment_round.signatures.exists()
    assert set(RiskCard.objects.filter(round=assessment_round).values_list("pk", flat=True)) > first_cards
    assert RoundSignature.history.filter(round_id=assessment_round.pk, decision="objected").exists()
    assert RoundNotice.objects.filter(round=assessment_round, kind=NoticeKind.SIGN, cycle=2).count() == 2


def test_approval_only_when_all_have_confirmed_then_the_round_is_fixed(
    setup, enterprise_a, officer_a, manager_a, committed
):
    assessment_round = sent_round(enterprise_a, officer_a)
    with pytest.raises(ValidationError):
        rounds.round_approve(
            assessment_round=assessment_round, user=manager_a, version=_version(assessment_round)
        )

    rounds.round_sign(assessment_round=assessment_round, user=officer_a, decision="confirmed")
    rounds.round_sign(assessment_round=assessment_round, user=manager_a, decision="confirmed")
    assert _fresh(assessment_round).status == RoundStatus.SIGNING  # the paper member is missing
    mail.outbox.clear()
    with committed():
        _paper(assessment_round, officer_a)
    assessment_round = _fresh(assessment_round)
    assert assessment_round.status == RoundStatus.SIGNED
    assert [m.to for m in mail.outbox] == [["manager@example.org"]]
    assert list(rounds.rounds_to_approve(manager_a)) == [assessment_round]

    with pytest.raises(ValidationError):  # a safety officer does not approve
        rounds.round_approve(
            assessment_round=assessment_round, user=officer_a, version=_version(assessment_round)
        )
    with pytest.raises(ValidationError):  # a stale page
        rounds.round_approve(assessment_round=assessment_round, user=manager_a, version="1")
    rounds.round_approve(
        assessment_round=assessment_round, user=manager_a, version=_version(assessment_round)
    )
    assessment_round = _fresh(assessment_round)
    assert (assessment_round.status, assessment_round.approved_by) == (RoundStatus.APPROVED, manager_a)

    # Fixed: no edits, no sending, no signatures, no second approval.
    version = _version(assessment_round)
    for attempt in (
        lambda: rounds.round_update(
            assessment_round=assessment_round, title="X", scope="all", version=version
        ),
        lambda: rounds.round_send(assessment_round=assessment_round, user=officer_a, version=version),
        lambda: rounds.round_approve(assessment_round=assessment_round, user=manager_a, version=version),
    ):
        with pytest.raises(ValidationError, match=r"approved|утвержд"):
            attempt()
    assert _fresh(assessment_round).title == "Оценка профессиональных рисков 2026"


def test_a_change_of_the_register_after_approval_shows_on_the_round(
    setup, enterprise_a, officer_a, manager_a
):
    assessment_round = sent_round(enterprise_a, officer_a)
    for user in (officer_a, manager_a):
        rounds.round_sign(assessment_round=assessment_round, user=user, decision="confirmed")
    _paper(assessment_round, officer_a)
    rounds.round_approve(
        assessment_round=assessment_round, user=manager_a, version=_version(assessment_round)
    )
    assert [item["changed"] for item in rounds.round_cards(assessment_round)] == [False]

    # The register stays editable; the card shows it changed.
    ControlMeasureFactory(hazard=setup["workplace"].hazards.get())
    (item,) = rounds.round_cards(assessment_round)
    assert item["changed"] and card_is_stale(item["card"])


def test_bulk_fingerprints_agree_with_the_card_fingerprint(enterprise_a):
    lead = WorkplaceFactory(department__enterprise=enterprise_a, sout_card_number="5")
    analogue = WorkplaceFactory(department=lead.department, sout_card_number="5", number="5А")
    alone = WorkplaceFactory(department=lead.department)
    for workplace in (lead, analogue, alone):
        hazard = HazardFactory(workplace=workplace)
        ControlMeasureFactory(hazard=hazard)
        ControlMeasureFactory(hazard=hazard, description="Второе")
    groups = {"a": [lead.pk, analogue.pk], "b": [alone.pk], "c": [analogue.pk]}
    assert rounds.fingerprints(groups) == {
        "a": register_fingerprint([lead, analogue]),
        "b": register_fingerprint([alone]),
        "c": register_fingerprint([analogue]),
    }
