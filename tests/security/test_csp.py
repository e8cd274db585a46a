"""The Content Security Policy: sent with every page, strict for scripts, and kept possible by
templates that carry no inline script or event-handler attribute."""

import re
from pathlib import Path

from django.urls import reverse

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# Templates rendered by WeasyPrint into PDFs, never served to a browser.
NOT_SERVED = ("reports/pdf/",)


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (directive.split() for directive in header.split(";") if directive.strip())
    }


def test_login_page_has_the_policy(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "data:"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]


def test_register_and_dashboard_pages_render_with_the_policy(client, officer_a, world_a):
    client.force_login(officer_a)
    for url in (
        reverse("assessments:overview", args=[world_a.enterprise.pk]),
        reverse("assessments:hazard", args=[world_a.hazard.pk]),
        reverse("hazards:add", args=[world_a.workplace.pk]),
        reverse("dashboards:enterprise", args=[world_a.enterprise.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "'unsafe-inline'" not in policy(response)["script-src"], url


def test_evidence_keeps_its_own_stricter_policy(client, officer_a, world_a):
    client.force_login(officer_a)
    response = client.get(reverse("assessments:evidence", args=[world_a.evidence.pk]))
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "default-src 'none'; img-src 'self'; sandbox"
    b"".join(response.streaming_content)


def test_no_template_has_inline_scripts_or_event_handlers():
    offenders = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        if name.startswith(NOT_SERVED):
            continue
        text = path.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text, flags=re.IGNORECASE):
            if "src=" not in tag and 'type="application/json"' not in tag:
                offenders.append(f"{name}: inline {tag}")
        for handler in re.findall(r"\son[a-z]+\s*=", text, flags=re.IGNORECASE):
            offenders.append(f"{name}: event handler{handler}")
        if re.search(r"javascript:", text, flags=re.IGNORECASE):
            offenders.append(f"{name}: javascript: URL")
    assert offenders == []
