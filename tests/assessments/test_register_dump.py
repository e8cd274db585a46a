"""export_register / import_register: a whole enterprise register survives a round trip through
JSON field by field, and a bad file is refused with nothing written."""

import base64
import datetime
import json

import pytest
from django.core.management import CommandError, call_command
from django.forms.models import model_to_dict
from django.utils import timezone, translation

from assessments.models import (
    ControlMeasure,
    Incident,
    IncidentVictim,
    MeasureEvidence,
    RiskAssessment,
    RiskMethod,
    RiskMethodVersion,
    WorkplaceReview,
)
from assessments.register_dump import (
    FORMAT,
    SECTIONS,
    VERSION,
    VOLATILE,
    _Exporter,
    register_export,
    register_import,
    register_import_json,
    register_wipe,
)
from assessments.services import (
    assessment_approve,
    assessment_create,
    incident_record,
    measure_complete_with_evidence,
    measure_plan,
    workplace_review_complete,
)
from enterprises.models import Department, Enterprise, HeadcountPeriod, Role, Workplace
from hazards.models import Hazard, HazardGroup, HazardousEvent, ModelMeasure
from hazards.services import hazard_add, own_event_add
from tests.factories import DepartmentFactory, EnterpriseFactory, UserFactory, WorkplaceFactory

from .test_risk_support import png_bytes, upload

pytest_plugins = ["tests.assessments.test_risk_support"]
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]


@pytest.fixture
def register(region_a):
    """An enterprise with every kind of object, its actors outside it (so it can be wiped)."""
    enterprise = EnterpriseFactory(region=region_a, risk_method=RiskMethod.objects.get(code="matrix-5x5"))
    # Users the file may name: the region's reviewer and an administrator (national scope).
    officer = UserFactory(username="auditor", role=Role.REGIONAL_REVIEWER, region=region_a, enterprise=None)
    boss = UserFactory(username="boss", role=Role.ADMIN)
    shop = DepartmentFactory(enterprise=enterprise, name="Цех 1")
    section = DepartmentFactory(enterprise=enterprise, name="Участок 1", parent=shop, kind="section")
    first = WorkplaceFactory(department=section, number="1")
    second = WorkplaceFactory(
        department=shop, number="2А", sout_class="3.1", sout_date=datetime.date(2024, 5, 1)
    )
    HeadcountPeriod.objects.create(
        enterprise=enterprise, month=datetime.date(2026, 1, 1), average_headcount=40, hours_worked=6400
    )
    own = own_event_add(
        enterprise=enterprise,
        group=HazardGroup.objects.get(number=3),
        event_name_ru="Падение с обледенелой рампы",
        hazard_name_ru="Обледенение рампы",
    )
    catalogue_event = HazardousEvent.objects.get_by_natural_key("8.1")
    row = hazard_add(workplace=first, event=catalogue_event, source="Конвейер", identified_by=officer)
    own_row = hazard_add(workplace=second, event=own, source="Рампа", exposed_count=3)
    assessment_create(hazard=row, assessor=officer, inputs={"probability": 2, "severity": 3})
    later = assessment_create(
        hazard=row,
        assessor=officer,
        inputs={"probability": 4, "severity": 4},
        residual_inputs={"probability": 2, "severity": 4},
        comment="После аварии",
    )
    assessment_approve(assessment=later, user=boss)
    assessment_create(hazard=own_row, assessor=officer, inputs={"probability": 3, "severity": 3})
    model_measure = ModelMeasure.objects.filter(event=catalogue_event).first()
    measure = measure_plan(
        hazard=row,
        control_level="engineering",
        description="Ограждение",
        responsible="Мастер",
        due_date=timezone.localdate() + datetime.timedelta(days=20),
        model_measure=model_measure,
    )
    measure_complete_with_evidence(
        measure=measure, file=upload("фото.png", png_bytes()), uploaded_by=officer, note="Сделано"
    )
    measure_plan(
        hazard=own_row,
        control_level="ppe",
        description="Обувь",
        responsible="Кладовщик",
        periodicity="annual",
    )
    incident_record(
        workplace=first,
        kind="accident",
        occurred_at=timezone.now() - datetime.timedelta(days=5),
        description="Ушиб руки",
        hazards=[row, own_row],
        reported_by=officer,
        victims=[
            {"outcome": "light", "days_lost": 3, "position": "Слесарь"},
            {"outcome": "fatal", "days_lost": 0},
        ],
    )
    workplace_review_complete(
        workplace=second,
        reviewer=officer,
        confirm=[own_row],
        next_review_on=timezone.localdate() + datetime.timedelta(days=365),
    )
    return enterprise


