"""The level of the hierarchy of controls of each 776n model measure (REFERENCE §3.5).

Appendix 1 of Order 776n lists the measures without saying which level each belongs to, so the
catalogue's measures are classed here by their wording, once, by a migration: the form presets the
level when an officer starts from a model measure, and the officer may change it. Rules are tried
in order, the first match wins; a measure that matches none is organisational (administrative),
which is what most of the list is (training, inspections, work-rest regimes, signs)."""

import re

from .models import ControlLevel

# Word stems in lower case, matched at the start of a word. PPE comes first: "страховочная
# система" is fall-arrest equipment, not insurance, and "применение СИЗ, прекращение работ" is
# about PPE, not elimination.
RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        ControlLevel.PPE,
        ("сиз", "средств индивидуальной защиты", "средства индивидуальной защиты", "спецодежд",
         "спецобув", "респиратор", "противогаз", "каск", "защитных очков", "защитные очки", "перчат",
         "рукавиц", "страховочн", "наушник", "беруш"),
    ),
    (ControlLevel.INSURANCE, ("страховани",)),
    (
        ControlLevel.ELIMINATION,
        ("исключение", "исключить", "отказ от", "ликвидаци", "устранение", "прекращение", "запрет"),
    ),
    (
        ControlLevel.SUBSTITUTION,
        ("замен", "изменение производственного процесса", "менее опасн", "рациональных технологических",
         "подбор и применение рабочего оборудования", "безопасных материалов"),
    ),
    (
        ControlLevel.ENGINEERING,
        ("огражд", "вентиляц", "вытяжн", "блокиров", "автоматиз", "механизац", "дистанционн", "изоляц",
         "изолирован", "экраниров", "укрыт", "сигнализац", "установка", "герметичн", "покрыти",
         "поручн", "перил", "освещенност", "аварийной остановки", "коллективн", "защита опасных мест",
         "заземлен", "душировани", "герметиз", "аспирац", "противоскольз", "настил", "отсос",
         "кондиционир", "отоплени", "виброизол", "звукоизол", "шумоглуш", "глушител", "защитных устройств",
         "устройств"),
    ),
)  # fmt: skip


# Wordings the stems class wrongly, checked one by one against the hierarchy (REFERENCE §3.5),
# matched by the start of the normalised wording (the catalogue repeats some with small typos).
# Where a wording names several levels, the most effective one it really provides is taken:
# "insulation of live parts, PPE, signs" is engineering; "signs, training" stays administrative.
OVERRIDES: tuple[tuple[str, str], ...] = (
    # Rules of behaviour, housekeeping and emergency procedures: administrative, not elimination.
    ("запрет пребывания на вибрирующей поверхности", ControlLevel.ADMINISTRATIVE),
    ("исключение нахождения на полу посторонних предметов", ControlLevel.ADMINISTRATIVE),
    ("исключение нежелательных контактов", ControlLevel.ADMINISTRATIVE),
    ("исключение одиночной работы", ControlLevel.ADMINISTRATIVE),
    ("прекращение выполнения работ при появлении открытого пламени", ControlLevel.ADMINISTRATIVE),
    ("своевременное прекращение работы и оставление", ControlLevel.ADMINISTRATIVE),
    ("соблюдение требований государственных стандартов, исключение нарушений", ControlLevel.ADMINISTRATIVE),
    ("устранение или предотвращение возникновения беспорядка", ControlLevel.ADMINISTRATIVE),
    ("организация обучения, инструктажей, стажировки", ControlLevel.ADMINISTRATIVE),
    ("организация эффективной системы дистанционного общения", ControlLevel.ADMINISTRATIVE),
    ("периодический осмотр средств коллективной и индивидуальной защиты", ControlLevel.ADMINISTRATIVE),
    ("своевременная уборка покрытий", ControlLevel.ADMINISTRATIVE),
    ("установка дополнительной визуальной (цветовой) сигнализации", ControlLevel.ADMINISTRATIVE),
    # Devices, guards, insulation, ventilation, lighting, mechanisation: engineering.
    ("исключение применения различных напольных покрытий", ControlLevel.ENGINEERING),
    ("оборудование рабочих мест приспособлениями, устройствами", ControlLevel.ENGINEERING),
    ("автоматизация или обеспечение устройствами дистанционного наблюдения", ControlLevel.ENGINEERING),
    ("изоляция токоведущих частей", ControlLevel.ENGINEERING),
    ("использование сиз и средств коллективной защиты", ControlLevel.ENGINEERING),
    ("приготовление рабочих составов химических веществ при работающей вентиляции", ControlLevel.ENGINEERING),
    ("применение сиз, соблюдение требований охраны труда, вывод неисправного", ControlLevel.ENGINEERING),
    ("внесение конструктивных и технологических изменений в источник", ControlLevel.ENGINEERING),
    ("достаточное для выполнения работы", ControlLevel.ENGINEERING),
    ("защита опасных зон от несанкционированного доступа", ControlLevel.ENGINEERING),
    ("использование средств вибропоглощения", ControlLevel.ENGINEERING),
    ("использование станков и инструмент", ControlLevel.ENGINEERING),
    ("использование датчиков или камер", ControlLevel.ENGINEERING),
    ("оборудование путей пересечения пешеходными переходами", ControlLevel.ENGINEERING),
    ("оборудование транспортеров для транспортировки пылящих", ControlLevel.ENGINEERING),
    ("освещение, обеспечивающее видимость ступеней", ControlLevel.ENGINEERING),
    ("применение автоматического контроля работы источников", ControlLevel.ENGINEERING),
    ("применение механизированных, подручных средств", ControlLevel.ENGINEERING),
    ("применение рациональных архитектурно-планировочных решений", ControlLevel.ENGINEERING),
    ("применение технических средств, оборудованных двигателями", ControlLevel.ENGINEERING),
    ("пространственное разделение", ControlLevel.ENGINEERING),
    ("регулировка высоты рабочих мест", ControlLevel.ENGINEERING),
    ("теплоизоляция горячих поверхностей", ControlLevel.ENGINEERING),
    ("химическая обработка для увеличения шероховатости", ControlLevel.ENGINEERING),
    ("предотвращение воздействия факторов, связанных с погодными условиями", ControlLevel.ENGINEERING),
    # Quieter processes and machines: substitution.
    ("применение технологических процессов, машин и оборудования, характеризующихся более низкими",
     ControlLevel.SUBSTITUTION),
    # Designing the hazard out: no height difference, controls reachable from the ground.
    ("избегать перепадов высоты", ControlLevel.ELIMINATION),
    ("расположение элементов управления и оборудования для эксплуатации и обслуживания на высоте",
     ControlLevel.ELIMINATION),
    # Work shoes are PPE.
    ("обеспечение специальной (рабочей) обувью", ControlLevel.PPE),
)  # fmt: skip


def _normalised(name_ru: str) -> str:
    return re.sub(r"\s+", " ", (name_ru or "").lower()).replace("ё", "е").strip()


def classify(name_ru: str) -> str:
    """The level of the hierarchy a model measure's Russian wording describes."""
    text = _normalised(name_ru)
    for prefix, level in OVERRIDES:
        if text.startswith(prefix):
            return level
    return classify_by_stems(name_ru)


def classify_by_stems(name_ru: str) -> str:
    """The level by the word stems alone (what migration 0005 stored)."""
    text = _normalised(name_ru)
    for level, stems in RULES:
        if any(re.search(r"(?<!\w)" + re.escape(stem), text) for stem in stems):
            return level
    return ControlLevel.ADMINISTRATIVE
