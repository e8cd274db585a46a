"""Demo regions, enterprises (with their structure) and people.

Every enterprise is fictional: names, addresses and identifiers are made up. INN and OGRN follow
one fixed scheme (region code, inspection "99", a serial number, valid control digits), so they are
stable between runs and never meant to match a real company.
"""

import datetime
from dataclasses import dataclass, field

from enterprises.models import FederalDistrict, Role

MATRIX = "matrix-5x5"
FINE_KINNEY = "fine-kinney"


@dataclass(frozen=True)
class RegionData:
    code: str
    okato: str
    name_ru: str
    name_en: str
    federal_district: str


# Subject code / OKATO / federal district per REFERENCE §6.
REGIONS = (
    RegionData("02", "80", "Республика Башкортостан", "Republic of Bashkortostan", FederalDistrict.VOLGA),
    RegionData("30", "12", "Астраханская область", "Astrakhan Region", FederalDistrict.SOUTHERN),
    RegionData(
        "42", "32", "Кемеровская область — Кузбасс", "Kemerovo Region — Kuzbass", FederalDistrict.SIBERIAN
    ),
    RegionData("47", "41", "Ленинградская область", "Leningrad Region", FederalDistrict.NORTHWESTERN),
    RegionData("56", "53", "Оренбургская область", "Orenburg Region", FederalDistrict.VOLGA),
)


@dataclass(frozen=True)
class W:
    """Workplace(s) of one job profile: `analogues` more workplaces share its SOUT card and are
    numbered with the suffix «А» (REFERENCE §6)."""

    job: str
    headcount: int
    analogues: int = 0
    women: int = 0
    disabled: int = 0


@dataclass(frozen=True)
class Unit:
    name: str
    kind: str  # DepartmentKind value
    workplaces: tuple[W, ...] = ()
    units: tuple["Unit", ...] = ()


def unit(name, kind, *children):
    """A structural unit; children are workplaces (W) and sub-units (Unit), in order."""
    return Unit(
        name,
        kind,
        tuple(c for c in children if isinstance(c, W)),
        tuple(c for c in children if isinstance(c, Unit)),
    )


@dataclass(frozen=True)
class EnterpriseData:
    slug: str
    region: str
    serial: int  # the INN/OGRN serial; never reuse one
    registered: int  # year of state registration (OGRN digits 2–3)
    short_name: str
    full_name: str
    okved: str
    address: str
    method: str
    joined_pilot_on: datetime.date
    sout_on: datetime.date
    units: tuple[Unit, ...] = field(default=())
    # Officer and manager of the enterprise (name, patronymic-less: first, last, position).
    officer: tuple[str, str, str] = ("", "", "Специалист по охране труда")
    manager: tuple[str, str, str] = ("", "", "Главный инженер")


def office(*workplaces):
    return unit("Заводоуправление", "office", *workplaces)


