"""The Russian catalogue: complete, compiled, and covering every string the code marks.

Russian is the default language, so an English string on a page is a bug a user sees. Re-extract
and compile after adding strings:

    .venv/bin/python manage.py makemessages -l ru --ignore=.venv --ignore=var --ignore=tests --no-location
    .venv/bin/python manage.py compilemessages -l ru --ignore=.venv
"""

import gettext
import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

from .conftest import IN_CI

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "ru" / "LC_MESSAGES"
PO_PATH = LOCALE_DIR / "django.po"
MO_PATH = LOCALE_DIR / "django.mo"

# The standard Russian rule: 1, 21, 31… / 2–4, 22–24… / 0, 5–20, 25…
RU_PLURAL_FORMS = (
    "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"
)
# A number that selects each plural form: 1 → 0, 2 → 1, 5 → 2.
PLURAL_SAMPLES = {0: 1, 1: 2, 2: 5}
# Strings that read the same in Russian (the product's name).
SAME_IN_RUSSIAN = {"RiskPilot"}
# printf-style placeholders, named (%(count)d) or not (%s); "%%" is a literal percent sign.
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")

# What the extraction command reads (its default extensions for the "django" domain) and skips.
SOURCE_SUFFIXES = (".py", ".html", ".txt")
NOT_EXTRACTED = {".venv", "var", "tests", "locale"}
GETTEXT_TOOLS = ("xgettext", "msguniq", "msgmerge", "msgattrib")


def catalogue() -> polib.POFile:
    return polib.pofile(str(PO_PATH))


def live_entries(po: polib.POFile) -> list[polib.POEntry]:
    return [entry for entry in po if not entry.obsolete]


def translations(entry: polib.POEntry) -> list[str]:
    if entry.msgid_plural:
        return [entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def placeholders(text: str) -> list[str]:
    return sorted(match for match in PLACEHOLDER.findall(text) if match != "%%")


def describe(entry: polib.POEntry) -> str:
    return f"{entry.msgctxt}|{entry.msgid}" if entry.msgctxt else entry.msgid


# --- (a) the catalogue is complete ---------------------------------------------------------------


def test_header_declares_russian_plural_forms():
    po = catalogue()
    assert po.metadata.get("Language") == "ru"
    assert po.metadata.get("Plural-Forms") == RU_PLURAL_FORMS
    assert not po.metadata_is_fuzzy, "the header is marked fuzzy"


def test_every_string_is_translated_and_none_is_fuzzy():
    po = catalogue()
    untranslated = [describe(e) for e in po.untranslated_entries() if not e.obsolete]
    fuzzy = [describe(e) for e in po.fuzzy_entries() if not e.obsolete]
    assert not untranslated, f"untranslated in {PO_PATH.name}: {untranslated}"
    assert not fuzzy, f"fuzzy (check, then remove the flag): {fuzzy}"


def test_plural_entries_have_all_three_russian_forms():
    wrong = [
        describe(e)
        for e in live_entries(catalogue())
        if e.msgid_plural and (sorted(e.msgstr_plural) != [0, 1, 2] or not all(e.msgstr_plural.values()))
    ]
    assert not wrong, f"plural entries without exactly three filled forms: {wrong}"


def test_translations_keep_the_placeholders():
    wrong = []
    # Only python-format strings are interpolated; elsewhere "%" is plain text ("2 % of").
    for entry in (e for e in live_entries(catalogue()) if "python-format" in e.flags):
        expected = placeholders(entry.msgid)
        if entry.msgid_plural and placeholders(entry.msgid_plural) != expected:
            expected = placeholders(entry.msgid_plural)
        wrong += [(describe(entry), text) for text in translations(entry) if placeholders(text) != expected]
    assert not wrong, f"placeholders lost or changed: {wrong}"


def test_no_english_string_is_copied_as_its_own_translation():
    copied = [
        describe(e)
        for e in live_entries(catalogue())
        if e.msgid not in SAME_IN_RUSSIAN
        # An English word outside the placeholders, not an acronym such as LTIFR.
        and re.search("[a-z]{2}", PLACEHOLDER.sub("", e.msgid))
        and any(text == e.msgid for text in translations(e))
    ]
    assert not copied, f"English left as the Russian text: {copied}"


# --- (b) the compiled catalogue matches the source -------------------------------------------------


def test_compiled_catalogue_matches_the_po_file():
    assert MO_PATH.exists(), f"{MO_PATH} is missing: run compilemessages"
    with MO_PATH.open("rb") as mo_file:
        compiled = gettext.GNUTranslations(mo_file)
    stale = []
    for entry in live_entries(catalogue()):
        if entry.msgid_plural:
            for form, n in PLURAL_SAMPLES.items():
                if entry.msgctxt:
                    got = compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
                else:
                    got = compiled.ngettext(entry.msgid, entry.msgid_plural, n)
                if got != entry.msgstr_plural[form]:
                    stale.append((describe(entry), n, got))
        else:
            got = (
                compiled.pgettext(entry.msgctxt, entry.msgid)
                if entry.msgctxt
                else compiled.gettext(entry.msgid)
            )
            if got != entry.msgstr:
                stale.append((describe(entry), got))
    assert not stale, f"{MO_PATH.name} is older than {PO_PATH.name} (run compilemessages): {stale}"


# --- (c) the catalogue covers the code ------------------------------------------------------------


def _copy_sources(root: Path, target: Path) -> None:
    """The files the extraction reads, in their folders: what `makemessages` in the project root
    would see with --ignore=.venv --ignore=var --ignore=tests. No catalogue is copied, so every
    string lands in the copy's own locale folder."""

    def skipped(folder, names):
        return [
            name
            for name in names
            if name.startswith(".")
            or name in ("__pycache__", "locale")
            or (Path(folder) == root and name in NOT_EXTRACTED)
            or (Path(folder, name).is_file() and not name.endswith(SOURCE_SUFFIXES))
        ]

    shutil.copytree(root, target, ignore=skipped)


@pytest.fixture
def gettext_tools():
    missing = [tool for tool in GETTEXT_TOOLS if shutil.which(tool) is None]
    if missing:
        reason = f"GNU gettext missing ({', '.join(missing)}): apt-get install gettext"
        if IN_CI:
            pytest.fail(f"CI=true but {reason}", pytrace=False)
        pytest.skip(reason)


@pytest.mark.usefixtures("gettext_tools")
def test_catalogue_has_every_string_the_code_marks(tmp_path, monkeypatch, settings):
    project = tmp_path / "project"
    _copy_sources(Path(settings.BASE_DIR), project)
    (project / "locale").mkdir()
    # Extract into the copy only: makemessages writes to LOCALE_PATHS[0].
    settings.LOCALE_PATHS = [str(project / "locale")]
    monkeypatch.chdir(project)
    call_command(
        "makemessages", locale=["ru"], ignore_patterns=sorted(NOT_EXTRACTED), no_location=True, verbosity=0
    )
    extracted = polib.pofile(str(project / "locale" / "ru" / "LC_MESSAGES" / "django.po"))

    committed = {(e.msgctxt, e.msgid, e.msgid_plural) for e in live_entries(catalogue())}
    missing = [describe(e) for e in extracted if (e.msgctxt, e.msgid, e.msgid_plural) not in committed]
    assert len(extracted) > 0, "the extraction found no strings at all"
    assert not missing, (
        f"strings marked in the code but missing from {PO_PATH.name}; run makemessages and translate them: "
        f"{missing}"
    )
