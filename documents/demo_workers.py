"""Demo data of the salt mine (ООО «Соль-Илецкий солерудник»): the workers of its workplaces,
their SOUT data (the class per factor of an underground salt mine: АПФД, noise, vibration,
тяжесть, microclimate) and acknowledgements of the current cards. Called once by the demo seed,
inside its transaction; deterministic (a fixed random seed) and a few hundred rows."""

import datetime
import random

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from enterprises.models import Enterprise, Role, SoutFactor, User, Worker, Workplace
from enterprises.ordering import workplace_sort_key
from enterprises.sout import sout_set

from .cards import card_group, card_issue
from .models import AcknowledgementMethod, CardAcknowledgement, RiskCard

SALT_MINE_INN_OKVED = "08.93"
SEED = 20260311

MEN = tuple(
    tuple(name.split())
    for name in """
Иванов Сергей Петрович, Кузнецов Алексей Николаевич, Смирнов Дмитрий Иванович
Попов Андрей Викторович, Васильев Николай Сергеевич, Соколов Михаил Юрьевич
Михайлов Евгений Александрович, Новиков Владимир Геннадьевич, Фёдоров Олег Васильевич
Морозов Игорь Анатольевич, Волков Роман Олегович, Алексеев Павел Дмитриевич
Лебедев Артём Игоревич, Семёнов Виктор Михайлович, Егоров Константин Павлович
Павлов Юрий Владимирович, Козлов Максим Андреевич, Степанов Денис Романович
Николаев Илья Евгеньевич, Орлов Вадим Борисович, Андреев Руслан Ильич
Макаров Станислав Витальевич, Захаров Антон Сергеевич, Зайцев Григорий Петрович
Борисов Тимур Рашидович, Яковлев Кирилл Олегович, Григорьев Валерий Фёдорович
Романов Александр Николаевич, Воробьёв Степан Алексеевич, Ахметов Марат Ринатович
Исмаилов Руслан Каримович, Жуков Василий Иванович, Белов Геннадий Юрьевич
Тарасов Артур Дмитриевич, Киселёв Аркадий Львович, Ковалёв Георгий Степанович
""".replace("\n", ", ")
    .strip(", ")
    .split(", ")
)
WOMEN = tuple(
    tuple(name.split())
    for name in """
Иванова Елена Сергеевна, Кузнецова Ольга Викторовна, Смирнова Наталья Ивановна
Попова Татьяна Петровна, Васильева Ирина Николаевна, Соколова Светлана Юрьевна
Абдрахманова Гульнара Рашидовна, Морозова Марина Алексеевна, Волкова Анна Олеговна
Лебедева Юлия Андреевна, Семёнова Людмила Михайловна, Павлова Оксана Владимировна
""".replace("\n", ", ")
    .strip(", ")
    .split(", ")
)

C1, C2, C31, C32, C33 = "1", "2", "3.1", "3.2", "3.3"
F = SoutFactor
MC = SoutFactor.MICROCLIMATE
# The class per factor of each job profile of the salt mine, as its SOUT cards give them.
# fmt: off
SOUT_PROFILES = {
    "salt_mgvm": {F.AEROSOLS: C32, F.NOISE: C32, F.VIBRATION_GENERAL: C31, F.SEVERITY: C31, MC: C2},
    "salt_miner": {F.AEROSOLS: C31, F.NOISE: C31, F.SEVERITY: C32, MC: C2, F.LIGHTING: C2},
    "salt_tunneller": {F.AEROSOLS: C32, F.NOISE: C32, F.VIBRATION_LOCAL: C31, F.SEVERITY: C32, MC: C2},
    "salt_conveyor": {F.AEROSOLS: C31, F.NOISE: C31, MC: C2, F.INTENSITY: C2},
    "salt_lhd": {F.AEROSOLS: C31, F.NOISE: C31, F.VIBRATION_GENERAL: C32, MC: C2},
    "salt_electrician": {F.AEROSOLS: C2, F.NOISE: C2, F.SEVERITY: C2, MC: C2, F.LIGHTING: C31},
    "salt_mill": {F.AEROSOLS: C32, F.NOISE: C33, F.VIBRATION_LOCAL: C2, MC: C2},
    "mine_foreman": {F.AEROSOLS: C31, F.NOISE: C2, MC: C2, F.INTENSITY: C2},
    "packer": {F.AEROSOLS: C2, F.NOISE: C2, F.SEVERITY: C31, F.LIGHTING: C2},
}
# fmt: on
DEFAULT_PROFILE = {F.NOISE: C2, F.MICROCLIMATE: C2, F.LIGHTING: C2, F.SEVERITY: C2}
# Workplaces (by number) whose SOUT is older than five years, and one without SOUT: findings.
OUTDATED = {"28", "29"}
WITHOUT_SOUT = {"31"}