SOL_ILETSK = EnterpriseData(
    slug="sol-iletsk",
    region="56",
    serial=1,
    registered=3,
    short_name="ООО «Соль-Илецкий солерудник»",
    full_name="Общество с ограниченной ответственностью «Соль-Илецкий солерудник»",
    okved="08.93",
    address="461500, Оренбургская обл., г. Соль-Илецк, ул. Солевая, д. 12",
    method=MATRIX,
    joined_pilot_on=datetime.date(2025, 2, 10),
    sout_on=datetime.date(2023, 6, 15),
    units=(
        unit(
            "Подземный рудник",
            "shop",
            W("mine_foreman", 6, analogues=1),
            unit(
                "Очистной участок № 1",
                "section",
                unit("Бригада очистных работ № 1", "team", W("salt_mgvm", 4, 1), W("salt_miner", 6, 1)),
                unit("Бригада очистных работ № 2", "team", W("salt_mgvm", 4, 1), W("salt_miner", 6)),
            ),
            unit(
                "Очистной участок № 2",
                "section",
                unit("Бригада очистных работ № 3", "team", W("salt_mgvm", 4, 1), W("salt_miner", 5)),
            ),
            unit(
                "Проходческий участок",
                "section",
                unit("Проходческая бригада", "team", W("salt_tunneller", 6, 2), W("salt_miner", 4)),
            ),
            unit("Участок шахтного транспорта", "section", W("salt_conveyor", 6, 2), W("salt_lhd", 5, 1)),
            unit("Электромеханический участок", "section", W("salt_electrician", 8, 2), W("fitter", 4)),
        ),
        unit(
            "Обогатительная фабрика",
            "shop",
            unit("Участок дробления и помола", "section", W("salt_mill", 6, 1)),
            unit("Участок фасовки и упаковки", "section", W("packer", 10, 1, women=6), W("forklift", 4)),
        ),
        unit(
            "Ремонтно-механический цех",
            "shop",
            W("fitter", 6, 1),
            W("welder", 3, 1),
            W("turner", 2),
            W("crane", 2, women=1),
            W("slinger", 2),
            W("electrician", 4),
        ),
        unit("Автотранспортный цех", "shop", W("driver", 12, 2), W("car_mechanic", 4)),
        unit("Центральная лаборатория", "other", W("lab", 3, women=3)),
        unit("Служба охраны труда и промышленной безопасности", "office", W("safety_officer", 2, women=1)),
        unit("Бухгалтерия", "office", W("accountant", 5, women=5, disabled=1)),
        unit("Диспетчерская служба", "office", W("dispatcher", 4, women=2)),
    ),
    # Its officer and manager are the documented demo logins (DEMO_USERS below).
)


