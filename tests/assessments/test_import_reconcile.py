"""An upload that the broker lost (queued for ever) or whose worker was killed (running for ever) is
queued again by the periodic reconciler, and given up after a few runs: no import hangs."""

import datetime

import pytest
from django.utils import timezone

from assessments import imports
from assessments.models import ImportStatus, RegisterImport
from reports import delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):
    ids = []
    monkeypatch.setattr(imports.run_register_import, "delay_on_commit", ids.append)
    return ids


def upload(enterprise, user, status, *, minutes_ago):
    moment = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    job = RegisterImport.objects.create(
        enterprise=enterprise, requested_by=user, original_name="register.xlsx", status=status
    )
    RegisterImport.objects.filter(pk=job.pk).update(
        updated_at=moment,
        started_at=moment if status in (ImportStatus.RUNNING, ImportStatus.APPLYING) else None,
    )
    return job


def test_lost_and_interrupted_imports_are_queued_again_and_fresh_ones_left(
    enterprise_a, officer_a, queued, django_capture_on_commit_callbacks
):
    lost = upload(enterprise_a, officer_a, ImportStatus.QUEUED, minutes_ago=30)
    killed = upload(enterprise_a, officer_a, ImportStatus.RUNNING, minutes_ago=30)
    upload(enterprise_a, officer_a, ImportStatus.QUEUED, minutes_ago=1)  # its task is on its way
    upload(enterprise_a, officer_a, ImportStatus.RUNNING, minutes_ago=2)  # still within its limit
    upload(enterprise_a, officer_a, ImportStatus.DONE, minutes_ago=60)
    counts = delivery.reconcile()
    assert counts["imports"] == 2
    assert sorted(queued) == sorted([lost.pk, killed.pk])
    # Queued once: the next pass, minutes later, leaves them to the task just sent.
    assert delivery.reconcile()["imports"] == 0


def test_an_import_that_keeps_killing_its_worker_is_given_up(enterprise_a, officer_a):
    job = upload(enterprise_a, officer_a, ImportStatus.RUNNING, minutes_ago=30)
    RegisterImport.objects.filter(pk=job.pk).update(attempts=imports.MAX_ATTEMPTS)
    imports.register_import_run(import_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and job.errors


def test_lost_and_interrupted_writes_are_queued_again_and_previews_wait_for_their_user(
    enterprise_a, officer_a, queued
):
    confirmed = upload(enterprise_a, officer_a, ImportStatus.CONFIRMED, minutes_ago=30)
    writing = upload(enterprise_a, officer_a, ImportStatus.APPLYING, minutes_ago=30)
    waiting = upload(enterprise_a, officer_a, ImportStatus.PREVIEW, minutes_ago=60)
    assert delivery.reconcile()["imports"] == 2
    assert sorted(queued) == sorted([confirmed.pk, writing.pk])
    waiting.refresh_from_db()
    assert waiting.status == ImportStatus.PREVIEW  # a preview is no lost task


def test_a_write_queued_again_without_its_file_ends_cleanly(enterprise_a, officer_a):
    """A write whose worker died rolled back; the task run again reads the file anew, and ends
    the import with a message if the file is gone, instead of looping."""
    job = upload(enterprise_a, officer_a, ImportStatus.APPLYING, minutes_ago=30)
    RegisterImport.objects.filter(pk=job.pk).update(language="en")
    imports.register_import_run(import_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.attempts) == (ImportStatus.FAILED, 1)
    assert job.errors[0]["message"] == "The uploaded file is gone."
