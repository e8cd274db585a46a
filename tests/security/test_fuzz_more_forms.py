"""Fuzzing of the POST forms that take no object of the register: the user's own settings and the
report orders (enterprise, regional, federal). Never a 500; a refused submission writes nothing."""

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.models import ApiToken
from enterprises.models import User
from reports.models import Report

pytestmark = pytest.mark.django_db

VALUES = st.one_of(
    st.text(max_size=200),
    st.sampled_from(
        [
            "",
            "0",
            "-1",
            "on",
            "ru",
            "en",
            "xx",
            "2026-10",
            "2026-13",
            "9999-12",
            "0000-01",
            "2026-Q4",
            "9" * 40,
        ]
    ),
)


def fuzz(client, url, fields, count):
    # The report orders' one-time key: mostly a fresh one, as the page carries it.
    keys = {"submission": st.one_of(st.uuids().map(str), VALUES)}

    @settings(max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(st.fixed_dictionaries({}, optional={**dict.fromkeys(fields, VALUES), **keys}))
    def post(data):
        before = count()
        response = client.post(url, data)
        assert response.status_code in (200, 302), response.status_code
        if response.status_code == 200:
            assert count() == before

    post()


def test_own_settings(officer_a):
    client = Client()
    client.force_login(officer_a)

    def state():
        officer_a.refresh_from_db()
        return (officer_a.language, officer_a.weekly_digest, User.objects.count())

    fuzz(client, reverse("enterprises:preferences"), ["language", "weekly_digest"], state)


def test_api_tokens(officer_a):
    client = Client()
    client.force_login(officer_a)

    def state():
        # A refused name creates no token; a stranger's revoke form is another URL.
        return ApiToken.objects.count()

    fuzz(client, reverse("api_tokens:list"), ["name"], state)


@pytest.mark.parametrize(
    ("persona", "name", "args"),
    [
        ("manager_a", "reports:report_new", "enterprise"),
        ("reviewer_region", "reports:region_report_new", "region"),
        ("federal", "reports:federal_report_new", None),
    ],
)
def test_report_orders(request, persona, name, args, enterprise_a, monkeypatch):
    from reports.tasks import render_report

    monkeypatch.setattr(render_report, "delay_on_commit", lambda report_id: None)
    client = Client()
    client.force_login(request.getfixturevalue(persona))
    arguments = {"enterprise": [enterprise_a.pk], "region": [enterprise_a.region.code], None: []}[args]
    fuzz(
        client,
        reverse(name, args=arguments),
        ["month", "quarter", "language", "regenerate"],
        Report.objects.count,
    )