def _orenburg():
    d = datetime.date
    return (
        EnterpriseData(
            slug="sakmara-oil",
            region="56",
            serial=2,
            registered=5,
            short_name="АО «Сакмаранефть»",
            full_name="Акционерное общество «Сакмаранефть»",
            okved="06.10",
            address="461040, Оренбургская обл., г. Бузулук, ул. Нефтяников, д. 7",
            method=FINE_KINNEY,
            joined_pilot_on=d(2025, 2, 17),
            sout_on=d(2022, 11, 1),
            units=(
                unit(
                    "Цех добычи нефти и газа № 1",
                    "shop",
                    unit("Участок Бобровского месторождения", "section", W("oil_operator", 8, 2)),
                    W("instrument_fitter", 3),
                ),
                unit("Цех подготовки и перекачки нефти", "shop", W("process_operator", 6, 1), W("fitter", 4)),
                unit("Транспортный участок", "section", W("driver", 10, 1)),
                office(W("safety_engineer", 2, women=1), W("accountant", 4, women=4)),
            ),
            officer=("Ирина", "Лаптева", "Ведущий инженер по охране труда"),
            manager=("Сергей", "Волков", "Главный инженер"),
        ),
        EnterpriseData(
            slug="novotroitsk-steel",
            region="56",
            serial=3,
            registered=2,
            short_name="АО «Новотроицкий сталеплавильный завод»",
            full_name="Акционерное общество «Новотроицкий сталеплавильный завод»",
            okved="24.10",
            address="462350, Оренбургская обл., г. Новотроицк, ул. Заводская, д. 1",
            method=MATRIX,
            joined_pilot_on=d(2025, 2, 24),
            sout_on=d(2023, 3, 20),
            units=(
                unit(
                    "Электросталеплавильный цех",
                    "shop",
                    unit("Участок дуговой печи", "section", W("steelmaker", 4, 1), W("crane", 4, 1, women=2)),
                    unit("Участок непрерывной разливки", "section", W("caster", 6, 1), W("slinger", 3)),
                ),
                unit("Цех ремонта металлургического оборудования", "shop", W("fitter", 8, 1), W("welder", 4)),
                unit("Энергоцех", "shop", W("electrician", 6, 1)),
                office(W("safety_engineer", 3, women=2), W("accountant", 6, women=6)),
            ),
            officer=("Елена", "Маркова", "Начальник отдела охраны труда"),
            manager=("Виктор", "Козлов", "Главный инженер"),
        ),
        EnterpriseData(
            slug="gai-copper",
            region="56",
            serial=4,
            registered=4,
            short_name="ООО «Гаймедь»",
            full_name="Общество с ограниченной ответственностью «Гаймедь»",
            okved="07.29",
            address="462630, Оренбургская обл., г. Гай, ул. Горняков, д. 3",
            method=MATRIX,
            joined_pilot_on=d(2025, 3, 3),
            sout_on=d(2022, 9, 12),
            units=(
                unit(
                    "Подземный рудник",
                    "shop",
                    unit(
                        "Участок горных работ № 1",
                        "section",
                        W("rock_driller", 6, 1),
                        W("blaster", 3),
                        W("timberman", 4),
                    ),
                    W("mine_foreman", 4),
                ),
                unit("Обогатительная фабрика", "shop", W("flotation", 6, 1, women=2), W("fitter", 4)),
                office(W("safety_engineer", 2, women=1)),
            ),
            officer=("Павел", "Гришин", "Главный специалист по охране труда"),
            manager=("Олег", "Тарасов", "Технический директор"),
        ),
        EnterpriseData(
            slug="stepnoy-kolos",
            region="56",
            serial=5,
            registered=8,
            short_name="ООО «Агрохолдинг «Степной колос»»",
            full_name="Общество с ограниченной ответственностью «Агрохолдинг «Степной колос»»",
            okved="01.11",
            address="461550, Оренбургская обл., Акбулакский р-н, п. Акбулак, ул. Степная, д. 21",
            method=MATRIX,
            joined_pilot_on=d(2025, 3, 10),
            sout_on=d(2024, 2, 5),
            units=(
                unit("Растениеводство", "shop", W("tractor", 12, 2), W("agronomist", 2, women=1)),
                unit("Зерноток", "section", W("grain_dryer", 4, 1)),
                unit("Машинно-тракторная мастерская", "shop", W("fitter", 4), W("welder", 2)),
                unit("Автопарк", "section", W("driver", 6)),
            ),
            officer=("Марина", "Сидоренко", "Специалист по охране труда"),
            manager=("Николай", "Бондарев", "Главный инженер"),
        ),
        EnterpriseData(
            slug="stepnaya-generatsiya",
            region="56",
            serial=6,
            registered=6,
            short_name="АО «Степная генерация»",
            full_name="Акционерное общество «Степная генерация»",
            okved="35.11",
            address="460048, г. Оренбург, Шарлыкское шоссе, д. 9",
            method=MATRIX,
            joined_pilot_on=d(2025, 3, 17),
            sout_on=d(2023, 10, 2),
            units=(
                unit("Котлотурбинный цех", "shop", W("boiler", 8, 1), W("turbine", 6, 1)),
                unit("Электрический цех", "shop", W("substation", 6, 1), W("electrician", 4)),
                unit("Цех тепловой автоматики и измерений", "shop", W("instrument_fitter", 5, women=1)),
                office(W("safety_engineer", 2, women=2)),
            ),
            officer=("Татьяна", "Орлова", "Инженер по охране труда 1 категории"),
            manager=("Юрий", "Андреев", "Главный инженер"),
        ),
        EnterpriseData(
            slug="ural-step-trans",
            region="56",
            serial=7,
            registered=11,
            short_name="ООО «Урал-Степь Транс»",
            full_name="Общество с ограниченной ответственностью «Урал-Степь Транс»",
            okved="49.41",
            address="460027, г. Оренбург, ул. Транспортная, д. 16",
            method=MATRIX,
            joined_pilot_on=d(2025, 3, 24),
            sout_on=d(2024, 5, 20),
            units=(
                unit("Автоколонна № 1", "shop", W("driver", 20, 3)),
                unit("Автоколонна № 2", "shop", W("driver", 16, 2)),
                unit("Ремонтная зона", "shop", W("car_mechanic", 6, 1), W("welder", 1)),
                office(W("dispatcher", 4, women=3), W("safety_engineer", 1)),
            ),
            officer=("Алексей", "Фомин", "Специалист по охране труда"),
            manager=("Игорь", "Шестаков", "Технический директор"),
        ),
        EnterpriseData(
            slug="stepstroy",
            region="56",
            serial=8,
            registered=9,
            short_name="ООО «СтепьСтрой»",
            full_name="Общество с ограниченной ответственностью «СтепьСтрой»",
            okved="41.20",
            address="460000, г. Оренбург, ул. Строителей, д. 4",
            method=MATRIX,
            joined_pilot_on=d(2025, 3, 31),
            sout_on=d(2024, 4, 8),
            units=(
                unit(
                    "Строительный участок № 1",
                    "section",
                    W("bricklayer", 8, 1),
                    W("concrete", 6),
                    W("carpenter", 4),
                ),
                unit(
                    "Монтажный участок",
                    "section",
                    W("steel_erector", 6, 1),
                    W("welder", 3),
                    W("crane", 2),
                    W("slinger", 3),
                ),
                unit("Отделочный участок", "section", W("plasterer", 8, 1, women=6)),
                unit("Производственно-технический отдел", "office", W("site_master", 4)),
            ),
            officer=("Денис", "Зайцев", "Инженер по охране труда"),
            manager=("Роман", "Кравцов", "Главный инженер"),
        ),
        EnterpriseData(
            slug="kargala-gas",
            region="56",
            serial=9,
            registered=7,
            short_name="ООО «Каргалинский газовый промысел»",
            full_name="Общество с ограниченной ответственностью «Каргалинский газовый промысел»",
            okved="06.20",
            address="460511, Оренбургская обл., Оренбургский р-н, с. Каргала, ул. Промысловая, д. 2",
            method=FINE_KINNEY,
            joined_pilot_on=d(2025, 4, 7),
            sout_on=d(2023, 1, 16),
            units=(
                unit("Газовый промысел", "shop", W("oil_operator", 8, 1), W("instrument_fitter", 3)),
                unit(
                    "Установка комплексной подготовки газа",
                    "shop",
                    W("process_operator", 8, 1),
                    W("compressor", 4),
                ),
                office(W("safety_engineer", 2, women=1)),
            ),
            officer=("Вадим", "Никитин", "Ведущий специалист по охране труда"),
            manager=("Артём", "Лебедев", "Главный инженер"),
        ),
        EnterpriseData(
            slug="kuvandyk-cement",
            region="56",
            serial=10,
            registered=2,
            short_name="АО «Кувандыкский цементный завод»",
            full_name="Акционерное общество «Кувандыкский цементный завод»",
            okved="23.51",
            address="462241, Оренбургская обл., г. Кувандык, ул. Цементная, д. 1",
            method=MATRIX,
            joined_pilot_on=d(2025, 4, 14),
            sout_on=d(2022, 12, 5),
            units=(
                unit("Цех обжига", "shop", W("kiln", 4, 1)),
                unit("Цех помола и упаковки", "shop", W("cement_packer", 8, 1), W("forklift", 3)),
                unit("Ремонтный цех", "shop", W("fitter", 6), W("electrician", 3)),
                unit("Лаборатория ОТК", "other", W("lab", 4, women=4)),
            ),
            officer=("Светлана", "Яковлева", "Специалист по охране труда"),
            manager=("Михаил", "Гусев", "Главный инженер"),
        ),
        EnterpriseData(
            slug="buguruslan-mill",
            region="56",
            serial=11,
            registered=3,
            short_name="ООО «Бугурусланский мукомольный комбинат»",
            full_name="Общество с ограниченной ответственностью «Бугурусланский мукомольный комбинат»",
            okved="10.61",
            address="461630, Оренбургская обл., г. Бугуруслан, ул. Элеваторная, д. 5",
            method=MATRIX,
            joined_pilot_on=d(2025, 4, 21),
            sout_on=d(2024, 9, 2),
            units=(
                unit("Мельница", "shop", W("miller", 6, 1)),
                unit("Склад готовой продукции", "section", W("loader", 6, 1), W("forklift", 3)),
                unit("Производственная лаборатория", "other", W("lab", 3, women=3)),
            ),
            officer=("Людмила", "Белова", "Специалист по охране труда"),
            manager=("Константин", "Ефимов", "Технический директор"),
        ),
        EnterpriseData(
            slug="orenburg-mining-machinery",
            region="56",
            serial=12,
            registered=2,
            short_name="АО «Оренбургский завод горного машиностроения»",
            full_name="Акционерное общество «Оренбургский завод горного машиностроения»",
            okved="28.92",
            address="460026, г. Оренбург, пр. Победы, д. 118",
            method=MATRIX,
            joined_pilot_on=d(2025, 4, 28),
            sout_on=d(2023, 8, 28),
            units=(
                unit("Механообрабатывающий цех", "shop", W("cnc", 10, 2), W("turner", 6, 1)),
                unit(
                    "Сборочный цех",
                    "shop",
                    W("assembler", 10, 1),
                    W("welder", 6, 1),
                    W("painter", 3, women=1),
                    W("crane", 3, women=3),
                ),
                office(W("safety_engineer", 2, women=1), W("accountant", 5, women=5)),
            ),
            officer=("Геннадий", "Поляков", "Начальник бюро охраны труда"),
            manager=("Валерий", "Соловьёв", "Главный инженер"),
        ),
        EnterpriseData(
            slug="mednogorsk-chem",
            region="56",
            serial=13,
            registered=4,
            short_name="ООО «Медногорская химическая компания»",
            full_name="Общество с ограниченной ответственностью «Медногорская химическая компания»",
            okved="20.13",
            address="462270, Оренбургская обл., г. Медногорск, ул. Промышленная, д. 2",
            method=MATRIX,
            joined_pilot_on=d(2025, 4, 28),
            sout_on=d(2022, 10, 24),
            units=(
                unit("Сернокислотный цех", "shop", W("acid_operator", 8, 1), W("fitter", 4)),
                unit("Цех КИПиА", "shop", W("instrument_fitter", 4)),
                unit("Лаборатория", "other", W("lab", 4, women=4)),
            ),
            officer=("Антон", "Медведев", "Инженер по охране труда"),
            manager=("Вячеслав", "Захаров", "Главный инженер"),
        ),
    )


