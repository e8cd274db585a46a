"""Risk scoring over a method's configuration (REFERENCE §3: 5x5 matrix, Fine-Kinney).

Pure on purpose (STYLE 2): stdlib only, so services, data migrations, imports and tests share
one implementation. A configuration is JSON data — {"kind", "formula", "variant", "inputs",
"bands"}, see assessments/methods/*.json — and every public function validates it fully
before use, so an enterprise's edited copy can never score silently wrong.
"""

import itertools
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Context, Decimal, DecimalException, Inexact, InvalidOperation, Overflow
from functools import lru_cache

# Each kind fixes its input keys, so forms, residual-risk fields and dashboards can rely on them.
_KIND_INPUTS = {
    "matrix": ("probability", "severity"),
    "fine_kinney": ("probability", "exposure", "consequence"),
}
_FORMULAS = ("product",)
_BAND_TEXTS = ("label_ru", "label_en", "acceptability_ru", "acceptability_en")
_BAND_TEXTS += ("action_ru", "action_en")
_BAND_FIELDS = ("key", "level", "from", "to", "to_inclusive", "color", "requires_measures")
_BAND_FIELDS += _BAND_TEXTS
# Validation enumerates every combination; real methods have a few hundred at most.
_MAX_COMBINATIONS = 10_000
_COLOR = re.compile(r"#[0-9a-fA-F]{6}")
# Our own context, exact or fail: a caller's thread context (precision, rounding) must never
# change a score, and 0.1 * 3 * 7 must be 2.1, not 2.1000000000000005.
_CTX = Context(prec=40, traps=[InvalidOperation, Inexact, Overflow])
_ONE = Decimal(1)


class ScoringError(ValueError):
    """Base class of every error raised here."""


class MethodConfigError(ScoringError):
    """The method configuration itself is invalid."""


class InvalidInputError(ScoringError):
    """Inputs (or a score) that do not fit a valid configuration."""


@dataclass(frozen=True)
class Band:
    key: str
    level: int  # canonical 1..5 (negligible … critical), comparable across methods
    label_ru: str
    label_en: str
    acceptability_ru: str
    acceptability_en: str
    action_ru: str
    action_en: str
    color: str
    requires_measures: bool
    lower: Decimal | None  # inclusive; None = unbounded below
    upper: Decimal | None  # None = unbounded above
    upper_inclusive: bool

    def contains(self, score: Decimal) -> bool:
        if self.lower is not None and score < self.lower:
            return False
        if self.upper is None:
            return True
        return score < self.upper or (self.upper_inclusive and score == self.upper)

    def label(self, language: str) -> str:
        # Russian first (STYLE 12): any language that is not English gets Russian.
        return self.label_en if (language or "").lower().startswith("en") else self.label_ru


@dataclass(frozen=True)
class Result:
    score: Decimal
    band: Band


@dataclass(frozen=True)
class _Method:
    values: dict[str, dict[Decimal, Decimal]]  # input key -> accepted value -> canonical value
    levels: dict[str, list[dict]]  # input key -> level dicts in configuration order
    bands: tuple[Band, ...]  # ascending by score
    scores: tuple[Decimal, ...]  # sorted unique achievable scores


def _decimal(value: object) -> Decimal | None:
    """A finite Decimal from int, float, Decimal or numeric str; None for anything else."""
    # bool is an int, but True for "1" is a bug upstream, not a level.
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        return None
    try:
        number = Decimal(str(value).strip())  # str() so the float 0.1 becomes exactly 0.1
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _tidy(value: Decimal) -> Decimal:
    # 0.5 * 6 gives Decimal("3.0"); drop trailing zeros without turning 10000 into 1E+4.
    if value == value.to_integral_value(context=_CTX):
        return value.quantize(_ONE, context=_CTX)
    return value.normalize(_CTX)


