"""assessments.scoring against the shipped methods (REFERENCE §3). Pure: no Django, no database."""

import copy
import itertools
import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessments.scoring import (
    Band,
    InvalidInputError,
    MethodConfigError,
    Result,
    achievable_scores,
    band_for,
    evaluate,
    input_levels,
    input_symbol,
    parse_bands,
    score,
    validate_config,
)

METHODS = Path(__file__).resolve().parents[2] / "assessments" / "methods"
MATRIX = json.loads((METHODS / "matrix-5x5.json").read_text(encoding="utf-8"))
FINE_KINNEY = json.loads((METHODS / "fine-kinney.json").read_text(encoding="utf-8"))
CONFIGS = {"matrix": MATRIX, "fine_kinney": FINE_KINNEY}


def level_values(config: dict) -> dict[str, list]:
    """Raw JSON level values per input key, read straight from the file."""
    return {item["key"]: [lvl["value"] for lvl in item["levels"]] for item in config["inputs"]}


# --- 5x5 matrix, every cell (REFERENCE §3.1) ----------------------------------------------

# (P, S) -> (index, band), written out by hand row by row, not computed.
MATRIX_CELLS = {
    (1, 1): (1, "negligible"),
    (1, 2): (2, "negligible"),
    (1, 3): (3, "low"),
    (1, 4): (4, "low"),
    (1, 5): (5, "low"),
    (2, 1): (2, "negligible"),
    (2, 2): (4, "low"),
    (2, 3): (6, "low"),
    (2, 4): (8, "medium"),
    (2, 5): (10, "medium"),
    (3, 1): (3, "low"),
    (3, 2): (6, "low"),
    (3, 3): (9, "medium"),
    (3, 4): (12, "medium"),
    (3, 5): (15, "high"),
    (4, 1): (4, "low"),
    (4, 2): (8, "medium"),
    (4, 3): (12, "medium"),
    (4, 4): (16, "high"),
    (4, 5): (20, "critical"),
    (5, 1): (5, "low"),
    (5, 2): (10, "medium"),
    (5, 3): (15, "high"),
    (5, 4): (20, "critical"),
    (5, 5): (25, "critical"),
}

STOP_WORK = "Немедленное прекращение деятельности"
# key -> (level, requires measures, colour, label, acceptability, action), per REFERENCE §3.1.
MATRIX_BANDS = {
    "negligible": (1, False, "#198754", "Незначительный", "Приемлемый", "Меры не требуются"),
    "low": (2, False, "#8fd19e", "Низкий", "Приемлемый", "Уделить внимание"),
    "medium": (3, True, "#ffc107", "Средний", "Допустимый", "Меры в установленные сроки"),
    "high": (4, True, "#fd7e14", "Высокий", "Неприемлемый", "Неотложные меры"),
    "critical": (5, True, "#dc3545", "Критический", "Неприемлемый", STOP_WORK),
}


def test_matrix_table_lists_all_25_cells():
    assert set(MATRIX_CELLS) == set(itertools.product(range(1, 6), repeat=2))


@pytest.mark.parametrize(("cell", "expected"), MATRIX_CELLS.items(), ids=str)
def test_matrix_cell(cell, expected):
    probability, severity = cell
    result = evaluate(MATRIX, {"probability": probability, "severity": severity})
    assert (result.score, result.band.key) == (Decimal(expected[0]), expected[1])
    assert str(result.score) == str(expected[0])


def test_matrix_bands_match_reference():
    bands = parse_bands(MATRIX)
    assert [b.key for b in bands] == list(MATRIX_BANDS)
    for band in bands:
        attrs = (band.level, band.requires_measures, band.color, band.label_ru)
        attrs += (band.acceptability_ru, band.action_ru)
        assert attrs == MATRIX_BANDS[band.key]


def test_matrix_achievable_scores_skip_unreachable_products():
    expected = [1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 15, 16, 20, 25]
    assert achievable_scores(MATRIX) == [Decimal(v) for v in expected]


@pytest.mark.parametrize("unreachable", [7, 13, 14, 17, 18, 19, 0, 26])
def test_matrix_band_for_rejects_scores_between_closed_bands(unreachable):
    with pytest.raises(InvalidInputError):
        band_for(MATRIX, Decimal(unreachable))


