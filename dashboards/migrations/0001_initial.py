"""The roll-up models move here from the reports app. Only Django's state moves: the tables keep
their names (Meta.db_table = "reports_*"), so an existing database copies, renames and locks
nothing, and the raw SQL of the refresh still names the same tables. On a fresh database the
reports migrations create the tables first (the dependency below).

Their content types move too, so that permissions already given on them are kept."""

import django.db.models.deletion
from django.db import migrations, models

ROLLUP_MODELS = ["rolluprun", "enterprisefigures", "enterprisemonth", "heatcell"]


def content_types_to(app_label, from_label):
    def move(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        # On a fresh database there are none yet (they are created after migrating); one already
        # under the new label (a migration undone and done again) is left as it is.
        taken = ContentType.objects.filter(app_label=app_label).values_list("model", flat=True)
        ContentType.objects.filter(app_label=from_label, model__in=ROLLUP_MODELS).exclude(
            model__in=list(taken)
        ).update(app_label=app_label)

    return move


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("enterprises", "0006_workplace_number_order"),
        ("hazards", "0005_model_measure_levels"),
        ("reports", "0008_subscription_approval_and_cancelled_delivery"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="RollupRun",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                        (
                            "kind",
                            models.CharField(
                                choices=[("full", "Full"), ("changes", "Changed enterprises")],
                                max_length=10,
                                verbose_name="kind",
                            ),
                        ),
                        (
                            "started_at",
                            models.DateTimeField(
                                help_text="The figures include every register change committed before this.",
                                verbose_name="started at",
                            ),
                        ),
                        ("finished_at", models.DateTimeField(verbose_name="finished at")),
                        (
                            "as_of",
                            models.DateField(
                                help_text="The date against which “overdue” was counted.",
                                verbose_name="as of",
                            ),
                        ),
                        (
                            "enterprise_count",
                            models.PositiveIntegerField(verbose_name="enterprises refreshed"),
                        ),
                        ("duration_ms", models.PositiveIntegerField(verbose_name="duration, ms")),
                    ],
                    options={
                        "verbose_name": "roll-up refresh",
                        "verbose_name_plural": "roll-up refreshes",
                        "db_table": "reports_rolluprun",
                        "ordering": ["-finished_at"],
                        "get_latest_by": "finished_at",
                        "indexes": [
                            models.Index(fields=["kind", "-finished_at"], name="rollup_run_kind_finished"),
                            models.Index(fields=["-finished_at"], name="rollup_run_finished"),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="EnterpriseFigures",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("workplaces_total", models.PositiveIntegerField(default=0)),
                        ("workplaces_with_rows", models.PositiveIntegerField(default=0)),
                        ("workplaces_assessed", models.PositiveIntegerField(default=0)),
                        ("rows", models.PositiveIntegerField(default=0)),
                        ("rows_not_rated", models.PositiveIntegerField(default=0)),
                        ("rows_level_1", models.PositiveIntegerField(default=0)),
                        ("rows_level_2", models.PositiveIntegerField(default=0)),
                        ("rows_level_3", models.PositiveIntegerField(default=0)),
                        ("rows_level_4", models.PositiveIntegerField(default=0)),
                        ("rows_level_5", models.PositiveIntegerField(default=0)),
                        ("rows_due_for_review", models.PositiveIntegerField(default=0)),
                        ("rows_needing_reassessment", models.PositiveIntegerField(default=0)),
                        (
                            "rows_in_heat_map",
                            models.PositiveIntegerField(
                                default=0,
                                help_text="Rated rows whose current assessment used a 5×5 matrix method.",
                            ),
                        ),
                        ("measures_open", models.PositiveIntegerField(default=0)),
                        ("measures_done", models.PositiveIntegerField(default=0)),
                        ("measures_overdue", models.PositiveIntegerField(default=0)),
                        ("last_change_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "enterprise",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="enterprises.enterprise",
                                verbose_name="enterprise",
                            ),
                        ),
                        (
                            "hazard_group",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="hazards.hazardgroup",
                                verbose_name="hazard group",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "enterprise figures",
                        "verbose_name_plural": "enterprise figures",
                        "db_table": "reports_enterprisefigures",
                        "ordering": ["enterprise_id", "hazard_group_id"],
                        "indexes": [
                            models.Index(
                                fields=["hazard_group", "enterprise"], name="figures_group_enterprise"
                            )
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("hazard_group__isnull", True)),
                                fields=("enterprise",),
                                name="figures_one_total",
                            ),
                            models.UniqueConstraint(
                                fields=("enterprise", "hazard_group"), name="figures_one_per_group"
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="EnterpriseMonth",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("month", models.DateField(help_text="The first day of the month.")),
                        ("profile_not_rated", models.PositiveIntegerField(default=0)),
                        ("profile_level_1", models.PositiveIntegerField(default=0)),
                        ("profile_level_2", models.PositiveIntegerField(default=0)),
                        ("profile_level_3", models.PositiveIntegerField(default=0)),
                        ("profile_level_4", models.PositiveIntegerField(default=0)),
                        ("profile_level_5", models.PositiveIntegerField(default=0)),
                        ("measures_due", models.PositiveIntegerField(default=0)),
                        ("measures_due_passed", models.PositiveIntegerField(default=0)),
                        ("measures_done_on_time", models.PositiveIntegerField(default=0)),
                        ("measures_done", models.PositiveIntegerField(default=0)),
                        ("accidents", models.PositiveIntegerField(default=0)),
                        ("accident_victims", models.PositiveIntegerField(default=0)),
                        ("fatal_victims", models.PositiveIntegerField(default=0)),
                        ("severe_victims", models.PositiveIntegerField(default=0)),
                        ("lost_time_victims", models.PositiveIntegerField(default=0)),
                        ("victims_with_days", models.PositiveIntegerField(default=0)),
                        ("days_lost", models.PositiveIntegerField(default=0)),
                        ("microtraumas", models.PositiveIntegerField(default=0)),
                        ("occupational_diseases", models.PositiveIntegerField(default=0)),
                        ("near_misses", models.PositiveIntegerField(default=0)),
                        ("headcount", models.PositiveIntegerField(blank=True, null=True)),
                        ("hours_worked", models.PositiveBigIntegerField(blank=True, null=True)),
                        (
                            "enterprise",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="enterprises.enterprise",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "enterprise month",
                        "verbose_name_plural": "enterprise months",
                        "db_table": "reports_enterprisemonth",
                        "ordering": ["enterprise_id", "month"],
                        "indexes": [
                            models.Index(fields=["month", "enterprise"], name="enterprise_month_month")
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("enterprise", "month"), name="enterprise_month_unique"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="HeatCell",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("probability", models.PositiveSmallIntegerField()),
                        ("severity", models.PositiveSmallIntegerField()),
                        ("rows", models.PositiveIntegerField(default=0)),
                        (
                            "enterprise",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="enterprises.enterprise",
                            ),
                        ),
                        (
                            "hazard_group",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="hazards.hazardgroup",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "heat map cell",
                        "verbose_name_plural": "heat map cells",
                        "db_table": "reports_heatcell",
                        "ordering": ["enterprise_id", "probability", "severity"],
                        "indexes": [
                            models.Index(
                                fields=["hazard_group", "enterprise"], name="heatcell_group_enterprise"
                            )
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("probability__range", (1, 5)), ("severity__range", (1, 5))
                                ),
                                name="heatcell_in_matrix",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(
            content_types_to("dashboards", "reports"), content_types_to("reports", "dashboards")
        ),
    ]
