"""Request bodies are bounded for the whole application: a body over REQUEST_MAX_BYTES gets 413
before Django's upload handlers write any of it to the temporary folder; behind the proxy
django-axes counts failures by the client's address the proxy passes on."""

import io
import sys

import pytest
from axes.models import AccessAttempt
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.client import BOUNDARY, encode_multipart

from riskpilot.middleware import RequestBodyLimitMiddleware
from tests.factories import PASSWORD

LOGIN = "/accounts/login/"
LIMIT = 64 * 1024
# Not the test client's own constant, which would make it encode the body itself.
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


@pytest.fixture
def small_limit(settings, tmp_path):
    settings.REQUEST_MAX_BYTES = LIMIT
    # Any file over 1 KB would go to a temporary file in this folder.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    return tmp_path


@pytest.fixture
def temporary_files(monkeypatch):
    """Every temporary upload file Django starts writing, even one it deletes by the end."""
    started = []
    original = TemporaryFileUploadHandler.new_file

    def new_file(self, *args, **kwargs):
        started.append(args)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(TemporaryFileUploadHandler, "new_file", new_file)
    return started


def multipart(size: int) -> bytes:
    upload = io.BytesIO(b"x" * size)
    upload.name = "big.bin"
    return encode_multipart(BOUNDARY, {"username": "someone", "password": "wrong", "file": upload})


@pytest.mark.django_db
def test_a_body_over_the_limit_gets_413_and_no_temporary_file(client, small_limit, temporary_files):
    response = client.post(LOGIN, multipart(4 * LIMIT), content_type=MULTIPART)

    assert response.status_code == 413
    assert "Запрос слишком велик" in response.content.decode()
    assert temporary_files == []
    assert list(small_limit.iterdir()) == []


@pytest.mark.django_db
def test_the_413_page_is_english_under_en(client, small_limit):
    response = client.post("/en" + LOGIN, multipart(2 * LIMIT), content_type=MULTIPART)
    assert response.status_code == 413
    assert "Request too large" in response.content.decode()


@pytest.mark.django_db
def test_a_body_under_the_limit_is_read_as_usual(client, small_limit, temporary_files):
    response = client.post(LOGIN, multipart(LIMIT // 2), content_type=MULTIPART)
    # The login form answers (wrong password); the file went through the usual upload handler.
    assert response.status_code == 200
    assert len(temporary_files) == 1


def wsgi_post(path: str, body: bytes, **environ) -> tuple[str, bytes]:
    """Calls the WSGI application as gunicorn does for a chunked body: no CONTENT_LENGTH."""
    status = []
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "REMOTE_ADDR": "10.0.0.9",
        "CONTENT_TYPE": MULTIPART,
        "HTTP_TRANSFER_ENCODING": "chunked",
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        **environ,
    }
    response = WSGIHandler()(environ, lambda code, headers, *args: status.append(code))
    content = b"".join(response)
    response.close()
    return status[0], content


@pytest.mark.django_db(transaction=True)
def test_a_chunked_body_is_read_no_further_than_the_limit(small_limit, temporary_files):
    body = multipart(8 * LIMIT)
    stream = io.BytesIO(body)

    status, _content = wsgi_post(LOGIN, b"", **{"wsgi.input": stream})

    assert status.startswith("413")
    assert stream.tell() <= LIMIT + 1
    assert temporary_files == []


def test_a_small_chunked_body_is_read_whole(small_limit):
    body = multipart(100)
    environ = RequestFactory().post(LOGIN, body, content_type=MULTIPART).environ
    del environ["CONTENT_LENGTH"]
    environ["wsgi.input"] = io.BytesIO(body)
    environ["HTTP_TRANSFER_ENCODING"] = "chunked"
    guard = RequestBodyLimitMiddleware(lambda request: HttpResponse(request.POST["username"]))

    response = guard(WSGIRequest(environ))

    assert response.content == b"someone"


# --- The client's address behind the proxy ------------------------------------------------------


def login(client, username, address, real_ip):
    data = {"username": username, "password": "wrong-password"}
    return client.post(LOGIN, data, REMOTE_ADDR=address, HTTP_X_REAL_IP=real_ip)


def test_behind_the_proxy_failures_are_counted_by_the_clients_address(client, settings, officer_a):
    settings.BEHIND_PROXY = True
    for _ in range(5):
        login(client, officer_a.username, "172.18.0.5", "203.0.113.7")
    # The same account from another client is not locked out by the first one's failures.
    response = client.post(
        LOGIN,
        {"username": officer_a.username, "password": PASSWORD},
        REMOTE_ADDR="172.18.0.5",
        HTTP_X_REAL_IP="198.51.100.2",
    )
    assert response.status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}


def test_without_a_proxy_the_header_is_ignored(client, settings, officer_a):
    settings.BEHIND_PROXY = False
    login(client, officer_a.username, "10.0.0.1", "203.0.113.7")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"10.0.0.1"}