REGISTER_MODELS = [
    (Department, "enterprise"),
    (Workplace, "enterprise"),
    (HeadcountPeriod, "enterprise"),
    (HazardousEvent, "enterprise"),
    (Hazard, "enterprise"),
    (RiskAssessment, "hazard__enterprise"),
    (ControlMeasure, "hazard__enterprise"),
    (MeasureEvidence, "measure__hazard__enterprise"),
    (Incident, "enterprise"),
    (IncidentVictim, "incident__enterprise"),
    (WorkplaceReview, "workplace__enterprise"),
]


def _snapshot(enterprise) -> dict:
    """Every row of the register as plain values, without primary keys (they change)."""
    skip = {"id", "enterprise", "file"}
    snapshot = {}
    for model, path in REGISTER_MODELS:
        rows = model.objects.filter(**{path: enterprise}).order_by("pk")
        values = []
        for row in rows:
            data = {k: v for k, v in model_to_dict(row).items() if k not in skip}
            data["created_at"], data["updated_at"] = row.created_at, row.updated_at
            if model is MeasureEvidence:
                with row.file.open("rb") as handle:
                    data["content"] = handle.read()
            values.append(data)
        snapshot[model.__name__] = values
    return snapshot


def _stable(document: dict) -> dict:
    """The document without its documented volatile fields."""
    document = json.loads(json.dumps(document))
    for section, name in VOLATILE:
        document[section].pop(name)
    return document


def test_round_trip_is_identical(register, tmp_path):
    path = tmp_path / "register.json"
    call_command("export_register", register.inn, "-o", str(path))
    first = json.loads(path.read_text(encoding="utf-8"))
    assert first["format"] == FORMAT and first["version"] == VERSION == 2
    assert {s.name for s in SECTIONS} <= first.keys()
    assert len(first["assessments"]) == 4 and len(first["evidence"]) == 1
    assert first["hazards"][0]["event"] == {"code": "8.1", "own": False}
    assert first["assessments"][0]["method_version"][0] == "matrix-5x5"
    assert [(v["incident"], v["outcome"], v["days_lost"]) for v in first["incident_victims"]] == [
        ("i1", "light", 3),
        ("i1", "fatal", 0),
    ]
    assert first["evidence"][0]["file"]  # the content itself, base64
    counts_before = {model.__name__: model.objects.count() for model, _ in REGISTER_MODELS}
    rows_before = _snapshot(register)

    register_wipe(register)
    assert not Enterprise.objects.filter(inn=first["enterprise"]["inn"]).exists()
    assert Hazard.objects.count() == 0

    call_command("import_register", str(path))
    rebuilt = Enterprise.objects.get(inn=first["enterprise"]["inn"])
    again = register_export(rebuilt)
    assert _stable(again) == _stable(first)
    assert again["enterprise"]["updated_at"] > first["enterprise"]["updated_at"]  # seen by the roll-ups
    assert {model.__name__: model.objects.count() for model, _ in REGISTER_MODELS} == counts_before
    after = _snapshot(rebuilt)
    for name, rows in rows_before.items():
        for before_row, after_row in zip(rows, after[name], strict=True):
            for key, value in before_row.items():
                if key in {
                    "department",
                    "parent",
                    "workplace",
                    "hazard",
                    "measure",
                    "hazards",
                    "event",
                    "hazard_type",
                    "incident",
                }:
                    continue  # new primary keys; compared through the export above
                assert after_row[key] == value, (name, key)


def test_import_over_an_existing_enterprise_needs_replace(register, tmp_path):
    path = tmp_path / "register.json"
    call_command("export_register", str(register.pk), "-o", str(path))
    with pytest.raises(CommandError, match="--replace"):
        call_command("import_register", str(path))
    Hazard.objects.filter(enterprise=register).update(source="Испорчено")
    call_command("import_register", str(path), "--replace")
    register.refresh_from_db()
    assert _stable(register_export(register)) == _stable(json.loads(path.read_text(encoding="utf-8")))
    assert not Hazard.objects.filter(source="Испорчено").exists()


def test_a_restore_over_workers_is_refused_plainly_and_changes_nothing(register, tmp_path):
    """Workers are not in a register file: restoring would delete them (their workplaces go)."""
    from enterprises.models import Worker

    path = tmp_path / "register.json"
    call_command("export_register", str(register.pk), "-o", str(path))
    workplace = Workplace.objects.filter(enterprise=register).first()
    Worker.objects.create(
        enterprise=register, workplace=workplace, surname="Иванов", first_name="Иван", personnel_number="7"
    )
    before = {model.__name__: model.objects.count() for model, _ in REGISTER_MODELS}
    with pytest.raises(CommandError) as refused:
        call_command("import_register", str(path), "--replace")
    assert "The enterprise has workers that a register file does not carry" in str(refused.value)
    assert "ProtectedError" not in str(refused.value)
    assert {model.__name__: model.objects.count() for model, _ in REGISTER_MODELS} == before


