"""`manage.py loadtest_users` gives accounts a known password: only ever in a benchmark database."""

import pytest
from django.core.management import CommandError, call_command

from enterprises.models import User


@pytest.mark.django_db
def test_loadtest_users_refuses_a_database_that_is_not_a_benchmark(tmp_path):
    with pytest.raises(CommandError):
        call_command("loadtest_users", "--officers", "1", "--output", str(tmp_path / "users.json"))
    assert not User.objects.filter(username__startswith="lt-").exists()
    assert not (tmp_path / "users.json").exists()
