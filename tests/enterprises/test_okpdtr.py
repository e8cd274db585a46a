"""The ОКПДТР classifier: its check digit, loading its file (command), the seed, the picker's
endpoint and the workplace form's rule for codes outside the loaded classifier."""

import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from enterprises.models import OkpdtrCategory, OkpdtrEntry
from enterprises.okpdtr import (
    ClassifierFileError,
    classifier_load,
    okpdtr_code_clean,
    read_classifier_file,
    seed_rows,
)
from enterprises.validators import okpdtr_check_digit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def seed():
    # A transactional test before this one may have flushed what the migration loaded.
    classifier_load(rows=seed_rows())


# --- The check digit ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "digit"),
    # As printed in the КЧ column of the classifier's changes 4/2003 and 6/2007; 30126 is a
    # remainder of 10 twice over, 10193 once.
    [("10077", 9), ("10078", 3), ("10086", 8), ("10096", 1), ("30018", 3), ("30126", 0), ("30130", 7)],
)
def test_check_digit_as_published(code, digit):
    assert okpdtr_check_digit(code) == digit


def test_every_seed_row_is_well_formed():
    rows = seed_rows()
    assert len(rows) == len({row.code for row in rows}) >= 20
    assert all(row.check_digit == okpdtr_check_digit(row.code) for row in rows)
    assert OkpdtrEntry.objects.filter(
        code="13786", name="Машинист (кочегар) котельной", category=OkpdtrCategory.WORKER
    ).exists()


# --- The command ----------------------------------------------------------------------------------


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "okpdtr.csv"
    path.write_text(text, encoding="utf-8")
    return path


GOOD_CSV = (
    "Код;КЧ;Наименование;Категория\n"
    "10077;9;Аппаратчик алкилирования;рабочий\n"
    "13786;2;Машинист котельной (кочегар);рабочий\n"  # a seed code whose name the file changes
    "20336;9;Бухгалтер;служащий\n"  # a seed code as it is
)


def test_load_command_adds_updates_and_is_idempotent(tmp_path):
    before = OkpdtrEntry.objects.count()
    out = io.StringIO()
    call_command("load_okpdtr", str(_csv(tmp_path, GOOD_CSV)), stdout=out)
    assert "3 rows read; 1 added, 1 updated, 1 unchanged" in out.getvalue()
    assert OkpdtrEntry.objects.count() == before + 1
    assert OkpdtrEntry.objects.get(code="13786").name == "Машинист котельной (кочегар)"
    assert OkpdtrEntry.objects.get(code="10077").check_digit == 9

    out = io.StringIO()
    call_command("load_okpdtr", str(_csv(tmp_path, GOOD_CSV)), stdout=out)
    assert "0 added, 0 updated, 3 unchanged" in out.getvalue()
    assert OkpdtrEntry.objects.count() == before + 1


def test_load_command_reads_xlsx_with_numeric_cells(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["code", "check digit", "name", "category"])
    sheet.append([10078, 3, "Аппаратчик аминирования", "worker"])
    sheet.append([20336.0, 9, "Бухгалтер", "employee"])
    path = tmp_path / "okpdtr.xlsx"
    workbook.save(path)
    out = io.StringIO()
    call_command("load_okpdtr", str(path), stdout=out)
    assert "1 added, 0 updated, 1 unchanged" in out.getvalue()
    assert OkpdtrEntry.objects.get(code="10078").category == OkpdtrCategory.WORKER


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("code;name\n10077;Аппаратчик\n", "no column"),
        ("code;check_digit;name;category\n1007;9;Аппаратчик;worker\n", "Line 2"),
        ("code;check_digit;name;category\n10077;8;Аппаратчик;worker\n", "should be 9"),
        ("code;check_digit;name;category\n10077;9;;worker\n", "name is empty"),
        ("code;check_digit;name;category\n10077;9;Аппаратчик;начальник\n", "category"),
        (
            "code;check_digit;name;category\n10077;9;А;worker\n10077;9;Б;worker\n",
            "Line 3: code 10077 appears twice",
        ),
        ("code;check_digit;name;category\n", "no rows"),
        ("", "empty"),
    ],
)
def test_a_malformed_file_is_refused_whole(tmp_path, text, message):
    before = list(OkpdtrEntry.objects.values_list("code", "name"))
    with translation.override("en"), pytest.raises(CommandError, match=message):
        call_command("load_okpdtr", str(_csv(tmp_path, text)), stdout=io.StringIO())
    assert list(OkpdtrEntry.objects.values_list("code", "name")) == before


