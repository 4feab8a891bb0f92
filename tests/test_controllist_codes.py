"""The export control code format (DOMAIN.md): one digit, one letter A-E, three digits, optional
dotted sub-items. Anything else is refused with a message saying what is wrong."""

import re

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from controllist.codes import parent_code, parse_control_code, sort_key
from portal.errors import ValidationFailed

VALID = re.compile(r"^[0-9][A-E][0-9]{3}(\.[a-z](\.[0-9]{1,2}(\.[a-z])?)?)?$")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize("code", ["1C902", "1C902.a", "3A001.a.1", "3A001.e.1.b", "0A001", "9E999.z.99"])
def test_well_formed_codes_are_accepted(code):
    assert parse_control_code(code).code == code


def test_case_and_spaces_of_the_head_are_normalised():
    assert parse_control_code(" 1c902.a ").code == "1C902.a"


@pytest.mark.parametrize("code,problem", [
    ("", "Enter an export control code"),
    ("AC001", "first character must be a digit"),
    ("1X001", "second character must be a letter A-E"),
    ("1F001", "second character must be a letter A-E"),
    ("1C9", "characters 3-5 must be three digits"),
    ("1C9O2", "characters 3-5 must be three digits"),
    ("1C902.A", "sub-items must look like"),
    ("1C902a", "sub-items must look like"),
    ("1C902.aa", "sub-items must look like"),
    ("1C902.a.b", "sub-items must look like"),
])
def test_malformed_codes_are_refused_saying_what_is_wrong(code, problem):
    with pytest.raises(ValidationFailed) as exc:
        parse_control_code(code)
    assert problem in str(exc.value.message)


def test_one_wrong_character_gets_one_reason_not_every_reason():
    with pytest.raises(ValidationFailed) as exc:
        parse_control_code("1X001")
    assert "sub-items" not in str(exc.value.message)


@given(st.text(alphabet="0123456789ABCDEFXabcz.", max_size=12))
def test_accepted_exactly_when_the_format_matches(raw):
    candidate = raw.strip()
    normalised = candidate[:2].upper() + candidate[2:]
    try:
        code = parse_control_code(raw).code
    except ValidationFailed:
        assert not VALID.match(normalised)
    else:
        assert VALID.match(code) and code == normalised


def test_natural_order_and_parents():
    codes = ["1C902.a.10", "1C902", "1C902.a.2", "1C902.a"]
    assert sorted(codes, key=sort_key) == ["1C902", "1C902.a", "1C902.a.2", "1C902.a.10"]
    assert parent_code("1C902.a.2") == "1C902.a" and parent_code("1C902") == ""
