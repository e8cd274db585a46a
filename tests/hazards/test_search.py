"""The register's search over a row's source, event, existing controls, measures and assessment
comments: one stored text per row, kept up to date as they change, searched with Russian
full-text search on PostgreSQL and a casefolded match elsewhere (SQLite)."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import ControlMeasure
from assessments.search import hazards_search_refresh
from assessments.services import assessment_create, measure_plan
from hazards.models import Hazard, HazardousEvent
from hazards.search import search, words
from hazards.services import hazard_update, version_token
from tests.factories import ControlMeasureFactory, HazardFactory, WorkplaceFactory

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's full-text search (CI runs it)"
)


def event(code):
    return HazardousEvent.objects.get_by_natural_key(code)


@pytest.fixture
def rows(enterprise_a):
    workplace = WorkplaceFactory(
        department__enterprise=enterprise_a, number="12", position="Машинист конвейера"
    )
    floor = HazardFactory(
        workplace=workplace,
        event=event("3.1"),
        source="Мокрый пол в душевой",
        existing_controls="Противоскользящее покрытие пола, резиновые коврики",
    )
    belt = HazardFactory(workplace=workplace, event=event("8.1"), source="Ленточный конвейер")
    other = HazardFactory(workplace=workplace, event=event("20.1"), source="Шум станка")
    return {"floor": floor, "belt": belt, "other": other}


def found(query):
    return set(search(Hazard.objects.all(), query).values_list("pk", flat=True))


def test_a_prefix_finds_the_whole_word_whatever_the_case(rows):
    assert found("противоскользящ") == {rows["floor"].pk}
    assert found("ПРОТИВОСКОЛЬЗЯЩ ПОКРЫТ") == {rows["floor"].pk}
    assert found("Ленточн") == {rows["belt"].pk}


def test_every_word_must_match(rows):
    assert found("противоскользящ ленточн") == set()


def test_event_code_name_and_workplace_are_found(rows):
    assert found("8.1") == {rows["belt"].pk}
    assert rows["floor"].pk in found(event("3.1").name_ru.split()[0][:6])
    assert found("машинист") == {rows["floor"].pk, rows["belt"].pk, rows["other"].pk}


def test_measures_are_found_and_followed_as_they_change(rows):
    measure = measure_plan(
        hazard=rows["belt"],
        control_level="engineering",
        description="Установить ограждение натяжного барабана",
        responsible="Механик",
        due_date=datetime.date(2030, 1, 1),
    )
    assert found("ограждени барабан") == {rows["belt"].pk}
    measure.description = "Установить тросовый выключатель"
    measure.save()
    assert found("ограждени") == set() and found("тросов") == {rows["belt"].pk}
    measure.delete()
    assert found("тросов") == set()


def test_assessment_comments_are_found(rows, officer_a):
    assessment_create(
        hazard=rows["other"],
        assessor=officer_a,
        inputs={"probability": 3, "severity": 3},
        comment="Замер шума выполнен лабораторией «Эколаб»",
    )
    assert found("эколаб") == {rows["other"].pk}


def test_an_edit_of_the_row_is_followed(rows):
    row = rows["other"]
    hazard_update(
        hazard=row,
        source="Вибрация виброплощадки",
        activity=row.activity,
        existing_controls="Виброизолирующие опоры",
        version=version_token(row.updated_at),
    )
    assert found("виброизолир") == {row.pk} and found("станка") == set()


def test_keeping_the_text_does_not_move_the_rows_version(rows):
    # The text is rewritten without a save: an officer's open edit form stays valid.
    row = rows["belt"]
    before, records = Hazard.objects.get(pk=row.pk).updated_at, row.history.count()
    ControlMeasureFactory(hazard=row, description="Обучение безопасным приёмам работы")
    after = Hazard.objects.get(pk=row.pk)
    assert after.updated_at == before and "обучение" in after.search_text
    assert after.history.count() == records


def test_yo_and_ye_are_the_same_letter(rows):
    row = rows["other"]
    ControlMeasureFactory(hazard=row, description="Ещё один замер шума")
    assert found("еще") == {row.pk}
    assert found("ещё") == {row.pk}


def test_refresh_rewrites_only_rows_whose_text_is_stale(rows):
    Hazard.objects.filter(pk=rows["belt"].pk).update(search_text="")
    assert hazards_search_refresh([r.pk for r in rows.values()]) == 1
    assert found("ленточн") == {rows["belt"].pk}


@pytest.mark.parametrize(
    "query", ["'", "a & b", "!:*", "( )", "\\", "конвейер' | '1", "8.1:*", "-", "...", "ъ" * 300, "\x00"]
)
def test_query_syntax_is_never_passed_through(rows, query):
    # No error whatever the text: only words reach the database.
    found(query)
    assert all(set(word) - set("'&|!:*()\\ ") for word in words(query))


@postgresql_only
def test_russian_word_forms_are_found_on_postgresql(rows):
    assert found("покрытия") == {rows["floor"].pk}
    assert found("ленточные конвейеры") == {rows["belt"].pk}


@postgresql_only
def test_the_search_is_served_by_the_full_text_index_on_postgresql(rows):
    # Unordered, and sequential and plain index scans off: with three rows the planner would
    # rather read the table; what matters is that the query's expression matches the index's.
    queryset = search(Hazard.objects.order_by(), "противоскользящ")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    plan = queryset.explain()
    assert "hazard_search_vector_gin" in plan, plan


@postgresql_only
def test_the_stored_vector_follows_the_text_on_postgresql(rows):
    # The generated column (migration hazards 0006) is kept by the database, with no service.
    Hazard.objects.filter(pk=rows["floor"].pk).update(search_text="стремянка")
    assert found("стремянк") == {rows["floor"].pk}
    assert found("покрытия") == set()


def test_register_list_searches_measures_and_its_query_count_does_not_grow(client, officer_a, enterprise_a):
    workplace = WorkplaceFactory(department__enterprise=enterprise_a)
    url = reverse("assessments:register", args=[enterprise_a.pk])

    def count_for(size):
        for _ in range(size):
            row = HazardFactory(workplace=workplace, source="Конвейер")
            for _ in range(3):
                ControlMeasureFactory(hazard=row, description="Противоскользящее покрытие")
        client.force_login(officer_a)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"q": "противоскользящ"})
        assert response.status_code == 200
        return len(queries), len(response.context["page"].object_list)

    small, rows_small = count_for(1)
    large, rows_large = count_for(5)
    assert (rows_small, rows_large) == (1, 6) and small == large
    assert ControlMeasure.objects.count() == 18


def test_the_command_fills_rows_written_without_the_services(rows):
    Hazard.objects.update(search_text="")
    out = io.StringIO()
    call_command("refresh_search_text", stdout=out)
    assert "3 of 3" in out.getvalue()
    assert found("противоскользящ") == {rows["floor"].pk}


def test_a_workplaces_new_position_is_followed(rows):
    workplace = rows["belt"].workplace
    workplace.position = "Оператор пульта управления"
    workplace.save()
    assert found("оператор пульт") == {r.pk for r in rows.values()}
    assert found("машинист") == set()
