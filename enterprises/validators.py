"""Checksums of Russian organisation identifiers (INN, OGRN) and formats of classifier codes."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

_INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS_11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS_12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _inn_check_digit(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def inn_is_valid(value: str) -> bool:
    """INN of a legal entity (10 digits) or of a person / sole trader (12 digits), with the
    Federal Tax Service's control digits."""
    if not (value.isascii() and value.isdigit()) or len(value) not in (10, 12):
        return False
    if len(value) == 10:
        return _inn_check_digit(value, _INN10_WEIGHTS) == int(value[9])
    return _inn_check_digit(value, _INN12_WEIGHTS_11) == int(value[10]) and _inn_check_digit(
        value, _INN12_WEIGHTS_12
    ) == int(value[11])


def validate_inn(value: str) -> None:
    if not (value.isascii() and value.isdigit() and len(value) in (10, 12)):
        raise ValidationError(
            _("An INN has 10 digits (organisation) or 12 digits (person)."), code="inn_format"
        )
    if not inn_is_valid(value):
        raise ValidationError(
            _("This INN's control digit is wrong: check it for a typo."), code="inn_checksum"
        )


def ogrn_is_valid(value: str) -> bool:
    """OGRN (13 digits, remainder mod 11) or OGRNIP (15 digits, remainder mod 13)."""
    if not (value.isascii() and value.isdigit()) or len(value) not in (13, 15):
        return False
    body, control = int(value[:-1]), int(value[-1])
    modulus = 11 if len(value) == 13 else 13
    return body % modulus % 10 == control


def validate_ogrn(value: str) -> None:
    if not (value.isascii() and value.isdigit() and len(value) in (13, 15)):
        raise ValidationError(_("An OGRN has 13 digits (OGRNIP: 15)."), code="ogrn_format")
    if not ogrn_is_valid(value):
        raise ValidationError(
            _("This OGRN's control digit is wrong: check it for a typo."), code="ogrn_checksum"
        )


validate_okved = RegexValidator(
    r"^\d{2}(\.\d{1,2}){0,2}$",
    _("An OKVED2 code looks like 08.93 or 08.93.1."),
    code="okved_format",
)
validate_okpdtr = RegexValidator(r"^\d{5}$", _("An OKPDTR code has 5 digits."), code="okpdtr_format")


def okpdtr_check_digit(code: str) -> int:
    """The control number (КЧ) of a five-digit ОК 016-94 code, by the method common to the
    all-Russian classifiers: weights 1, 2, 3… modulo 11; a remainder of 10 is recomputed with the
    weights shifted by two (3, 4, 5…); a second 10 gives 0. (Checked against the КЧ column of the
    classifier's published changes, e.g. 10077 9, 30126 0.)"""
    digits = [int(char) for char in code]
    for first_weight in (1, 3):
        remainder = sum(digit * weight for weight, digit in enumerate(digits, first_weight)) % 11
        if remainder < 10:
            return remainder
    return 0


def inn_complete(body: str) -> str:
    """Append the control digit(s) to the first 9 (organisation) or 10 (person) digits of an INN."""
    if len(body) == 9:
        return body + str(_inn_check_digit(body, _INN10_WEIGHTS))
    if len(body) == 10:
        eleventh = body + str(_inn_check_digit(body, _INN12_WEIGHTS_11))
        return eleventh + str(_inn_check_digit(eleventh, _INN12_WEIGHTS_12))
    raise ValueError("An INN body has 9 or 10 digits.")


def ogrn_complete(body: str) -> str:
    """Append the control digit to the first 12 digits of an OGRN (14 of an OGRNIP)."""
    modulus = {12: 11, 14: 13}[len(body)]
    return body + str(int(body) % modulus % 10)
