"""Loads the Order 776n Appendix 1 catalogue: 28 groups, 56 hazards, 91 hazardous events and
769 model control measures, from the CSV files in hazards/data/. Users never type these in."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"


def _rows(name):
    with open(DATA / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_catalogue(apps, schema_editor):
    HazardGroup = apps.get_model("hazards", "HazardGroup")
    HazardType = apps.get_model("hazards", "HazardType")
    HazardousEvent = apps.get_model("hazards", "HazardousEvent")
    ModelMeasure = apps.get_model("hazards", "ModelMeasure")

    hazards = _rows("catalogue-776n-hazards.csv")
    groups = {}
    for row in hazards:
        number = int(row["group"])
        if number not in groups:
            groups[number] = HazardGroup.objects.create(
                number=number, name_ru=row["group_name_ru"], name_en=row["group_name_en"]
            )
    types = {
        row["hazard_code"]: HazardType.objects.create(
            code=row["hazard_code"], group=groups[int(row["group"])], name_ru=row["name_ru"], name_en=row["name_en"]
        )
        for row in hazards
    }
    events = {
        row["event_code"]: HazardousEvent.objects.create(
            code=row["event_code"], hazard_type=types[row["hazard_code"]], name_ru=row["name_ru"], name_en=row["name_en"]
        )
        for row in _rows("catalogue-776n-events.csv")
    }
    ModelMeasure.objects.bulk_create(
        ModelMeasure(code=row["measure_code"], event=events[row["event_code"]], name_ru=row["name_ru"])
        for row in _rows("catalogue-776n-measures.csv")
    )


def unload_catalogue(apps, schema_editor):
    for model in ("ModelMeasure", "HazardousEvent", "HazardType", "HazardGroup"):
        apps.get_model("hazards", model).objects.filter(
            **({} if model in ("ModelMeasure", "HazardGroup") else {"enterprise__isnull": True})
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("hazards", "0001_initial")]

    operations = [migrations.RunPython(load_catalogue, unload_catalogue)]
