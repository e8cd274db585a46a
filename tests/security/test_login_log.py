"""django-axes logs one line per login at INFO, not four (riskpilot.logfilters.AxesHousekeeping);
failed logins are still logged as warnings."""

import logging

import pytest

from tests.factories import PASSWORD

LOGIN = "/accounts/login/"


def _axes_lines(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name.startswith("axes")]


@pytest.mark.django_db
def test_a_login_is_one_line(client, officer_a, caplog):
    caplog.set_level(logging.INFO)
    response = client.post(
        LOGIN, {"username": officer_a.username, "password": PASSWORD}, REMOTE_ADDR="10.0.0.9"
    )
    assert response.status_code == 302
    lines = [record for record in _axes_lines(caplog) if record.levelno >= logging.INFO]
    assert [record.getMessage().split(" by ")[0] for record in lines] == ["AXES: Successful login"]


@pytest.mark.django_db
def test_a_failed_login_is_still_logged_as_a_warning(client, officer_a, caplog):
    caplog.set_level(logging.INFO)
    client.post(LOGIN, {"username": officer_a.username, "password": "wrong"}, REMOTE_ADDR="10.0.0.9")
    lines = [record for record in _axes_lines(caplog) if record.levelno >= logging.INFO]
    assert lines and all(record.levelno == logging.WARNING for record in lines)
    assert "login failure" in lines[0].getMessage()
