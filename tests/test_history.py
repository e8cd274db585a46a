"""Every change to the register leaves a history record: who, when, what changed."""

import datetime

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from assessments.models import ControlMeasure, Incident, RiskAssessment
from assessments.services import assessment_create, incident_record, measure_complete, measure_plan
from enterprises.models import Department, Enterprise, HeadcountPeriod, User, Workplace
from hazards.models import Hazard
from hazards.services import hazard_add
from tests.factories import WorkplaceFactory

REGISTER_APPS = ("enterprises", "hazards", "assessments", "reports")
# Derived figures, rewritten from the register on every refresh: their history is the register's.
# Derived data and logs that are themselves the record: roll-ups, rendered PDFs, and what was
# sent when (deliveries, their attempts, weekly reminders).
DERIVED_MODELS = {
    "RollupRun",
    "EnterpriseFigures",
    "HeatCell",
    "EnterpriseMonth",
    "Report",
    "Delivery",
    "DeliveryAttempt",
    "DigestSent",
    # A record that a measure e-mail went out (sent once), not register data.
    "MeasureNotice",
    # An uploaded register file's job: its rows' history is recorded by the services it calls.
    "RegisterImport",
    # A tombstone of a row a register restore deleted: itself the record, for the API's sync.
    "DeletedRow",
    # The ОКПДТР classifier as published: replaced as a whole from the official file by
    # load_okpdtr (the file is its record); a workplace's own code keeps its history.
    "OkpdtrEntry",
}


def test_every_model_of_the_register_apps_keeps_history():
    missing = [
        model.__name__
        for app in REGISTER_APPS
        for model in apps.get_app_config(app).get_models()
        if not model.__name__.startswith("Historical")
        and model is not User
        and model.__name__ not in DERIVED_MODELS
        and not hasattr(model, "history")
    ]
    assert missing == []


def _last_change(obj):
    return obj.history.order_by("-history_id").first()


@pytest.mark.django_db
def test_a_workplace_change_records_old_and_new_values():
    workplace = WorkplaceFactory(position="Машинист")
    workplace.position = "Горнорабочий очистного забоя"
    workplace.save()
    record = _last_change(workplace)
    assert record.history_type == "~"
    delta = record.diff_against(record.prev_record)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [
        ("position", "Машинист", "Горнорабочий очистного забоя")
    ]


@pytest.mark.django_db
def test_service_actions_each_leave_history(officer_a, enterprise_a):
    workplace = WorkplaceFactory(department__enterprise=enterprise_a)
    event = Hazard._meta.get_field("event").related_model.objects.get_by_natural_key("12.1")
    hazard = hazard_add(workplace=workplace, event=event, source="Соляная пыль", identified_by=officer_a)
    first = assessment_create(hazard=hazard, assessor=officer_a, inputs={"probability": 4, "severity": 4})
    measure = measure_plan(
        hazard=hazard,
        control_level="engineering",
        description="Орошение забоя",
        responsible="Главный механик",
        due_date=timezone.localdate() + datetime.timedelta(days=10),
    )
    measure_complete(measure=measure)
    incident_record(
        workplace=workplace,
        kind="near_miss",
        occurred_at=timezone.now(),
        description="Запыление без последствий",
        hazards=[hazard],
    )
    second = assessment_create(
        hazard=hazard, assessor=officer_a, inputs={"probability": 2, "severity": 4}, reason="after_measures"
    )

    assert hazard.history.count() >= 3  # created, level set, flagged after the measure
    assert [r.history_type for r in first.history.order_by("history_id")] == ["+", "~"]  # made non-current
    assert second.history.count() == 1
    assert [r.history_type for r in measure.history.order_by("history_id")] == ["+", "~"]
    # Created, then the rows involved linked (simple-history records the many-to-many change too).
    assert [r.history_type for r in Incident.objects.get().history.order_by("history_id")] == ["+", "~"]
    assert set(RiskAssessment.objects.filter(hazard=hazard).values_list("is_current", flat=True)) == {
        True,
        False,
    }


@pytest.mark.django_db
def test_history_records_who_changed_it_through_the_web(client, admin_user):
    workplace = WorkplaceFactory()
    client.force_login(admin_user)
    url = reverse("admin:enterprises_workplace_change", args=[workplace.pk])
    response = client.get(url)
    form = response.context["adminform"].form
    data = {name: "" if form[name].value() is None else form[name].value() for name in form.fields}
    data["headcount_total"] = 9
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    record = _last_change(workplace)
    assert record.history_user == admin_user
    assert record.headcount_total == 9


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model",
    [Enterprise, Department, Workplace, HeadcountPeriod, Hazard, RiskAssessment, ControlMeasure, Incident],
)
def test_register_rows_cannot_be_deleted_in_the_admin(rf, admin_user, model):
    request = rf.get("/")
    request.user = admin_user
    model_admin = admin.site._registry[model]
    assert not model_admin.has_delete_permission(request)
    assert "delete_selected" not in model_admin.get_actions(request)
