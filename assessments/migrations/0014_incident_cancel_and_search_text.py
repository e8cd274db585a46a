"""Cancelling an incident (who, why); the register rows' search text filled for the rows there are."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import Prefetch

BATCH = 2000


def fill_search_text(apps, schema_editor):
    from assessments.search import hazard_document

    Hazard = apps.get_model("hazards", "Hazard")
    ControlMeasure = apps.get_model("assessments", "ControlMeasure")
    RiskAssessment = apps.get_model("assessments", "RiskAssessment")
    last = 0
    while True:
        rows = list(
            Hazard.objects.filter(pk__gt=last)
            .order_by("pk")
            .select_related("event", "workplace")
            .prefetch_related(
                Prefetch("measures", queryset=ControlMeasure.objects.only("hazard_id", "description")),
                Prefetch("assessments", queryset=RiskAssessment.objects.exclude(comment="").only("hazard_id", "comment")),
            )[:BATCH]
        )
        if not rows:
            return
        for row in rows:
            row.search_text = hazard_document(
                row, [m.description for m in row.measures.all()], [a.comment for a in row.assessments.all()]
            )
        Hazard.objects.bulk_update(rows, ["search_text"])
        last = rows[-1].pk


class Migration(migrations.Migration):

    dependencies = [
        ('assessments', '0013_register_import_preview'),
        ('hazards', '0004_search_text'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalincident',
            name='cancel_reason',
            field=models.TextField(blank=True, verbose_name='reason for cancellation'),
        ),
        migrations.AddField(
            model_name='historicalincident',
            name='cancelled_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='cancelled by'),
        ),
        migrations.AddField(
            model_name='incident',
            name='cancel_reason',
            field=models.TextField(blank=True, verbose_name='reason for cancellation'),
        ),
        migrations.AddField(
            model_name='incident',
            name='cancelled_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='cancelled by'),
        ),
        migrations.AlterField(
            model_name='historicalincident',
            name='archived_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='cancelled at'),
        ),
        migrations.AlterField(
            model_name='incident',
            name='archived_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='cancelled at'),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop, elidable=True),
    ]
