"""`manage.py seed_demo`: what the demo holds, who can log in, and that a second run changes
nothing. Seeding takes seconds, so the module loads it once inside a transaction that is rolled
back at the end; every test still runs in its own nested transaction (the `db` fixture)."""

import datetime
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Max, Min
from django.test import RequestFactory, override_settings
from django.utils import timezone

from assessments.demo import DEMO_USERS
from assessments.models import ControlMeasure, Incident, IncidentKind, MeasureStatus, RiskAssessment
from enterprises.models import Enterprise, Region, Role, User
from enterprises.validators import inn_is_valid, ogrn_is_valid
from hazards.models import Hazard

REGISTER_APPS = ("enterprises", "hazards", "assessments")
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Login throttling (django-axes) checks every authentication against the request it came with.
LOGIN = RequestFactory().post("/accounts/login/")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo loaded once for the module: what `seed_demo` printed and the users that existed
    just before it ran (i.e. after the migrations alone)."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHER),
        transaction.atomic(),
    ):
        users_before = User.objects.count()
        out = StringIO()
        call_command("seed_demo", stdout=out)
        yield {"users_before": users_before, "output": out.getvalue()}
        transaction.set_rollback(True)


def _sol_iletsk():
    return Enterprise.objects.get(okved="08.93", address__contains="Соль-Илецк")


def _snapshot():
    """Rows and latest change of every model (history and m2m tables included) of the register
    apps, and the users with their password hashes."""
    state = {}
    for app in REGISTER_APPS:
        for model in apps.get_app_config(app).get_models(include_auto_created=True):
            rows = model._base_manager.all()
            fields = {f.name for f in model._meta.concrete_fields}
            latest = [name for name in ("updated_at", "history_date") if name in fields]
            state[model._meta.label] = (
                rows.count(),
                rows.aggregate(**{name: Max(name) for name in latest}) if latest else None,
            )
    state["users"] = sorted(User.objects.values_list("username", "password", "last_login"))
    return state


def test_migrations_create_no_users(demo, db):
    # Demo accounts have published passwords: only seed_demo may create them.
    assert demo["users_before"] == 0


def test_second_run_changes_nothing(demo, db):
    before = _snapshot()
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert _snapshot() == before
    assert "already loaded" in out.getvalue()
    assert "officer-demo-2026" in out.getvalue()


def test_command_prints_counts_and_logins(demo, db):
    output = demo["output"]
    assert "Demo data loaded" in output
    for label in ("regions", "enterprises", "workplaces", "register rows", "assessments", "incidents"):
        assert label in output
    for user in DEMO_USERS:
        assert f"{user.username} " in output and user.password in output


def test_five_pilot_regions(demo, db):
    assert sorted(Region.objects.values_list("code", flat=True)) == ["02", "30", "42", "47", "56"]
    assert Region.objects.get(code="42").federal_district == "siberian"


def test_thirteen_orenburg_pilot_enterprises_with_the_sol_iletsk_salt_mine(demo, db):
    orenburg = Enterprise.objects.filter(region__code="56")
    assert orenburg.count() == 13
    assert _sol_iletsk().region.code == "56"
    for region in ("02", "30", "42", "47"):
        assert 2 <= Enterprise.objects.filter(region__code=region).count() <= 3
    for enterprise in Enterprise.objects.all():
        assert inn_is_valid(enterprise.inn) and enterprise.inn[:2] == enterprise.region.code
        assert ogrn_is_valid(enterprise.ogrn)
        assert enterprise.risk_method is not None
        assert enterprise.joined_pilot_on.year == 2025


def test_salt_mine_is_the_richest_register(demo, db):
    sol_iletsk = _sol_iletsk()
    workplaces = sol_iletsk.workplaces.all()
    assert 30 <= workplaces.count() <= 50
    assert workplaces.filter(number__endswith="А").exists()  # analogous workplaces
    assert sol_iletsk.departments.filter(parent__parent__isnull=False).exists()  # shop → section → team
    events = set(Hazard.objects.filter(enterprise=sol_iletsk).values_list("event__code", flat=True))
    assert {"5.2", "11.3", "12.1", "20.1", "8.1"} <= events
    assert sol_iletsk.headcount_periods.count() == 24