def _product(factors: Iterable[Decimal]) -> Decimal:
    result = _ONE
    for factor in factors:
        result = _CTX.multiply(result, factor)
    return _tidy(result)


def _text(obj: Mapping, field: str, where: str) -> str:
    if field not in obj:
        raise MethodConfigError(f"{where}: missing '{field}'")
    value = obj[field]
    if not isinstance(value, str) or not value.strip():
        raise MethodConfigError(f"{where}: '{field}' must be a non-empty string")
    return value


def _config_number(value: object, where: str) -> Decimal:
    number = None if isinstance(value, str) else _decimal(value)  # JSON numbers, not strings
    if number is None:
        raise MethodConfigError(f"{where} must be a finite number, got {value!r}")
    return number


def _parse_inputs(raw: object, kind: str) -> tuple[dict, dict]:
    if not isinstance(raw, list | tuple) or not raw:
        raise MethodConfigError("'inputs' must be a non-empty list")
    values: dict[str, dict[Decimal, Decimal]] = {}
    levels: dict[str, list[dict]] = {}
    for i, item in enumerate(raw):
        if not isinstance(item, Mapping):
            raise MethodConfigError(f"inputs[{i}] must be an object")
        key = _text(item, "key", f"inputs[{i}]")
        where = f"input {key!r}"
        if key in values:
            raise MethodConfigError(f"duplicate input key {key!r}")
        for field in ("symbol", "label_ru", "label_en"):
            _text(item, field, where)
        raw_levels = item.get("levels")
        if not isinstance(raw_levels, list | tuple) or not raw_levels:
            raise MethodConfigError(f"{where}: 'levels' must be a non-empty list")
        values[key], levels[key] = {}, []
        for j, level in enumerate(raw_levels):
            if not isinstance(level, Mapping):
                raise MethodConfigError(f"{where}: levels[{j}] must be an object")
            value = _config_number(level.get("value"), f"{where}: levels[{j}] value")
            # Positive factors make the product grow with every input, which the bands assume.
            if value <= 0:
                raise MethodConfigError(f"{where}: level value must be positive, got {value}")
            if value in values[key]:
                raise MethodConfigError(f"{where}: duplicate level value {value}")
            _text(level, "label_ru", f"{where} level {value}")
            _text(level, "label_en", f"{where} level {value}")
            values[key][value] = value
            levels[key].append(dict(level))
    if sorted(values) != sorted(_KIND_INPUTS[kind]):
        expected = ", ".join(_KIND_INPUTS[kind])
        raise MethodConfigError(f"kind {kind!r} needs inputs {expected}; got {', '.join(values)}")
    return values, levels


def _parse_band(item: object, i: int) -> Band:
    if not isinstance(item, Mapping):
        raise MethodConfigError(f"bands[{i}] must be an object")
    missing = [field for field in _BAND_FIELDS if field not in item]
    if missing:
        raise MethodConfigError(f"bands[{i}]: missing {', '.join(missing)}")
    where = f"band {_text(item, 'key', f'bands[{i}]')!r}"
    level = item["level"]
    if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 5:
        raise MethodConfigError(f"{where}: level must be an integer 1..5, got {level!r}")
    for flag in ("to_inclusive", "requires_measures"):
        if not isinstance(item[flag], bool):
            raise MethodConfigError(f"{where}: '{flag}' must be true or false")
    if not isinstance(item["color"], str) or not _COLOR.fullmatch(item["color"]):
        raise MethodConfigError(f"{where}: color must look like #198754, got {item['color']!r}")
    lower = None if item["from"] is None else _config_number(item["from"], f"{where}: 'from'")
    upper = None if item["to"] is None else _config_number(item["to"], f"{where}: 'to'")
    if (lower is not None and upper is not None) and (
        lower > upper or (lower == upper and not item["to_inclusive"])
    ):
        raise MethodConfigError(f"{where}: empty range from {lower} to {upper}")
    texts = {field: _text(item, field, where) for field in _BAND_TEXTS}
    return Band(
        key=item["key"],
        level=level,
        color=item["color"],
        requires_measures=item["requires_measures"],
        lower=lower,
        upper=upper,
        upper_inclusive=item["to_inclusive"],
        **texts,
    )


