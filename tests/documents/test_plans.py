"""The action plan: which measures it lists, the employer's approval, the completion marks and
the plan as PDF and .xlsx."""

import datetime
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from assessments.models import MeasureStatus
from assessments.services import measure_complete_with_evidence
from documents.models import ActionPlan, PlanStatus
from documents.plans import plan_approve, plan_completion, plan_create, plan_current, plan_rows
from documents.rendering import plan_columns, plan_pdf, plan_xlsx
from hazards.services import version_token
from tests.factories import ControlMeasureFactory, DepartmentFactory, HazardFactory, WorkplaceFactory
from tests.security.conftest import png_bytes
from tests.submission import with_key

pytestmark = pytest.mark.django_db

YEAR_START, YEAR_END = datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)


def flat(text: str) -> str:
    return " ".join(re.sub("\u2010\\s*", "", text).split())


@pytest.fixture
def measures(card_world):
    hazard = card_world.hazard
    return {
        "due": card_world.measure,
        "periodic": ControlMeasureFactory(
            hazard=hazard, description="Проверка тросового выключателя", due_date=None, periodicity="monthly"
        ),
        "later": ControlMeasureFactory(
            hazard=hazard, description="Замена конвейера", due_date=datetime.date(2027, 6, 1)
        ),
        "cancelled": ControlMeasureFactory(
            hazard=hazard, description="Отменённое", status=MeasureStatus.CANCELLED
        ),
    }


def new_plan(enterprise, user, **kwargs):
    return plan_create(
        enterprise=enterprise,
        user=user,
        title="План мероприятий на 2026 год",
        period_start=YEAR_START,
        period_end=kwargs.pop("period_end", YEAR_END),
        **kwargs,
    )


def test_plan_lists_the_planned_and_running_measures_due_in_the_period(card_world, measures, officer_a):
    plan = new_plan(card_world.workplace.enterprise, officer_a, period_end=datetime.date(2030, 1, 1))
    listed = [line.measure for line in plan.lines.all()]
    assert measures["due"] in listed and measures["periodic"] in listed and measures["later"] in listed
    assert measures["cancelled"] not in listed

    short = new_plan(card_world.workplace.enterprise, officer_a, period_end=datetime.date(2026, 12, 31))
    assert short.version == plan.version + 1
    assert measures["later"] not in [line.measure for line in short.lines.all()]


def test_plan_of_a_unit_leaves_other_units_out(card_world, measures, officer_a):
    enterprise = card_world.workplace.enterprise
    other = HazardFactory(
        workplace=WorkplaceFactory(department=DepartmentFactory(enterprise=enterprise), number="40")
    )
    elsewhere = ControlMeasureFactory(hazard=other)
    plan = new_plan(
        enterprise,
        officer_a,
        period_end=datetime.date(2030, 1, 1),
        department=card_world.workplace.department,
    )
    listed = [line.measure for line in plan.lines.all()]
    assert measures["due"] in listed and elsewhere not in listed


def test_only_a_manager_approves_and_the_approved_plan_is_kept_as_pdf(
    card_world, measures, officer_a, manager_a, django_capture_on_commit_callbacks
):
    plan = new_plan(card_world.workplace.enterprise, officer_a, period_end=datetime.date(2030, 1, 1))
    with pytest.raises(ValidationError):
        plan_approve(plan=plan, user=officer_a, position="Специалист")
    manager_a.first_name, manager_a.last_name = "Андрей Петрович", "Мельников"
    manager_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        plan_approve(plan=plan, user=manager_a, position="Директор")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED and plan.file
    assert plan_current(plan.enterprise) == plan
    with pytest.raises(ValidationError):
        plan_approve(plan=plan, user=manager_a, position="Директор")

    text = flat(" ".join(page.extract_text() for page in PdfReader(plan.file.open("rb")).pages))
    assert "УТВЕРЖДАЮ Директор" in text
    assert "Мельников А. П." in text
    # The date as the plan shows it: in the enterprise's time zone, which may already be tomorrow.
    assert f"{timezone.localtime(plan.approved_at):%d.%m.%Y}" in text
    assert "ПЛАН МЕРОПРИЯТИЙ ПО СНИЖЕНИЮ УРОВНЕЙ ПРОФЕССИОНАЛЬНЫХ РИСКОВ" in text
    assert "Установить аварийный тросовый выключатель" in text
    assert "Начальник участка Петров П. П." in text
    assert "Отметка о выполнении" in text and "Источник финансирования" in text


def test_a_stale_approval_form_is_refused(card_world, measures, officer_a, manager_a):
    plan = new_plan(card_world.workplace.enterprise, officer_a)
    token = version_token(plan.updated_at)
    ActionPlan.objects.filter(pk=plan.pk).update(
        title="Исправленное название", updated_at=plan.updated_at + datetime.timedelta(seconds=1)
    )
    with pytest.raises(ValidationError):
        plan_approve(plan=plan, user=manager_a, position="Директор", version=token)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