def test_demo_users_have_their_roles_and_scope(demo, db):
    sol_iletsk = _sol_iletsk()
    users = {u.username: u for u in User.objects.filter(username__in=[d.username for d in DEMO_USERS])}
    assert (users["officer"].role, users["officer"].enterprise) == (Role.OFFICER, sol_iletsk)
    assert (users["manager"].role, users["manager"].enterprise) == (Role.MANAGER, sol_iletsk)
    assert (users["reviewer"].role, users["reviewer"].region.code) == (Role.REGIONAL_REVIEWER, "56")
    assert users["federal"].role == Role.FEDERAL_REVIEWER
    assert users["admin"].role == Role.ADMIN and users["admin"].is_staff and users["admin"].is_superuser
    assert all(u.first_name and u.last_name and u.position for u in users.values())


def test_demo_users_log_in_with_the_documented_passwords(demo, db):
    assert authenticate(LOGIN, username="officer", password="officer-demo-2026") == User.objects.get(
        username="officer"
    )
    for data in DEMO_USERS:
        assert authenticate(LOGIN, username=data.username, password=data.password) is not None
        validate_password(data.password, User.objects.get(username=data.username))


def test_other_enterprises_people_cannot_log_in(demo, db):
    signers = User.objects.exclude(username__in=[d.username for d in DEMO_USERS])
    assert signers.exists()
    assert not any(user.has_usable_password() for user in signers)


def test_measures_in_every_status_including_overdue(demo, db):
    statuses = set(ControlMeasure.objects.values_list("status", flat=True))
    assert {MeasureStatus.PLANNED, MeasureStatus.IN_PROGRESS, MeasureStatus.DONE} <= statuses
    overdue = ControlMeasure.objects.overdue()
    assert overdue.filter(status=MeasureStatus.PLANNED).exists()
    assert overdue.filter(status=MeasureStatus.IN_PROGRESS).exists()
    assert ControlMeasure.objects.filter(hazard__enterprise=_sol_iletsk()).overdue().exists()
    assert not ControlMeasure.objects.filter(
        status=MeasureStatus.DONE, done_on__gt=timezone.localdate()
    ).exists()


def test_a_reassessment_lowered_the_risk(demo, db):
    lowered = 0
    for assessment in RiskAssessment.objects.filter(reason="after_measures").select_related("hazard")[:50]:
        previous = (
            RiskAssessment.objects.filter(hazard=assessment.hazard, assessed_on__lt=assessment.assessed_on)
            .order_by("-assessed_on", "-id")
            .first()
        )
        lowered += previous is not None and assessment.score < previous.score
    assert lowered > 0


def test_incidents_of_several_kinds(demo, db):
    kinds = set(Incident.objects.values_list("kind", flat=True))
    assert kinds == set(IncidentKind.values)
    assert Incident.objects.filter(hazards__isnull=False).count() == Incident.objects.count()
    assert not Incident.objects.filter(occurred_at__gt=timezone.now()).exists()
    severe = Incident.objects.filter(victims__outcome__in=["severe", "fatal"]).distinct()
    per_region = list(severe.values_list("enterprise__region__code", flat=True))
    assert len(per_region) == len(set(per_region))  # one severe accident at most per region
    # Victims only on accidents, each accident with at least one.
    assert not Incident.objects.exclude(kind=IncidentKind.ACCIDENT).filter(victims__isnull=False).exists()
    assert not Incident.objects.filter(kind=IncidentKind.ACCIDENT, victims__isnull=True).exists()


