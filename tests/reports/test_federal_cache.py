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
