"""Hostile files at every upload and import endpoint: the .xlsx register import (the form and the
worker's reading), the evidence of a completed measure, and import_register's JSON. Each is
refused with a translated message (never a 500 or a traceback), writes nothing, and reading a
spreadsheet bomb stays within a memory bound, measured in a separate process."""

import base64
import io
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import TestCase
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.imports import MAX_COLUMNS, ImportFileError, read_rows
from assessments.models import RegisterImport
from assessments.register_dump import RegisterDumpError, register_export, register_import
from riskpilot.spreadsheets import ArchiveRefused, check_xlsx_archive

from . import hostile_files

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
REGISTER_APPS = ("enterprises", "hazards", "assessments")
# Refused by the archive check before any XML is parsed.
ARCHIVE_BOMBS = {"shared_strings", "ratio", "many_members", "truncated_zip"}
# Refused while reading, in the worker.
XML_ATTACKS = {"truncated_xml", "billion_laughs", "external_entity", "dtd_in_workbook"}


def register_counts() -> dict[str, int]:
    return {
        model._meta.label: model._base_manager.count()
        for app in REGISTER_APPS
        for model in apps.get_app_config(app).get_models()
        if model is not RegisterImport and not model.__name__.endswith("RegisterImport")
    }


@pytest.fixture(autouse=True)
def imports_run_at_once(settings):
    """The embedded mode: the queued import runs when the request commits, even when REDIS_URL is
    set (tests/integration covers the real worker)."""
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture(scope="module")
def bombs() -> dict[str, bytes]:
    return {name: build() for name, build in hostile_files.XLSX_BOMBS.items()}


# --- Reading -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(ARCHIVE_BOMBS))
def test_archive_bombs_are_refused_before_parsing(bombs, name):
    with pytest.raises(ArchiveRefused):
        check_xlsx_archive(io.BytesIO(bombs[name]))


def test_a_real_register_of_5000_rows_passes_the_archive_check():
    """The caps leave room for the largest legitimate file: identical rows compress best."""
    rows = [["Подземный рудник / Участок № 1", "12", "Машинист конвейера", "8.1", "Конвейер"]] * 5000
    check_xlsx_archive(io.BytesIO(hostile_files.plain_workbook([["Header"] * 5, *rows])))


@pytest.mark.parametrize("name", sorted(ARCHIVE_BOMBS | XML_ATTACKS))
def test_reading_a_hostile_workbook_is_a_translated_error(bombs, name):
    with translation.override("ru"), pytest.raises(ImportFileError) as refused:
        read_rows(io.BytesIO(bombs[name]))
    assert any("а" <= letter <= "я" for letter in str(refused.value))  # Russian, not an exception's repr


def test_a_declared_16384_columns_are_not_read(bombs):
    rows = read_rows(io.BytesIO(bombs["wide_dimension"]))
    assert len(rows) == 5001 and max(len(row) for row in rows) <= MAX_COLUMNS


def test_a_sheet_with_real_cells_past_the_column_cap_is_refused():
    with translation.override("en"), pytest.raises(ImportFileError, match="more than 60 columns"):
        read_rows(io.BytesIO(hostile_files.wide_rows(200)))


def test_more_rows_than_the_cap_are_refused():
    with translation.override("en"), pytest.raises(ImportFileError, match="more than 5000 rows"):
        read_rows(io.BytesIO(hostile_files.wide_dimension_bomb(rows=5003)))


MEMORY_PROBE = textwrap.dedent(
    """
    import os, sys
    sys.path.insert(0, {root!r})
    os.environ["DJANGO_SETTINGS_MODULE"] = "riskpilot.settings"
    import django
    django.setup()
    from assessments.imports import ImportFileError, read_rows

    def peak_mb():
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM"):
                return int(line.split()[1]) // 1024

    before = peak_mb()
    try:
        with open(sys.argv[1], "rb") as handle:
            read_rows(handle)
    except ImportFileError:
        pass
    print(before, peak_mb())
    """
)

# Django with the whole project loaded is about 70 MB; unbounded, the wide sheet took 630 MB more.
MEMORY_GROWTH_LIMIT_MB = 60


@pytest.mark.parametrize("name", ["wide_dimension", "shared_strings", "billion_laughs"])
def test_reading_a_bomb_stays_within_a_memory_bound(bombs, name, tmp_path):
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(bombs[name])
    probe = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE.format(root=str(ROOT)), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert probe.returncode == 0, probe.stderr[-2000:]
    before, after = map(int, probe.stdout.split()[-2:])
    assert after - before < MEMORY_GROWTH_LIMIT_MB, (before, after)


# --- Through the pages -------------------------------------------------------------------------


def _upload(client, url, field, name, content, extra=None):
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url, {**(extra or {}), field: SimpleUploadedFile(name, content)})
    if response.status_code == 302:
        response = client.get(response["Location"])
    return response


@pytest.mark.parametrize("name", sorted(hostile_files.XLSX_BOMBS))
def test_register_import_refuses_every_bomb_cleanly(
    client, officer_a, enterprise_a, private_storage, bombs, name
):
    client.force_login(officer_a)
    before = register_counts()
    with translation.override("en"):
        url = reverse("assessments:import", args=[enterprise_a.pk])
        response = _upload(client, url, "file", "register.xlsx", bombs[name])
    assert response.status_code == 200
    job = response.context.get("job")
    if name in ARCHIVE_BOMBS:
        assert job is None and response.context["form"].errors["file"]
    else:
        assert job.status == "failed" and job.errors, job.errors
        assert not job.file  # the hostile upload is not kept
    assert register_counts() == before


