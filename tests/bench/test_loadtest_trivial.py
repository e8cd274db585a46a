"""The load test's one-query yardstick (bench/loadtest/trivial.py) exists only in the load test's own
server: production and the default settings do not route it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from tests.factories import RegionFactory
from tests.test_settings import production_env, run_django


@pytest.fixture
def routed(settings):
    # What the setting does when the load test turns it on (riskpilot/settings.py).
    settings.ROOT_URLCONF = "bench.loadtest.urls"


def test_trivial_view_is_not_routed_by_default(client):
    with pytest.raises(NoReverseMatch):
        reverse("loadtest_trivial")
    assert client.get("/loadtest/trivial/").status_code == 404


def test_production_settings_do_not_route_the_trivial_view(tmp_path):
    result = run_django(
        "from django.urls import resolve, Resolver404\n"
        "try:\n    resolve('/loadtest/trivial/'); print('routed')\n"
        "except Resolver404:\n    print('absent')\n"
        "print(settings.LOADTEST_TRIVIAL_VIEW)",
        **production_env(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["absent", "False"]


@pytest.mark.django_db
def test_trivial_view_answers_with_one_query_when_asked_for(client, routed):
    RegionFactory(code="56")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("loadtest_trivial"))
    assert response.status_code == 200
    assert response.content.decode().startswith("ok ")
    assert len(queries) == 1


def test_the_setting_switches_to_the_load_tests_urlconf(tmp_path):
    result = run_django(
        "from django.urls import resolve; resolve('/loadtest/trivial/'); print(settings.ROOT_URLCONF)",
        LOADTEST_TRIVIAL_VIEW="true",
        **production_env(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["bench.loadtest.urls"]
