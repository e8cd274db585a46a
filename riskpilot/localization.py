"""Reference data (regions, the 776n catalogue, method labels) is stored in Russian and English
columns side by side; this picks the one for the active language, Russian being the fallback."""

from django.utils.translation import get_language


def current_language() -> str:
    language = get_language() or "ru"
    return "en" if language.startswith("en") else "ru"


def localized(obj, field: str) -> str:
    value = getattr(obj, f"{field}_{current_language()}", "")
    return value or getattr(obj, f"{field}_ru")


def localized_key(mapping, field: str) -> str:
    """The same choice for dictionaries from a method configuration (``label_ru``/``label_en``)."""
    return mapping.get(f"{field}_{current_language()}") or mapping.get(f"{field}_ru", "")
