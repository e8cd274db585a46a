"""Victims of an accident, each with an outcome of Order 223n (the old per-incident severity,
people affected and days lost move into them in 0009 and go in 0010). The old constraints go
first, so that the reverse of 0009 can restore the old columns before they are checked again."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('assessments', '0007_weekly_digest'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalIncidentVictim',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='created')),
                ('updated_at', models.DateTimeField(blank=True, editable=False, verbose_name='updated')),
                ('outcome', models.CharField(choices=[('light', 'Minor'), ('severe', 'Severe'), ('fatal', 'Fatal')], max_length=10, verbose_name='outcome')),
                ('days_lost', models.PositiveIntegerField(default=0, help_text='Days of temporary incapacity so far; none for a fatal outcome.', verbose_name='days of incapacity')),
                ('position', models.CharField(blank=True, help_text='As in the act of form N-1; no name.', max_length=200, verbose_name='profession (position)')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
            ],
            options={
                'verbose_name': 'historical victim',
                'verbose_name_plural': 'historical victims',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='IncidentVictim',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('outcome', models.CharField(choices=[('light', 'Minor'), ('severe', 'Severe'), ('fatal', 'Fatal')], max_length=10, verbose_name='outcome')),
                ('days_lost', models.PositiveIntegerField(default=0, help_text='Days of temporary incapacity so far; none for a fatal outcome.', verbose_name='days of incapacity')),
                ('position', models.CharField(blank=True, help_text='As in the act of form N-1; no name.', max_length=200, verbose_name='profession (position)')),
            ],
            options={
                'verbose_name': 'victim',
                'verbose_name_plural': 'victims',
                'ordering': ['incident_id', 'id'],
            },
        ),
        migrations.AddField(
            model_name='historicalincidentvictim',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalincidentvictim',
            name='incident',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='assessments.incident', verbose_name='accident'),
        ),
        migrations.AddField(
            model_name='incidentvictim',
            name='incident',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='victims', to='assessments.incident', verbose_name='accident'),
        ),
        migrations.AddConstraint(
            model_name='incidentvictim',
            constraint=models.CheckConstraint(condition=models.Q(('days_lost__gte', 0)), name='victim_days_not_negative'),
        ),
        migrations.AddConstraint(
            model_name='incidentvictim',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('outcome', 'fatal'), _negated=True), ('days_lost', 0), _connector='OR'), name='victim_fatal_no_days'),
        ),
        migrations.AddConstraint(
            model_name='incidentvictim',
            constraint=models.CheckConstraint(condition=models.Q(('outcome__in', ['light', 'severe', 'fatal'])), name='victim_outcome_known'),
        ),
        migrations.RemoveConstraint(
            model_name='incident',
            name='incident_severity_only_for_accidents',
        ),
        migrations.RemoveConstraint(
            model_name='incident',
            name='incident_counts_not_negative',
        ),
    ]
