"""Schedules the report subscriptions in django-celery-beat's database scheduler: the fan-out of
due reports every morning, and the reconciler that re-queues whatever the broker lost, every few
minutes. Rows are created only if missing, so an administrator's changes are kept."""

from django.conf import settings
from django.db import migrations
from django.utils import timezone

FAN_OUT = "Reports: send the due subscriptions"
RECONCILE = "Reports: re-queue reports and deliveries the broker lost"


def schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")

    every_five, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    # 06:00 local time: the last month's figures are complete, and the mail is there by morning.
    morning, _ = CrontabSchedule.objects.get_or_create(
        minute="0",
        hour="6",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone=settings.TIME_ZONE,
    )
    PeriodicTask.objects.get_or_create(
        name=FAN_OUT, defaults={"task": "reports.tasks.fan_out_subscriptions", "crontab": morning}
    )
    PeriodicTask.objects.get_or_create(
        name=RECONCILE, defaults={"task": "reports.tasks.reconcile_reports", "interval": every_five}
    )
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[FAN_OUT, RECONCILE]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0005_subscriptions_and_delivery"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
