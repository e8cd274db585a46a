"""A compact part of the ОКПДТР classifier (ОК 016-94): the professions and positions the pilot's
enterprises use, offered as choices on the workplace form. Any other code may still be typed in
(validators.validate_okpdtr checks its form); the full classifier is not shipped.

The codes and names are those of the demo's job profiles (assessments/demo/jobs.toml), which give a
code only where it is certain."""

import csv
import functools
from pathlib import Path

SOURCE = Path(__file__).parent / "data" / "okpdtr.csv"


@functools.cache
def okpdtr_entries() -> tuple[tuple[str, str], ...]:
    """(code, name) pairs in code order."""
    with SOURCE.open(encoding="utf-8", newline="") as handle:
        rows = [(row["code"], row["name"]) for row in csv.DictReader(handle, delimiter=";")]
    return tuple(sorted(rows))


def okpdtr_name(code: str) -> str:
    return dict(okpdtr_entries()).get(code, "")
