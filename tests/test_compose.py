"""docker-compose.yml describes the production stack the README promises: every long-running
service is health-checked, PDFs have workers of their own that give memory back, beat runs once,
and the web and worker containers share the private files."""

from pathlib import Path

import pytest
import yaml
from django.conf import settings

COMPOSE = yaml.safe_load((Path(settings.BASE_DIR) / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def command(name: str) -> str:
    value = SERVICES[name]["command"]
    return " ".join(value) if isinstance(value, list) else value


@pytest.mark.parametrize("name", ["postgres", "redis", "web", "worker", "worker-pdf", "minio", "proxy"])
def test_long_running_services_are_health_checked(name):
    assert SERVICES[name]["healthcheck"]["test"]


def test_postgres_keeps_its_data_in_a_volume():
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in SERVICES["postgres"]["volumes"])
    assert "postgres-data" in COMPOSE["volumes"]


def test_pdfs_have_their_own_workers_that_give_memory_back():
    pdf = command("worker-pdf")
    # A process per core of a 2-core host unless told otherwise: the parts of a set of cards are
    # rendered side by side (bench/benchmark_cards.py measures it with as many processes).
    assert "-Q pdf" in pdf and "--concurrency ${PDF_WORKER_CONCURRENCY:-2}" in pdf
    assert "--max-tasks-per-child" in pdf and "--max-memory-per-child" in pdf
    assert "-Q celery" in command("worker") and "pdf" not in command("worker").split("-Q", 1)[1].split()[0]


def test_exactly_one_beat():
    beats = [name for name in SERVICES if "command" in SERVICES[name] and " beat " in command(name)]
    assert beats == ["beat"]
    assert SERVICES["beat"].get("deploy", {}).get("replicas", 1) == 1
    assert "scale" not in SERVICES["beat"]


def test_web_and_workers_share_the_private_files():
    for name in ("web", "worker", "worker-pdf"):
        service = SERVICES[name]
        root = service["environment"]["PRIVATE_MEDIA_ROOT"]
        assert f"private-files:{root}" in service["volumes"], name


def test_the_smtp_catcher_is_for_staging_only():
    assert SERVICES["mailpit"]["profiles"] == ["staging"]


def test_only_the_proxy_is_published_and_it_terminates_tls():
    proxy = SERVICES["proxy"]
    assert proxy["image"].startswith("nginx:")
    assert {"80:80", "443:443"} <= set(proxy["ports"])
    assert any(volume.endswith(":/etc/nginx/certs:ro") for volume in proxy["volumes"])
    assert any(
        volume.startswith("./deploy/nginx/") and ":/etc/nginx/templates/" in volume
        for volume in proxy["volumes"]
    )
    # Everything else is reachable from the host alone (127.0.0.1), if at all.
    for name, service in SERVICES.items():
        if name != "proxy":
            assert all(port.startswith("127.0.0.1:") for port in service.get("ports", [])), name


def test_the_proxy_serves_the_static_files_collected_by_a_one_shot_service():
    assert "collectstatic" in command("static")
    assert SERVICES["static"]["restart"] == "no"
    static_root = SERVICES["static"]["environment"]["STATIC_ROOT"]
    assert f"static-files:{static_root}" in SERVICES["static"]["volumes"]
    assert f"static-files:{static_root}:ro" in SERVICES["proxy"]["volumes"]
    assert SERVICES["proxy"]["depends_on"]["static"]["condition"] == "service_completed_successfully"


def test_the_application_trusts_the_proxys_address_header():
    for name in ("web", "worker", "worker-pdf", "beat"):
        assert SERVICES[name]["environment"]["BEHIND_PROXY"] == "true", name


def test_gunicorn_timeout_is_set_deliberately_and_imports_run_in_a_worker_that_gives_memory_back():
    dockerfile = (Path(settings.BASE_DIR) / "Dockerfile").read_text()
    cmd = next(line for line in dockerfile.splitlines() if line.startswith("CMD"))
    assert '"--timeout", "60"' in cmd
    assert "--timeout 60" in command("web")
    assert "--max-memory-per-child" in command("worker")
