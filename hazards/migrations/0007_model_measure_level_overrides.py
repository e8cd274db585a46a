"""Re-class the 776n model measures whose level the word stems got wrong
(hazards.control_levels.OVERRIDES). A level someone changed by hand is left alone: only a measure
still at what the stems gave is updated."""

from django.db import migrations


def apply_overrides(apps, schema_editor):
    from hazards.control_levels import classify, classify_by_stems

    ModelMeasure = apps.get_model("hazards", "ModelMeasure")
    for measure in ModelMeasure.objects.only("pk", "name_ru", "control_level"):
        level = classify(measure.name_ru)
        if level != measure.control_level and measure.control_level in (
            "",
            classify_by_stems(measure.name_ru),
        ):
            ModelMeasure.objects.filter(pk=measure.pk).update(control_level=level)


class Migration(migrations.Migration):
    dependencies = [
        ("hazards", "0006_api_list_index"),
    ]

    operations = [migrations.RunPython(apply_overrides, migrations.RunPython.noop)]
