"""The natural order of workplace numbers (№ 1, 2А, 3, 4А, 10, 11А), the same on every page, filter,
form, PDF and export.

Each workplace stores ``number_sort``, a key derived from its number when the row is written
(``NaturalSortKeyField``, also on bulk inserts), so the database sorts with a plain indexed column
and Python sorts with the very same string. The key has digits only: every collation of
PostgreSQL (C, ru_RU, en_US) and SQLite's binary one order digit strings alike, so the order does
not depend on the database's locale.
"""

import re

from django.db import models

_RUNS = re.compile(r"([0-9]+)")
# A digit run: "0", its length in two digits, the number without leading zeros (so 9 < 10 < 100);
# any other character: "1" and its code point in seven digits (case folded: 12а and 12А together).
# Runs of digits therefore come before letters at the same place, and a shorter number before
# a longer one that starts the same (12 < 12А < 12-1 is decided by the character after 12).
_DIGITS, _TEXT = "0", "1"
KEY_LENGTH = 255


def number_sort_key(number: str) -> str:
    """The natural-order key of a workplace number: sorting the keys sorts the numbers 1, 2А, 3, 10."""
    key = []
    for part in _RUNS.split((number or "").strip()):
        if not part:
            continue
        if part.isdigit():
            digits = part.lstrip("0") or "0"
            key.append(f"{_DIGITS}{len(digits):02d}{digits}")
        else:
            key.extend(f"{_TEXT}{ord(char):07d}" for char in part.casefold())
    return "".join(key)[:KEY_LENGTH]


def workplace_order(prefix: str = "") -> list[str]:
    """ORDER BY terms for workplaces in number order; ``prefix`` reaches them through a relation
    (``"workplace__"`` for register rows). The number itself breaks ties of keys (12а and 12А)."""
    return [f"{prefix}number_sort", f"{prefix}number"]


def workplace_sort_key(workplace) -> tuple:
    """The same order in Python, for lists already loaded (PDF tables, the structure page)."""
    return (workplace.number_sort, workplace.number, workplace.pk or 0)


class NaturalSortKeyField(models.CharField):
    """The natural-order key of another field of the row, computed whenever the row is written.
    Django calls ``pre_save`` on save() and on bulk_create() alike (as for auto_now), so every
    way the application writes a workplace keeps its key; QuerySet.update() of the number would
    not, and nothing does that."""

    def __init__(self, *args, source: str = "number", **kwargs):
        self.source = source
        kwargs.setdefault("max_length", KEY_LENGTH)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = number_sort_key(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value
