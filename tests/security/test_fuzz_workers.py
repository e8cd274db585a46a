"""Hypothesis-generated posts to the forms of workers, SOUT data and acknowledgements (the kiosk
opened, so that examples reach its services). Never a 500; a refused submission changes no row of
the register, the workers or the documents."""

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings

from enterprises.models import SoutClass, SoutFactor
from enterprises.workers import version_token

from .conftest import png_bytes
from .test_fuzz_forms import plausible_values, submissions

APPS = ("enterprises", "hazards", "assessments", "documents")
WORKER_FIELDS = [
    "surname",
    "first_name",
    "patronymic",
    "personnel_number",
    "position",
    "employed_from",
    "employed_to",
]
SOUT_FIELDS = [
    "sout_card_number",
    "sout_date",
    "sout_class",
    *(f"factor_{value}" for value in SoutFactor.values),
]
ENDPOINTS = {
    "worker_add": ("enterprises:worker_add", "workplace", WORKER_FIELDS, None),
    "worker_edit": ("enterprises:worker_edit", "worker", [*WORKER_FIELDS, "version"], None),
    "worker_end": ("enterprises:worker_end", "worker", ["employed_to", "version"], None),
    "workers_import": ("enterprises:workers_import", "enterprise", [], "file"),
    "sout_edit": ("enterprises:sout_edit", "workplace", [*SOUT_FIELDS, "version"], None),
    "sout_import": ("enterprises:sout_import", "enterprise", [], "file"),
    "acknowledgements": ("documents:acknowledgements", "card", ["workers", "acknowledged_on"], "scan"),
    "kiosk": ("documents:kiosk", "card", ["personnel_number", "confirm", "token"], None),
    "kiosk_close": ("documents:kiosk_close", "card", ["password"], None),
}


def counts() -> dict[str, int]:
    return {
        model._meta.label: model._base_manager.count()
        for app in APPS
        for model in apps.get_app_config(app).get_models()
    }


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_fuzzed_post_never_fails_and_refusals_write_nothing(endpoint, officer_a, world_a, world_b):
    url_name, kind, fields, file_field = ENDPOINTS[endpoint]
    url = reverse(url_name, args=[getattr(world_a, kind).pk])
    plausible = [
        *plausible_values(world_a, world_b),
        *SoutClass.values,
        "101",
        str(world_a.worker.pk),
        str(world_b.worker.pk),
        version_token(world_a.worker.updated_at),
        version_token(world_a.workplace.updated_at),
    ]
    client = Client()
    client.force_login(officer_a)
    if url_name.startswith("documents:kiosk"):
        client.post(reverse("documents:kiosk_open", args=[world_a.card.pk]))

    @settings(
        max_examples=20,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=submissions(fields, plausible, file_field, [png_bytes(), b"PK\x03\x04"]))
    def post(data):
        with transaction.atomic():
            before = counts()
            response = client.post(url, data)
            assert response.status_code in (200, 302, 400, 429), response.status_code
            if response.status_code != 302:
                assert counts() == before
            transaction.set_rollback(True)

    post()
