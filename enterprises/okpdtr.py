"""The ОКПДТР classifier (ОК 016-94): reading its file, loading it into the database and looking
codes up for the workplace form.

The database holds a seed (data/okpdtr.csv: the professions and positions of the pilot's
enterprises, loaded by migration 0007); `manage.py load_okpdtr FILE` loads the full classifier.
A code missing from the loaded classifier is accepted when it comes with its check digit
(validators.okpdtr_check_digit), so an officer is never stuck on a partial classifier."""

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import OkpdtrCategory, OkpdtrEntry
from .validators import okpdtr_check_digit

SEED = Path(__file__).parent / "data" / "okpdtr.csv"
MAX_MATCHES = 20  # options offered as the officer types (enough to pick, small for a tablet)

# Header names accepted for each column (lower case), Russian and English.
HEADERS = {
    "code": {"code", "код"},
    "check_digit": {"check_digit", "check digit", "кч", "контрольное число"},
    "name": {"name", "наименование", "наименование профессии", "наименование должности"},
    "category": {"category", "категория", "раздел"},
}
CATEGORY_WORDS = {
    OkpdtrCategory.WORKER: {"worker", "рабочий", "рабочие", "профессия рабочего", "профессии рабочих"},
    OkpdtrCategory.EMPLOYEE: {
        "employee",
        "служащий",
        "служащие",
        "должность служащего",
        "должности служащих",
    },
}


class ClassifierFileError(ValueError):
    """A file that cannot be loaded; the message names the line."""


@dataclass(frozen=True)
class ClassifierRow:
    code: str
    check_digit: int
    name: str
    category: str


@dataclass(frozen=True)
class LoadResult:
    added: int
    updated: int
    unchanged: int


# --- Reading a file -------------------------------------------------------------------------------


def read_classifier_file(path: Path) -> list[ClassifierRow]:
    """The rows of a classifier file (.csv or .xlsx, a header row naming code, check digit, name
    and category); ClassifierFileError for the first problem found."""
    suffix = Path(path).suffix.lower()
    if suffix == ".xlsx":
        rows = _xlsx_rows(path)
    elif suffix in {".csv", ".txt"}:
        rows = _csv_rows(path)
    else:
        raise ClassifierFileError(_("Only .csv and .xlsx files can be loaded."))
    return parse_rows(rows)


def _csv_rows(path: Path) -> list[list[str]]:
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ClassifierFileError(_("The file is not in UTF-8.")) from None
    header = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=header.count)  # as the header is split; ";" if none
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def _xlsx_rows(path: Path) -> list[list]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise ClassifierFileError(_("The file is not an .xlsx workbook.")) from None
    try:
        return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()


def parse_rows(rows: list[list]) -> list[ClassifierRow]:
    """Checked rows from a header row and data rows (cells as read from CSV or Excel)."""
    rows = [row for row in rows if any(_text(cell) for cell in row)]
    if not rows:
        raise ClassifierFileError(_("The file is empty."))
    columns = _columns(rows[0])
    parsed, seen = [], set()
    for line, row in enumerate(rows[1:], start=2):
        cells = {key: _text(row[index]) if index < len(row) else "" for key, index in columns.items()}
        entry = _parse_row(cells, line)
        if entry.code in seen:
            raise ClassifierFileError(
                _("Line %(line)s: code %(code)s appears twice.") % {"line": line, "code": entry.code}
            )
        seen.add(entry.code)
        parsed.append(entry)
    if not parsed:
        raise ClassifierFileError(_("The file has a header but no rows."))
    return parsed


def _text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return str(cell).strip()


def _columns(header: list) -> dict[str, int]:
    names = [_text(cell).lower() for cell in header]
    columns = {}
    for key, accepted in HEADERS.items():
        for index, name in enumerate(names):
            if name in accepted:
                columns[key] = index
                break
        else:
            raise ClassifierFileError(
                _("Line 1: no column “%(column)s”; the header names code, check digit, name and category.")
                % {"column": key.replace("_", " ")}
            )
    return columns


