"""Durations with units and clock times: parsing, refusals and exact round trips."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.units import format_clock, format_duration, parse_clock, parse_duration


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("90min", 90.0),
        ("2h", 120.0),
        ("1d", 1440.0),
        ("1.5d", 2160.0),
        ("2.5h", 150.0),
        ("30s", 0.5),
        (".5h", 30.0),
        ("0min", 0.0),
        (" 45 min ", 45.0),
    ],
)
def test_parse_duration(text: str, minutes: float) -> None:
    assert parse_duration(text) == pytest.approx(minutes, abs=1e-12)


@pytest.mark.parametrize("value", [90, 1.5, 0, True, "28", " 1.5 "])
def test_bare_number_is_refused_and_says_why(value: object) -> None:
    with pytest.raises(ValueError, match="needs a unit"):
        parse_duration(value)


@pytest.mark.parametrize("value", ["2 hours", "h", "", "1e3min", "2hmin", "ten min", None, [1]])
def test_not_a_duration(value: object) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(value)


def test_negative_durations_only_when_signed() -> None:
    with pytest.raises(ValueError, match="negative"):
        parse_duration("-10min")
    assert parse_duration("-10min", signed=True) == -10.0
    assert parse_duration("-1h", signed=True) == -60.0


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("08:30", 510.0), ("8:30", 510.0), ("00:00", 0.0), ("17:30", 1050.0), ("24:00", 1440.0)],
)
def test_parse_clock(text: str, minutes: float) -> None:
    assert parse_clock(text) == minutes


@pytest.mark.parametrize("value", ["24:01", "12:60", "25:00", "8", "08:30:00", "8h30", None])
def test_bad_clock(value: object) -> None:
    with pytest.raises(ValueError, match="clock time"):
        parse_clock(value)


def test_unquoted_clock_read_by_yaml_as_a_number_gets_a_hint() -> None:
    # PyYAML reads an unquoted 10:30 as the base-60 integer 10 * 60 + 30 = 630.
    with pytest.raises(ValueError, match=r"quoted.*10:30"):
        parse_clock(630)


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (1440.0, "1d"),
        (2880.0, "2d"),
        (120.0, "2h"),
        (90.0, "90min"),
        (0.0, "0d"),
        (-60.0, "-1h"),
        (-10.0, "-10min"),
        (1.5, "1.5min"),
        (10 / 60, "10s"),
    ],
)
def test_format_duration(minutes: float, text: str) -> None:
    assert format_duration(minutes) == text


@given(st.floats(min_value=-1e7, max_value=1e7, allow_nan=False, allow_infinity=False))
def test_format_duration_round_trips_exactly(minutes: float) -> None:
    # A resolved scenario is dumped with format_duration and must reload to the same value.
    assert parse_duration(format_duration(minutes), signed=True) == minutes


@given(
    st.integers(min_value=0, max_value=10_000),
    st.sampled_from(["s", "min", "h", "d"]),
)
def test_parse_format_parse_is_stable(count: int, unit: str) -> None:
    minutes = parse_duration(f"{count}{unit}")
    assert parse_duration(format_duration(minutes)) == minutes


def test_format_clock() -> None:
    assert format_clock(510) == "08:30"
    assert format_clock(0) == "00:00"
    assert format_clock(1440) == "24:00"
    assert format_clock(1049.6) == "17:30"


def test_clock_round_trip_for_every_minute_of_the_day() -> None:
    for minute in range(0, 1441):
        assert parse_clock(format_clock(minute)) == minute


def test_seconds_are_exact_fractions_of_a_minute() -> None:
    assert parse_duration("90s") == pytest.approx(1.5)
    assert math.isclose(parse_duration("1s") * 60, 1.0)
