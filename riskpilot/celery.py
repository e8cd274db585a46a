"""Celery application. Configured from Django settings (CELERY_* names)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "riskpilot.settings")

app = Celery("riskpilot")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def task_named(name: str):
    """A registered task by its name. Services queue work through this instead of importing the
    tasks module, which imports them: tasks call services, never the other way round. Each app
    registers its tasks when Django starts (AppConfig.ready)."""
    return app.tasks[name]