def _parse_row(cells: dict[str, str], line: int) -> ClassifierRow:
    code = cells["code"].zfill(5) if cells["code"].isdigit() else cells["code"]
    if not (len(code) == 5 and code.isdigit()):
        raise ClassifierFileError(
            _("Line %(line)s: “%(code)s” is not a five-digit code.") % {"line": line, "code": cells["code"]}
        )
    if not (len(cells["check_digit"]) == 1 and cells["check_digit"].isdigit()):
        raise ClassifierFileError(_("Line %(line)s: the check digit must be one digit.") % {"line": line})
    if int(cells["check_digit"]) != okpdtr_check_digit(code):
        raise ClassifierFileError(
            _("Line %(line)s: the check digit of %(code)s should be %(digit)s.")
            % {"line": line, "code": code, "digit": okpdtr_check_digit(code)}
        )
    if not cells["name"] or len(cells["name"]) > 300:
        raise ClassifierFileError(_("Line %(line)s: the name is empty or too long.") % {"line": line})
    category = next(
        (value for value, words in CATEGORY_WORDS.items() if cells["category"].lower() in words), None
    )
    if category is None:
        raise ClassifierFileError(
            _("Line %(line)s: the category must be “worker” or “employee”.") % {"line": line}
        )
    return ClassifierRow(code, int(cells["check_digit"]), " ".join(cells["name"].split()), category)


# --- Loading --------------------------------------------------------------------------------------


@transaction.atomic
def classifier_load(*, rows: list[ClassifierRow]) -> LoadResult:
    """Add the codes not yet loaded and update the names and categories that changed; codes absent
    from the file stay (workplaces may carry them). Safe to run twice."""
    stored = {entry.code: entry for entry in OkpdtrEntry.objects.all()}
    new, changed, now = [], [], timezone.now()
    for row in rows:
        entry = stored.get(row.code)
        if entry is None:
            new.append(
                OkpdtrEntry(code=row.code, check_digit=row.check_digit, name=row.name, category=row.category)
            )
        elif (entry.check_digit, entry.name, entry.category) != (row.check_digit, row.name, row.category):
            entry.check_digit, entry.name, entry.category = row.check_digit, row.name, row.category
            entry.updated_at = now  # bulk_update skips auto_now
            changed.append(entry)
    OkpdtrEntry.objects.bulk_create(new, batch_size=1000)
    OkpdtrEntry.objects.bulk_update(
        changed, ["check_digit", "name", "category", "updated_at"], batch_size=1000
    )
    return LoadResult(added=len(new), updated=len(changed), unchanged=len(rows) - len(new) - len(changed))


def seed_rows() -> list[ClassifierRow]:
    return read_classifier_file(SEED)


# --- Looking up -----------------------------------------------------------------------------------


def okpdtr_matches(query: str, *, limit: int = MAX_MATCHES) -> list[OkpdtrEntry]:
    """Entries whose code starts with the digits typed, or whose name contains the words typed;
    one query whatever the classifier's size."""
    # Printable characters only: PostgreSQL refuses a NUL in a query's parameters.
    query = " ".join("".join(char for char in query if char.isprintable()).split())[:100]
    entries = OkpdtrEntry.objects.only("code", "check_digit", "name")
    if not query:
        return list(entries[:limit])
    digits = query.replace(" ", "")
    if digits.isdigit():
        return list(entries.filter(code__startswith=digits[:5])[:limit])
    return list(entries.filter(name__icontains=query).order_by("name", "code")[:limit])


def okpdtr_entry(code: str) -> OkpdtrEntry | None:
    return OkpdtrEntry.objects.filter(code=code).first()


def okpdtr_name(code: str) -> str:
    entry = okpdtr_entry(code)
    return entry.name if entry else ""


def okpdtr_code_clean(typed: str, *, kept: str = "") -> tuple[str, OkpdtrEntry | None]:
    """The five-digit code an officer typed ("19149", or with its check digit "19149 6") and its
    entry in the loaded classifier. A code missing from the classifier needs its check digit, so
    that a typo is caught; ``kept`` (the workplace's code as stored) passes unchanged."""
    compact = "".join(typed.split()).replace("-", "")
    if not compact:
        return "", None
    if not compact.isdigit() or len(compact) not in (5, 6):
        raise ValidationError(
            _("An OKPDTR code has 5 digits, optionally followed by its check digit (e.g. 19149 6)."),
            code="okpdtr_format",
        )
    code, check = compact[:5], compact[5:]
    if check and int(check) != okpdtr_check_digit(code):
        raise ValidationError(
            _("The check digit does not match code %(code)s: check both for a typo.") % {"code": code},
            code="okpdtr_check_digit",
        )
    entry = okpdtr_entry(code)
    if entry is None and not check and code != kept:
        raise ValidationError(
            _(
                "Code %(code)s is not in the loaded classifier. Check it, or type its check digit "
                "(КЧ) from ОК 016-94 after it."
            )
            % {"code": code},
            code="okpdtr_unknown",
        )
    return code, entry
