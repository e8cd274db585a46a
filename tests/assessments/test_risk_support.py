"""Helpers shared by the tests of the work on one register row (no tests of its own): uploads
made with Pillow, private storage in a temporary folder, register rows of enterprises A and B.

The test modules load it with ``pytest_plugins``, so its fixtures need no import (an imported
fixture would shadow the test's argument of the same name)."""

import io

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from assessments.models import MeasureEvidence
from tests.factories import HazardFactory, WorkplaceFactory


def png_bytes(size=(8, 8), colour=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def image_bytes(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 10)).save(buffer, format=fmt)
    return buffer.getvalue()


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def upload(name: str, content: bytes, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def private_storage(tmp_path, monkeypatch):
    """Evidence goes to a temporary folder, never to the checkout's var/private."""
    storage = FileSystemStorage(location=tmp_path / "private", base_url=None)
    monkeypatch.setattr(MeasureEvidence._meta.get_field("file"), "storage", storage)
    return storage


@pytest.fixture
def hazard_a(enterprise_a):
    return HazardFactory(workplace=WorkplaceFactory(department__enterprise=enterprise_a))


@pytest.fixture
def hazard_b(enterprise_b):
    """A row of another enterprise of the same region."""
    return HazardFactory(workplace=WorkplaceFactory(department__enterprise=enterprise_b))


@pytest.fixture
def russian_by_default():
    """Each test starts in Russian, the default language, whatever an earlier request activated."""
    with translation.override("ru"):
        yield
