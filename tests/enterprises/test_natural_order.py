"""Workplace numbers in natural order (1, 2А, 3, 4А, 10, 11А) on every page, filter, form, PDF and
export, from one stored key (enterprises.ordering). Runs on the suite's database: SQLite without
DATABASE_URL, PostgreSQL with it; the key has digits only, so both order it alike."""

import csv
import importlib
import io
import random
import re

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from assessments.forms import IncidentForm
from enterprises.models import Workplace
from enterprises.ordering import number_sort_key, workplace_order
from hazards.forms import HazardCopyForm
from hazards.models import HazardStatus, RiskLevel
from reports import pdf
from tests.factories import DepartmentFactory, HazardFactory, WorkplaceFactory

pytestmark = pytest.mark.django_db

NATURAL = ["1", "2А", "3", "4А", "10", "11А", "12", "12-1", "12а", "100"]


def natural(numbers):
    """The order people expect, written independently of the key: number runs as numbers."""

    def key(text):
        return [
            (0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
            for part in re.split(r"([0-9]+)", text)
            if part
        ]

    return sorted(numbers, key=lambda n: (key(n), n))


@pytest.fixture
def shuffled(enterprise_a):
    """Workplaces created in a shuffled order, so insertion order cannot pass for number order."""
    department = DepartmentFactory(enterprise=enterprise_a, name="Цех № 1")
    numbers = NATURAL[:]
    random.Random(7).shuffle(numbers)
    return {number: WorkplaceFactory(department=department, number=number) for number in numbers}


# --- The key ----------------------------------------------------------------------------------------


def test_the_key_orders_the_brief_s_example():
    assert sorted(["11А", "3", "10", "2А", "1", "4А"], key=number_sort_key) == [
        "1",
        "2А",
        "3",
        "4А",
        "10",
        "11А",
    ]


def test_the_key_is_digits_only_so_no_collation_can_reorder_it():
    for number in [*NATURAL, "Ж-7/б", "😀", "  007 ", "Ⅻ"]:
        assert number_sort_key(number).isascii() and number_sort_key(number).isdigit()


@given(st.lists(st.from_regex(r"\A[0-9]{1,6}([АБВабвA-Za-z\-\./ ]{0,2}[0-9]{0,3}){0,2}\Z"), max_size=12))
def test_sorting_by_the_key_is_sorting_numbers_naturally(numbers):
    by_key = sorted(numbers, key=lambda n: (number_sort_key(n), n))
    assert [natural([n])[0] for n in by_key] == by_key  # every item survives
    assert by_key == natural(numbers)


def test_leading_zeros_and_case_do_not_change_the_place():
    assert number_sort_key("007") == number_sort_key("7")
    assert number_sort_key("12а") == number_sort_key("12А")


def test_the_key_is_kept_on_save_and_on_bulk_insert(enterprise_a):
    department = DepartmentFactory(enterprise=enterprise_a)
    single = WorkplaceFactory(department=department, number="10")
    assert single.number_sort == number_sort_key("10")
    single.number = "9"
    single.save()
    single.refresh_from_db()
    assert single.number_sort == number_sort_key("9")
    bulk = Workplace.objects.bulk_create(
        [Workplace(enterprise=enterprise_a, department=department, number="2А", position="Токарь")]
    )
    assert Workplace.objects.get(pk=bulk[0].pk).number_sort == number_sort_key("2А")


def test_the_migration_fills_the_key_of_existing_workplaces(shuffled):
    Workplace.objects.update(number_sort="")
    migration = importlib.import_module("enterprises.migrations.0006_workplace_number_order")
    migration.fill_number_order(django_apps, connection.schema_editor())
    assert all(w.number_sort == number_sort_key(w.number) for w in Workplace.objects.all())


# --- The database orders like Python --------------------------------------------------------------


def test_the_database_orders_workplaces_naturally(shuffled, enterprise_a):
    assert list(Workplace.objects.filter(enterprise=enterprise_a).values_list("number", flat=True)) == NATURAL
    ordered = Workplace.objects.filter(enterprise=enterprise_a).order_by(*workplace_order())
    assert [w.number for w in ordered] == natural(NATURAL)


def test_cyrillic_and_latin_suffixes_sort_the_same_on_every_database(enterprise_a):
    department = DepartmentFactory(enterprise=enterprise_a)
    numbers = ["5Б", "5а", "5A", "5", "5-2", "5/1", "Ж1", "Я2", "Z3"]
    for number in numbers:
        WorkplaceFactory(department=department, number=number)
    stored = list(Workplace.objects.filter(enterprise=enterprise_a).values_list("number", flat=True))
    assert stored == sorted(numbers, key=lambda n: (number_sort_key(n), n))


# --- Every place that lists workplaces -------------------------------------------------------------


def test_structure_page_lists_workplaces_in_natural_order(client, officer_a, enterprise_a, shuffled):
    client.force_login(officer_a)
    response = client.get(reverse("enterprises:structure", args=[enterprise_a.pk]))
    assert [w.number for w in response.context["nodes"][0]["workplaces"]] == NATURAL


def _register(client, enterprise, query=""):
    return client.get(reverse("assessments:register", args=[enterprise.pk]) + query)


def test_register_filter_dropdown_and_list_are_in_natural_order(client, officer_a, enterprise_a, shuffled):
    for workplace in shuffled.values():
        HazardFactory(workplace=workplace)
    client.force_login(officer_a)
    # The workplace select lists the workplaces of the chosen unit (hazards.filters).
    units = {workplace.department_id for workplace in shuffled.values()}
    assert len(units) == 1
    response = _register(client, enterprise_a, f"?department={units.pop()}")
    choices = response.context["filter"].filters["workplace"].extra["choices"]
    assert [label.split(" — ")[0] for _pk, label in choices] == [f"№ {n}" for n in NATURAL]
    assert [row.workplace.number for row in response.context["page"]] == NATURAL
    for sort in ("event", "-level", "level", "next_review"):
        rows = _register(client, enterprise_a, f"?sort={sort}").context["page"]
        assert [row.workplace.number for row in rows] == NATURAL, sort


def test_register_export_is_in_natural_order(client, officer_a, enterprise_a, shuffled):
    for workplace in shuffled.values():
        HazardFactory(workplace=workplace)
    client.force_login(officer_a)
    response = _register(client, enterprise_a, "?format=csv")
    header, *rows = csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")
    number = header.index("Номер рабочего места")
    assert [row[number] for row in rows] == NATURAL


def test_forms_offer_workplaces_in_natural_order(enterprise_a, shuffled):
    incident = IncidentForm(enterprise=enterprise_a)
    assert [w.number for w in incident.fields["workplace"].queryset] == NATURAL
    source = shuffled["3"]
    HazardFactory(workplace=source)
    copy = HazardCopyForm(source=source)
    others = [n for n in NATURAL if n != "3"]
    assert [w.number for w in copy.fields["targets"].queryset.order_by(*workplace_order())] == others
    assert [w.number for w in copy.similar] == others  # every one has the same position


def test_pdf_tables_list_workplaces_in_natural_order(enterprise_a, shuffled):
    for workplace in shuffled.values():
        HazardFactory(workplace=workplace, risk_level=RiskLevel.HIGH, status=HazardStatus.ACTIVE)
        HazardFactory(workplace=workplace, risk_level=None)
    context = pdf.enterprise_context(enterprise_a, pdf.period_of(timezone.localdate().replace(day=1)))
    assert [w.number for w in context["workplaces_not_assessed"]["rows"]] == NATURAL
    assert [h.workplace.number for h in context["top_risks"]["rows"]] == NATURAL


def test_enterprise_dashboard_lists_workplaces_in_natural_order(client, manager_a, enterprise_a, shuffled):
    client.force_login(manager_a)
    response = client.get(reverse("dashboards:enterprise", args=[enterprise_a.pk]))
    assert response.status_code == 200
    workplaces = response.context["workplaces"]
    rows = getattr(workplaces, "object_list", workplaces)
    assert [w.number for w in rows] == NATURAL
