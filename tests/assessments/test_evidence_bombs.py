"""Decompression bombs: a photo of a few hundred bytes that declares a 100-megapixel canvas is
refused as evidence from its header, before anything is decoded, with a translated message."""

import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from assessments.models import MeasureEvidence, MeasureStatus
from assessments.services import EVIDENCE_MAX_PIXELS, evidence_inspect
from hazards.services import version_token
from tests.factories import ControlMeasureFactory
from tests.submission import with_key

from .test_risk_support import png_bytes, upload

pytest_plugins = ["tests.assessments.test_risk_support"]


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_declaring(width: int, height: int) -> bytes:
    """A well-formed PNG (valid chunks and checksums) of the given size whose pixel data is a few
    bytes: cheap to make, ruinous to decode."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + _chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(("width", "height"), [(10_000, 10_000), (20_000, 10_000), (100_000, 100_000)])
def test_a_huge_canvas_is_refused_from_its_header(width, height):
    content = png_declaring(width, height)
    assert len(content) < 200
    with pytest.raises(ValidationError) as refused:
        evidence_inspect(upload("bomb.png", content))
    assert refused.value.code == "too_many_pixels"


def test_a_photo_at_the_limit_is_accepted():
    side = int(EVIDENCE_MAX_PIXELS**0.5)
    assert evidence_inspect(upload("big.png", png_declaring(side, side))) == "image/png"
    assert evidence_inspect(upload("small.png", png_bytes())) == "image/png"


@pytest.mark.django_db
def test_the_completion_form_refuses_it_beside_the_field_in_russian(
    client, hazard_a, officer_a, private_storage
):
    measure = ControlMeasureFactory(hazard=hazard_a)
    client.force_login(officer_a)
    data = with_key(
        {
            "done_on": timezone.localdate().isoformat(),
            "version": version_token(measure.updated_at),
            "file": upload("bomb.png", png_declaring(10_000, 10_000)),
        }
    )
    response = client.post(reverse("assessments:measure_complete", kwargs={"pk": measure.pk}), data)
    assert response.status_code == 200
    assert "мегапикселей" in " ".join(response.context["form"].errors["file"])
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.PLANNED and not MeasureEvidence.objects.exists()
