"""Industries of the dashboards: the OKVED2 section (a letter) of an enterprise's main activity.

OKVED2 (OK 029-2014, harmonised with NACE Rev. 2) groups its two-digit divisions into sections
A–U. An enterprise stores only its main code (e.g. 08.93, salt extraction), so the section is
derived here from the division, the code's first two digits. The table is data, not logic: it is
the classifier's own list of sections with the divisions each one spans.
"""

from dataclasses import dataclass

from django.db.models import Q

from riskpilot.localization import current_language


@dataclass(frozen=True)
class Section:
    letter: str
    first_division: int
    last_division: int
    name_ru: str
    name_en: str

    @property
    def name(self) -> str:
        return self.name_en if current_language() == "en" else self.name_ru

    @property
    def divisions(self) -> list[str]:
        return [f"{division:02d}" for division in range(self.first_division, self.last_division + 1)]

    def __str__(self):
        return f"{self.letter} — {self.name}"


# Sections of OKVED2 with their divisions (gaps such as 04, 34, 40, 44 are unused in the classifier).
SECTIONS = (
    Section("A", 1, 3, "Сельское, лесное хозяйство, охота, рыболовство и рыбоводство",
            "Agriculture, forestry and fishing"),
    Section("B", 5, 9, "Добыча полезных ископаемых", "Mining and quarrying"),
    Section("C", 10, 33, "Обрабатывающие производства", "Manufacturing"),
    Section("D", 35, 35, "Обеспечение электрической энергией, газом и паром; кондиционирование воздуха",
            "Electricity, gas, steam and air conditioning supply"),
    Section("E", 36, 39, "Водоснабжение; водоотведение, сбор и утилизация отходов, ликвидация загрязнений",
            "Water supply; sewerage, waste management and remediation"),
    Section("F", 41, 43, "Строительство", "Construction"),
    Section("G", 45, 47, "Торговля оптовая и розничная; ремонт автотранспортных средств и мотоциклов",
            "Wholesale and retail trade; repair of motor vehicles"),
    Section("H", 49, 53, "Транспортировка и хранение", "Transportation and storage"),
    Section("I", 55, 56, "Деятельность гостиниц и предприятий общественного питания",
            "Accommodation and food service"),
    Section("J", 58, 63, "Деятельность в области информации и связи", "Information and communication"),
    Section("K", 64, 66, "Деятельность финансовая и страховая", "Financial and insurance activities"),
    Section("L", 68, 68, "Деятельность по операциям с недвижимым имуществом", "Real estate activities"),
    Section("M", 69, 75, "Деятельность профессиональная, научная и техническая",
            "Professional, scientific and technical activities"),
    Section("N", 77, 82, "Деятельность административная и сопутствующие дополнительные услуги",
            "Administrative and support services"),
    Section("O", 84, 84,
            "Государственное управление и обеспечение военной безопасности; социальное обеспечение",
            "Public administration and defence; compulsory social security"),
    Section("P", 85, 85, "Образование", "Education"),
    Section("Q", 86, 88, "Деятельность в области здравоохранения и социальных услуг",
            "Human health and social work"),
    Section("R", 90, 93, "Деятельность в области культуры, спорта, организации досуга и развлечений",
            "Arts, entertainment and recreation"),
    Section("S", 94, 96, "Предоставление прочих видов услуг", "Other service activities"),
    Section("T", 97, 98, "Деятельность домашних хозяйств как работодателей",
            "Activities of households as employers"),
    Section("U", 99, 99, "Деятельность экстерриториальных организаций и органов",
            "Extraterritorial organisations and bodies"),
)  # fmt: skip

BY_LETTER = {section.letter: section for section in SECTIONS}
_BY_DIVISION = {division: section for section in SECTIONS for division in section.divisions}


def section_of(okved: str) -> Section | None:
    """The section of an OKVED2 code ('08.93' → B); None for a code outside the classifier."""
    return _BY_DIVISION.get((okved or "")[:2])


def section_filter(letter: str, path: str = "") -> Q:
    """Enterprises (reached through ``path``, '' for Enterprise itself) of one section."""
    field = f"{path}__okved__startswith" if path else "okved__startswith"
    query = Q()
    for division in BY_LETTER[letter].divisions:
        query |= Q(**{field: division})
    return query
