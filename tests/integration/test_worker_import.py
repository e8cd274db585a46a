"""An uploaded register file is checked, and once confirmed written, by a real Celery worker
process, through a real Redis, on PostgreSQL — the web side only stores the file and queues the
tasks."""

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from assessments import tasks
from assessments.imports import register_import_confirm, register_import_request
from assessments.models import ImportStatus, RegisterImport
from hazards.models import Hazard
from tests.assessments.test_register_import import GOOD, workbook_bytes
from tests.security.hostile_files import billion_laughs

pytestmark = [pytest.mark.postgres, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def queued_through_the_broker(services, monkeypatch):
    """The web side as in production: the upload in the private storage the worker reads, the task
    sent through Redis (this test process itself runs tasks eagerly)."""
    storage = FileSystemStorage(location=services.private_root, base_url=None)
    monkeypatch.setattr(RegisterImport._meta.get_field("file"), "storage", storage)
    # Sent once the upload's transaction has committed, as delay_on_commit does.
    monkeypatch.setattr(
        tasks.run_register_import,
        "delay_on_commit",
        lambda pk: transaction.on_commit(
            lambda: services.call("assessments.tasks.run_register_import", args=f"[{pk}]")
        ),
    )
    return services


def status_of(job) -> str:
    job.refresh_from_db()
    return job.status


def test_the_worker_imports_an_uploaded_file_and_drops_it(queued_through_the_broker, enterprise_a, officer_a):
    services = queued_through_the_broker
    services.worker(queues="celery")
    rows = [{**GOOD, "workplace_number": str(i // 3), "source": f"Источник {i}"} for i in range(60)]
    job = register_import_request(
        enterprise=enterprise_a, user=officer_a, file=SimpleUploadedFile("r.xlsx", workbook_bytes(rows))
    )
    stored = services.private_root / job.file.name
    assert stored.exists()

    services.wait_until(lambda: status_of(job) == ImportStatus.PREVIEW, timeout=120, what="the check")
    assert (job.rows_total, job.rows_checked, len(job.preview["new"])) == (60, 60, 60)
    assert Hazard.objects.filter(enterprise=enterprise_a).count() == 0 and stored.exists()

    register_import_confirm(job=job, user=officer_a, fingerprint=job.preview["fingerprint"])
    services.wait_until(lambda: status_of(job) == ImportStatus.DONE, timeout=120, what="the import")
    assert (job.workplaces, job.hazards, job.errors) == (20, 60, [])
    assert Hazard.objects.filter(enterprise=enterprise_a).count() == 60
    # The outcome is recorded first and the file dropped just after, in the same task run.
    services.wait_until(lambda: not stored.exists(), timeout=30, what="the upload to be dropped")
    job.refresh_from_db()
    assert job.file.name == ""


def test_a_hostile_file_fails_in_the_worker_and_the_worker_lives_on(
    queued_through_the_broker, enterprise_a, officer_a
):
    services = queued_through_the_broker
    worker = services.worker(queues="celery")
    bad = register_import_request(
        enterprise=enterprise_a, user=officer_a, file=SimpleUploadedFile("bad.xlsx", billion_laughs())
    )
    services.wait_until(lambda: status_of(bad) == ImportStatus.FAILED, timeout=120, what="the refusal")
    assert bad.errors[0]["message"] and worker.running()

    good = register_import_request(
        enterprise=enterprise_a, user=officer_a, file=SimpleUploadedFile("ok.xlsx", workbook_bytes([GOOD]))
    )
    services.wait_until(lambda: status_of(good) == ImportStatus.PREVIEW, timeout=120, what="the next check")
