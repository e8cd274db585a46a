"""The reverse proxy's configuration (deploy/nginx) is valid nginx, rendered as the official image
renders it, and limits request bodies exactly as the application does. Needs Debian's nginx
package for `nginx -t`: skipped without it, except under CI=true, where that fails."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from .conftest import IN_CI
from .test_compose import SERVICES

TEMPLATE = Path(settings.BASE_DIR) / "deploy" / "nginx" / "riskpilot.conf.template"


def render(template: str, variables: dict[str, str]) -> str:
    """What the image's envsubst step does: ${NAME} of the given variables only."""
    return re.sub(r"\$\{(\w+)\}", lambda match: variables.get(match[1], match[0]), template)


@pytest.fixture
def nginx():
    found = shutil.which("nginx") or next(
        (path for path in ("/usr/sbin/nginx", "/sbin/nginx") if Path(path).exists()), None
    )
    if not found:
        if IN_CI:
            pytest.fail("CI=true but nginx is not installed: apt-get install nginx", pytrace=False)
        pytest.skip("nginx not installed: apt-get install nginx")
    return found


def self_signed_certificate(directory: Path) -> None:
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=riskpilot.test", "-keyout", str(directory / "privkey.pem"),
         "-out", str(directory / "fullchain.pem")],
        check=True,
        capture_output=True,
    )  # fmt: skip


def test_the_proxy_configuration_passes_nginx_t(nginx, tmp_path):
    certs = tmp_path / "certs"
    certs.mkdir()
    self_signed_certificate(certs)
    site = render(TEMPLATE.read_text(), {"SERVER_NAME": "riskpilot.test", "REQUEST_MAX_BYTES": "11534336"})
    # Outside compose there is no host called "web", and the certificates live elsewhere.
    site = site.replace("server web:8000", "server 127.0.0.1:8000").replace("/etc/nginx/certs/", f"{certs}/")
    assert "${" not in site
    (tmp_path / "riskpilot.conf").write_text(site)
    mime_types = Path("/etc/nginx/mime.types")
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\n"
        "events {}\n"
        "http {\n"
        + (f"    include {mime_types};\n" if mime_types.exists() else "")
        + "".join(
            f"    {kind}_temp_path {tmp_path}/{kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        + f"    access_log off;\n    include {tmp_path}/riskpilot.conf;\n}}\n"
    )
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"),
         "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_the_proxy_and_the_application_share_one_body_limit():
    assert "client_max_body_size ${REQUEST_MAX_BYTES};" in TEMPLATE.read_text()
    assert (
        SERVICES["proxy"]["environment"]["REQUEST_MAX_BYTES"]
        == (SERVICES["web"]["environment"]["REQUEST_MAX_BYTES"])
    )
    # The compose default is the application's own default.
    default = int(SERVICES["web"]["environment"]["REQUEST_MAX_BYTES"].split(":-")[1].rstrip("}"))
    assert default == settings.MAX_UPLOAD_BYTES + 1024 * 1024


def test_the_proxy_passes_the_clients_address_and_overwrites_what_the_client_sent():
    text = TEMPLATE.read_text()
    assert "proxy_set_header X-Real-IP $remote_addr;" in text
    assert "$proxy_add_x_forwarded_for" not in text
    assert "proxy_set_header X-Forwarded-Proto https;" in text


def test_a_body_refused_by_the_proxy_gets_riskpilots_own_page_in_both_languages():
    text = TEMPLATE.read_text()
    assert "error_page 413 /errors/413.html;" in text
    assert "alias /srv/riskpilot/static/errors/413.html;" in text
    page = (Path(settings.BASE_DIR) / "static" / "errors" / "413.html").read_text()
    assert "Слишком большой запрос" in page and "Request too large" in page
