"""The search's text vector stored beside the text (PostgreSQL only; hazards.search).

The register list searches one enterprise's rows. With the vector computed from the text at query
time, PostgreSQL either runs to_tsvector over every row of the enterprise (~200 ms for 3,300 rows)
or reads the words' postings for the whole country from the GIN index, which grows with the
database. A stored generated column makes the per-row check a cheap comparison, so the search
costs what the enterprise's size costs, whatever the country's; the GIN index moves onto it for
searches across enterprises (the API). The database keeps the column: no service writes it.
SQLite searches the plain text and gets no column."""

from django.db import migrations

from hazards.search import CONFIGS

EXPRESSION = " || ".join(
    f"to_tsvector('{config}'::regconfig, COALESCE(search_text, ''))" for config in CONFIGS
)
FORWARD = [
    "ALTER TABLE hazards_hazard ADD COLUMN search_vector tsvector "
    f"GENERATED ALWAYS AS ({EXPRESSION}) STORED",
    "DROP INDEX IF EXISTS hazard_search_gin",
    "CREATE INDEX hazard_search_vector_gin ON hazards_hazard USING gin (search_vector)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS hazard_search_vector_gin",
    "ALTER TABLE hazards_hazard DROP COLUMN IF EXISTS search_vector",
    f"CREATE INDEX hazard_search_gin ON hazards_hazard USING gin (({EXPRESSION}))",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("hazards", "0007_model_measure_level_overrides"),
    ]

    operations = [
        migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False),
    ]
