"""Classes each 776n model measure that has no level of the hierarchy of controls yet, by its
wording (hazards/control_levels.py), so that a measure planned from it starts at that level. An
administrator's later change of a level is kept: only blank levels are filled."""

from django.db import migrations


def fill_levels(apps, schema_editor):
    from hazards.control_levels import classify

    ModelMeasure = apps.get_model("hazards", "ModelMeasure")
    for measure in ModelMeasure.objects.filter(control_level="").only("pk", "name_ru"):
        ModelMeasure.objects.filter(pk=measure.pk).update(control_level=classify(measure.name_ru))


class Migration(migrations.Migration):
    dependencies = [
        ("hazards", "0004_search_text"),
    ]

    operations = [migrations.RunPython(fill_levels, migrations.RunPython.noop)]