def _overlap(a: Band, b: Band) -> bool:
    # Lower bounds are inclusive, so two bands share a score iff both hold the larger lower bound.
    low = max((x for x in (a.lower, b.lower) if x is not None), default=None)
    return low is None or (a.contains(low) and b.contains(low))


def _parse_bands(raw: object) -> tuple[Band, ...]:
    if not isinstance(raw, list | tuple) or not raw:
        raise MethodConfigError("'bands' must be a non-empty list")
    bands = [_parse_band(item, i) for i, item in enumerate(raw)]
    for a, b in itertools.combinations(bands, 2):
        if a.key == b.key:
            raise MethodConfigError(f"duplicate band key {a.key!r}")
        if _overlap(a, b):
            raise MethodConfigError(f"bands {a.key!r} and {b.key!r} overlap")
    # No overlaps, so at most one band is unbounded below and the order is well defined.
    bands.sort(key=lambda band: (band.lower is not None, band.lower or 0))
    for lower, higher in itertools.pairwise(bands):
        if higher.level < lower.level:
            raise MethodConfigError(
                f"band levels must not decrease as the score grows: {lower.key!r} is level "
                f"{lower.level} but the higher band {higher.key!r} is level {higher.level}"
            )
        if lower.requires_measures and not higher.requires_measures:
            raise MethodConfigError(f"band {higher.key!r} must require measures like {lower.key!r}")
    return tuple(bands)


def _build(config: object) -> _Method:
    if not isinstance(config, Mapping):
        raise MethodConfigError("configuration must be a JSON object")
    missing = [k for k in ("kind", "formula", "variant", "inputs", "bands") if k not in config]
    if missing:
        raise MethodConfigError(f"configuration is missing {', '.join(missing)}")
    kind, formula = config["kind"], config["formula"]
    if not isinstance(kind, str) or kind not in _KIND_INPUTS:
        raise MethodConfigError(f"unknown kind {kind!r}; expected one of {', '.join(_KIND_INPUTS)}")
    if not isinstance(formula, str) or formula not in _FORMULAS:
        raise MethodConfigError(f"unknown formula {formula!r}; expected one of {_FORMULAS}")
    if not isinstance(config["variant"], str):
        raise MethodConfigError("'variant' must be a string naming the method variant")
    values, levels = _parse_inputs(config["inputs"], kind)
    bands = _parse_bands(config["bands"])
    if math.prod(len(v) for v in values.values()) > _MAX_COMBINATIONS:
        raise MethodConfigError(f"more than {_MAX_COMBINATIONS} input combinations")
    # The key check: every score an assessor can produce lands in exactly one band (the overlap
    # check above makes "more than one" impossible). Gaps no product can reach (7 in the 5x5
    # matrix) are fine.
    scores = {}
    for combo in itertools.product(*values.values()):
        try:
            scores.setdefault(_product(combo), combo)
        except DecimalException:
            raise MethodConfigError("level values have too many digits to multiply") from None
    for value, combo in sorted(scores.items()):  # report the lowest uncovered score
        if not any(band.contains(value) for band in bands):
            named = ", ".join(f"{k}={v}" for k, v in zip(values, combo, strict=True))
            raise MethodConfigError(f"achievable score {value} ({named}) falls in no band")
    return _Method(values, levels, bands, tuple(sorted(scores)))


@lru_cache(maxsize=64)
def _build_cached(text: str) -> _Method:
    return _build(json.loads(text))


def _compile(config: Mapping) -> _Method:
    # Full validation costs about a millisecond; caching on the JSON text keeps evaluate() at
    # tens of microseconds, and a caller who mutates its dict simply gets a new cache entry.
    try:
        text = json.dumps(config, sort_keys=True)
    except (TypeError, ValueError):  # e.g. Decimal values: valid, just not JSON, so uncached
        return _build(config)
    return _build_cached(text)


