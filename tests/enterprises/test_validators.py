import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from enterprises.validators import (
    inn_complete,
    inn_is_valid,
    ogrn_complete,
    ogrn_is_valid,
    validate_inn,
    validate_ogrn,
)

# Published identifiers of real organisations and a documented personal example.
VALID_INNS = ["7707083893", "7736050003", "500100732259"]


@pytest.mark.parametrize("inn", VALID_INNS)
def test_real_inns_are_valid(inn):
    assert inn_is_valid(inn)
    validate_inn(inn)


@pytest.mark.parametrize(
    ("inn", "code"),
    [
        ("7707083894", "inn_checksum"),  # last digit changed
        ("500100732258", "inn_checksum"),
        ("500100732269", "inn_checksum"),  # 11th digit changed
        ("770708389", "inn_format"),  # 9 digits
        ("77070838931", "inn_format"),  # 11 digits
        ("77070838 3", "inn_format"),
        (
            "７７０７０８３８９３",
            "inn_format",
        ),  # full-width digits are digits to Python, not to the tax office
        ("", "inn_format"),
    ],
)
def test_bad_inns_are_rejected_with_a_reason(inn, code):
    with pytest.raises(ValidationError) as error:
        validate_inn(inn)
    assert error.value.code == code


@given(st.text(alphabet="0123456789", min_size=9, max_size=9), st.integers(1, 9))
def test_a_wrong_control_digit_is_always_caught(body, delta):
    inn = inn_complete(body)
    assert inn_is_valid(inn)
    assert not inn_is_valid(inn[:9] + str((int(inn[9]) + delta) % 10))


@given(st.text(alphabet="0123456789", min_size=10, max_size=10))
def test_completed_12_digit_inns_are_valid(body):
    assert inn_is_valid(inn_complete(body))


@pytest.mark.parametrize("ogrn", ["1027700132195", "304500116000157"])
def test_real_ogrns_are_valid(ogrn):
    validate_ogrn(ogrn)


@pytest.mark.parametrize("ogrn", ["1027700132196", "102770013219", "30450011600015X"])
def test_bad_ogrns_are_rejected(ogrn):
    with pytest.raises(ValidationError):
        validate_ogrn(ogrn)


@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_completed_ogrns_are_valid(body):
    assert ogrn_is_valid(ogrn_complete(body))
