"""Indexes on the register's tables that the dashboards' roll-ups need.

The roll-ups are refreshed every few minutes for the enterprises whose register changed since the
previous run, found by ``updated_at >= <previous run - look-back>`` (reports.rollups.
changed_enterprise_ids). Without an index each of these is a full scan of a table that holds
millions of rows at national scale. The register's models belong to other apps, whose model state
we do not own, so the indexes are created here in SQL that PostgreSQL and SQLite both accept.
"""

from django.db import migrations

INDEXES = [
    # SELECT DISTINCT enterprise_id FROM hazards_hazard WHERE updated_at >= %s
    ("reports_hazard_updated_at", "hazards_hazard"),
    # SELECT DISTINCT hazard.enterprise_id FROM assessments_riskassessment JOIN ... WHERE updated_at >= %s
    ("reports_assessment_updated_at", "assessments_riskassessment"),
    # SELECT DISTINCT hazard.enterprise_id FROM assessments_controlmeasure JOIN ... WHERE updated_at >= %s
    ("reports_measure_updated_at", "assessments_controlmeasure"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("hazards", "0003_plain_default_ordering"),
        ("assessments", "0004_plain_default_ordering"),
    ]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX IF NOT EXISTS {name} ON {table} (updated_at)",
            reverse_sql=f"DROP INDEX IF EXISTS {name}",
        )
        for name, table in INDEXES
    ]
