"""The statutory penalty calculator (Law 34-38) and `manage.py compliance penalty HEAD TURNOVER`:
each head at, just below and above its threshold, through the function and the command's JSON."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from compliance.penalties.calculator import PenaltyInputError, penalty_range

# head: (threshold, multiple band, fixed band, article)
HEADS = {
    "unlicensed_export": (500_000, (5, 10), (500_000, 5_000_000), "Export Control Law Art. 34"),
    "licence_fraud": (200_000, (5, 10), (200_000, 2_000_000), "Export Control Law Art. 35(1)"),
    "licence_forgery": (50_000, (5, 10), (50_000, 500_000), "Export Control Law Art. 35(2)"),
    "services_to_violators": (100_000, (3, 5), (100_000, 500_000), "Export Control Law Art. 36"),
    "control_list_trading": (500_000, (10, 20), (500_000, 5_000_000), "Export Control Law Art. 37"),
}


def expected(head, turnover):
    threshold, (low, high), fixed, article = HEADS[head]
    if turnover >= threshold:
        return {"min": turnover * low, "max": turnover * high, "article": article}
    return {"min": fixed[0], "max": fixed[1], "article": article}


def command(*args) -> dict:
    out = StringIO()
    call_command("compliance", "penalty", *args, stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1
    return json.loads(lines[0])


CASES = [(head, t) for head, (threshold, *_rest) in HEADS.items() for t in (threshold, threshold - 1, threshold + 1)]


@pytest.mark.parametrize(("head", "turnover"), CASES)
def test_each_head_at_just_below_and_above_its_threshold(head, turnover):
    want = expected(head, turnover)
    got = penalty_range(head, turnover)
    assert (got.min, got.max, got.article) == (want["min"], want["max"], want["article"])
    assert got.band == ("multiple" if turnover >= HEADS[head][0] else "fixed")


@pytest.mark.django_db
@pytest.mark.parametrize(("head", "turnover"), CASES)
def test_the_command_prints_the_same_range_as_one_json_line(head, turnover):
    assert command(head, str(turnover)) == expected(head, turnover)


@pytest.mark.django_db
@pytest.mark.parametrize("turnover", ["0", "99999999", "1"])
def test_obstructing_inspection_has_one_fixed_band_whatever_the_turnover(turnover):
    assert command("obstructing_inspection", turnover) == {"min": 100_000, "max": 300_000,
                                                           "article": "Export Control Law Art. 38"}


@pytest.mark.django_db
def test_the_command_without_turnover_and_with_commas():
    assert command("obstructing_inspection") == {"min": 100_000, "max": 300_000, "article": "Export Control Law Art. 38"}
    assert command("unlicensed_export", "1,000,000") == {"min": 5_000_000, "max": 10_000_000,
                                                         "article": "Export Control Law Art. 34"}


def test_a_fractional_turnover_rounds_the_multiple_band_inward():
    got = penalty_range("services_to_violators", "100000.5")
    assert got.min == 300_002 and got.max == 500_002  # 300001.5 up, 500002.5 down


@pytest.mark.django_db
@pytest.mark.parametrize("args", [("smuggling", "1"), ("unlicensed_export", "-1"), ("unlicensed_export", "abc"),
                                  ("unlicensed_export", "NaN"), ("unlicensed_export", "1e20")])
def test_bad_input_is_a_command_error(args):
    with pytest.raises(CommandError):
        command(*args)


@pytest.mark.parametrize("args", [("nope", 0), ("licence_fraud", "-5"), ("licence_fraud", "inf")])
def test_bad_input_to_the_calculator(args):
    with pytest.raises(PenaltyInputError):
        penalty_range(*args)
