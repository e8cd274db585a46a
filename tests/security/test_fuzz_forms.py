"""Hypothesis-generated input for the POST endpoints that write to the register.

Whatever arrives — wrong types, huge or exotic strings, negative and boundary numbers, dates far
in the past or future, missing fields, random bytes as files — the answer is never a 500, and a
refused submission (the form shown again, or a 400) leaves every register table as it was,
history tables included."""

import datetime
import os

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.models import AssessmentReason, IncidentKind, Periodicity, VictimOutcome
from assessments.services import current_assessment_token
from enterprises.models import DepartmentKind, User
from enterprises.services import WORKPLACE_FIELDS
from hazards.models import ControlLevel, HazardGroup, HazardousEvent, HazardStatus, HazardType, ModelMeasure
from hazards.services import RowsOnArchive, version_token

from .conftest import IMPORT_FINGERPRINT, png_bytes

# Every model of these apps (their simple-history tables too) holds register data.
REGISTER_APPS = ("enterprises", "hazards", "assessments")

# (URL name, kind of object in the URL (or kinds, in the URL's order), form fields, name of the
# file field or None)
ROW_FIELDS = [
    "source",
    "activity",
    "object_description",
    "existing_controls",
    "exposed_description",
    "exposed_count",
    "next_review_on",
]
MEASURE_FIELDS = [
    "control_level",
    "description",
    "assignee",
    "responsible",
    "due_date",
    "periodicity",
    "model_measure",
]
ENDPOINTS = {
    "hazard_add": ("hazards:add", "workplace", ["event", *ROW_FIELDS], None),
    "hazard_edit": ("hazards:edit", "hazard", [*ROW_FIELDS, "version"], None),
    "hazard_status": ("hazards:set_status", "hazard", ["status"], None),
    "hazard_copy": ("assessments:hazard_copy", "workplace", ["rows", "targets", "carry_rating"], None),
    "own_event_add": (
        "hazards:own_add",
        "enterprise",
        ["group", "hazard_type", "hazard_name_ru", "hazard_name_en", "event_name_ru", "event_name_en"],
        None,
    ),
    "assess": (
        "assessments:assess",
        "hazard",
        [
            "probability",
            "severity",
            "residual_probability",
            "residual_severity",
            "reason",
            "assessed_on",
            "comment",
            "current",
            *(f"measure-{name}" for name in MEASURE_FIELDS),
        ],
        None,
    ),
    "measure_add": ("assessments:measure_add", "hazard", MEASURE_FIELDS, None),
    "measure_complete": ("assessments:measure_complete", "measure", ["done_on", "note", "version"], "file"),
    "measure_edit": (
        "assessments:measure_edit",
        "measure",
        ["assignee", "responsible", "due_date", "periodicity", "version"],
        None,
    ),
    "measure_start": ("assessments:measure_start", "measure", ["version", "next"], None),
    "measure_cancel": ("assessments:measure_cancel", "measure", ["reason", "version"], None),
    "incident_add": (
        "assessments:incident_add",
        "enterprise",
        [
            "kind",
            "occurred_at",
            "workplace",
            "hazards",
            "description",
            "event",
            "act_number",
            # The victims' formset: its management form, two rows, and "add another victim".
            "victims-TOTAL_FORMS",
            "victims-INITIAL_FORMS",
            *(
                f"victims-{i}-{name}"
                for i in (0, 1)
                for name in ("outcome", "days_lost", "position", "DELETE")
            ),
            "add_victim",
        ],
        None,
    ),
    "incident_edit": (
        "assessments:incident_edit",
        "incident",
        [
            "kind",
            "occurred_at",
            "workplace",
            "hazards",
            "description",
            "event",
            "act_number",
            "version",
            "victims-TOTAL_FORMS",
            "victims-INITIAL_FORMS",
            *(
                f"victims-{i}-{name}"
                for i in (0, 1)
                for name in ("outcome", "days_lost", "position", "DELETE")
            ),
            "add_victim",
        ],
        None,
    ),
    "incident_cancel": ("assessments:incident_cancel", "incident", ["reason", "version"], None),
    "import_upload": ("assessments:import", "enterprise", [], "file"),
    "import_confirm": (
        "assessments:import_confirm",
        ("enterprise", "register_import"),
        ["fingerprint"],
        None,
    ),
    "unit_add": ("assessments:unit_add", "enterprise", ["name", "kind", "parent"], None),
    "unit_edit": ("assessments:unit_edit", "department", ["name", "kind", "parent", "version"], None),
    "unit_archive": (
        "assessments:unit_archive",
        "department",
        ["cascade", "rows", "target", "version"],
        None,
    ),
    "workplace_add": ("assessments:workplace_add", "enterprise", list(WORKPLACE_FIELDS), None),
    "workplace_edit": ("assessments:workplace_edit", "workplace", [*WORKPLACE_FIELDS, "version"], None),
    "workplace_archive": ("assessments:workplace_archive", "workplace", ["rows", "target", "version"], None),
    "review": (
        "assessments:review_start",
        "workplace",
        ["confirm", "reviewed_on", "next_review_on", "comment"],
        None,
    ),
}

# --- Strategies ---------------------------------------------------------------------------------

# Ids past the 64-bit range once gave a 500 on SQLite (OverflowError when binding); the model
# choice fields of riskpilot/forms.py now refuse them as invalid choices on every database.
BIGGEST = 2**70
BOUNDARY_NUMBERS = [
    "0", "-1", "1", "5", "6", "32767", "32768", "2147483647", "2147483648", "-2147483649",
    "9223372036854775807", "1e309", "-0", "0.5", "NaN", "Infinity", "١٢", "5 ",
    "9223372036854775808", "-9223372036854775809",
]  # fmt: skip
ODD_STRINGS = [
    "", " ", "\x00", "null", "None", "true", "[]", "{}", "<script>alert(1)</script>", "' OR 1=1 --",
    "../../etc/passwd", "%s%s%n", "\u202eevil", "😀" * 3, "Ж" * 300, "9999-12-31", "0001-01-01",
    "2026-02-30", "31.12.2025", "2026-13-01T25:61", "10000-01-01",
]  # fmt: skip