def _other_regions():
    d = datetime.date
    return (
        EnterpriseData(
            slug="sterlitamak-polymer",
            region="02",
            serial=1,
            registered=3,
            short_name="АО «Стерлитамакская полимерная компания»",
            full_name="Акционерное общество «Стерлитамакская полимерная компания»",
            okved="20.16",
            address="453100, Республика Башкортостан, г. Стерлитамак, ул. Химиков, д. 14",
            method=MATRIX,
            joined_pilot_on=d(2025, 6, 2),
            sout_on=d(2023, 5, 15),
            units=(
                unit("Цех полимеризации", "shop", W("polymer_operator", 8, 1), W("process_operator", 4)),
                unit("Ремонтно-механический цех", "shop", W("fitter", 6), W("instrument_fitter", 3)),
                unit("Лаборатория", "other", W("lab", 4, women=4)),
            ),
            officer=("Рустем", "Хасанов", "Инженер по охране труда"),
            manager=("Айдар", "Галиев", "Главный инженер"),
        ),
        EnterpriseData(
            slug="tuymazy-well-service",
            region="02",
            serial=2,
            registered=6,
            short_name="ООО «Туймазинский сервис скважин»",
            full_name="Общество с ограниченной ответственностью «Туймазинский сервис скважин»",
            okved="09.10",
            address="452750, Республика Башкортостан, г. Туймазы, ул. Буровиков, д. 3",
            method=MATRIX,
            joined_pilot_on=d(2025, 6, 16),
            sout_on=d(2024, 3, 11),
            units=(
                unit("Цех капитального ремонта скважин", "shop", W("driller", 6, 2)),
                unit("Транспортный цех", "shop", W("driver", 8, 1), W("car_mechanic", 3)),
            ),
            officer=("Ильдар", "Сафин", "Специалист по охране труда"),
            manager=("Руслан", "Ахметов", "Главный инженер"),
        ),
        EnterpriseData(
            slug="birsk-dairy",
            region="02",
            serial=3,
            registered=10,
            short_name="ООО «Бирский молочный комбинат»",
            full_name="Общество с ограниченной ответственностью «Бирский молочный комбинат»",
            okved="10.51",
            address="452450, Республика Башкортостан, г. Бирск, ул. Молодёжная, д. 8",
            method=MATRIX,
            joined_pilot_on=d(2025, 7, 1),
            sout_on=d(2024, 6, 3),
            units=(
                unit(
                    "Цех переработки молока",
                    "shop",
                    W("dairy_operator", 6, 1, women=4),
                    W("refrigeration", 2),
                ),
                unit("Склад", "section", W("forklift", 3), W("loader", 4)),
            ),
            officer=("Гульнара", "Валиева", "Специалист по охране труда"),
            manager=("Эдуард", "Исмагилов", "Технический директор"),
        ),
        EnterpriseData(
            slug="aksaray-gas",
            region="30",
            serial=1,
            registered=4,
            short_name="ООО «Нижневолжская газовая компания»",
            full_name="Общество с ограниченной ответственностью «Нижневолжская газовая компания»",
            okved="06.20",
            address="416154, Астраханская обл., Красноярский р-н, п. Аксарайский, ул. Газовиков, д. 1",
            method=FINE_KINNEY,
            joined_pilot_on=d(2025, 5, 19),
            sout_on=d(2023, 4, 17),
            units=(
                unit(
                    "Газопромысловое управление", "shop", W("oil_operator", 8, 2), W("instrument_fitter", 4)
                ),
                unit("Установка сероочистки", "shop", W("process_operator", 8, 1)),
                office(W("safety_engineer", 2, women=1)),
            ),
            officer=("Камила", "Ибрагимова", "Ведущий инженер по охране труда"),
            manager=("Евгений", "Пахомов", "Главный инженер"),
        ),
        EnterpriseData(
            slug="caspian-ship-repair",
            region="30",
            serial=2,
            registered=5,
            short_name="АО «Каспийская судоремонтная верфь»",
            full_name="Акционерное общество «Каспийская судоремонтная верфь»",
            okved="33.15",
            address="414018, г. Астрахань, ул. Набережная Судоремонтная, д. 6",
            method=MATRIX,
            joined_pilot_on=d(2025, 6, 9),
            sout_on=d(2022, 8, 29),
            units=(
                unit("Корпусный цех", "shop", W("hull_assembler", 6, 1), W("welder", 6, 1)),
                unit("Механический цех", "shop", W("ship_repair", 6, 1), W("crane", 2, women=2)),
            ),
            officer=("Наиль", "Мухамедов", "Специалист по охране труда"),
            manager=("Станислав", "Рябов", "Главный инженер"),
        ),
        EnterpriseData(
            slug="volga-fish",
            region="30",
            serial=3,
            registered=12,
            short_name="ООО «Волжский рыбокомбинат»",
            full_name="Общество с ограниченной ответственностью «Волжский рыбокомбинат»",
            okved="10.20",
            address="416340, Астраханская обл., г. Камызяк, ул. Рыбацкая, д. 11",
            method=MATRIX,
            joined_pilot_on=d(2025, 7, 7),
            sout_on=d(2024, 1, 22),
            units=(
                unit("Цех разделки", "shop", W("fish_processor", 12, 2, women=9)),
                unit("Холодильник", "section", W("refrigeration", 2), W("forklift", 2)),
            ),
            officer=("Анна", "Кириллова", "Специалист по охране труда"),
            manager=("Дмитрий", "Карпов", "Технический директор"),
        ),
        EnterpriseData(
            slug="kuzbass-mine",
            region="42",
            serial=1,
            registered=3,
            short_name="АО «Шахта «Степная-Кузбасс»»",
            full_name="Акционерное общество «Шахта «Степная-Кузбасс»»",
            okved="05.10",
            address="652500, Кемеровская обл. — Кузбасс, г. Ленинск-Кузнецкий, ул. Шахтёрская, д. 40",
            method=FINE_KINNEY,
            joined_pilot_on=d(2025, 5, 12),
            sout_on=d(2023, 2, 6),
            units=(
                unit(
                    "Добычной участок № 1",
                    "section",
                    W("face_miner", 8, 2),
                    W("coal_mgvm", 4, 1),
                    W("mine_foreman", 3),
                ),
                unit("Подготовительный участок", "section", W("coal_tunneller", 6, 1), W("timberman", 4)),
                unit("Участок электромеханический", "section", W("coal_electrician", 6, 1)),
            ),
            officer=("Владимир", "Шевцов", "Начальник отдела охраны труда"),
            manager=("Александр", "Прохоров", "Главный инженер"),
        ),
        EnterpriseData(
            slug="kiselevsk-pit",
            region="42",
            serial=2,
            registered=7,
            short_name="ООО «Разрез «Берёзовый лог»»",
            full_name="Общество с ограниченной ответственностью «Разрез «Берёзовый лог»»",
            okved="05.10",
            address="652700, Кемеровская обл. — Кузбасс, г. Киселёвск, ул. Разрезовская, д. 2",
            method=MATRIX,
            joined_pilot_on=d(2025, 5, 26),
            sout_on=d(2023, 7, 10),
            units=(
                unit(
                    "Участок открытых горных работ",
                    "section",
                    W("excavator", 6, 1),
                    W("bulldozer", 4),
                    W("blaster", 3),
                ),
                unit("Автотранспортный участок", "section", W("haul_truck", 16, 3), W("car_mechanic", 4)),
            ),
            officer=("Кирилл", "Морозов", "Инженер по охране труда"),
            manager=("Борис", "Жуков", "Главный инженер"),
        ),
        EnterpriseData(
            slug="belovo-repair",
            region="42",
            serial=3,
            registered=9,
            short_name="ООО «Беловский ремонтный завод горного оборудования»",
            full_name=(
                "Общество с ограниченной ответственностью «Беловский ремонтный завод горного оборудования»"
            ),
            okved="33.12",
            address="652600, Кемеровская обл. — Кузбасс, г. Белово, ул. Ремонтная, д. 15",
            method=MATRIX,
            joined_pilot_on=d(2025, 8, 4),
            sout_on=d(2024, 7, 15),
            units=(
                unit(
                    "Цех ремонта горных машин",
                    "shop",
                    W("fitter", 10, 1),
                    W("welder", 4),
                    W("crane", 3, women=3),
                ),
                unit("Механический участок", "section", W("turner", 4), W("slinger", 2)),
            ),
            officer=("Оксана", "Литвинова", "Специалист по охране труда"),
            manager=("Григорий", "Тимофеев", "Технический директор"),
        ),
        EnterpriseData(
            slug="kirovsk-shipyard",
            region="47",
            serial=1,
            registered=4,
            short_name="АО «Кировская судостроительная верфь»",
            full_name="Акционерное общество «Кировская судостроительная верфь»",
            okved="30.11",
            address="187342, Ленинградская обл., г. Кировск, ул. Набережная, д. 20",
            method=MATRIX,
            joined_pilot_on=d(2025, 5, 5),
            sout_on=d(2023, 9, 18),
            units=(
                unit(
                    "Корпусообрабатывающий цех",
                    "shop",
                    W("hull_assembler", 10, 2),
                    W("welder", 8, 1),
                    W("crane", 3, women=2),
                    W("slinger", 3),
                ),
                unit("Малярный участок", "section", W("painter", 6, 1, women=2)),
            ),
            officer=("Юлия", "Смирнова", "Начальник бюро охраны труда"),
            manager=("Максим", "Воронцов", "Главный инженер"),
        ),
        EnterpriseData(
            slug="vyborg-paper",
            region="47",
            serial=2,
            registered=6,
            short_name="ООО «Выборгская бумажная фабрика»",
            full_name="Общество с ограниченной ответственностью «Выборгская бумажная фабрика»",
            okved="17.12",
            address="188800, Ленинградская обл., г. Выборг, ул. Бумажная, д. 3",
            method=MATRIX,
            joined_pilot_on=d(2025, 6, 23),
            sout_on=d(2022, 11, 28),
            units=(
                unit("Цех бумагоделательных машин", "shop", W("paper_machine", 6, 1), W("electrician", 3)),
                unit("Склад готовой продукции", "section", W("forklift", 4, 1)),
            ),
            officer=("Вера", "Николаева", "Специалист по охране труда"),
            manager=("Пётр", "Кузьмин", "Технический директор"),
        ),
        EnterpriseData(
            slug="kirishi-steel-structures",
            region="47",
            serial=3,
            registered=8,
            short_name="ООО «Киришский завод металлоконструкций»",
            full_name="Общество с ограниченной ответственностью «Киришский завод металлоконструкций»",
            okved="25.11",
            address="187110, Ленинградская обл., г. Кириши, шоссе Энтузиастов, д. 9",
            method=MATRIX,
            joined_pilot_on=d(2025, 9, 1),
            sout_on=d(2024, 10, 14),
            units=(
                unit(
                    "Цех металлоконструкций",
                    "shop",
                    W("assembler", 8, 1),
                    W("welder", 8, 2),
                    W("painter", 3),
                    W("crane", 3, women=3),
                ),
                unit("Отгрузка", "section", W("slinger", 4), W("driver", 3)),
            ),
            officer=("Артур", "Егоров", "Инженер по охране труда"),
            manager=("Леонид", "Фролов", "Главный инженер"),
        ),
    )


