"""The roll-up models moved from the reports app to the dashboards app by their migrations, state
only: a database at the old layout's last migrations, holding roll-ups, migrates to the new layout
with every row (same tables), and the content types move too, so permissions given on them hold."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from dashboards import rollups
from dashboards.models import EnterpriseFigures, EnterpriseMonth, HeatCell, RollupRun
from tests.factories import UserFactory, WorkplaceFactory

OLD_LAYOUT = [("reports", "0008_subscription_approval_and_cancelled_delivery"), ("dashboards", None)]
MODELS = {
    "RollupRun": RollupRun,
    "EnterpriseFigures": EnterpriseFigures,
    "HeatCell": HeatCell,
    "EnterpriseMonth": EnterpriseMonth,
}


def _fire_deferred_constraints():
    """The test's rows are written inside its transaction, where PostgreSQL defers the foreign-key
    checks to the commit; an index built then would find those checks pending and refuse."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _migrate(targets):
    _fire_deferred_constraints()
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    # The state of the apps at the old layout (an app taken back to zero is not a node of it).
    return executor.loader.project_state([target for target in targets if target[1]]).apps


def _migrate_to_the_end():
    _fire_deferred_constraints()
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture
def old_layout(db):
    """Roll-ups written by a refresh, then the database taken back to the old layout."""
    workplaces = [WorkplaceFactory() for _ in range(3)]
    rollups.refresh()
    try:
        yield _migrate(OLD_LAYOUT), workplaces[0].enterprise
    finally:
        _migrate_to_the_end()


def test_rows_and_permissions_survive_the_move(old_layout):
    apps, enterprise = old_layout
    with pytest.raises(LookupError):
        apps.get_model("dashboards", "EnterpriseFigures")
    Old = {name: apps.get_model("reports", name) for name in MODELS}
    # Rows as the old code wrote them, beside the refresh's.
    enterprise_id = Old["EnterpriseFigures"].objects.values_list("enterprise_id", flat=True).first()
    now = timezone.now()
    Old["RollupRun"].objects.create(
        kind="full", started_at=now, finished_at=now, as_of=now.date(), enterprise_count=3, duration_ms=5
    )
    Old["HeatCell"].objects.create(enterprise_id=enterprise_id, probability=4, severity=5, rows=7)
    Old["EnterpriseMonth"].objects.create(
        enterprise_id=enterprise_id, month=datetime.date(2020, 1, 1), accidents=2
    )
    before = {name: Old[name].objects.count() for name in MODELS}
    assert all(before.values()), before
    ContentType.objects.clear_cache()
    old_type = ContentType.objects.get(app_label="reports", model="rolluprun")
    user = UserFactory(enterprise=enterprise)
    user.user_permissions.add(Permission.objects.get(content_type=old_type, codename="view_rolluprun"))

    _migrate_to_the_end()

    after = {name: model.objects.count() for name, model in MODELS.items()}
    assert after == before
    assert HeatCell.objects.filter(enterprise_id=enterprise_id, probability=4, severity=5, rows=7).exists()
    assert (
        EnterpriseMonth.objects.get(enterprise_id=enterprise_id, month=datetime.date(2020, 1, 1)).accidents
        == 2
    )
    ContentType.objects.clear_cache()
    assert ContentType.objects.get_for_model(RollupRun).pk == old_type.pk
    assert not ContentType.objects.filter(app_label="reports", model__in=["rolluprun", "heatcell"]).exists()
    user = type(user).objects.get(pk=user.pk)
    assert user.has_perm("dashboards.view_rolluprun")