any_date = st.dates(min_value=datetime.date(1, 1, 1), max_value=datetime.date(9999, 12, 31))
scalars = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=-BIGGEST, max_value=BIGGEST).map(str),
    st.sampled_from(BOUNDARY_NUMBERS + ODD_STRINGS),
    any_date.map(datetime.date.isoformat),
    st.datetimes(min_value=datetime.datetime(1, 1, 1)).map(lambda d: d.isoformat(sep=" ")),
    # Huge strings, well past every max_length (Cyrillic: two bytes each in UTF-8).
    st.integers(min_value=4_001, max_value=20_000).map(lambda n: "Ж" * n),
)
file_names = st.one_of(
    st.sampled_from(["photo.png", "act.pdf", "register.xlsx", "../../evil.xlsx", "ф" * 300 + ".png", ".png"]),
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters='"\\'), max_size=80
    ),
    # A name the browser could not send at all is refused by the test client itself.
).filter(lambda name: os.path.basename(name) not in ("", ".", ".."))


def file_contents(good: list[bytes]):
    return st.one_of(
        st.binary(max_size=2048),
        st.sampled_from(good),
        st.binary(max_size=512).map(lambda tail: b"PK\x03\x04" + tail),  # a broken zip (.xlsx)
        st.binary(max_size=512).map(lambda tail: b"%PDF-" + tail),
        st.binary(max_size=512).map(lambda tail: b"\x89PNG\r\n\x1a\n" + tail),
    )


def submissions(fields, plausible, file_field, good_files):
    """A form post: each field missing, one value, or several (multi-selects), from real values
    of the page as often as from nonsense. The one-time key of the create forms is mostly a fresh
    one, as the page carries it, so that examples reach the services."""
    value = st.one_of(st.sampled_from(plausible), scalars)
    field_value = st.one_of(value, st.lists(value, min_size=2, max_size=3))
    optional = dict.fromkeys(fields, field_value)
    optional["submission"] = st.one_of(st.uuids().map(str), st.uuids().map(str), field_value)
    if file_field:
        optional[file_field] = st.builds(
            lambda name, content: SimpleUploadedFile(name, content), file_names, file_contents(good_files)
        )
    return st.fixed_dictionaries({}, optional=optional)


# --- The test -----------------------------------------------------------------------------------


def register_counts() -> dict[str, int]:
    return {
        model._meta.label: model._base_manager.count()
        for app in REGISTER_APPS
        for model in apps.get_app_config(app).get_models()
    }


def plausible_values(world_a, world_b) -> list[str]:
    """Real ids and choice keys, A's (valid) and B's (foreign), so examples reach the services."""
    today = timezone.localdate()
    event = HazardousEvent.objects.get_by_natural_key("8.1")
    ids = [
        event.pk,
        HazardGroup.objects.order_by("pk").first().pk,
        HazardType.objects.order_by("pk").first().pk,
        *ModelMeasure.objects.filter(event=event).values_list("pk", flat=True)[:2],
    ]
    for world in (world_a, world_b):
        ids += [
            world.workplace.pk,
            world.hazard.pk,
            world.measure.pk,
            world.enterprise.pk,
            world.incident.pk,
            world.department.pk,
        ]
    # Users of A (responsible users to choose) and of B (foreign: refused).
    ids += list(User.objects.order_by("pk").values_list("pk", flat=True)[:6])
    # The version tokens the edit forms carry (they are required), so edits reach the services.
    tokens = [
        version_token(world_a.hazard.updated_at),
        version_token(world_a.measure.updated_at),
        current_assessment_token(world_a.assessment),
        IMPORT_FINGERPRINT,
        version_token(world_a.incident.updated_at),
        version_token(world_a.department.updated_at),
        version_token(world_a.workplace.updated_at),
    ]
    choices = [
        *ControlLevel.values,
        *Periodicity.values,
        *AssessmentReason.values,
        *IncidentKind.values,
        *VictimOutcome.values,
        *HazardStatus.values,
        *DepartmentKind.values,
        *RowsOnArchive.values,
        "on",
        "19149",
    ]
    dates = [today, today - datetime.timedelta(days=1), today + datetime.timedelta(days=365)]
    return [
        *map(str, ids),
        *tokens,
        *choices,
        "1",
        "2",
        "3",
        "4",
        "5",
        *(d.isoformat() for d in dates),
        timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "Ленточный конвейер",
        "my_tasks",
    ]


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_fuzzed_post_never_fails_and_refusals_write_nothing(endpoint, officer_a, world_a, world_b):
    url_name, kind, fields, file_field = ENDPOINTS[endpoint]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    url = reverse(url_name, args=[getattr(world_a, each).pk for each in kinds])
    plausible = plausible_values(world_a, world_b)
    good_files = [png_bytes(), b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"]
    client = Client()
    client.force_login(officer_a)

    @settings(
        max_examples=25,
        deadline=None,
        database=None,  # nothing written into the checkout
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=submissions(fields, plausible, file_field, good_files))
    def post(data):
        # Each example starts from the same database: an accepted one is rolled back.
        with transaction.atomic():
            before = register_counts()
            response = client.post(url, data)
            assert response.status_code in (200, 302, 400), response.status_code
            if response.status_code != 302:
                assert register_counts() == before
            transaction.set_rollback(True)

    post()