@pytest.mark.parametrize("name", [*sorted(hostile_files.XLSX_BOMBS), "html_as_png"])
def test_evidence_upload_refuses_hostile_files(client, officer_a, world_a, bombs, name):
    content = hostile_files.html_as_png() if name == "html_as_png" else bombs[name]
    client.force_login(officer_a)
    before = register_counts()
    with translation.override("en"):
        url = reverse("assessments:measure_complete", args=[world_a.measure.pk])
        page = client.get(url)
        response = _upload(
            client,
            url,
            "file",
            "photo.png",
            content,
            {
                "done_on": page.context["form"]["done_on"].initial,
                "version": page.context["form"]["version"].initial,
            },
        )
        assert response.status_code == 200
        assert response.context["form"].errors["file"]
    assert register_counts() == before


# --- import_register ---------------------------------------------------------------------------


def _hostile_documents(document: dict) -> dict[str, str]:
    evidence = dict(document["evidence"][0]) if document["evidence"] else {}
    documents = {
        "deep_nesting": "[" * 200_000 + "]" * 200_000,
        "deep_value": json.dumps({**document, "enterprise": {**document["enterprise"], "inn": [[[[1]]]]}}),
        "not_an_object": "[]",
        "huge_number": json.dumps(document).replace(
            '"exposed_count": 1', '"exposed_count": ' + "9" * 5000, 1
        ),
        "sections_of_strings": json.dumps({**document, "hazards": ["x", "y"]}),
        "xlsx_bomb_as_evidence": json.dumps(
            {
                **document,
                "evidence": [
                    {**evidence, "file": base64.b64encode(hostile_files.wide_dimension_bomb()).decode()}
                ],
            }
        ),
        "html_as_png_evidence": json.dumps(
            {
                **document,
                "evidence": [
                    {
                        **evidence,
                        "content_type": "image/png",
                        "file": base64.b64encode(hostile_files.html_as_png()).decode(),
                    }
                ],
            }
        ),
    }
    return documents


@pytest.fixture
def exported(world_a):
    return register_export(world_a.enterprise)


@pytest.mark.parametrize(
    "name",
    [
        "deep_nesting",
        "deep_value",
        "not_an_object",
        "huge_number",
        "sections_of_strings",
        "xlsx_bomb_as_evidence",
        "html_as_png_evidence",
    ],
)
def test_import_register_refuses_hostile_documents_with_a_message(exported, world_a, tmp_path, name):
    text = _hostile_documents(exported)[name]
    path = tmp_path / "register.json"
    path.write_text(text, encoding="utf-8")
    before = register_counts()
    # --replace: the enterprise exists; a refused file must leave its register as it was.
    with pytest.raises(CommandError, match=r"Nothing imported|not valid JSON|nested too deeply"):
        call_command("import_register", str(path), "--replace")
    assert register_counts() == before


# Values a hostile or broken file may hold where the export wrote something else.
json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=False),
        st.text(max_size=30),
        st.sampled_from(["matrix-5x5", "8.1", "h1", "w1", "d1", "m1", "admin", "", "2026-13-45"]),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)


def test_fuzzed_register_files_are_imported_or_refused_with_a_message(exported, world_a):
    """Any one value of an export replaced by anything JSON can hold: the import succeeds or
    refuses with RegisterDumpError, and a refusal leaves the register as it was."""
    sections = [name for name, items in exported.items() if isinstance(items, list) and items]

    @settings(
        max_examples=60,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.data())
    def mutate(data):
        document = json.loads(json.dumps(exported))
        section = data.draw(st.sampled_from(["enterprise", *sections]))
        item = document[section] if section == "enterprise" else data.draw(st.sampled_from(document[section]))
        key = data.draw(st.sampled_from(sorted(item)))
        item[key] = data.draw(json_values)
        with transaction.atomic():
            before = register_counts()
            try:
                register_import(document, replace=True)
            except RegisterDumpError:
                assert register_counts() == before
            transaction.set_rollback(True)

    mutate()


cell_values_strategy = st.one_of(
    st.none(),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.dates(),
    st.sampled_from(["8.1", "13.10", "=1+1", "'=1+1", "Подземный рудник /  / Участок", " / ", "01.01.2099"]),
)


def test_fuzzed_workbook_cells_give_cell_errors_or_an_import(enterprise_a, officer_a):
    """Any value in any importable column: the import reports errors by cell or writes the rows;
    it never raises."""
    from assessments.imports import IMPORTABLE, import_register

    header = [str(column.label) for column in IMPORTABLE]

    @settings(
        max_examples=40,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        rows=st.lists(st.lists(cell_values_strategy, min_size=len(header), max_size=len(header)), max_size=4)
    )
    def run(rows):
        content = hostile_files.plain_workbook([header, *rows])
        with transaction.atomic():
            result = import_register(
                enterprise=enterprise_a, rows=read_rows(io.BytesIO(content)), user=officer_a
            )
            if result.errors:  # all or nothing, each error with its message
                assert (result.departments, result.workplaces, result.hazards) == (0, 0, 0)
                assert all(error.row and error.message for error in result.errors)
            transaction.set_rollback(True)

    run()