def seed_workers_demo(*, jobs: dict[str, str] | None = None) -> dict[str, int]:
    """Workers and SOUT data of the salt mine's workplaces. ``jobs`` maps a
    workplace number to its job profile (the seed's plan); without it, the default profile."""
    enterprise = Enterprise.objects.filter(okved=SALT_MINE_INN_OKVED, address__contains="Соль-Илецк").first()
    if enterprise is None:
        return {"workers": 0, "sout": 0}
    rng = random.Random(SEED)
    workplaces = sorted(Workplace.objects.filter(enterprise=enterprise).active(), key=workplace_sort_key)
    counts = {"workers": 0, "sout": 0}

    # SOUT cards: analogous workplaces («А») share their base workplace's card.
    for workplace in workplaces:
        base = workplace.number.rstrip("А")
        profile = SOUT_PROFILES.get((jobs or {}).get(workplace.number, ""), DEFAULT_PROFILE)
        if base in WITHOUT_SOUT:
            sout_set(workplace=workplace, card_number="", approved_on=None, final_class="", factors={})
            continue
        approved = workplace.sout_date or datetime.date(2023, 6, 15)
        if base in OUTDATED:
            approved = datetime.date(2019, 11, 20)
        final = max(profile.values(), key=lambda value: [C1, C2, C31, C32, C33, "3.4", "4"].index(value))
        sout_set(
            workplace=workplace,
            card_number=base,
            approved_on=approved,
            final_class=final,
            factors=dict(profile),
        )
        counts["sout"] += 1

    # Workers: as many as the workplace's head-count, women as it says.
    men, women = list(MEN), list(WOMEN)
    rng.shuffle(men)
    rng.shuffle(women)
    workers = []
    number = 1000
    for workplace in workplaces:
        for index in range(workplace.headcount_total):
            pool = women if index < workplace.headcount_women else men
            surname, first_name, patronymic = pool[(number + index) % len(pool)]
            number += 1
            workers.append(
                Worker(
                    enterprise=enterprise,
                    workplace=workplace,
                    surname=surname,
                    first_name=first_name,
                    patronymic=patronymic,
                    personnel_number=f"{number:05d}",
                    position=workplace.position,
                    employed_from=datetime.date(2015 + rng.randrange(10), rng.randrange(1, 13), 1),
                )
            )
    bulk_create_with_history(workers, Worker)
    counts["workers"] = len(workers)

    return counts


def seed_acknowledgements_demo() -> int:
    """Acknowledgements of the salt mine's current cards (issued here for a group that has none):
    on paper or on the kiosk, by most of its workers; some groups are left to do."""
    enterprise = Enterprise.objects.filter(okved=SALT_MINE_INN_OKVED, address__contains="Соль-Илецк").first()
    officer = User.objects.filter(enterprise=enterprise, role=Role.OFFICER).order_by("pk").first()
    if enterprise is None or officer is None:
        return 0
    rng = random.Random(SEED)
    today = timezone.localdate()
    workplaces = sorted(Workplace.objects.filter(enterprise=enterprise).active(), key=workplace_sort_key)
    workers = list(Worker.objects.filter(enterprise=enterprise).order_by("pk"))
    leads = []
    seen = set()
    for workplace in workplaces:
        group = card_group(workplace)
        if group[0].pk in seen:
            continue
        seen.add(group[0].pk)
        leads.append(group)
    acknowledgements = []
    for position, group in enumerate(leads):
        card = RiskCard.objects.current().filter(workplace=group[0]).first() or card_issue(
            workplace=group[0], user=officer
        )
        if position % 5 == 4:
            continue  # not yet acknowledged: the overview shows it
        group_workers = [w for w in workers if w.workplace_id in {g.pk for g in group}]
        for worker in group_workers:
            if rng.random() < 0.15:
                continue
            acknowledgements.append(
                CardAcknowledgement(
                    card=card,
                    worker=worker,
                    method=AcknowledgementMethod.KIOSK if rng.random() < 0.4 else AcknowledgementMethod.PAPER,
                    acknowledged_on=max(card.issued_on, today),
                    recorded_by=officer,
                )
            )
    bulk_create_with_history(acknowledgements, CardAcknowledgement)
    return len(acknowledgements)
