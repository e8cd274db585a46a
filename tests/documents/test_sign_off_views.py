"""The pages of the commission and the sign-off: what each persona sees and may do, the forms'
refusals, and query counts that do not grow with the data."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from documents.models import AssessmentRound, Commission, RoundStatus
from hazards.services import version_token
from tests.factories import HazardFactory, UserFactory, WorkplaceFactory
from tests.submission import rendered_key, with_key

from .sign_off import commission_of, sent_round

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def members_data(*lines, prefix="members"):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(lines)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "30",
    }
    for index, line in enumerate(lines):
        for key, value in line.items():
            data[f"{prefix}-{index}-{key}"] = value
    return data


@pytest.fixture
def world(enterprise_a, officer_a, manager_a):
    workplace = WorkplaceFactory(department__enterprise=enterprise_a, number="101", position="Горнорабочий")
    HazardFactory(workplace=workplace)
    commission = commission_of(enterprise_a, chairman=manager_a, members=[officer_a])
    return {"workplace": workplace, "commission": commission}


# --- The commission -----------------------------------------------------------------------------


def test_officer_records_a_new_order_with_members(enterprise_a, officer_a, manager_a):
    client = client_for(officer_a)
    page = client.get(reverse("documents:commission_add", args=[enterprise_a.pk]))
    assert page.status_code == 200
    day = timezone.localdate().isoformat()
    data = {
        "submission": rendered_key(page),
        "order_number": "15-ОТ",
        "order_date": day,
        "valid_from": day,
        **members_data(
            {"role": "chairman", "user": str(manager_a.pk), "position": "Главный инженер"},
            {"role": "member", "user": str(officer_a.pk), "position": "Специалист по охране труда"},
            {
                "role": "member",
                "full_name": "Петров Пётр Петрович",
                "position": "Уполномоченный по охране труда",
            },
            {"role": "member"},  # an empty line: ignored
        ),
    }
    response = client.post(reverse("documents:commission_add", args=[enterprise_a.pk]), data)
    assert response.status_code == 302
    commission = Commission.objects.get()
    assert [(m.role, m.user_id, m.full_name) for m in commission.members.all()] == [
        ("chairman", manager_a.pk, str(manager_a)),
        ("member", officer_a.pk, str(officer_a)),
        ("member", None, "Петров Пётр Петрович"),
    ]
    # Posted twice (a double click): one order.
    assert client.post(reverse("documents:commission_add", args=[enterprise_a.pk]), data).status_code == 302
    assert Commission.objects.count() == 1
    listing = client.get(reverse("documents:commission_list", args=[enterprise_a.pk])).content.decode()
    assert "Петров Пётр Петрович" in listing and "Действует" in listing


def test_two_chairmen_are_refused_beside_the_members(enterprise_a, officer_a, manager_a):
    day = timezone.localdate().isoformat()
    data = with_key(
        order_number="1",
        order_date=day,
        valid_from=day,
        **members_data(
            {"role": "chairman", "user": str(manager_a.pk)},
            {"role": "chairman", "user": str(officer_a.pk)},
        ),
    )
    response = client_for(officer_a).post(reverse("documents:commission_add", args=[enterprise_a.pk]), data)
    assert response.status_code == 200
    assert "ровно один председатель" in response.content.decode()
    assert not Commission.objects.exists()


def test_a_user_of_another_enterprise_cannot_be_chosen(enterprise_a, officer_a, officer_b):
    day = timezone.localdate().isoformat()
    data = with_key(
        order_number="1",
        order_date=day,
        valid_from=day,
        **members_data({"role": "chairman", "user": str(officer_b.pk)}),
    )
    response = client_for(officer_a).post(reverse("documents:commission_add", args=[enterprise_a.pk]), data)
    assert response.status_code == 200
    assert not Commission.objects.exists()


def test_officer_changes_an_unused_order(world, enterprise_a, officer_a, manager_a):
    commission = world["commission"]
    client = client_for(officer_a)
    url = reverse("documents:commission_edit", args=[commission.pk])
    assert client.get(url).status_code == 200
    data = {
        "version": version_token(commission.updated_at),
        "order_number": "12-ОТ/1",
        "order_date": commission.order_date.isoformat(),
        "valid_from": commission.valid_from.isoformat(),
        **members_data({"role": "chairman", "user": str(officer_a.pk), "position": "Инженер по ОТ"}),
    }
    assert client.post(url, data).status_code == 302
    commission.refresh_from_db()
    assert commission.order_number == "12-ОТ/1"
    assert list(commission.members.values_list("user", flat=True)) == [officer_a.pk]
    # The same stale form again: refused, nothing changed.
    data["order_number"] = "13"
    response = client.post(url, data)
    assert response.status_code == 200
    commission.refresh_from_db()
    assert commission.order_number == "12-ОТ/1"


# --- The round ----------------------------------------------------------------------------------


def test_the_sign_off_through_the_pages(world, enterprise_a, officer_a, manager_a):
    officer = client_for(officer_a)
    page = officer.get(reverse("documents:round_add", args=[enterprise_a.pk]))
    assert "Оценка профессиональных рисков" in page.content.decode()
    response = officer.post(
        reverse("documents:round_add", args=[enterprise_a.pk]),
        {"submission": rendered_key(page), "title": "Оценка профессиональных рисков 2026", "scope": "all"},
    )
    assessment_round = AssessmentRound.objects.get()
    assert response["Location"] == reverse("documents:round", args=[assessment_round.pk])

    round_url = reverse("documents:round", args=[assessment_round.pk])
    assert 'id="round-send"' in officer.get(round_url).content.decode()
    officer.post(
        reverse("documents:round_send", args=[assessment_round.pk]),
        {"version": version_token(assessment_round.updated_at)},
    )
    assessment_round.refresh_from_db()
    assert assessment_round.status == RoundStatus.SIGNING

    # The officer is a member: the round waits in their list, they sign in the application.
    assert "Оценка профессиональных рисков 2026" in officer.get(reverse("documents:to_sign")).content.decode()
    sign = officer.get(reverse("documents:round_sign", args=[assessment_round.pk]))
    officer.post(
        reverse("documents:round_sign", args=[assessment_round.pk]),
        {"submission": rendered_key(sign), "decision": "confirmed", "comment": ""},
    )
    assert (
        "Оценка профессиональных рисков 2026"
        not in officer.get(reverse("documents:to_sign")).content.decode()
    )

    # The paper sheet of the member without an account.
    paper = officer.get(reverse("documents:round_paper", args=[assessment_round.pk]))
    member = assessment_round.commission.members.get(user__isnull=True)
    officer.post(
        reverse("documents:round_paper", args=[assessment_round.pk]),
        {
            "submission": rendered_key(paper),
            "member": str(member.pk),
            "decision": "confirmed",
            "signed_on": timezone.localdate().isoformat(),
        },
    )
    manager = client_for(manager_a)
    sign = manager.get(reverse("documents:round_sign", args=[assessment_round.pk]))
    manager.post(
        reverse("documents:round_sign", args=[assessment_round.pk]),
        {"submission": rendered_key(sign), "decision": "confirmed"},
    )
    assessment_round.refresh_from_db()
    assert assessment_round.status == RoundStatus.SIGNED
    assert (
        "Оценка профессиональных рисков 2026" in manager.get(reverse("documents:to_approve")).content.decode()
    )

    # The officer cannot approve; the manager does.
    version = {"version": version_token(assessment_round.updated_at)}
    assert (
        officer.post(reverse("documents:round_approve", args=[assessment_round.pk]), version).status_code
        == 403
    )
    manager.post(reverse("documents:round_approve", args=[assessment_round.pk]), version)
    assessment_round.refresh_from_db()
    assert assessment_round.status == RoundStatus.APPROVED
    page = officer.get(round_url).content.decode()
    assert (
        'id="round-send"' not in page
        and 'id="round-approve"' not in page
        and 'data-status="approved"' in page
    )


def test_an_objection_is_shown_on_the_round(world, enterprise_a, officer_a, manager_a):
    assessment_round = sent_round(enterprise_a, officer_a)
    manager = client_for(manager_a)
    response = manager.post(
        reverse("documents:round_sign", args=[assessment_round.pk]),
        with_key(decision="objected", comment=""),
    )
    assert response.status_code == 200 and "замечани" in response.content.decode().lower()
    manager.post(
        reverse("documents:round_sign", args=[assessment_round.pk]),
        with_key(decision="objected", comment="Не учтён шум на участке дробления"),
    )
    page = client_for(officer_a).get(reverse("documents:round", args=[assessment_round.pk])).content.decode()
    assert "Не учтён шум на участке дробления" in page and 'id="round-send"' in page


def test_reviewer_reads_the_round_without_actions(world, enterprise_a, officer_a, reviewer_region):
    assessment_round = sent_round(enterprise_a, officer_a)
    client = client_for(reviewer_region)
    page = client.get(reverse("documents:round", args=[assessment_round.pk])).content.decode()
    assert assessment_round.title in page
    assert 'id="round-paper"' not in page and 'id="round-sign"' not in page
    assert client.post(reverse("documents:round_send", args=[assessment_round.pk]), {}).status_code == 403


def test_other_enterprise_sees_nothing(world, enterprise_a, officer_a, officer_b):
    assessment_round = sent_round(enterprise_a, officer_a)
    client = client_for(officer_b)
    assert client.get(reverse("documents:round", args=[assessment_round.pk])).status_code == 404
    assert client.get(reverse("documents:commission_list", args=[enterprise_a.pk])).status_code == 404
    assert assessment_round.title not in client.get(reverse("documents:to_sign")).content.decode()


def test_a_changed_register_shows_on_the_approved_round(world, enterprise_a, officer_a):
    assessment_round = sent_round(enterprise_a, officer_a)
    url = reverse("documents:round", args=[assessment_round.pk])
    client = client_for(officer_a)
    assert "card-changed" not in client.get(url).content.decode()
    HazardFactory(workplace=world["workplace"])
    assert "card-changed" in client.get(url).content.decode()


# --- Query counts -------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _grow(enterprise, count):
    """``count`` pairs of analogous workplaces (one card each), each with a register row."""
    for _index in range(count):
        workplace = WorkplaceFactory(department__enterprise=enterprise)
        workplace.sout_card_number = f"S{workplace.number}"
        workplace.save()
        WorkplaceFactory(
            department=workplace.department,
            sout_card_number=workplace.sout_card_number,
            number=f"{workplace.number}А",
        )
        HazardFactory(workplace=workplace)


@pytest.mark.parametrize(
    "page_name",
    ["round", "round_list", "commission_list", "to_sign", "to_approve", "round_sign", "round_edit"],
)
def test_query_counts_do_not_grow_with_the_data(page_name, enterprise_a, officer_a, manager_a):
    commission_of(enterprise_a, chairman=officer_a, members=[manager_a])

    def url_for(assessment_round):
        if page_name in ("round_list", "commission_list"):
            return reverse(f"documents:{page_name}", args=[enterprise_a.pk])
        if page_name in ("to_sign", "to_approve"):
            return reverse(f"documents:{page_name}")
        return reverse(f"documents:{page_name}", args=[assessment_round.pk])

    _grow(enterprise_a, 1)
    first = sent_round(enterprise_a, officer_a)
    if page_name == "round_edit":
        first = AssessmentRound.objects.create(
            enterprise=enterprise_a, title="Черновик", commission=first.commission, created_by=officer_a
        )
    client = client_for(officer_a)
    small = _queries(client, url_for(first))

    _grow(enterprise_a, 6)
    commission_of(
        enterprise_a,
        chairman=manager_a,
        members=[officer_a, UserFactory(username="member_x", enterprise=enterprise_a)],
        number="13",
        valid_from=timezone.localdate() - datetime.timedelta(days=10),
    )
    for index in range(3):
        sent_round(enterprise_a, officer_a, title=f"Оценка {index}")
    big_round = sent_round(enterprise_a, officer_a)
    if page_name == "round_edit":
        big_round = AssessmentRound.objects.create(
            enterprise=enterprise_a, title="Черновик 2", commission=big_round.commission, created_by=officer_a
        )
        big_round.workplaces.set(enterprise_a.workplaces.all())
    big = _queries(client, url_for(big_round))
    assert big <= small, f"{page_name}: {small} queries with little data, {big} with more"


def test_the_admin_shows_the_commission_and_rounds_read_only(world, enterprise_a, officer_a, admin_user):
    assessment_round = sent_round(enterprise_a, officer_a)
    client = client_for(admin_user)
    for name, args in (
        ("admin:documents_commission_changelist", []),
        ("admin:documents_commission_change", [world["commission"].pk]),
        ("admin:documents_assessmentround_changelist", []),
        ("admin:documents_assessmentround_change", [assessment_round.pk]),
        ("admin:documents_assessmentround_history", [assessment_round.pk]),
        ("admin:documents_roundnotice_changelist", []),
    ):
        assert client.get(reverse(name, args=args)).status_code == 200, name
    assert client.get(reverse("admin:documents_commission_add")).status_code == 403