def _wipe_then(register, tmp_path, corrupt) -> CommandError:
    document = register_export(register)
    register_wipe(register)
    text = corrupt(document)
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    before = {model.__name__: model.objects.count() for model, _ in REGISTER_MODELS}
    with pytest.raises(CommandError) as refused:
        call_command("import_register", str(path))
    assert {model.__name__: model.objects.count() for model, _ in REGISTER_MODELS} == before
    assert not Enterprise.objects.filter(inn=document["enterprise"]["inn"]).exists()
    return refused.value


def test_truncated_file_is_refused(register, tmp_path):
    error = _wipe_then(register, tmp_path, lambda d: json.dumps(d)[:500])
    assert "not valid JSON" in str(error)


def test_wrong_format_is_refused(register, tmp_path):
    error = _wipe_then(register, tmp_path, lambda d: json.dumps({**d, "format": "something-else"}))
    assert "format" in str(error)


def test_unknown_hazard_code_is_refused(register, tmp_path):
    def corrupt(document):
        document["hazards"][-1]["event"] = {"code": "99.99", "own": False}
        return json.dumps(document)

    error = _wipe_then(register, tmp_path, corrupt)
    assert "99.99" in str(error)


def test_unknown_user_is_refused(register, tmp_path):
    def corrupt(document):
        document["assessments"][0]["assessor"] = "nobody"
        return json.dumps(document)

    error = _wipe_then(register, tmp_path, corrupt)
    assert "nobody" in str(error)


def test_unknown_enterprise_is_a_command_error(db):
    with pytest.raises(CommandError, match="No enterprise"):
        call_command("export_register", "7700000000")


def test_every_unknown_reference_is_listed_at_once(register, tmp_path):
    def corrupt(document):
        document["hazards"][0]["event"] = {"code": "99.98", "own": False}
        document["assessments"][-1]["method_version"] = ["no-such-method", 1]
        document["measures"][0]["model_measure"] = "0.0.0"
        return json.dumps(document)

    error = str(_wipe_then(register, tmp_path, corrupt))
    assert "99.98" in error and "no-such-method" in error and "0.0.0" in error


def _as_version_1(document: dict, severity: str, people: int, days: int) -> dict:
    """The document as RiskPilot wrote it before victims: one severity per incident."""
    document = json.loads(json.dumps(document))
    document["version"] = 1
    del document["incident_victims"]
    for item in document["incidents"]:
        del item["key"]
        item |= {"severity": severity, "people_affected": people, "days_lost": days}
    return document


def test_a_version_1_file_is_read_with_the_migrations_victims(register):
    document = _as_version_1(register_export(register), "group", 3, 10)
    register_wipe(register)
    result = register_import(document)
    incident = Incident.objects.with_victims().get(enterprise=result.enterprise)
    assert incident.is_group and incident.days_lost == 10
    assert sorted(incident.victims.values_list("outcome", "days_lost")) == [
        ("light", 3),
        ("light", 3),
        ("severe", 4),
    ]


def test_a_version_1_lone_fatal_accident_keeps_its_days_in_a_note(register):
    document = _as_version_1(register_export(register), "fatal", 1, 7)
    register_wipe(register)
    incident = Incident.objects.get(enterprise=register_import(document).enterprise)
    assert list(incident.victims.values_list("outcome", "days_lost")) == [("fatal", 0)]
    assert "дней нетрудоспособности: 7" in incident.description


@pytest.mark.parametrize(
    ("corrupt", "message"),
    [
        (lambda d: d.update(incident_victims=[]), "without a victim"),
        (lambda d: d["incident_victims"][0].update(outcome="group"), "group"),
        (lambda d: d["incident_victims"][1].update(days_lost=5), "смертельном исходе"),
        (lambda d: d["incident_victims"][0].update(incident="i9"), "i9"),
    ],
)
def test_bad_victims_are_refused(register, tmp_path, corrupt, message):
    def broken(document):
        corrupt(document)
        return json.dumps(document)

    error = _wipe_then(register, tmp_path, broken)
    assert message in str(error)


# --- A file may change only its own enterprise ---------------------------------------------------


