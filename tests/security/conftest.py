"""Objects of every kind for enterprises A and B, shared by the access matrix and the fuzzing.

Enterprise B is in A's region (the personas' fixtures), so the regional reviewer of that region
sees both and the reviewer of another region sees neither."""

import datetime
import io
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from api.services import token_create
from assessments.models import ImportStatus, MeasureEvidence, RegisterImport
from assessments.services import assessment_create, evidence_add
from documents.acknowledgements import acknowledgements_record
from documents.cards import card_issue
from documents.models import ActionPlan, BundleStatus, CardAcknowledgement, CardBundle, RiskCard
from documents.plans import plan_create
from enterprises.workers import worker_add
from reports.models import Frequency, Report, ReportStatus, ReportType, Subscription
from tests.documents.sign_off import commission_of, sent_round
from tests.factories import (
    ControlMeasureFactory,
    DepartmentFactory,
    HazardFactory,
    IncidentFactory,
    WorkplaceFactory,
)


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass
class World:
    """One object of each kind that has a page, for one enterprise."""

    enterprise: object
    region: object
    department: object
    workplace: object
    hazard: object
    assessment: object
    measure: object
    evidence: object
    incident: object
    report: object
    subscription: object
    register_import: object = None
    commission: object = None
    # Being signed; its commission's only member with an account is the officer.
    assessment_round: object = None
    card: object = None
    card_bundle: object = None
    action_plan: object = None
    worker: object = None
    acknowledgement: object = None
    api_token: object = None


@pytest.fixture
def private_storage(tmp_path, monkeypatch):
    """Evidence and reports go to a temporary folder, never to the checkout's var/private."""
    storage = FileSystemStorage(location=tmp_path / "private", base_url=None)
    monkeypatch.setattr(MeasureEvidence._meta.get_field("file"), "storage", storage)
    monkeypatch.setattr(Report._meta.get_field("file"), "storage", storage)
    monkeypatch.setattr(RegisterImport._meta.get_field("file"), "storage", storage)
    for model in (RiskCard, CardBundle, ActionPlan):
        monkeypatch.setattr(model._meta.get_field("file"), "storage", storage)
    monkeypatch.setattr(CardAcknowledgement._meta.get_field("scan"), "storage", storage)
    return storage


# The fingerprint of the worlds' checked imports, which the fuzzed confirmations may send.
IMPORT_FINGERPRINT = "f" * 64


def build_world(enterprise, assessor, region) -> World:
    department = DepartmentFactory(enterprise=enterprise)
    workplace = WorkplaceFactory(department=department)
    hazard = HazardFactory(workplace=workplace)
    assessment = assessment_create(hazard=hazard, assessor=assessor, inputs={"probability": 3, "severity": 3})
    measure = ControlMeasureFactory(hazard=hazard)
    done = ControlMeasureFactory(hazard=hazard, description="Заменить светильники")
    evidence = evidence_add(
        measure=done,
        file=SimpleUploadedFile("photo.png", png_bytes(), content_type="image/png"),
        uploaded_by=assessor,
    )
    incident = IncidentFactory(workplace=workplace)
    report = Report.objects.create(
        type=ReportType.ENTERPRISE,
        scope_key=f"enterprise:{enterprise.pk}",
        enterprise=enterprise,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 1, 31),
        status=ReportStatus.READY,
    )
    report.file.save("report.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    subscription = Subscription.objects.create(
        type=ReportType.ENTERPRISE,
        enterprise=enterprise,
        frequency=Frequency.MONTHLY,
        recipients="ot@example.org",
    )
    # Checked and waiting for its confirmation: the status page shows its preview, and the
    # confirmation form has something to confirm.
    register_import = RegisterImport.objects.create(
        enterprise=enterprise,
        requested_by=assessor,
        original_name="register.xlsx",
        status=ImportStatus.PREVIEW,
        preview={
            "new": [],
            "changed": [
                {
                    "row": 2,
                    "key": hazard.pk,
                    "workplace": workplace.number,
                    "event": hazard.event.code,
                    "source": hazard.source,
                    "cells": [{"column": "Object", "before": "—", "after": "Штрек"}],
                }
            ],
            "unchanged": [],
            "versions": {},
            "erroneous": 0,
            "fingerprint": IMPORT_FINGERPRINT,
        },
    )
    commission = commission_of(enterprise, chairman=assessor, paper=True)
    assessment_round = sent_round(enterprise, assessor)
    card = card_issue(workplace=workplace, user=assessor, render=False)
    card.file.save("card.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    card_bundle = CardBundle.objects.create(
        enterprise=enterprise, requested_by=assessor, status=BundleStatus.READY, total=1, done=1
    )
    card_bundle.file.save("cards.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    action_plan = plan_create(
        enterprise=enterprise,
        user=assessor,
        title="План мероприятий на 2026 год",
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2030, 12, 31),
    )
    action_plan.file.save("plan.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    worker = worker_add(workplace=workplace, surname="Иванов", first_name="Сергей", personnel_number="101")
    [acknowledgement] = acknowledgements_record(
        card=card,
        workers=[worker],
        acknowledged_on=card.issued_on,
        recorded_by=assessor,
        scan=SimpleUploadedFile("sheet.png", png_bytes(), content_type="image/png"),
    )
    api_token, _secret = token_create(user=assessor, name="1С")
    return World(
        commission=commission,
        assessment_round=assessment_round,
        card=card,
        card_bundle=card_bundle,
        action_plan=action_plan,
        worker=worker,
        acknowledgement=acknowledgement,
        api_token=api_token,
        register_import=register_import,
        enterprise=enterprise,
        region=region,
        department=department,
        workplace=workplace,
        hazard=hazard,
        assessment=assessment,
        measure=measure,
        evidence=evidence,
        incident=incident,
        report=report,
        subscription=subscription,
    )


@pytest.fixture
def world_a(enterprise_a, officer_a, private_storage) -> World:
    return build_world(enterprise_a, officer_a, enterprise_a.region)


@pytest.fixture
def world_b(enterprise_b, officer_b, region_b, private_storage) -> World:
    # B's region code is another region's: B itself shares A's region.
    return build_world(enterprise_b, officer_b, region_b)
