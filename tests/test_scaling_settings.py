"""The settings that scale RiskPilot out: private files in S3-compatible object storage, and a read
replica that serves the dashboards (and nothing else)."""

import inspect

import pytest

from riskpilot.db_routers import ReplicaRouter, replica_reads

from .test_settings import run_django

S3 = {
    "PRIVATE_STORAGE": "s3",
    "AWS_STORAGE_BUCKET_NAME": "riskpilot-private",
    "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
    "AWS_ACCESS_KEY_ID": "riskpilot",
    "AWS_SECRET_ACCESS_KEY": "not-a-real-secret",
}


def test_private_files_can_live_in_object_storage():
    result = run_django(
        "from django.core.files.storage import storages; s = storages['private'];"
        "print(type(s).__name__, s.bucket_name, s.endpoint_url, s.default_acl, s.file_overwrite)",
        **S3,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "S3Storage",
        "riskpilot-private",
        "http://127.0.0.1:9000",
        "private",
        "False",
    ]


def test_an_unknown_storage_is_refused_at_start():
    result = run_django("print('started')", PRIVATE_STORAGE="ftp")
    assert result.returncode != 0 and "PRIVATE_STORAGE must be" in result.stderr


def test_without_a_replica_nothing_changes():
    result = run_django("print(sorted(settings.DATABASES), settings.DATABASE_ROUTERS)")
    assert result.stdout.strip() == "['default'] []"


def test_a_replica_serves_the_dashboards_only(tmp_path):
    database = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    code = (
        "from django.db import router; from dashboards.models import EnterpriseFigures;"
        "from enterprises.models import Enterprise; from riskpilot.db_routers import replica_reads;"
        "dashboard = replica_reads(lambda: router.db_for_read(Enterprise));"
        "print(router.db_for_read(Enterprise), dashboard(), router.db_for_read(EnterpriseFigures),"
        " router.db_for_write(EnterpriseFigures), router.allow_migrate('replica', 'reports'))"
    )
    result = run_django(code, DATABASE_URL=database, DATABASE_REPLICA_URL=database)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["default", "replica", "default", "default", "False"]


def test_the_router_sends_writes_to_the_primary_even_inside_a_dashboard():
    router = ReplicaRouter()

    @replica_reads
    def dashboard():
        return router.db_for_read(object), router.db_for_write(object)

    assert dashboard() == ("replica", "default")
    assert router.db_for_read(object) == "default"  # the context ends with the view


@pytest.mark.parametrize("name", ["federal", "region", "enterprise", "region_export", "federal_export"])
def test_the_dashboards_read_from_the_replica(name):
    from dashboards import views

    assert "@replica_reads" in inspect.getsource(getattr(views, name))
