"""Import of structural units, workplaces and register rows from an .xlsx file.

The layout is the export's (assessments/exports.py), so an exported register can be edited and
imported back as it is; columns are found by their header in Russian or English, and columns that
only the export has (levels, measure counts) are read-only: the import ignores them.

A line with a row key (the export's first column) is the register row of that key, of this
enterprise only: its description (source, activity, object, controls, who and how many are
exposed, next review) and status are updated through the same services as the forms; its
workplace, event and identification date stay, and a line that changes them is an error. A line
without a key is new:
- a structural unit alone creates the unit (levels separated by " / ", top unit first);
- with a workplace number and position, the workplace too (one row per hazard repeats it, with
  the same data each time);
- with a hazardous event code and source, a register row at that workplace.

Every row is validated before anything is written, and one bad cell is one error (a row's bad
cell is not compared with the other rows again). The check gives a preview (new, changed with
each cell before and after, unchanged, erroneous rows); nothing is written until the user
confirms it. The write then checks the file again in one transaction and refuses it all if the
register no longer gives the same preview (optimistic locking on every matched row).
"""

import contextlib
import datetime
import hashlib
import io
import json
import re
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from types import SimpleNamespace

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.defaultfilters import filesizeformat
from django.utils import formats, timezone, translation
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from simple_history.models import HistoricalRecords

from enterprises.models import Department, Enterprise, Workplace
from enterprises.services import department_ensure_path, department_path, department_tree, workplace_add
from enterprises.validators import validate_okpdtr
from hazards.forms import catalogue_events
from hazards.models import Activity, Hazard, HazardStatus
from hazards.services import (
    DESCRIPTION_FIELDS,
    check_version,
    hazard_add,
    hazard_set_status,
    hazard_update,
    stale_edit_error,
    version_token,
)
from riskpilot.forms import VersionField
from riskpilot.spreadsheets import ArchiveRefused, cell_values, check_xlsx_archive, unescape_text

from .exports import (
    COLUMNS,
    DEPARTMENT_SEPARATOR,
    MAX_IMPORT_ROWS,
    ROW_KEY,
    XLSX_CONTENT_TYPE,
    Column,
    write_header,
)
from .models import ImportStatus, RegisterImport
from .tasks import run_register_import

MAX_ROWS = MAX_IMPORT_ROWS
# The check records its progress every so many rows (one UPDATE each).
PROGRESS_EVERY = 250
# Row keys are the register's ids (64-bit); anything past this is a typing slip, not a key.
MAX_ROW_KEY = 2**62
# Errors kept on the status page; a file with more has the same few mistakes repeated.
MAX_REPORTED_ERRORS = 500
# Runs of one import before it is given up (each lost worker re-delivers the task).
MAX_ATTEMPTS = 3
# The export has 24 columns; cells beyond this are not read (a sheet may declare 16,384 columns,
# and streaming mode would otherwise pad every row to that width).
MAX_COLUMNS = 60
IMPORTABLE = [column for column in COLUMNS if column.importable]
REQUIRED_HEADERS = ("department", "workplace_number", "position")
# Model field lengths the cells must fit.
MAX_LENGTHS = {
    "department": 300,
    "workplace_number": 30,
    "position": 300,
    "object_description": 500,
    "exposed_description": 300,
}
# Levels of a unit's path are separated by a slash with a space on at least one side, so that a
# name like "Служба ОТ/ПБ" stays one unit.
PATH_SPLIT = re.compile(r"\s+/\s*|\s*/\s+")
WORKPLACE_KEYS = ("department", "position", "okpdtr_code", "headcount_total")
HAZARD_KEYS = (
    "source",
    "activity",
    "object_description",
    "existing_controls",
    "exposed_description",
    "exposed_count",
    "identified_on",
    "next_review_on",
    "status",
)


class ImportFileError(Exception):
    """The file as a whole cannot be read (not an .xlsx, no header, too many rows)."""


@dataclass
class CellError:
    row: int
    column: str
    value: str
    message: str


@dataclass
class ImportResult:
    departments: int = 0
    workplaces: int = 0
    hazards: int = 0
    changed: int = 0
    errors: list[CellError] = field(default_factory=list)


def _normalise(text) -> str:
    return " ".join(str(text).casefold().split())


def _labels_in_every_language(label) -> set[str]:
    labels = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            labels.add(_normalise(label))
    return labels


def _choice_lookup(choices_class) -> dict[str, str]:
    """Stored value by its key or its label in any language ("routine", "Штатная работа")."""
    lookup = {}
    for value, label in choices_class.choices:
        lookup[_normalise(value)] = value
        for text in _labels_in_every_language(label):
            lookup[text] = value
    return lookup


# --- Reading the file ---------------------------------------------------------------------------


class ImportFileForm(forms.Form):
    file = forms.FileField(
        label=_("Register file (.xlsx)"),
        help_text=_("An Excel workbook in the layout of the template or of an export."),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX_CONTENT_TYPE}"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("The file is %(size)s; at most %(limit)s can be imported at once.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(settings.MAX_UPLOAD_BYTES)}
            )
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(_("Choose an Excel workbook saved as .xlsx (not .xls, .csv or .ods)."))
        # The name proves nothing: the archive must be a sane zip (read in the worker later).
        try:
            check_xlsx_archive(upload)
        except ArchiveRefused as refused:
            raise ValidationError(archive_message(refused)) from None
        return upload


class ImportConfirmForm(forms.Form):
    """The confirmation of a preview: it carries the preview's fingerprint, so that a page of an
    older check cannot confirm a newer one."""

    fingerprint = VersionField(max_length=64)


