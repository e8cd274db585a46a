"""Version 2 of the default 5×5 matrix: severity 5 no longer calls every group accident
catastrophic. A group accident is one with two or more victims, whatever their outcomes
(TK 227–229, Order 223n); two light injuries are not a catastrophe. Level 5 now reads "a fatal
accident, or a group accident with a severe or fatal outcome".

A new version rather than an edit of version 1: assessments made under version 1 keep pointing
to the words their assessors read. Scales and bands are unchanged, so ratings made under
version 1 can still be confirmed at a periodic review (scoring.same_scoring). An enterprise's
own copy of the method is its own regulation and is left as it is."""

import copy

from django.db import migrations
from django.utils import timezone

CODE = "matrix-5x5"
LEVEL_5 = {
    "description_ru": (
        "Катастрофическая: несчастный случай со смертельным исходом или групповой несчастный случай "
        "с тяжёлым или смертельным исходом (категории «тяжёлый» и «со смертельным исходом» по "
        "Приказу № 223н; групповой — два и более пострадавших)."
    ),
    "description_en": (
        "Catastrophic: a fatal accident, or a group accident with a severe or fatal outcome (Order 223n "
        "categories \"тяжёлый\" and \"со смертельным исходом\"; a group accident has two or more victims)."
    ),
}
NOTES = (
    "Severity 5 reworded: a group accident is catastrophic only with a severe or fatal outcome "
    "(Order 223n). Scales and bands as in version 1."
)


def add_version(apps, schema_editor):
    RiskMethod = apps.get_model("assessments", "RiskMethod")
    RiskMethodVersion = apps.get_model("assessments", "RiskMethodVersion")
    method = RiskMethod.objects.filter(code=CODE, enterprise__isnull=True).first()
    if method is None:
        return  # a database without the default methods (they are data, not schema)
    latest = RiskMethodVersion.objects.filter(method=method).order_by("-version").first()
    if latest is None or latest.notes == NOTES:
        return
    config = copy.deepcopy(latest.config)
    severity = next(item for item in config["inputs"] if item["key"] == "severity")
    level = next(item for item in severity["levels"] if item["value"] == 5)
    level.update(LEVEL_5)
    RiskMethodVersion.objects.create(
        method=method, version=latest.version + 1, config=config, valid_from=timezone.localdate(), notes=NOTES
    )


def remove_version(apps, schema_editor):
    RiskMethodVersion = apps.get_model("assessments", "RiskMethodVersion")
    # Only while no assessment uses it: one that does would lose the words it was made under.
    RiskMethodVersion.objects.filter(
        method__code=CODE, method__enterprise__isnull=True, notes=NOTES, assessments__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("assessments", "0010_remove_incident_severity")]

    operations = [migrations.RunPython(add_version, remove_version)]
