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


def classify(name_ru: str) -> str:
    """The level of the hierarchy a model measure's Russian wording describes."""
    text = re.sub(r"\s+", " ", (name_ru or "").lower()).replace("ё", "е")
    for level, stems in RULES:
        if any(re.search(r"(?<!\w)" + re.escape(stem), text) for stem in stems):
            return level
    return ControlLevel.ADMINISTRATIVE