def archive_message(refused: ArchiveRefused) -> str:
    if refused.reason == "not_zip":
        return gettext("This file is not a valid .xlsx workbook.")
    return gettext(
        "This workbook unpacks to far more data than a register needs (a damaged or hostile file); "
        "save it again from Excel or LibreOffice, or split it into several files."
    )


def read_rows(upload) -> list[tuple]:
    """The first sheet's rows as tuples of cell values, header first, read as a stream: the
    archive is checked first (riskpilot.spreadsheets), then at most MAX_ROWS rows and
    MAX_COLUMNS columns are read, whatever the sheet declares."""
    try:
        check_xlsx_archive(upload)
    except ArchiveRefused as refused:
        raise ImportFileError(archive_message(refused)) from None
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except Exception as error:
        # A damaged or hostile workbook fails in many ways inside openpyxl: a bad zip, truncated
        # XML (ParseError), a DTD or entities (defusedxml), missing parts (KeyError).
        raise ImportFileError(gettext("This file is not a valid .xlsx workbook.")) from error
    try:
        if not workbook.worksheets:
            raise ImportFileError(gettext("The workbook has no sheet."))
        rows = []
        # One column past the cap is read to tell a wide sheet from one that only declares it.
        for values in workbook.worksheets[0].iter_rows(max_col=MAX_COLUMNS + 1, values_only=True):
            if len(values) > MAX_COLUMNS and values[MAX_COLUMNS] not in (None, ""):
                raise ImportFileError(
                    gettext("Row %(row)s has more than %(max)s columns: remove the extra columns.")
                    % {"row": len(rows) + 1, "max": MAX_COLUMNS}
                )
            rows.append(values[:MAX_COLUMNS])
            if len(rows) > MAX_ROWS + 1:
                raise ImportFileError(
                    gettext("The file has more than %(max)s rows: split it into several files.")
                    % {"max": MAX_ROWS}
                )
        return rows
    except ImportFileError:
        raise
    except Exception as error:
        raise ImportFileError(gettext("This file is not a valid .xlsx workbook.")) from error
    finally:
        workbook.close()


def _header_map(header: tuple) -> dict[str, int]:
    labels = {}
    for column in COLUMNS:
        for text in (*_labels_in_every_language(column.label), column.key):
            labels[text] = column.key
    found = {}
    for index, value in enumerate(header):
        key = labels.get(_normalise(value)) if value is not None else None
        if key and key not in found:
            found[key] = index
    missing = [
        column.label for column in COLUMNS if column.key in REQUIRED_HEADERS and column.key not in found
    ]
    if missing:
        raise ImportFileError(
            gettext(
                "The first row must hold the column headers; missing: %(columns)s. Download the template."
            )
            % {"columns": ", ".join(f"“{label}”" for label in missing)}
        )
    return found


# --- Validating ---------------------------------------------------------------------------------