def test_matrix_severity_4_and_5_use_order_223n_categories():
    severity = {lvl["value"]: lvl for lvl in input_levels(MATRIX, "severity")}
    assert severity[4]["label_ru"] == "Тяжёлая"
    assert "тяжёлый несчастный случай" in severity[4]["description_ru"]
    assert "профессиональное заболевание" in severity[4]["description_ru"]
    assert "смертельным исходом" in severity[5]["description_ru"]
    assert "групповой" in severity[5]["description_ru"]


# --- Fine-Kinney (REFERENCE §3.2) --------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "band"),
    [
        ("0.05", "slight"),
        ("19.99", "slight"),
        ("20", "possible"),
        ("69.99", "possible"),
        ("70", "substantial"),
        ("199.99", "substantial"),
        ("200", "high"),
        ("399.99", "high"),
        ("400", "very_high"),
        ("10000", "very_high"),
    ],
)
def test_fine_kinney_band_edges_include_lower_bound(value, band):
    assert band_for(FINE_KINNEY, Decimal(value)).key == band


@pytest.mark.parametrize(
    ("p", "e", "c", "expected", "band"),
    [
        (10, 10, 100, "10000", "very_high"),
        (0.1, 0.5, 1, "0.05", "slight"),
        (3, 6, 15, "270", "high"),
        (0.1, 3, 7, "2.1", "slight"),  # 2.1000000000000005 in float arithmetic
        (6, 3, 1, "18", "slight"),  # highest product below 20
        (10, 2, 1, "20", "possible"),
        (3, 3, 7, "63", "possible"),
        (10, 1, 7, "70", "substantial"),
        (10, 6, 3, "180", "substantial"),
        (10, 0.5, 40, "200", "high"),
        (3, 3, 40, "360", "high"),
        (10, 1, 40, "400", "very_high"),
    ],
)
def test_fine_kinney_evaluate(p, e, c, expected, band):
    result = evaluate(FINE_KINNEY, {"probability": p, "exposure": e, "consequence": c})
    assert str(result.score) == expected
    assert result.band.key == band


def test_fine_kinney_accepts_numeric_strings_and_decimals():
    inputs = {"probability": "0.1", "exposure": Decimal("3.0"), "consequence": " 7 "}
    assert score(FINE_KINNEY, inputs) == Decimal("2.1")


def test_fine_kinney_band_levels_and_measures():
    bands = parse_bands(FINE_KINNEY)
    summary = [(b.key, b.level, b.requires_measures) for b in bands]
    assert summary == [
        ("slight", 1, False),
        ("possible", 2, False),
        ("substantial", 3, True),
        ("high", 4, True),
        ("very_high", 5, True),
    ]
    assert bands[-1].upper is None and bands[-1].lower == Decimal(400)


# --- Both methods --------------------------------------------------------------------------


@pytest.mark.parametrize("name", CONFIGS)
def test_shipped_config_is_valid(name):
    validate_config(CONFIGS[name])


@pytest.mark.parametrize("name", CONFIGS)
def test_every_combination_is_the_exact_product_in_exactly_one_band(name):
    config = CONFIGS[name]
    bands = parse_bands(config)
    values = level_values(config)
    for combo in itertools.product(*values.values()):
        result = evaluate(config, dict(zip(values, combo, strict=True)))
        # Fractions from the JSON text: exact, and independent of the module's Decimal code.
        expected = Fraction(1)
        for value in combo:
            expected *= Fraction(str(value))
        assert Fraction(result.score) == expected
        assert [b.key for b in bands if b.contains(result.score)] == [result.band.key]


def test_band_label_picks_english_only_for_english():
    band = band_for(MATRIX, Decimal(25))
    assert [band.label(lang) for lang in ("en", "en-us", "EN", "ru", "de", "")] == [
        "Critical",
        "Critical",
        "Critical",
        "Критический",
        "Критический",
        "Критический",
    ]