def test_completion_mark_follows_the_measure_done_with_evidence(card_world, measures, officer_a, manager_a):
    plan = new_plan(card_world.workplace.enterprise, officer_a, period_end=datetime.date(2030, 1, 1))
    plan_approve(plan=plan, user=manager_a, position="Директор", render=False)
    assert plan_completion(plan) == {"total": 3, "done": 0, "percent": 0}

    measure_complete_with_evidence(
        measure=measures["due"],
        file=SimpleUploadedFile("acts.png", png_bytes(), content_type="image/png"),
        uploaded_by=officer_a,
        done_on=datetime.date(2026, 3, 10),
    )
    row = next(row for row in plan_rows(plan) if row.measure_id == measures["due"].pk)
    assert row.completion.startswith("выполнено 10.03.2026")
    assert "подтверждение: acts.png" in row.completion
    assert plan_completion(plan) == {"total": 3, "done": 1, "percent": 33}


def test_plan_xlsx_has_the_columns_of_the_reference(card_world, measures, officer_a):
    plan = new_plan(card_world.workplace.enterprise, officer_a)
    rows = [
        list(row) for row in load_workbook(io.BytesIO(plan_xlsx(plan))).active.iter_rows(values_only=True)
    ]
    header = next(i for i, row in enumerate(rows) if row[0] == "№ п/п")
    assert rows[header] == plan_columns()
    assert rows[header][1:5] == [
        "Структурное подразделение",
        "Рабочее место (профессия)",
        "Опасность / опасное событие",
        "Уровень риска до мероприятия",
    ]
    first = rows[header + 1]
    assert first[0] == 1 and first[5] == "Установить аварийный тросовый выключатель"
    assert first[9] == "Начальник участка Петров П. П."


def test_draft_plan_pdf_says_draft(card_world, measures, officer_a):
    text = flat(
        " ".join(
            p.extract_text()
            for p in PdfReader(
                io.BytesIO(plan_pdf(new_plan(card_world.workplace.enterprise, officer_a)).content)
            ).pages
        )
    )
    assert "ПРОЕКТ — не утверждён" in text


# --- Pages -------------------------------------------------------------------------------------


def test_officer_draws_up_and_manager_approves_through_the_pages(
    client, card_world, measures, officer_a, manager_a, django_capture_on_commit_callbacks
):
    enterprise = card_world.workplace.enterprise
    client.force_login(officer_a)
    response = client.post(
        reverse("documents:plan_new", args=[enterprise.pk]),
        with_key(title="План на 2026 год", period_start="2026-01-01", period_end="2026-12-31"),
    )
    plan = ActionPlan.objects.get(enterprise=enterprise)
    assert response.status_code == 302 and response["Location"] == reverse("documents:plan", args=[plan.pk])
    page = client.get(reverse("documents:plan", args=[plan.pk])).content.decode()
    assert "Установить аварийный тросовый выключатель" in page and "Утвердить план" not in page

    client.force_login(manager_a)
    page = client.get(reverse("documents:plan", args=[plan.pk])).content.decode()
    assert "Утвердить план" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("documents:plan_approve", args=[plan.pk]),
            {"position": "Директор", "version": version_token(plan.updated_at)},
        )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED and plan.approver_position == "Директор" and plan.file

    dashboard = client.get(reverse("dashboards:enterprise", args=[enterprise.pk])).content.decode()
    assert reverse("documents:plan", args=[plan.pk]) in dashboard
    assert "выполнено мероприятий: 0 из" in dashboard


def test_plan_page_queries_do_not_grow_with_its_lines(
    client, card_world, officer_a, django_assert_max_num_queries
):
    enterprise = card_world.workplace.enterprise
    client.force_login(officer_a)
    plan = new_plan(enterprise, officer_a)
    with django_assert_max_num_queries(40) as captured:
        client.get(reverse("documents:plan", args=[plan.pk]))
    few = len(captured)
    for number in range(8):
        workplace = WorkplaceFactory(department=card_world.workplace.department, number=f"П{number}")
        ControlMeasureFactory(hazard=HazardFactory(workplace=workplace), due_date=datetime.date(2026, 6, 1))
    bigger = new_plan(enterprise, officer_a)
    assert bigger.lines.count() >= 8
    with django_assert_max_num_queries(few):
        client.get(reverse("documents:plan", args=[bigger.pk]))


def test_the_regional_table_links_each_enterprise_plan_in_force_with_its_completion(
    client, card_world, measures, officer_a, manager_a, federal, enterprise_b
):
    from django.utils import translation

    from documents.plans import plans_current

    draft = new_plan(card_world.workplace.enterprise, officer_a)
    plan = plan_approve(plan=draft, user=manager_a, version=version_token(draft.updated_at))
    measures["due"].status = MeasureStatus.IN_PROGRESS
    measures["due"].save()
    current = plans_current([card_world.workplace.enterprise.pk, enterprise_b.pk])
    assert list(current) == [card_world.workplace.enterprise.pk]  # enterprise B has no approved plan
    assert current[card_world.workplace.enterprise.pk] == (plan, plan_completion(plan))

    client.force_login(federal)
    with translation.override("ru"):
        page = client.get(
            reverse(
                "dashboards:region_acknowledgement_sout", args=[card_world.workplace.enterprise.region.code]
            ),
            headers={"HX-Request": "true"},
        ).content.decode()
    section = page.split('id="dashboard-region-ack-sout"', 1)[1]
    assert reverse("documents:plan", args=[plan.pk]) in section
    assert f"выполнено {plan_completion(plan)['percent']} %" in section
    assert "не утверждён" in section  # enterprise B
