"""The roll-up models now belong to the dashboards app (dashboards 0001 takes them over): they leave
this app's state only; their tables stay as they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0008_subscription_approval_and_cancelled_delivery"),
        ("dashboards", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="enterprisefigures",
                    name="enterprise",
                ),
                migrations.RemoveField(
                    model_name="enterprisefigures",
                    name="hazard_group",
                ),
                migrations.RemoveField(
                    model_name="enterprisemonth",
                    name="enterprise",
                ),
                migrations.RemoveField(
                    model_name="heatcell",
                    name="enterprise",
                ),
                migrations.RemoveField(
                    model_name="heatcell",
                    name="hazard_group",
                ),
                migrations.DeleteModel(
                    name="RollupRun",
                ),
                migrations.DeleteModel(
                    name="EnterpriseFigures",
                ),
                migrations.DeleteModel(
                    name="EnterpriseMonth",
                ),
                migrations.DeleteModel(
                    name="HeatCell",
                ),
            ],
            database_operations=[],
        ),
    ]
