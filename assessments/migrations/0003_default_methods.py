"""Ships the two default methods (5×5 matrix, Fine-Kinney) as version 1 of their configuration.
They are practice, not law (Order 926 leaves the choice to the employer): an enterprise copies
one and adjusts it to its own regulation as a new method or version."""

import json
from pathlib import Path

from django.db import migrations

METHODS = Path(__file__).resolve().parent.parent / "methods"

DEFAULTS = [
    ("matrix-5x5", "matrix", "Матрица 5×5 (вероятность × тяжесть)", "5×5 matrix (probability × severity)",
     "matrix-5x5.json"),
    ("fine-kinney", "fine_kinney", "Метод Файна-Кинни (P × E × C)", "Fine-Kinney method (P × E × C)",
     "fine-kinney.json"),
]


def load_methods(apps, schema_editor):
    RiskMethod = apps.get_model("assessments", "RiskMethod")
    RiskMethodVersion = apps.get_model("assessments", "RiskMethodVersion")
    for code, kind, name_ru, name_en, filename in DEFAULTS:
        method = RiskMethod.objects.create(code=code, kind=kind, name_ru=name_ru, name_en=name_en)
        config = json.loads((METHODS / filename).read_text(encoding="utf-8"))
        RiskMethodVersion.objects.create(
            method=method, version=1, config=config, notes="RiskPilot default (REFERENCE §3)"
        )


def unload_methods(apps, schema_editor):
    RiskMethod = apps.get_model("assessments", "RiskMethod")
    RiskMethodVersion = apps.get_model("assessments", "RiskMethodVersion")
    codes = [code for code, *_ in DEFAULTS]
    RiskMethodVersion.objects.filter(method__code__in=codes).delete()
    RiskMethod.objects.filter(code__in=codes).delete()


class Migration(migrations.Migration):
    dependencies = [("assessments", "0002_initial")]

    operations = [migrations.RunPython(load_methods, unload_methods)]