def test_input_levels_in_configuration_order_and_copied():
    levels = input_levels(FINE_KINNEY, "probability")
    assert [lvl["value"] for lvl in levels] == [10, 6, 3, 1, 0.5, 0.2, 0.1]
    levels[0]["value"] = 999
    assert input_levels(FINE_KINNEY, "probability")[0]["value"] == 10
    with pytest.raises(InvalidInputError):
        input_levels(FINE_KINNEY, "severity")


def test_mutating_a_validated_config_is_noticed():
    config = copy.deepcopy(MATRIX)
    validate_config(config)
    config["bands"][2]["level"] = 1
    with pytest.raises(MethodConfigError):
        evaluate(config, {"probability": 1, "severity": 1})


def test_decimal_values_in_config_are_accepted():
    config = copy.deepcopy(FINE_KINNEY)
    for item in config["inputs"]:
        for lvl in item["levels"]:
            lvl["value"] = Decimal(str(lvl["value"]))
    result = evaluate(config, {"probability": 0.1, "exposure": 3, "consequence": 7})
    assert result == Result(Decimal("2.1"), band_for(FINE_KINNEY, Decimal("2.1")))


# --- Property tests -------------------------------------------------------------------------

config_names = st.sampled_from(sorted(CONFIGS))


@given(name=config_names, data=st.data())
def test_raising_one_input_never_lowers_score_or_level(name, data):
    config = CONFIGS[name]
    values = level_values(config)
    inputs = {key: data.draw(st.sampled_from(options)) for key, options in values.items()}
    key = data.draw(st.sampled_from(sorted(values)))
    higher = data.draw(st.sampled_from([v for v in values[key] if v > inputs[key]] or [None]))
    if higher is None:
        return  # already the top level
    before = evaluate(config, inputs)
    after = evaluate(config, {**inputs, key: higher})
    assert after.score > before.score  # all level values are positive
    assert after.band.level >= before.band.level


@given(name=config_names, data=st.data())
def test_every_valid_input_lands_in_exactly_one_band(name, data):
    config = CONFIGS[name]
    inputs = {k: data.draw(st.sampled_from(v)) for k, v in level_values(config).items()}
    result = evaluate(config, inputs)
    assert isinstance(result.band, Band)
    assert [b for b in parse_bands(config) if b.contains(result.score)] == [result.band]


def junk_for(allowed: list) -> st.SearchStrategy:
    """Values that are not one of the allowed levels, including near misses."""
    allowed_exact = {Fraction(str(v)) for v in allowed}

    def not_a_level(x) -> bool:
        return Fraction(str(x)) not in allowed_exact

    numbers = st.one_of(
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        st.decimals(allow_nan=False, allow_infinity=False),
    ).filter(not_a_level)
    return st.one_of(
        numbers,
        numbers.map(str),
        st.text(alphabet=st.characters(categories=["L", "P", "Zs"])),  # no digits
        st.sampled_from(["NaN", "sNaN", "inf", "-Infinity", "", "3,5", "0x10", "1/2", "½"]),
        st.sampled_from([float("nan"), float("inf"), Decimal("NaN"), Decimal("-Infinity")]),
        st.sampled_from([None, True, False, b"3", [3], {"value": 3}, (1,), object()]),
    )


@given(name=config_names, data=st.data())
def test_a_value_outside_the_levels_raises_invalid_input(name, data):
    config = CONFIGS[name]
    values = level_values(config)
    inputs = {k: data.draw(st.sampled_from(v)) for k, v in values.items()}
    key = data.draw(st.sampled_from(sorted(values)))
    inputs[key] = data.draw(junk_for(values[key]))
    with pytest.raises(InvalidInputError):
        evaluate(config, inputs)


@given(name=config_names, data=st.data())
def test_missing_or_extra_keys_raise_invalid_input(name, data):
    config = CONFIGS[name]
    values = level_values(config)
    inputs = {k: data.draw(st.sampled_from(v)) for k, v in values.items()}
    if data.draw(st.booleans()):
        for key in data.draw(st.sets(st.sampled_from(sorted(values)), min_size=1)):
            del inputs[key]
    else:
        extra = data.draw(st.one_of(st.text(), st.integers()).filter(lambda k: k not in values))
        inputs[extra] = 1
    with pytest.raises(InvalidInputError):
        score(config, inputs)