def test_a_version_of_a_shared_method_is_refused_and_the_method_is_unchanged(register, tmp_path):
    """The attack: one enterprise's file adds a lenient newest version of the shared 5×5 matrix."""
    shared = RiskMethod.objects.get(code="matrix-5x5")
    versions_before = list(shared.versions.values_list("pk", "version"))

    def corrupt(document):
        lenient = _Exporter(register).item(shared.current_version(), SECTIONS[1])
        lenient["version"] = 99
        document["risk_method_versions"].append(lenient)
        return json.dumps(document)

    error = str(_wipe_then(register, tmp_path, corrupt))
    assert "matrix-5x5" in error and "shared method" in error
    assert list(shared.versions.values_list("pk", "version")) == versions_before
    assert not RiskMethodVersion.objects.filter(version=99).exists()


def test_an_own_method_and_its_versions_are_imported(register, tmp_path):
    shared_version = RiskMethod.objects.get(code="matrix-5x5").current_version()

    def add_own_method(document):
        exporter = _Exporter(register)
        method = exporter.item(shared_version.method, SECTIONS[0])
        method.update(code="own-5x5", name_ru="Своя матрица", name_en="Own matrix")
        version = exporter.item(shared_version, SECTIONS[1])
        version.update(method="own-5x5", version=1)
        document["risk_methods"].append(method)
        document["risk_method_versions"].append(version)
        document["enterprise"]["risk_method"] = "own-5x5"
        return document

    document = add_own_method(register_export(register))
    register_wipe(register)
    result = register_import_json(json.dumps(document))
    own = RiskMethod.objects.get(code="own-5x5")
    assert own.enterprise == result.enterprise == Enterprise.objects.get(risk_method=own)
    assert own.versions.count() == 1


def test_an_officer_of_another_enterprise_is_refused(register, tmp_path, enterprise_b):
    UserFactory(username="stranger", role=Role.OFFICER, enterprise=enterprise_b)

    def corrupt(document):
        document["assessments"][1]["approved_by"] = "stranger"
        return json.dumps(document)

    error = str(_wipe_then(register, tmp_path, corrupt))
    assert "stranger" in error and "does not work for this enterprise" in error


def test_a_reviewer_of_another_region_is_refused(register, tmp_path):
    other_region = EnterpriseFactory().region
    UserFactory(username="far-away", role=Role.REGIONAL_REVIEWER, region=other_region, enterprise=None)

    def corrupt(document):
        document["assessments"][0]["assessor"] = "far-away"
        return json.dumps(document)

    assert "far-away" in str(_wipe_then(register, tmp_path, corrupt))


def test_the_enterprises_own_officer_is_accepted_on_replace(register, tmp_path):
    UserFactory(username="own-officer", role=Role.OFFICER, enterprise=register)
    document = register_export(register)
    document["assessments"][0]["assessor"] = "own-officer"
    register_import_json(json.dumps(document), replace=True)
    assert RiskAssessment.objects.filter(assessor__username="own-officer").count() == 1


@pytest.mark.parametrize(
    ("content", "declared", "reason"),
    [
        (b"<html><script>alert(1)</script></html>", "image/png", "neither"),
        (b"%PDF-1.4 tiny", "image/png", "declared"),
    ],
)
def test_evidence_goes_through_the_upload_checks(register, tmp_path, content, declared, reason):
    def corrupt(document):
        document["evidence"][0].update(
            file=base64.b64encode(content).decode("ascii"), content_type=declared, original_name="x.png"
        )
        return json.dumps(document)

    with translation.override("en"):  # the upload checks' messages are translated
        error = str(_wipe_then(register, tmp_path, corrupt))
    assert "evidence[1]" in error and reason in error
    assert MeasureEvidence.objects.count() == 0


def test_evidence_over_the_upload_limit_is_refused_before_decoding(register, tmp_path, settings):
    settings.MAX_UPLOAD_BYTES = 50

    def corrupt(document):
        document["evidence"][0]["file"] = "A" * 400
        return json.dumps(document)

    assert "upload limit" in str(_wipe_then(register, tmp_path, corrupt))


def test_deeply_nested_json_is_a_clean_error(register, tmp_path):
    error = _wipe_then(register, tmp_path, lambda d: "[" * 100_000 + "]" * 100_000)
    assert "nested too deeply" in str(error)


def test_a_deeply_nested_value_inside_a_valid_file_is_a_clean_error(register, tmp_path):
    def corrupt(document):
        text = json.dumps(document, ensure_ascii=False)
        assert '"source": "Конвейер"' in text
        return text.replace('"source": "Конвейер"', '"source": ' + "[" * 900 + "]" * 900, 1)

    assert "expected a single value" in str(_wipe_then(register, tmp_path, corrupt))
