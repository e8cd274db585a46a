"""The register's search text, with its full-text index on PostgreSQL (hazards.search)."""

from django.contrib.postgres.indexes import GinIndex
from django.db import migrations, models

from hazards.search import search_vector

# Built from hazards.search.search_vector(), the very expression the search filters on, so the
# planner matches the query with the index. PostgreSQL only: SQLite searches the plain text.
INDEX_NAME = "hazard_search_gin"


def _index():
    return GinIndex(search_vector(), name=INDEX_NAME)


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("hazards", "Hazard"), _index())


def remove_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("hazards", "Hazard"), _index())


class Migration(migrations.Migration):

    dependencies = [
        ('hazards', '0003_plain_default_ordering'),
    ]

    operations = [
        migrations.AddField(
            model_name='hazard',
            name='search_text',
            field=models.TextField(blank=True, default='', editable=False, verbose_name='search text'),
        ),
        migrations.RunPython(add_index, remove_index, elidable=False),
    ]
