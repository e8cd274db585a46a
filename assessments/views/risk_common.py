"""Pieces shared by the views of the work on one register row: how a band is shown in the
user's language, how a service's ValidationError lands beside the form's fields."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from riskpilot.localization import current_language

from .. import scoring


def score_display(value: Decimal | None) -> str:
    """16, 270, 0,3 — no trailing zeros, no exponent, the user's decimal separator."""
    if value is None:
        return ""
    return number_format(Decimal(value).normalize())


def band_display(config, key: str) -> dict | None:
    """A stored band key of a method version, with its words in the user's language."""
    for band in scoring.parse_bands(config):
        if band.key == key:
            return band_words(band)
    return None


def band_words(band: scoring.Band) -> dict:
    english = current_language() == "en"
    return {
        "key": band.key,
        "level": band.level,
        "label": band.label_en if english else band.label_ru,
        "acceptability": band.acceptability_en if english else band.acceptability_ru,
        "action": band.action_en if english else band.action_ru,
        "color": band.color,
        "requires_measures": band.requires_measures,
    }


def inputs_display(config, inputs) -> str:
    """ "В 4 · Т 4": the chosen level of each input, by its symbol in the page's language, in the
    configuration's order."""
    if not inputs:
        return ""
    language = current_language()
    parts = []
    for spec in config.get("inputs", []):
        if spec["key"] in inputs:
            parts.append(f"{scoring.input_symbol(spec, language)} {inputs[spec['key']]}")
    return " · ".join(parts)


def add_service_errors(form, error: ValidationError, *, field_map: dict | None = None) -> None:
    """Put a service's ValidationError beside the form's fields (or above the form when it names
    no field of this form), so bad input is always answered on the page, never with a 500."""
    field_map = field_map or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, messages in error.message_dict.items():
        target = field_map.get(field, field)
        form.add_error(target if target in form.fields else None, messages)


def preview(config, values, *, input_keys, needs_measure_plan: bool) -> dict:
    """Score and band for the levels chosen so far, from scoring.evaluate (never arithmetic in the
    browser). ``values`` maps form field names to raw strings; missing or foreign values give
    "incomplete", not an error."""
    result = {"current": None, "residual": None, "incomplete": True}
    current_score = None
    current = {key: values.get(key) for key in input_keys}
    if all(current.values()):
        try:
            evaluated = scoring.evaluate(config, current)
        except scoring.InvalidInputError:
            evaluated = None
        if evaluated is not None:
            result["incomplete"] = False
            result["current"] = {"score": score_display(evaluated.score), **band_words(evaluated.band)}
            current_score = evaluated.score
            result["measure_required"] = evaluated.band.requires_measures and needs_measure_plan
    residual = {key: values.get(f"residual_{key}") for key in input_keys}
    if all(residual.values()):
        try:
            evaluated = scoring.evaluate(config, residual)
        except scoring.InvalidInputError:
            evaluated = None
        if evaluated is not None:
            result["residual"] = {"score": score_display(evaluated.score), **band_words(evaluated.band)}
            if current_score is not None and evaluated.score > current_score:
                result["residual_error"] = _("The residual risk cannot be higher than the current risk.")
    return result