def validate_config(config: Mapping) -> None:
    """Raise MethodConfigError naming the first problem found; return None if usable."""
    _compile(config)


def parse_bands(config: Mapping) -> list[Band]:
    """The bands in ascending score order."""
    return list(_compile(config).bands)


_LABEL_SYMBOL = re.compile(r"\(([^()]{1,3})\)\s*$")


def input_symbol(spec: Mapping, language: str) -> str:
    """The letter an input goes by in ``language``: the one its label ends with in brackets
    («Вероятность (В)» → «В»; Fine-Kinney keeps its own P, E, C in both languages), else the
    configuration's symbol."""
    label = spec.get(f"label_{language}") or ""
    found = _LABEL_SYMBOL.search(label) if isinstance(label, str) else None
    return found.group(1) if found else spec["symbol"]


def input_levels(config: Mapping, key: str) -> list[dict]:
    """Copies of one input's level dicts, in configuration order."""
    levels = _compile(config).levels
    if not isinstance(key, str) or key not in levels:
        raise InvalidInputError(f"unknown input {key!r}; expected one of {', '.join(levels)}")
    return [dict(level) for level in levels[key]]


def same_scoring(a: Mapping, b: Mapping) -> bool:
    """Whether two configurations rate alike: the same kind and formula, the same level values
    of every input and the same bands (bounds, levels, keys, required measures). Only words may
    differ, so a rating made under one stands under the other."""
    first, second = _compile(a), _compile(b)

    def bands(method: _Method) -> list[tuple]:
        return [
            (band.key, band.level, band.lower, band.upper, band.upper_inclusive, band.requires_measures)
            for band in method.bands
        ]

    return (
        (a["kind"], a["formula"]) == (b["kind"], b["formula"])
        and first.values == second.values
        and bands(first) == bands(second)
    )


def achievable_scores(config: Mapping) -> list[Decimal]:
    """Sorted unique scores over every combination of input levels."""
    return list(_compile(config).scores)


def _score(method: _Method, inputs: Mapping[str, object]) -> Decimal:
    if not isinstance(inputs, Mapping):
        raise InvalidInputError("inputs must map each input key to a level value")
    missing = [key for key in method.values if key not in inputs]
    if missing:
        raise InvalidInputError(f"missing input(s): {', '.join(missing)}")
    extra = [repr(key) for key in inputs if key not in method.values]
    if extra:
        raise InvalidInputError(f"unknown input(s): {', '.join(extra)}")
    factors = []
    for key, allowed in method.values.items():
        value = _decimal(inputs[key])
        canonical = None if value is None else allowed.get(value)
        if canonical is None:
            choices = ", ".join(str(v) for v in allowed)
            raise InvalidInputError(f"{key}={inputs[key]!r} is not one of the levels {choices}")
        factors.append(canonical)  # the configured value, so "3.000" cannot change precision
    return _product(factors)


def _band_for(method: _Method, score: object) -> Band:
    value = _decimal(score)
    if value is not None:
        for band in method.bands:
            if band.contains(value):
                return band
    raise InvalidInputError(f"score {score!r} falls in no band of this method")


def score(config: Mapping, inputs: Mapping[str, object]) -> Decimal:
    """The product of the chosen levels; every input must be one of its configured values."""
    return _score(_compile(config), inputs)


def band_for(config: Mapping, score: Decimal) -> Band:
    """The band holding score; InvalidInputError if none does (e.g. 7 in the 5x5 matrix)."""
    return _band_for(_compile(config), score)


def evaluate(config: Mapping, inputs: Mapping[str, object]) -> Result:
    method = _compile(config)
    value = _score(method, inputs)
    return Result(value, _band_for(method, value))
