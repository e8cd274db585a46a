"""The per-incident severity, people affected and days lost are gone: 0009 moved them into victims."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("assessments", "0009_incident_victims_from_severity")]

    operations = [
        migrations.RemoveField(
            model_name='historicalincident',
            name='days_lost',
        ),
        migrations.RemoveField(
            model_name='historicalincident',
            name='people_affected',
        ),
        migrations.RemoveField(
            model_name='historicalincident',
            name='severity',
        ),
        migrations.RemoveField(
            model_name='incident',
            name='days_lost',
        ),
        migrations.RemoveField(
            model_name='incident',
            name='people_affected',
        ),
        migrations.RemoveField(
            model_name='incident',
            name='severity',
        ),
    ]