class _Row:
    """One data row: cell access by column key, with the errors found in it."""

    def __init__(self, number, values, columns, errors):
        self.number, self.values, self.columns, self.errors = number, values, columns, errors
        # Columns of this row that already have an error: checks that compare them with other
        # rows or with the register skip them, so one bad cell is one error.
        self.bad: set[str] = set()

    def raw(self, key):
        index = self.columns.get(key)
        if index is None or index >= len(self.values):
            return None
        value = self.values[index]
        # An export escapes text a spreadsheet would run as a formula; read it as it was typed.
        return unescape_text(value) if isinstance(value, str) else value

    def error(self, key, message):
        if key in self.bad:
            return  # a cell read twice is reported once
        self.bad.add(key)
        index = self.columns.get(key)
        letter = get_column_letter(index + 1) if index is not None else ""
        label = next(str(c.label) for c in COLUMNS if c.key == key)
        value = self.raw(key)
        self.errors.append(
            CellError(
                row=self.number,
                column=f"{letter} ({label})" if letter else label,
                value="" if value is None else str(value),
                message=str(message),
            )
        )

    def text(self, key) -> str:
        value = self.raw(key)
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, datetime.datetime):
            value = value.date()
        text = value.isoformat() if isinstance(value, datetime.date) else str(value)
        text = _squash(key, text)
        limit = MAX_LENGTHS.get(key)
        if limit and len(text) > limit and key != "department":
            self.error(key, gettext("At most %(limit)s characters.") % {"limit": limit})
        return text

    def integer(self, key, default):
        value = self.raw(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            return default
        if isinstance(value, bool):
            value = None
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        elif isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if not isinstance(value, int) or value < 0 or value > 1_000_000:
            self.error(key, gettext("Give a whole number, 0 or more."))
            return default
        return value

    def date(self, key):
        value = self.raw(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, str):
            for pattern in ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y"):
                try:
                    return datetime.datetime.strptime(value.strip(), pattern).date()
                except ValueError:
                    continue
        self.error(key, gettext("Give a date as DD.MM.YYYY."))
        return None

    def choice(self, key, lookup, default):
        text = self.text(key)
        if not text:
            return default
        value = lookup.get(_normalise(text))
        if value is None:
            labels = sorted({label for label in lookup if label not in lookup.values()})
            self.error(key, gettext("Unknown value; use one of: %(values)s.") % {"values": "; ".join(labels)})
            return default
        return value

    def row_key(self) -> int | None:
        """The register row this line was exported from, or None for a new row."""
        value = self.raw(ROW_KEY.key)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        elif isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < MAX_ROW_KEY:
            self.error(
                ROW_KEY.key,
                gettext(
                    "A row key is the number RiskPilot wrote into an exported file; keep it as it "
                    "was, or leave the cell empty to add a new row."
                ),
            )
            return None
        return value

    def is_empty(self) -> bool:
        return all(
            self.raw(column.key) is None or str(self.raw(column.key)).strip() == "" for column in IMPORTABLE
        )


def _squash(key: str, text: str) -> str:
    """A cell's text as the import reads it (and a stored text as it compares it): short texts
    with their runs of spaces squashed, long ones only stripped."""
    return " ".join(text.split()) if key in MAX_LENGTHS else text.strip()


@dataclass
class _Plan:
    row: int
    path: tuple[str, ...]
    number: str | None
    workplace: dict | None
    hazard: dict | None
    # A line with a row key: the register row it updates, its new values, and the version the
    # check saw (the write refuses a row changed since).
    existing: Hazard | None = None
    changes: dict = field(default_factory=dict)
    version: str = ""


@dataclass
class Check:
    """What a file would do to the register: the plan of each row, the errors, and the preview
    shown to the user before anything is written."""

    plans: list[_Plan]
    errors: list[CellError]
    preview: dict
    columns: dict[str, int] = field(default_factory=dict)  # column index by key, as in the file

    @property
    def writes(self) -> int:
        return len(self.preview["new"]) + len(self.preview["changed"])


def _event_code(row: _Row, events: dict) -> str:
    value = row.raw("event_code")
    code = row.text("event_code")
    if isinstance(value, float) and f"{code}0" in events:
        # Excel turned a typed 13.10 into the number 13.1: ask for text rather than guess.
        row.error(
            "event_code",
            gettext(
                "The code was stored as a number and may have lost a trailing zero; format the cell as text."
            ),
        )
    return code


def _shown(key: str, value) -> str:
    """A value as the preview shows it, before or after."""
    if value is None or value == "":
        return "—"
    if key == "activity":
        return str(Activity(value).label)
    if key == "status":
        return str(HazardStatus(value).label)
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def _stored(key: str, value):
    """A stored value as an export wrote it and an import reads it back: texts without control
    characters, squashed like the cells (so an unchanged row compares equal)."""
    if isinstance(value, str):
        return _squash(key, ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def _fingerprint(preview: dict) -> str:
    """What the confirmation must still find: the same new and changed rows, and every matched
    row at the version the user saw."""
    content = {key: preview[key] for key in ("new", "changed", "versions")}
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


def validate(enterprise: Enterprise, rows: list[tuple], progress=None) -> Check:
    """Every row checked against the file's other rows and the enterprise's register. A row with a
    row key is compared with that register row (of this enterprise only); one without is new.
    ``progress(rows_checked)`` is called now and then."""
    if not rows:
        raise ImportFileError(gettext("The first sheet is empty."))
    columns = _header_map(rows[0])
    errors: list[CellError] = []
    events = {event.code: event for event in catalogue_events(enterprise)}
    activities, statuses = _choice_lookup(Activity), _choice_lookup(HazardStatus)
    today = timezone.localdate()

    tree, departments_by_id = department_tree(enterprise)
    departments = {tuple(department_path(d, departments_by_id)): d for d, _depth in tree}
    existing_workplaces = {
        w.number: w for w in Workplace.objects.filter(enterprise=enterprise).select_related("department")
    }
    registered: dict[tuple, set[int]] = {}
    for pk, number, code, source in (
        Hazard.objects.filter(enterprise=enterprise)
        .exclude(status=HazardStatus.ARCHIVED)
        .values_list("pk", "workplace__number", "event__code", "source")
    ):
        registered.setdefault((number, code, _normalise(source)), set()).add(pk)

    # The register rows the file names, of this enterprise only: a key of another enterprise's
    # row is not found, exactly like a key that never existed.
    lines = [_Row(offset, values, columns, errors) for offset, values in enumerate(rows[1:], start=2)]
    keys = {line.number: line.row_key() for line in lines if not line.is_empty()}
    matched = {
        hazard.pk: hazard
        for hazard in Hazard.objects.filter(
            enterprise=enterprise, pk__in={key for key in keys.values() if key}
        ).select_related("workplace", "event")
    }
    keys_in_file = set(matched)
    owners = _key_owners(lines, keys, matched)

    plans: list[_Plan] = []
    preview: dict = {"new": [], "changed": [], "unchanged": [], "versions": {}}
    # Per workplace number, the value of each of its columns that the other rows must repeat:
    # the register's, or the first row's that gave a valid one.
    references: dict[str, dict[str, tuple[int | None, object]]] = {}
    seen_rows: dict[tuple, int] = {}
    new_workplaces: set[str] = set()
    new_paths: set[tuple] = set()
    for row in lines:
        offset = row.number
        if progress is not None and offset % PROGRESS_EVERY == 0:
            progress(offset - 1)
        if row.is_empty():
            continue

        existing = None
        key = keys.get(offset)
        if key is not None:
            existing = matched.get(key)
            if existing is None:
                row.error(ROW_KEY.key, gettext("No register row of this enterprise has this key."))
            elif owners[key] != offset:
                row.error(
                    ROW_KEY.key,
                    gettext(
                        "Row %(row)s has the same row key; a register row can be in the file once. "
                        "Clear the key of a line you added."
                    )
                    % {"row": owners[key]},
                )
                existing = None

        department_text = row.text("department")
        path = tuple(part.strip() for part in PATH_SPLIT.split(department_text))
        if not department_text:
            row.error("department", gettext("Give the structural unit."))
        elif any(not part for part in path):
            row.error(
                "department",
                gettext("A name is missing in the path; separate levels with “ / ”, top unit first."),
            )
        elif any(len(part) > MAX_LENGTHS["department"] for part in path):
            row.error("department", gettext("A unit's name has at most 300 characters."))
        elif existing is None:
            known = departments.get(path)
            if known is not None and known.archived_at is not None:
                row.error("department", gettext("This structural unit is archived."))

        number = row.text("workplace_number")
        if existing is not None and number != existing.workplace.number:
            row.error(
                "workplace_number",
                gettext(
                    "This register row is at workplace № %(number)s and cannot move to another one; "
                    "keep the number, or clear the row key to add a new row."
                )
                % {"number": existing.workplace.number},
            )
            number = existing.workplace.number
        workplace = None
        if number:
            workplace = {
                "department": path,
                "position": row.text("position"),
                "okpdtr_code": row.text("okpdtr_code"),
                "headcount_total": row.integer("headcount_total", 1),
            }
            if not workplace["position"]:
                row.error("position", gettext("Give the profession or position of the workplace."))
            if workplace["okpdtr_code"]:
                if isinstance(row.raw("okpdtr_code"), int | float):
                    # Excel drops the leading zero of a code typed as a number: 1234 is 01234.
                    workplace["okpdtr_code"] = workplace["okpdtr_code"].zfill(5)
                try:
                    validate_okpdtr(workplace["okpdtr_code"])
                except ValidationError as error:
                    row.error("okpdtr_code", error.messages[0])
            stored = existing_workplaces.get(number)
            if number not in references:
                references[number] = {}
                if stored is not None:
                    stored_values = {
                        "department": tuple(department_path(stored.department, departments_by_id)),
                        "position": stored.position,
                        "okpdtr_code": stored.okpdtr_code,
                        "headcount_total": stored.headcount_total,
                    }
                    references[number] = {k: (None, stored_values[k]) for k in WORKPLACE_KEYS}
            reference = references[number]
            for name in WORKPLACE_KEYS:
                if name in row.bad:
                    continue  # reported already; it neither sets nor breaks the reference
                if name not in reference:
                    reference[name] = (offset, workplace[name])
                    continue
                first_row, value = reference[name]
                if value == workplace[name]:
                    continue
                if first_row is None:
                    shown = DEPARTMENT_SEPARATOR.join(value) if name == "department" else value
                    row.error(
                        name,
                        gettext("Workplace № %(number)s is already in the register with “%(value)s” here.")
                        % {"number": number, "value": shown},
                    )
                else:
                    row.error(
                        name,
                        gettext(
                            "Workplace № %(number)s is described differently in row %(row)s; "
                            "every row of one workplace must repeat the same data."
                        )
                        % {"number": number, "row": first_row},
                    )
        elif row.text("position") or row.text("event_code"):
            row.error("workplace_number", gettext("Give the workplace number (as on the SOUT card)."))

        hazard = None
        changes: dict = {}
        code = _event_code(row, events)
        described = any(row.text(key) for key in HAZARD_KEYS if key not in ("activity", "status"))
        if existing is not None:
            if code != existing.event.code and "event_code" not in row.bad:
                row.error(
                    "event_code",
                    gettext(
                        "The hazardous event of a register row stays (another event is another row): "
                        "keep %(code)s, or clear the row key to add a new row."
                    )
                    % {"code": existing.event.code},
                )
            identified_on = row.date("identified_on")
            if identified_on and identified_on != existing.identified_on and "identified_on" not in row.bad:
                row.error(
                    "identified_on",
                    gettext("The date a register row was identified is kept: keep %(date)s.")
                    % {"date": formats.date_format(existing.identified_on, "SHORT_DATE_FORMAT")},
                )
            # Empty choices and counts keep what the row has; empty texts and dates clear them.
            values = {
                "source": row.text("source"),
                "activity": row.choice("activity", activities, existing.activity),
                "object_description": row.text("object_description"),
                "existing_controls": row.text("existing_controls"),
                "exposed_description": row.text("exposed_description"),
                "exposed_count": row.integer("exposed_count", existing.exposed_count),
                "next_review_on": row.date("next_review_on"),
                "status": row.choice("status", statuses, existing.status),
            }
            if not values["source"]:
                row.error("source", gettext("Describe the source of the hazard."))
            changes = {
                name: value
                for name, value in values.items()
                if name not in row.bad and _stored(name, getattr(existing, name)) != value
            }
            triple = (existing.workplace.number, existing.event.code, _normalise(values["source"]))
            if "source" in changes and values["source"]:
                others = registered.get(triple, set()) - keys_in_file
                if triple in seen_rows or others:
                    if others:
                        message = gettext(
                            "This workplace already has this event with this source in the register."
                        )
                    else:
                        message = gettext(
                            "The same event and source at this workplace are already in row %(row)s."
                        ) % {"row": seen_rows[triple]}
                    row.error("source", message)
            seen_rows.setdefault(triple, offset)
        elif code:
            event = events.get(code)
            if event is None:
                row.error("event_code", gettext("No hazardous event has this code in the 776n catalogue."))
            hazard = {
                "event": event,
                "source": row.text("source"),
                "activity": row.choice("activity", activities, Activity.ROUTINE),
                "object_description": row.text("object_description"),
                "existing_controls": row.text("existing_controls"),
                "exposed_description": row.text("exposed_description"),
                "exposed_count": row.integer("exposed_count", 1),
                "identified_on": row.date("identified_on"),
                "next_review_on": row.date("next_review_on"),
                "status": row.choice("status", statuses, HazardStatus.ACTIVE),
            }
            if not hazard["source"]:
                row.error("source", gettext("Describe the source of the hazard."))
            if hazard["identified_on"] and hazard["identified_on"] > today:
                row.error("identified_on", gettext("A hazard cannot be identified in the future."))
            stored = existing_workplaces.get(number) if number else None
            if stored is not None and stored.archived_at is not None:
                row.error("workplace_number", gettext("This workplace is archived in the register."))
            triple = (number, code, _normalise(hazard["source"]))
            # A line whose key is wrong is reported on its key alone, not also as a duplicate of
            # the register row it was exported from.
            if number and hazard["source"] and not row.bad & {"event_code", ROW_KEY.key}:
                if triple in seen_rows:
                    row.error(
                        "event_code",
                        gettext("The same event and source at this workplace are already in row %(row)s.")
                        % {"row": seen_rows[triple]},
                    )
                elif registered.get(triple, set()) - keys_in_file:
                    row.error(
                        "event_code",
                        gettext(
                            "This workplace already has this event with this source in the register. "
                            "To change that row, import a file exported from RiskPilot: its row key "
                            "names the row."
                        ),
                    )
                seen_rows.setdefault(triple, offset)
        elif described:
            row.error("event_code", gettext("Give the hazardous event code of this row (e.g. 8.1)."))

        plan = _Plan(row=offset, path=path, number=number or None, workplace=workplace, hazard=hazard)
        if existing is not None:
            plan.existing, plan.changes = existing, changes
            plan.version = version_token(existing.updated_at)
            preview["versions"][str(existing.pk)] = plan.version
        plans.append(plan)
        if row.bad:
            continue  # an erroneous row: counted as such, neither new nor changed
        _preview_row(
            preview,
            plan,
            new_workplaces=new_workplaces,
            new_paths=new_paths,
            known=(departments, existing_workplaces),
        )
    if progress is not None and len(rows) % PROGRESS_EVERY:  # not reported by the loop's last row
        progress(len(rows) - 1)
    if not plans and not errors:
        raise ImportFileError(gettext("The file has a header but no rows to import."))
    errors.sort(key=lambda error: error.row)  # the keys were read first, for the whole file
    preview["erroneous"] = len({error.row for error in errors})
    preview["fingerprint"] = _fingerprint(preview)
    return Check(plans=plans, errors=errors, preview=preview, columns=columns)


def _key_owners(lines: list[_Row], keys: dict[int, int | None], matched: dict) -> dict[int, int]:
    """The line each row key belongs to. A key copied onto a second line (a copied row in Excel)
    belongs to the line that still has its row's workplace and event, so that the copy, not the
    original, is the one error."""
    owners: dict[int, int] = {}
    for line in lines:
        key = keys.get(line.number)
        hazard = matched.get(key) if key else None
        if hazard is None:
            continue
        fits = (line.text("workplace_number"), line.text("event_code")) == (
            hazard.workplace.number,
            hazard.event.code,
        )
        if key not in owners or (fits and not owners[key][1]):
            owners[key] = (line.number, fits)
    return {key: number for key, (number, _fits) in owners.items()}


def _preview_row(preview: dict, plan: _Plan, *, new_workplaces: set, new_paths: set, known: tuple) -> None:
    """File one valid row under new, changed or unchanged, with what the user needs to tell it."""
    departments, existing_workplaces = known
    entry = {"row": plan.row, "workplace": plan.number or "", "event": "", "source": ""}
    if plan.existing is not None:
        hazard = plan.existing
        entry.update(key=hazard.pk, event=hazard.event.code, source=_stored("source", hazard.source)[:120])
        if plan.changes:
            labels = {column.key: str(column.label) for column in COLUMNS}
            entry["cells"] = [
                {
                    "column": labels[name],
                    "before": _shown(name, getattr(hazard, name)),
                    "after": _shown(name, value),
                }
                for name, value in plan.changes.items()
            ]
            preview["changed"].append(entry)
        else:
            preview["unchanged"].append(entry)
        return
    entry["department"] = DEPARTMENT_SEPARATOR.join(plan.path)
    if plan.hazard is not None:
        entry.update(event=plan.hazard["event"].code, source=plan.hazard["source"][:120])
        preview["new"].append(entry)
    elif plan.number:
        new = plan.number not in existing_workplaces and plan.number not in new_workplaces
        preview["new" if new else "unchanged"].append(entry)
    elif plan.path not in departments and plan.path not in new_paths:
        preview["new"].append(entry)
    else:
        preview["unchanged"].append(entry)
    if plan.number:
        new_workplaces.add(plan.number)
    new_paths.add(plan.path)


# --- Writing ------------------------------------------------------------------------------------


class _Rollback(Exception):
    pass


def _write(enterprise: Enterprise, plans: Iterable[_Plan], user, result: ImportResult, progress=None) -> None:
    departments_before = Department.objects.filter(enterprise=enterprise).count()
    workplaces = {w.number: w for w in Workplace.objects.filter(enterprise=enterprise)}
    departments: dict = {}
    for done, plan in enumerate(plans, start=1):
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done)
        try:
            if plan.existing is not None:
                if plan.changes:
                    _update(plan)
                    result.changed += 1
                continue
            if plan.path not in departments:
                departments[plan.path] = department_ensure_path(enterprise=enterprise, path=plan.path)
            if plan.number is None:
                continue
            workplace = workplaces.get(plan.number)
            if workplace is None:
                workplace = workplace_add(
                    enterprise=enterprise,
                    department=departments[plan.path],
                    number=plan.number,
                    position=plan.workplace["position"],
                    okpdtr_code=plan.workplace["okpdtr_code"],
                    headcount_total=plan.workplace["headcount_total"],
                )
                workplaces[workplace.number] = workplace
                result.workplaces += 1
            if plan.hazard is None:
                continue
            data = dict(plan.hazard)
            status = data.pop("status")
            hazard = hazard_add(workplace=workplace, identified_by=user, **data)
            if status != HazardStatus.ACTIVE:
                hazard_set_status(hazard=hazard, status=status)
            result.hazards += 1
        except ValidationError as error:
            # Validation ran first, so this is a race with another user's change: report it on
            # its row and write nothing.
            result.errors.append(
                CellError(row=plan.row, column="", value="", message="; ".join(error.messages))
            )
            raise _Rollback from error
    result.departments = Department.objects.filter(enterprise=enterprise).count() - departments_before


def _update(plan: _Plan) -> None:
    """A matched row through the services the forms use: its description by hazard_update (which
    refuses a row changed since the check, and keeps the assessment and its level), its status by
    hazard_set_status. Each leaves its entry in the row's history."""
    hazard, changes = plan.existing, dict(plan.changes)
    status = changes.pop("status", None)
    if changes:
        data = {name: getattr(hazard, name) for name in DESCRIPTION_FIELDS}
        data.update(changes)
        hazard = hazard_update(hazard=hazard, version=plan.version, **data)
    if status is not None:
        if not changes:
            hazard = Hazard.objects.select_for_update(of=("self",)).get(pk=hazard.pk)
            check_version(obj=hazard, expected=plan.version)
        hazard_set_status(hazard=hazard, status=status)


def _stale_rows(check: Check, expected: dict) -> list[CellError]:
    """The matched rows changed since the preview, each on its line; or one error for the file
    when the register changed in another way (a row added or archived meanwhile)."""
    errors = []
    seen = expected.get("versions", {})
    for plan in check.plans:
        if plan.existing is not None and seen.get(str(plan.existing.pk), plan.version) != plan.version:
            error = stale_edit_error(obj=plan.existing, kind="hazard", changed_at=plan.existing.updated_at)
            errors.append(
                CellError(
                    row=plan.row,
                    column=f"{get_column_letter(check.columns[ROW_KEY.key] + 1)} ({ROW_KEY.label})",
                    value=str(plan.existing.pk),
                    message=error.messages[0],
                )
            )
    if not errors:
        errors.append(CellError(row=1, column="", value="", message=str(STALE_MESSAGE)))
    return errors


STALE_MESSAGE = gettext_lazy(
    "The register changed after this file was checked, so the preview no longer holds; nothing was "
    "imported. Upload the file again to check it against the register as it is now."
)


@contextlib.contextmanager
def _history_by(user):
    """Entries of the register's history written by a worker name the user who uploaded and
    confirmed the file, as the history middleware does for a form (simple-history reads the user
    from the request it keeps)."""
    context = HistoricalRecords.context
    before = getattr(context, "request", None)
    context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if before is None:
            del context.request
        else:
            context.request = before


def import_register(
    *, enterprise: Enterprise, rows: list[tuple], user, job=None, expected: dict | None = None, progress=None
) -> ImportResult:
    """Validate every row; write all of them in one transaction, or nothing. With ``expected``
    (the preview the user confirmed), the register must still give the same preview: a matched row
    edited meanwhile, or any other change to what the file would do, refuses the whole file
    (optimistic locking). With ``job`` (a RegisterImport), its outcome is recorded in the same
    transaction as the rows, so a task run twice never imports twice."""
    result = ImportResult()
    try:
        with transaction.atomic():
            # One import per enterprise at a time: a second one waits for this lock, then is
            # validated against the rows the first wrote (PostgreSQL; SQLite writes one at a time).
            Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()
            check = validate(enterprise, rows)
            if check.errors:
                result.errors = check.errors
                raise _Rollback
            if expected is not None and check.preview["fingerprint"] != expected.get("fingerprint"):
                result.errors = _stale_rows(check, expected)
                raise _Rollback
            with _history_by(user):
                _write(enterprise, check.plans, user, result, progress=progress)
            if job is not None:
                _record(job, result)
    except ImportFileError as error:
        result.errors.append(CellError(row=1, column="", value="", message=str(error)))
    except _Rollback:
        result.departments = result.workplaces = result.hazards = result.changed = 0
    except IntegrityError:
        # The lock makes this rare (an import racing a form on the same rows); nothing was written.
        result.departments = result.workplaces = result.hazards = result.changed = 0
        result.errors = [
            CellError(
                row=1,
                column="",
                value="",
                message=gettext(
                    "The register was changed by someone else while this file was imported; "
                    "nothing was imported. Upload the file again."
                ),
            )
        ]
    return result


# --- In the worker --------------------------------------------------------------------------------


@transaction.atomic
def register_import_request(*, enterprise: Enterprise, user, file) -> RegisterImport:
    """Keep the uploaded file privately and queue its check: a file of thousands of rows takes
    longer than a web request may."""
    job = RegisterImport(
        enterprise=enterprise,
        requested_by=user,
        original_name=file.name[:200],
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    # The stored name is random: the uploaded one is shown, never used as a path.
    job.file.save(f"{uuid.uuid4().hex}.xlsx", file, save=False)
    job.save()
    run_register_import.delay_on_commit(job.pk)
    return job


@transaction.atomic
def register_import_confirm(*, job: RegisterImport, user, fingerprint: str) -> RegisterImport:
    """The user saw the preview and wants it written: queue the write. ``fingerprint`` is the
    preview's, as the page showed it; a page of an older check is refused."""
    job = RegisterImport.objects.select_for_update().get(pk=job.pk)
    if job.status != ImportStatus.PREVIEW:
        raise ValidationError(
            gettext_lazy(
                "This import is not waiting for confirmation: it was confirmed already or has ended."
            ),
            code="not_preview",
        )
    if fingerprint != job.preview.get("fingerprint"):
        raise ValidationError(
            gettext_lazy("This preview is out of date; reload the page and check it again."), code="stale"
        )
    now = timezone.now()
    RegisterImport.objects.filter(pk=job.pk).update(
        status=ImportStatus.CONFIRMED, confirmed_by=user, confirmed_at=now, attempts=0, updated_at=now
    )
    run_register_import.delay_on_commit(job.pk)
    job.refresh_from_db()
    return job


def register_import_run(*, import_id: int) -> RegisterImport | None:
    """Check one queued file, or write one confirmed; safe to run twice (a checked, confirmed or
    finished import is left as it is)."""
    job = (
        RegisterImport.objects.select_related("enterprise", "requested_by", "confirmed_by")
        .filter(pk=import_id)
        .first()
    )
    if job is None or not job.is_working:
        return job
    if job.attempts >= MAX_ATTEMPTS:
        register_import_fail(
            import_id=job.pk,
            message=gettext_lazy(
                "The import stopped the worker several times and was given up; nothing was imported. "
                "Split the file or save it again from Excel."
            ),
        )
        job.refresh_from_db()
        return job
    writing = job.status in (ImportStatus.CONFIRMED, ImportStatus.APPLYING)
    job.status = ImportStatus.APPLYING if writing else ImportStatus.RUNNING
    RegisterImport.objects.filter(pk=job.pk).update(
        status=job.status, started_at=timezone.now(), attempts=F("attempts") + 1, rows_checked=0
    )
    with translation.override(job.language):
        if writing:
            _apply(job)
        else:
            _check(job)
    job.refresh_from_db()
    return job


def _read(job: RegisterImport) -> list[tuple] | ImportResult:
    try:
        with job.file.open("rb") as handle:
            return read_rows(handle)
    except ImportFileError as error:
        return ImportResult(errors=[CellError(row=1, column="", value="", message=str(error))])
    except (OSError, ValueError):
        return ImportResult(
            errors=[CellError(row=1, column="", value="", message=gettext("The uploaded file is gone."))]
        )


def _check(job: RegisterImport) -> None:
    """Read and check the file, outside any transaction (it writes nothing but the job's
    progress, which the status page must see as it goes), and keep the preview."""
    rows = _read(job)
    if isinstance(rows, ImportResult):
        _record(job, rows)
        _discard_file(job)
        return
    total = max(len(rows) - 1, 0)
    RegisterImport.objects.filter(pk=job.pk).update(rows_total=total)

    def progress(checked: int) -> None:
        RegisterImport.objects.filter(pk=job.pk).update(rows_checked=min(checked, total))

    try:
        check = validate(job.enterprise, rows, progress=progress)
    except ImportFileError as error:
        _record(job, ImportResult(errors=[CellError(row=1, column="", value="", message=str(error))]))
        _discard_file(job)
        return
    if check.errors:
        status = ImportStatus.FAILED
    elif check.writes:
        status = ImportStatus.PREVIEW
    else:
        status = ImportStatus.DONE  # nothing to write: the file says what the register says
    now = timezone.now()
    RegisterImport.objects.filter(pk=job.pk, status=ImportStatus.RUNNING).update(
        status=status,
        preview=check.preview,
        errors=[asdict(error) for error in check.errors[:MAX_REPORTED_ERRORS]],
        finished_at=now if status != ImportStatus.PREVIEW else None,
        updated_at=now,
    )
    if status != ImportStatus.PREVIEW:
        _discard_file(job)


def apply_progress_key(job_id: int) -> str:
    return f"register-import:{job_id}:written"


def _apply(job: RegisterImport) -> None:
    """Write a confirmed import in one transaction. Its progress goes through the cache: the
    job's own row is not seen by others before the transaction commits."""
    rows = _read(job)
    if isinstance(rows, ImportResult):
        result = rows
    else:

        def progress(written: int) -> None:
            cache.set(apply_progress_key(job.pk), written, timeout=3600)

        result = import_register(
            enterprise=job.enterprise,
            rows=rows,
            user=job.confirmed_by or job.requested_by,
            job=job,
            expected=job.preview,
            progress=progress,
        )
        cache.delete(apply_progress_key(job.pk))
    if result.errors:
        _record(job, result)
    _discard_file(job)


# An import still queued this long after its last change lost its task (the broker restarted and
# kept nothing); one still running this long after it started lost its worker (the task's hard
# time limit is five minutes).
RECONCILE_QUEUED_AFTER = datetime.timedelta(minutes=10)
RECONCILE_RUNNING_AFTER = datetime.timedelta(minutes=10)
# A checked file nobody confirmed is dropped after this long (the private file with it).
PREVIEW_KEPT = datetime.timedelta(days=2)


def register_imports_reconcile(*, now: datetime.datetime | None = None) -> int:
    """Queue again the imports that the broker or a killed worker left behind (called by the
    periodic reconciler), whether checking or writing. The task is safe to run twice and gives up
    after MAX_ATTEMPTS runs, so no upload stays "queued" or "running" for ever. Previews left
    unconfirmed expire. Returns how many were queued."""
    now = now or timezone.now()
    with transaction.atomic():
        stuck = list(
            RegisterImport.objects.select_for_update(skip_locked=True)
            .filter(
                Q(
                    status__in=(ImportStatus.QUEUED, ImportStatus.CONFIRMED),
                    updated_at__lt=now - RECONCILE_QUEUED_AFTER,
                )
                | Q(
                    status__in=(ImportStatus.RUNNING, ImportStatus.APPLYING),
                    started_at__lt=now - RECONCILE_RUNNING_AFTER,
                    updated_at__lt=now - RECONCILE_QUEUED_AFTER,  # not queued again just now
                )
            )
            .values_list("pk", flat=True)
        )
        RegisterImport.objects.filter(pk__in=stuck).update(updated_at=now)
        for pk in stuck:
            run_register_import.delay_on_commit(pk)
    expired = RegisterImport.objects.filter(status=ImportStatus.PREVIEW, updated_at__lt=now - PREVIEW_KEPT)
    for pk in expired.values_list("pk", flat=True):
        register_import_fail(
            import_id=pk,
            message=gettext_lazy(
                "The checked file was not confirmed in time and was dropped; nothing was imported. "
                "Upload it again."
            ),
        )
    return len(stuck)


def register_import_fail(*, import_id: int, message: str) -> None:
    """Record an import the worker could not finish (time or memory limit)."""
    job = RegisterImport.objects.filter(pk=import_id).first()
    if job is None or job.is_finished:
        return
    with translation.override(job.language):
        _record(job, ImportResult(errors=[CellError(row=1, column="", value="", message=str(message))]))
    _discard_file(job)


def _record(job: RegisterImport, result: ImportResult) -> None:
    """The outcome, unless one is recorded already: a second delivery of the task that ran at the
    same time as the first fails validation on the first's rows and must not overwrite "done"."""
    job.status = ImportStatus.FAILED if result.errors else ImportStatus.DONE
    job.departments, job.workplaces, job.hazards = result.departments, result.workplaces, result.hazards
    job.changed = result.changed
    job.errors = [asdict(error) for error in result.errors[:MAX_REPORTED_ERRORS]]
    job.finished_at = job.updated_at = timezone.now()
    RegisterImport.objects.filter(pk=job.pk).exclude(
        status__in=(ImportStatus.DONE, ImportStatus.FAILED)
    ).update(
        status=job.status,
        departments=job.departments,
        workplaces=job.workplaces,
        hazards=job.hazards,
        changed=job.changed,
        errors=job.errors,
        finished_at=job.finished_at,
        updated_at=job.updated_at,
    )


def _discard_file(job: RegisterImport) -> None:
    """The upload is not kept once read: the register holds what it said."""
    if job.file:
        job.file.delete(save=False)
        RegisterImport.objects.filter(pk=job.pk).update(file="")


# --- The template -------------------------------------------------------------------------------


def template_bytes(enterprise: Enterprise) -> bytes:
    """An empty register sheet with the importable columns, instructions and the catalogue."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = gettext("Register")
    write_header(sheet, IMPORTABLE)
    # Codes and numbers typed into text columns stay text (13.10 must not become 13.1).
    for index, column in enumerate(IMPORTABLE, start=1):
        dimension = sheet.column_dimensions[get_column_letter(index)]
        dimension.number_format = {"text": "@", "date": "DD.MM.YYYY"}.get(column.kind, "General")
    keys = [column.key for column in IMPORTABLE]
    for key, choices in (("activity", Activity), ("status", HazardStatus)):
        letter = get_column_letter(keys.index(key) + 1)
        options = ",".join(str(label).replace(",", " ") for _value, label in choices.choices)
        validation = DataValidation(type="list", formula1=f'"{options}"', allow_blank=True)
        validation.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
        sheet.add_data_validation(validation)

    help_sheet = workbook.create_sheet(gettext("Instructions"))
    help_sheet.column_dimensions["A"].width = 120
    for line in (
        gettext("How to fill in the register sheet"),
        gettext("One row per register row (a hazardous event at a workplace)."),
        gettext("Structural unit: levels separated by “ / ”, top unit first, e.g. “Mine No. 1 / Section 2”."),
        gettext("Workplace number as on the SOUT card; repeat the same workplace data on each of its rows."),
        gettext("A row with a unit and a workplace but no event code adds the workplace only."),
        gettext("Hazardous event code from the 776n catalogue (see the Catalogue sheet), e.g. 8.1."),
        gettext("Activity and status: choose from the list; empty means routine work and active."),
        gettext("Dates as DD.MM.YYYY. Number exposed: a whole number (1 if empty)."),
        gettext(
            "If any row has an error, nothing is imported and every error is listed with its row and column."
        ),
    ):
        help_sheet.append(cell_values([line]))

    catalogue = workbook.create_sheet(gettext("Catalogue"))
    write_header(
        catalogue,
        [
            Column("code", _("Hazardous event code"), 14),
            Column("group", _("Hazard group"), 30),
            Column("event", _("Hazardous event"), 90),
        ],
    )
    for event in catalogue_events(enterprise):
        catalogue.append(cell_values([event.code, str(event.hazard_type.group), event.name]))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