def test_not_a_workbook_and_unknown_kinds_are_refused(tmp_path):
    fake = tmp_path / "okpdtr.xlsx"
    fake.write_bytes(b"not a zip")
    translation.activate("en")
    with pytest.raises(ClassifierFileError, match=r"not an \.xlsx"):
        read_classifier_file(fake)
    with pytest.raises(ClassifierFileError, match=r"\.csv and \.xlsx"):
        read_classifier_file(tmp_path / "okpdtr.pdf")
    with pytest.raises(CommandError, match="no such file"):
        call_command("load_okpdtr", str(tmp_path / "missing.csv"))


# --- The form's rule ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "code"),
    [("13786", "13786"), ("19149 6", "19149"), ("191496", "19149"), ("12345 0", "12345"), ("", "")],
)
def test_codes_accepted(typed, code):
    assert okpdtr_code_clean(typed)[0] == code


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("1914", "okpdtr_format"),
        ("19149А", "okpdtr_format"),
        ("1914966", "okpdtr_format"),
        ("19149 5", "okpdtr_check_digit"),
        ("12345", "okpdtr_unknown"),
    ],
)
def test_codes_refused_with_one_error(typed, error):
    with pytest.raises(ValidationError) as raised:
        okpdtr_code_clean(typed)
    assert [e.code for e in raised.value.error_list] == [error]


def test_a_stored_code_outside_the_classifier_may_stay():
    assert okpdtr_code_clean("01234", kept="01234")[0] == "01234"


# --- The picker's endpoint ------------------------------------------------------------------------


def test_options_by_code_and_by_name_in_constant_queries(client, officer_a, django_assert_max_num_queries):
    client.force_login(officer_a)
    url = reverse("enterprises:okpdtr_options")
    client.get(url)  # the session and the user, once
    with django_assert_max_num_queries(3):
        html = client.get(url, {"okpdtr_code": "1378"}).content.decode()
    assert '<option value="13786">13786 — Машинист (кочегар) котельной</option>' in html
    assert html.count("<option") == 3  # 13784, 13785, 13786
    html = client.get(url, {"position": "кочегар"}).content.decode()
    assert '<option value="Машинист (кочегар) котельной">13786</option>' in html
    assert client.get(url, {"position": "x" * 5000}).status_code == 200
    # Twenty options at most, whatever the classifier's size.
    OkpdtrEntry.objects.bulk_create(
        OkpdtrEntry(
            code=f"9{n:04d}",
            check_digit=okpdtr_check_digit(f"9{n:04d}"),
            name=f"Профессия {n}",
            category="worker",
        )
        for n in range(30)
    )
    assert client.get(url, {"okpdtr_code": ""}).content.decode().count("<option") == 20


def test_the_form_names_the_position_from_the_classifier(client, officer_a, enterprise_a):
    from tests.factories import DepartmentFactory
    from tests.submission import rendered_key

    shop = DepartmentFactory(enterprise=enterprise_a, name="Цех")
    client.force_login(officer_a)
    url = reverse("assessments:workplace_add", args=[enterprise_a.pk])
    data = {
        "department": str(shop.pk),
        "number": "7",
        "position": "",
        "okpdtr_code": "13786",
        "headcount_total": "2",
        "headcount_women": "0",
        "headcount_under_18": "0",
        "headcount_disabled": "0",
        "submission": rendered_key(client.get(url)),
    }
    assert client.post(url, data).status_code == 302
    assert enterprise_a.workplaces.get(number="7").position == "Машинист (кочегар) котельной"


@pytest.mark.parametrize("typed", ["\x00", "' OR 1=1 --", "%", "_", "😀" * 50, "1" * 300, "<script>"])
def test_hostile_queries_get_an_answer_never_an_error(client, officer_a, typed):
    client.force_login(officer_a)
    for kind in ("okpdtr_code", "position"):
        response = client.get(reverse("enterprises:okpdtr_options"), {kind: typed})
        assert response.status_code == 200
        assert "<script>" not in response.content.decode()


# --- The staff page -------------------------------------------------------------------------------


def test_staff_load_the_classifier_in_the_admin(client, admin_user, officer_a):
    url = reverse("admin:enterprises_okpdtrentry_load")
    client.force_login(officer_a)
    assert client.get(url).status_code == 302  # to the admin's login: not staff
    client.force_login(admin_user)
    assert client.get(url).status_code == 200
    upload = io.BytesIO(GOOD_CSV.encode())
    upload.name = "okpdtr.csv"
    response = client.post(url, {"file": upload}, follow=True)
    assert OkpdtrEntry.objects.filter(code="10077").exists()
    assert "добавлено: 1" in response.content.decode()
    bad = io.BytesIO(b"code;check_digit;name;category\n10077;8;X;worker\n")
    bad.name = "okpdtr.csv"
    response = client.post(url, {"file": bad})
    assert response.status_code == 200
    assert "должно быть 9" in response.content.decode()
    assert OkpdtrEntry.objects.get(code="10077").name == "Аппаратчик алкилирования"