ENTERPRISES: tuple[EnterpriseData, ...] = (SOL_ILETSK, *_orenburg(), *_other_regions())


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str
    first_name: str
    last_name: str
    position: str
    enterprise: str = ""  # slug
    region: str = ""  # code


# The documented demo logins (README "Demo logins"); passwords are for the demo only.
DEMO_USERS = (
    DemoUser(
        "officer",
        "officer-demo-2026",
        Role.OFFICER,
        "Ольга",
        "Кузнецова",
        "Специалист по охране труда",
        enterprise=SOL_ILETSK.slug,
    ),
    DemoUser(
        "manager",
        "manager-demo-2026",
        Role.MANAGER,
        "Андрей",
        "Мельников",
        "Главный инженер",
        enterprise=SOL_ILETSK.slug,
    ),
    DemoUser(
        "reviewer",
        "reviewer-demo-2026",
        Role.REGIONAL_REVIEWER,
        "Наталья",
        "Ильина",
        "Консультант отдела охраны труда министерства труда и занятости населения Оренбургской области",
        region="56",
    ),
    DemoUser(
        "federal",
        "federal-demo-2026",
        Role.FEDERAL_REVIEWER,
        "Дмитрий",
        "Соколов",
        "Главный специалист-эксперт Департамента условий и охраны труда Минтруда России",
    ),
    DemoUser("admin", "admin-demo-2026", Role.ADMIN, "Игорь", "Васильев", "Администратор системы"),
)

# Usernames of the officer and manager of every other enterprise. They exist only to sign their
# enterprise's assessments and have no usable password (only the five above log in).
OTHER_OFFICER = "officer-{slug}"
OTHER_MANAGER = "manager-{slug}"
