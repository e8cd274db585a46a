"""The render tasks retry what may pass (the database or the storage briefly unreachable) with a
capped back-off, a few times, and nothing else."""

import pytest
from celery.exceptions import Retry
from django.db import OperationalError

from documents import plans, rendering, sheets, tasks

RENDERS = [
    (tasks.render_card, rendering, "card_store"),
    (tasks.render_plan, plans, "plan_store"),
    (tasks.render_sheet, sheets, "sheet_store"),
]


def failing_service(monkeypatch, module, name, error):
    """The task's service replaced by one that raises ``error``; the number of calls."""
    calls = []

    def fail(**kwargs):
        calls.append(kwargs)
        raise error

    monkeypatch.setattr(module, name, fail)
    return calls


@pytest.mark.parametrize(("task", "module", "name"), RENDERS, ids=lambda value: getattr(value, "name", None))
def test_a_lost_database_connection_is_retried_three_times_with_backoff(monkeypatch, task, module, name):
    failing_service(monkeypatch, module, name, OperationalError("server closed the connection"))
    # Run eagerly, a retry comes back as Celery's Retry, with the countdown it would wait.
    countdowns = []
    for retries in range(3):
        with pytest.raises(Retry) as retry:
            task.apply(args=[1], retries=retries).get()
        assert isinstance(retry.value.exc, OperationalError)
        countdowns.append(retry.value.when)
    assert countdowns == [30, 60, 120]
    # After the third retry the error itself propagates: the task has failed.
    with pytest.raises(OperationalError):
        task.apply(args=[1], retries=3).get()


@pytest.mark.parametrize(("task", "module", "name"), RENDERS, ids=lambda value: getattr(value, "name", None))
def test_a_bug_is_not_retried(monkeypatch, task, module, name):
    calls = failing_service(monkeypatch, module, name, ValueError("template exploded"))
    with pytest.raises(ValueError):
        task.apply(args=[1]).get()
    assert len(calls) == 1