@pytest.mark.parametrize("inputs", [None, [], [("probability", 1), ("severity", 1)], "P=1"])
def test_inputs_that_are_not_a_mapping_raise_invalid_input(inputs):
    with pytest.raises(InvalidInputError):
        evaluate(MATRIX, inputs)


# --- validate_config rejections --------------------------------------------------------------


def band(config: dict, key: str) -> dict:
    return next(b for b in config["bands"] if b["key"] == key)


def overlapping_bands(c):
    band(c, "low")["to"] = 8


def gap_without_medium_band(c):
    c["bands"].remove(band(c, "medium"))


def duplicate_level_value(c):
    c["inputs"][0]["levels"].append(dict(c["inputs"][0]["levels"][2]))


def level_6_band(c):
    band(c, "critical")["level"] = 6


def level_0_band(c):
    band(c, "negligible")["level"] = 0


def empty_inputs(c):
    c["inputs"] = []


def empty_levels(c):
    c["inputs"][1]["levels"] = []


def duplicate_input_key(c):
    c["inputs"][1]["key"] = "probability"


def unknown_kind(c):
    c["kind"] = "bow_tie"


def unknown_formula(c):
    c["formula"] = "sum"


def missing_bands(c):
    del c["bands"]


def zero_level_value(c):
    c["inputs"][0]["levels"][0]["value"] = 0


def string_level_value(c):
    c["inputs"][0]["levels"][0]["value"] = "1"


def levels_decrease(c):
    band(c, "high")["level"], band(c, "critical")["level"] = 5, 4


def bad_colour(c):
    band(c, "high")["color"] = "orange"


def band_from_above_to(c):
    band(c, "low")["from"], band(c, "low")["to"] = 6, 3


def high_band_without_measures(c):
    band(c, "critical")["requires_measures"] = False


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (overlapping_bands, "'low' and 'medium' overlap"),
        (gap_without_medium_band, r"achievable score 8 \(probability=2, severity=4\) falls in no"),
        (duplicate_level_value, "duplicate level value 3"),
        (level_6_band, r"level must be an integer 1\.\.5"),
        (level_0_band, r"level must be an integer 1\.\.5"),
        (empty_inputs, "'inputs' must be a non-empty list"),
        (empty_levels, "'levels' must be a non-empty list"),
        (duplicate_input_key, "duplicate input key 'probability'"),
        (unknown_kind, "unknown kind 'bow_tie'"),
        (unknown_formula, "unknown formula 'sum'"),
        (missing_bands, "missing bands"),
        (zero_level_value, "must be positive"),
        (string_level_value, "must be a finite number"),
        (levels_decrease, "must not decrease"),
        (bad_colour, "color"),
        (band_from_above_to, "empty range"),
        (high_band_without_measures, "must require measures"),
    ],
    ids=lambda x: getattr(x, "__name__", ""),
)
def test_validate_config_rejects(mutate, message):
    config = copy.deepcopy(MATRIX)
    mutate(config)
    with pytest.raises(MethodConfigError, match=message):
        validate_config(config)


def test_validate_config_rejects_fine_kinney_gap_below_first_band():
    config = copy.deepcopy(FINE_KINNEY)
    band(config, "slight")["from"] = 1
    with pytest.raises(MethodConfigError, match=r"score 0\.05 "):
        validate_config(config)


@pytest.mark.parametrize("config", [None, [], "matrix", {}])
def test_validate_config_rejects_non_configs(config):
    with pytest.raises(MethodConfigError):
        validate_config(config)


@pytest.mark.parametrize(
    ("config", "language", "symbols"),
    [
        (MATRIX, "ru", ["В", "Т"]),
        (MATRIX, "en", ["P", "S"]),
        (FINE_KINNEY, "ru", ["P", "E", "C"]),
        (FINE_KINNEY, "en", ["P", "E", "C"]),
    ],
)
def test_inputs_go_by_the_letters_of_the_page_language(config, language, symbols):
    assert [input_symbol(spec, language) for spec in config["inputs"]] == symbols


def test_an_input_without_a_bracketed_letter_keeps_its_configured_symbol():
    spec = {"key": "probability", "symbol": "P", "label_ru": "Вероятность", "label_en": "Probability"}
    assert input_symbol(spec, "ru") == "P"
