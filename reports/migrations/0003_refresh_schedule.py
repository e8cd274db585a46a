"""Schedules the roll-up refresh in django-celery-beat's database scheduler: the enterprises whose
register changed, every few minutes; everything once a night, when "overdue" moves with the date.
Rows are created only if missing, so an administrator's changes to the schedule are kept."""

from django.conf import settings
from django.db import migrations
from django.utils import timezone

CHANGES = "Dashboards: refresh changed enterprises"
FULL = "Dashboards: full refresh"
TASK = "reports.tasks.refresh_rollups"


def schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")

    every_five, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    # 00:05 local time, just after the date (and so "overdue") changes.
    nightly, _ = CrontabSchedule.objects.get_or_create(
        minute="5",
        hour="0",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone=settings.TIME_ZONE,
    )
    PeriodicTask.objects.get_or_create(
        name=CHANGES, defaults={"task": TASK, "interval": every_five, "kwargs": "{}"}
    )
    PeriodicTask.objects.get_or_create(
        name=FULL, defaults={"task": TASK, "crontab": nightly, "kwargs": '{"full": true}'}
    )
    # Beat re-reads its schedule when this stamp changes.
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[CHANGES, FULL]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_dashboard_indexes"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
