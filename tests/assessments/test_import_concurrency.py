"""The same register file imported twice at the same moment (a double click, two officers): the
imports of an enterprise take turns, so the second finds the rows already registered and says so;
nothing is written twice and no IntegrityError becomes a 500."""

import threading

import pytest
from django.db import connection
from django.test import Client

from hazards.models import Hazard

from .test_register_import import GOOD, upload, workbook_bytes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_imports_of_one_file_write_it_once(reference_data, enterprise_a, officer_a):
    content = workbook_bytes([GOOD, {**GOOD, "workplace_number": "13", "event_code": "3.1"}])
    start = threading.Barrier(2)
    responses, errors = [], []

    def post():
        try:
            client = Client()
            client.force_login(officer_a)
            start.wait(timeout=10)
            responses.append(upload(client, enterprise_a, content))
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(response.status_code for response in responses) == [200, 302]
    (refused,) = [response for response in responses if response.status_code == 200]
    assert "already has this event" in refused.context["errors"][0].message
    assert Hazard.objects.filter(enterprise=enterprise_a).count() == 2
