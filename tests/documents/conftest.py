"""A salt-mine workplace with what its card shows: register rows rated with the 5×5 matrix, a
measure, the commission and its signed round, workers and an acknowledgement."""

import datetime
from dataclasses import dataclass

import pytest
from django.core.files.storage import FileSystemStorage
from django.utils import timezone

from assessments.models import MeasureEvidence
from assessments.services import assessment_create
from documents.cards import card_issue
from documents.models import (
    AcknowledgementMethod,
    AcknowledgementSheet,
    ActionPlan,
    AssessmentRound,
    CardAcknowledgement,
    CardBundle,
    Commission,
    CommissionMember,
    RiskCard,
    RoundSignature,
    RoundStatus,
    SignatureDecision,
)
from enterprises.models import Worker
from tests.factories import ControlMeasureFactory, DepartmentFactory, HazardFactory, WorkplaceFactory

ISSUED_ON = datetime.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def document_storage(tmp_path, monkeypatch):
    """The documents' files go to a temporary folder, never to the checkout's var/private."""
    storage = FileSystemStorage(location=tmp_path / "private", base_url=None)
    for model in (RiskCard, CardBundle, ActionPlan, AcknowledgementSheet, MeasureEvidence):
        monkeypatch.setattr(model._meta.get_field("file"), "storage", storage)
    return storage


@pytest.fixture(autouse=True)
def documents_render_at_once(settings):
    """The embedded mode: a queued render runs when its transaction commits, even when REDIS_URL
    is set (tests/integration covers the real worker)."""
    settings.CELERY_TASK_ALWAYS_EAGER = True


@dataclass
class CardWorld:
    workplace: object
    hazard: object
    measure: object
    commission: object
    round: object
    worker: object
    card: object


def add_worker(workplace, surname, first_name, patronymic, number, **dates):
    return Worker.objects.create(
        enterprise=workplace.enterprise,
        workplace=workplace,
        surname=surname,
        first_name=first_name,
        patronymic=patronymic,
        personnel_number=number,
        position=workplace.position,
        **dates,
    )


@pytest.fixture
def card_world(enterprise_a, officer_a, manager_a) -> CardWorld:
    department = DepartmentFactory(enterprise=enterprise_a, name="Подземный рудник")
    workplace = WorkplaceFactory(
        department=department,
        number="12",
        position="Машинист горных выемочных машин",
        okpdtr_code="13790",
        equipment="Комбайн «Урал-20Р», самоспасатель",
        job_function="Управление комбайном при выемке соли",
        headcount_total=4,
        headcount_women=1,
        sout_class="3.2",
        sout_date=datetime.date(2023, 6, 15),
    )
    hazard = HazardFactory(
        workplace=workplace,
        source="Ленточный конвейер",
        object_description="Очистная камера № 4",
        existing_controls="Ограждение приводного барабана",
    )
    assessment_create(
        hazard=hazard,
        assessor=officer_a,
        inputs={"probability": 4, "severity": 3},
        residual_inputs={"probability": 2, "severity": 3},
    )
    measure = ControlMeasureFactory(
        hazard=hazard,
        description="Установить аварийный тросовый выключатель",
        responsible="Начальник участка Петров П. П.",
        due_date=datetime.date(2026, 12, 20),
    )
    commission = Commission.objects.create(
        enterprise=enterprise_a,
        order_number="12-ОТ",
        order_date=datetime.date(2026, 1, 15),
        valid_from=datetime.date(2026, 1, 15),
    )
    chairman = CommissionMember.objects.create(
        commission=commission,
        role="chairman",
        user=manager_a,
        full_name="Мельников Андрей Петрович",
        position="Главный инженер",
    )
    CommissionMember.objects.create(
        commission=commission,
        role="member",
        full_name="Сидорова Анна Ильинична",
        position="Уполномоченный по охране труда",
        sort_order=1,
    )
    round_ = AssessmentRound.objects.create(
        enterprise=enterprise_a,
        title="Оценка профессиональных рисков 2026",
        commission=commission,
        created_by=officer_a,
        status=RoundStatus.APPROVED,
        approved_by=manager_a,
        approved_at=timezone.now(),
    )
    round_.workplaces.add(workplace)
    RoundSignature.objects.create(
        round=round_,
        member=chairman,
        decision=SignatureDecision.CONFIRMED,
        signed_on=datetime.date(2026, 2, 27),
        recorded_by=manager_a,
    )
    worker = add_worker(
        workplace, "Иванов", "Иван", "Иванович", "1001", employed_from=datetime.date(2020, 1, 9)
    )
    add_worker(workplace, "Гарипов", "Ринат", "Маратович", "1002")
    add_worker(workplace, "Уволенный", "Олег", "Олегович", "1003", employed_to=datetime.date(2025, 12, 31))
    card = card_issue(workplace=workplace, user=officer_a, round=round_, render=False)
    RiskCard.objects.filter(pk=card.pk).update(issued_on=ISSUED_ON)
    card.refresh_from_db()
    CardAcknowledgement.objects.create(
        card=card,
        worker=worker,
        method=AcknowledgementMethod.PAPER,
        acknowledged_on=datetime.date(2026, 3, 4),
        recorded_by=officer_a,
    )
    return CardWorld(workplace, hazard, measure, commission, round_, worker, card)
