"""The federal page's figures are computed once per roll-up run: the second view reads them from
the cache, and a refresh (a new run) brings new figures at once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboards import rollups
from tests.factories import HazardFactory, WorkplaceFactory

from .conftest import url

pytestmark = pytest.mark.django_db


def rows_total(response) -> int:
    return response.context["totals"].rows


def test_federal_figures_are_reused_until_the_next_refresh(client, known, federal, settings):
    settings.REPORTS_ROLLUP_MAX_AGE = 3600  # no refresh inside the requests
    rollups.refresh()
    client.force_login(federal)
    first = client.get(url("dashboards:federal"))
    with CaptureQueriesContext(connection) as second_queries:
        second = client.get(url("dashboards:federal"))
    before = rows_total(first)
    assert rows_total(second) == before > 0
    assert not any("reports_enterprisefigures" in q["sql"] for q in second_queries.captured_queries)

    HazardFactory(workplace=WorkplaceFactory(department__enterprise=known.enterprise_a), risk_level=5)
    assert rows_total(client.get(url("dashboards:federal"))) == before  # the same run: the same figures
    rollups.refresh()
    assert rows_total(client.get(url("dashboards:federal"))) == before + 1


def table_html(response) -> list[str]:
    return [str(row["html"]) for row in response.context["table"]["rows"]]


def test_federal_rows_are_drawn_once_per_run_filter_and_language(
    client, known, federal, settings, monkeypatch
):
    from dashboards import tables

    settings.REPORTS_ROLLUP_MAX_AGE = 3600
    rollups.refresh()
    client.force_login(federal)
    drawn = []
    real = tables.render_row

    def counting(row, urls, **kwargs):
        drawn.append(row.label)
        return real(row, urls, **kwargs)

    monkeypatch.setattr(tables, "render_row", counting)
    first = client.get(url("dashboards:federal"))
    regions = len(first.context["table"]["rows"])
    assert regions >= 2 and len(drawn) == regions + 1  # the regions and the totals
    # Sorted or paged otherwise: the same rows, none drawn again (the totals are always drawn).
    drawn.clear()
    again = client.get(url("dashboards:federal") + "?sort=rows&order=desc")
    assert sorted(table_html(again)) == sorted(table_html(first)) and len(drawn) == 1
    # Another filter, another language, a query with anything else: drawn anew.
    for query, language in (("?period=year", "ru"), ("", "en"), ("?utm_source=mail", "ru")):
        drawn.clear()
        client.get(url("dashboards:federal", lang=language) + query)
        assert len(drawn) == regions + 1, (query, language)
    # A new roll-up run, new figures: drawn anew, with the new count.
    HazardFactory(workplace=WorkplaceFactory(department__enterprise=known.enterprise_a), risk_level=5)
    rollups.refresh()
    drawn.clear()
    fresh = client.get(url("dashboards:federal"))
    assert len(drawn) == regions + 1
    assert table_html(fresh) != table_html(first)
