"""Personas and the rules for tests that need real services.

Tests marked ``postgres``, ``redis``, ``worker`` or ``browser`` run whenever the service is there.
Without it they are skipped with the reason (``-ra`` prints it) — except under CI=true, where a
missing service fails the test: CI must never pass by skipping.
"""

import importlib
import os
import shutil
from functools import cache

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import translation

from enterprises.models import Role

from .factories import EnterpriseFactory, RegionFactory, UserFactory

IN_CI = os.environ.get("CI", "").lower() == "true"


@cache
def _redis_answers() -> bool:
    if not settings.REDIS_URL:
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


@cache
def _chromium_found() -> bool:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return False
    return bool(shutil.which("chromium") or os.path.exists("/usr/bin/chromium"))


def missing_service(marker: str) -> str | None:
    """Why a test with this marker cannot run here, or None if it can."""
    if marker == "postgres" and settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "PostgreSQL not configured: set DATABASE_URL=postgres://…"
    if marker in ("redis", "worker") and not _redis_answers():
        return "Redis not reachable: set REDIS_URL=redis://127.0.0.1:6379/0 and start redis-server"
    # Worker tests start their own throw-away redis-server, worker and beat on the test database.
    if marker == "worker" and not shutil.which("redis-server"):
        return "redis-server not installed: apt-get install redis-server"
    if marker == "worker" and settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "worker tests need PostgreSQL (a worker process cannot see an in-memory SQLite database)"
    if marker == "browser" and not _chromium_found():
        return "Chromium or Playwright missing: apt-get install chromium (Playwright comes with .[dev])"
    return None


def pytest_runtest_setup(item):
    for marker in ("postgres", "redis", "worker", "browser"):
        if item.get_closest_marker(marker) and (reason := missing_service(marker)):
            if IN_CI:
                pytest.fail(f"CI=true but {reason}", pytrace=False)
            pytest.skip(reason)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashing costs ~0.2 s a user; the personas would dominate the suite's run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def russian_by_default():
    # A request under /en/ leaves English active in the thread; reverse() in the next test would
    # then build /en/ URLs. Every test starts in the default language.
    with translation.override(settings.LANGUAGE_CODE):
        yield


REFERENCE_DATA_LOADERS = [
    ("hazards", "HazardousEvent", "hazards.migrations.0002_load_776n_catalogue", "load_catalogue"),
    ("hazards", "HazardousEvent", "hazards.migrations.0005_model_measure_levels", "fill_levels"),
    ("assessments", "RiskMethod", "assessments.migrations.0003_default_methods", "load_methods"),
    ("assessments", "RiskMethod", "assessments.migrations.0011_matrix_severity_group_wording", "add_version"),
    ("enterprises", "OkpdtrEntry", "enterprises.migrations.0007_okpdtr_classifier", "load_seed"),
]


@pytest.fixture
def reference_data(transactional_db):
    """The 776n catalogue, the default methods and the ОКПДТР seed, as their data migrations load them.
    Transactional tests (live server, threads) empty the tables when they end, so one that runs
    after another loads them again with the migrations' own functions."""
    empty = {
        (app_label, model_name)
        for app_label, model_name, *_ in REFERENCE_DATA_LOADERS
        if not apps.get_model(app_label, model_name).objects.exists()
    }
    for app_label, model_name, module, function in REFERENCE_DATA_LOADERS:
        if (app_label, model_name) in empty:
            getattr(importlib.import_module(module), function)(apps, None)


# --- Personas -----------------------------------------------------------------------------------


@pytest.fixture
def region_a(db):
    return RegionFactory(code="56", name_ru="Оренбургская область", name_en="Orenburg Region")


@pytest.fixture
def region_b(db):
    return RegionFactory(code="47", name_ru="Ленинградская область", name_en="Leningrad Region")


@pytest.fixture
def enterprise_a(region_a):
    return EnterpriseFactory(region=region_a, short_name="ООО «Соль-Илецк»")


@pytest.fixture
def enterprise_b(region_a):
    """Another enterprise of the same region as A."""
    return EnterpriseFactory(region=region_a, short_name="АО «Оренбургнефть-Сервис»")


@pytest.fixture
def enterprise_c(region_b):
    """An enterprise of another region."""
    return EnterpriseFactory(region=region_b, short_name="ООО «Кировский завод»")


@pytest.fixture
def officer_a(enterprise_a):
    return UserFactory(username="officer_a", role=Role.OFFICER, enterprise=enterprise_a)


@pytest.fixture
def officer_b(enterprise_b):
    return UserFactory(username="officer_b", role=Role.OFFICER, enterprise=enterprise_b)


@pytest.fixture
def manager_a(enterprise_a):
    return UserFactory(username="manager_a", role=Role.MANAGER, enterprise=enterprise_a)


@pytest.fixture
def reviewer_region(region_a):
    return UserFactory(username="reviewer_a", role=Role.REGIONAL_REVIEWER, region=region_a)


@pytest.fixture
def reviewer_other_region(region_b):
    return UserFactory(username="reviewer_b", role=Role.REGIONAL_REVIEWER, region=region_b)


@pytest.fixture
def federal(db):
    return UserFactory(username="federal", role=Role.FEDERAL_REVIEWER)


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", role=Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture(autouse=True)
def example_recipients_allowed(settings):
    # Test e-mails go to example.org; the approval of other domains has tests of its own
    # (tests/reports/test_subscriptions.py).
    settings.REPORTS_RECIPIENT_DOMAINS = [*settings.REPORTS_RECIPIENT_DOMAINS, "example.org"]
