"""Uploaded evidence and rendered reports live outside every folder the web server publishes, and
no URL pattern serves them: the only way out is an access-checked view."""

from pathlib import Path

from django.conf import settings
from django.test import Client
from django.urls import get_resolver

from assessments.models import private_storage


def _inside(path, folder) -> bool:
    return Path(path).resolve().is_relative_to(Path(folder).resolve())


def test_private_storage_is_outside_static_and_media_folders():
    location = private_storage().location
    published = [settings.STATIC_ROOT, settings.MEDIA_ROOT, *settings.STATICFILES_DIRS]
    for folder in published:
        assert not _inside(location, folder), folder
        assert not _inside(folder, location), folder


def test_no_url_pattern_serves_files_from_a_folder():
    def patterns(resolver):
        for pattern in resolver.url_patterns:
            if hasattr(pattern, "url_patterns"):
                yield from patterns(pattern)
            else:
                yield pattern

    views = {getattr(pattern.callback, "__module__", "") for pattern in patterns(get_resolver())}
    assert "django.views.static" not in views


def test_a_stored_file_is_not_reachable_by_its_storage_path(db, tmp_path, settings):
    settings.STORAGES = {**settings.STORAGES, "private": {**settings.STORAGES["private"]}}
    settings.STORAGES["private"]["OPTIONS"] = {"location": tmp_path}
    (tmp_path / "evidence").mkdir()
    (tmp_path / "evidence" / "act.pdf").write_bytes(b"%PDF-1.7 secret")
    for url in (
        "/media/evidence/act.pdf",
        "/evidence/act.pdf",
        "/static/evidence/act.pdf",
        "/private/evidence/act.pdf",
    ):
        response = Client().get(url)
        assert response.status_code == 404, url
        assert b"secret" not in b"".join(getattr(response, "streaming_content", [response.content]))
