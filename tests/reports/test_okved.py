import pytest

from dashboards import okved


@pytest.mark.parametrize(
    ("code", "letter"),
    [("01.11", "A"), ("03.22", "A"), ("05.10", "B"), ("08.93", "B"), ("09.10", "B"), ("10.61", "C"),
     ("33.15", "C"), ("35.11", "D"), ("39.00", "E"), ("41.20", "F"), ("47.11", "G"), ("49.41", "H"),
     ("53", "H"), ("84.11", "O"), ("99", "U")],
)  # fmt: skip
def test_okved_code_maps_to_its_section(code, letter):
    assert okved.section_of(code).letter == letter


@pytest.mark.parametrize("code", ["04.00", "34", "", "xx"])
def test_codes_outside_the_classifier_have_no_section(code):
    assert okved.section_of(code) is None


def test_every_division_belongs_to_one_section_at_most():
    divisions = [d for section in okved.SECTIONS for d in section.divisions]
    assert len(divisions) == len(set(divisions))
    assert len(okved.SECTIONS) == 21