def test_the_salt_mine_had_a_group_accident_last_month(demo, db):
    last_month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    group = [
        incident
        for incident in Incident.objects.with_victims().filter(
            enterprise=_sol_iletsk(), kind=IncidentKind.ACCIDENT
        )
        if incident.is_group
    ]
    assert len(group) == 1
    accident = group[0]
    assert timezone.localtime(accident.occurred_at).date().replace(day=1) == last_month
    assert sorted(v.outcome for v in accident.victims.all()) == ["fatal", "severe", "severe"]
    assert accident.worst_outcome == "fatal" and accident.days_lost > 0


def test_every_rows_level_is_its_current_assessments_level(demo, db):
    current = dict(RiskAssessment.objects.current().values_list("hazard_id", "level"))
    rows = dict(Hazard.objects.values_list("id", "risk_level"))
    assert rows == current


def test_assessments_span_more_than_a_year_and_none_in_the_future(demo, db):
    dates = RiskAssessment.objects.aggregate(first=Min("assessed_on"), last=Max("assessed_on"))
    assert dates["last"] <= timezone.localdate()
    assert dates["last"] - dates["first"] > datetime.timedelta(days=365)
    assert RiskAssessment.objects.filter(status="approved").exists()
    assert RiskAssessment.objects.filter(status="draft").exists()


def test_command_refuses_a_production_database(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="allow-production"):
        call_command("seed_demo", stdout=StringIO())


@pytest.mark.parametrize("months_back", [1, 0])
def test_the_demo_reports_do_not_contradict_themselves(demo, db, tmp_path, monkeypatch, months_back):
    """The salt mine's progress report of last month (ended) and of this month (still running):
    every figure shown twice is the same both times."""
    from django.core.files.storage import FileSystemStorage

    from dashboards import rollups
    from reports import pdf
    from reports.models import Report, ReportType
    from tests.reports.test_report_consistency import enterprise_report_figures, rendered_text

    monkeypatch.setattr(Report._meta.get_field("file"), "storage", FileSystemStorage(location=tmp_path))
    rollups.refresh()
    month = rollups.add_months(rollups.first_of_month(timezone.localdate()), -months_back)
    text = rendered_text(ReportType.ENTERPRISE, _sol_iletsk(), pdf.period_of(month))
    figures = enterprise_report_figures(text)
    assert figures["rated"] > 100  # the demo register, not an empty one
    assert ("Период не завершён" in text) == (months_back == 0)


def test_the_salt_mine_has_a_commission_and_an_approved_round_with_its_cards(demo, db):
    from documents.models import RiskCard, RoundStatus
    from documents.rounds import commission_in_force, round_cards

    mine = _sol_iletsk()
    commission = commission_in_force(mine)
    members = list(commission.members.select_related("user"))
    chairman = next(m for m in members if m.role == "chairman")
    assert (chairman.user.username, chairman.position) == ("manager", "Главный инженер")
    assert any(m.user and m.user.username == "officer" for m in members)
    assert any(m.user is None and "Уполномоченный" in m.position for m in members)

    (assessment_round,) = mine.assessment_rounds.all()
    assert assessment_round.title.startswith("Оценка профессиональных рисков")
    assert assessment_round.status == RoundStatus.APPROVED
    assert assessment_round.signatures.filter(decision="confirmed").count() == len(members)
    assert assessment_round.signatures.filter(on_paper=True).count() == 2
    assert RiskCard.objects.filter(round=assessment_round).count() == len(round_cards(assessment_round)) > 0
    assert assessment_round.notices.filter(sent_at__isnull=True).count() == 0  # the demo mails nobody


def test_the_salt_mine_has_issued_cards_and_an_approved_action_plan(demo, db):
    from documents.cards import card_leads
    from documents.models import PlanStatus, RiskCard
    from documents.plans import plan_completion, plan_current

    mine = _sol_iletsk()
    leads = card_leads(mine)
    assert leads and RiskCard.objects.current().filter(enterprise=mine).count() == len(leads)
    plan = plan_current(mine)
    assert plan is not None and plan.status == PlanStatus.APPROVED
    assert plan_completion(plan)["total"] > 0
