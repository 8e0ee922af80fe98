"""Durations with units ("90min", "2h", "1d") and clock times ("08:30"), in minutes.

The model's clock counts minutes from 00:00 of day 0 (a Monday).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

MINUTES_PER = {"s": 1 / 60, "min": 1.0, "h": 60.0, "d": 1440.0}
MAX_DURATION_DAYS = 36_600  # the longest duration a scenario may give: 100 years
_DURATION = re.compile(r"^\s*(-?\d+(?:\.\d*)?|-?\.\d+)\s*(s|min|h|d)\s*$")
_NUMBER = re.compile(r"^\s*-?(\d+(\.\d*)?|\.\d+)\s*$")
_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")


def duration_json_schema(*, signed: bool = False) -> dict[str, Any]:
    """The JSON Schema of a duration as a scenario file gives it (``sim.schema``)."""
    sign = "-?" if signed else ""
    return {
        "type": "string",
        "pattern": rf"^\s*{sign}(\d+(\.\d*)?|\.\d+)\s*(s|min|h|d)\s*$",
        "description": "A duration with its unit: s, min, h or d ('90min', '2h', '1.5d'); a "
        "bare number is refused" + ("; may be negative" if signed else ""),
        "examples": ["30min", "2h", "1d"],
    }


CLOCK_JSON_SCHEMA: dict[str, Any] = {
    "type": "string",
    "pattern": r"^\s*\d{1,2}:\d{2}\s*$",
    "description": "A clock time 'HH:MM', quoted (YAML reads an unquoted 10:30 as the number "
    "630); '24:00' is the end of the day",
    "examples": ["08:30", "17:30"],
}


def _shown(value: object) -> str:
    """``repr(value)``, cut short: a message quoting a 100 kB string stays readable."""
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:36]}...{text[-1]}"


def _minutes(m: re.Match[str]) -> float:
    return float(m.group(1)) * MINUTES_PER[m.group(2)]


def parse_duration(value: object, *, signed: bool = False) -> float:
    """Minutes in a duration string such as ``"90min"``, ``"2h"``, ``"1.5d"``.

    A bare number is refused because it is ambiguous (minutes? hours?); so is a duration
    longer than ``MAX_DURATION_DAYS`` (a typo: no lead time or moment of a run is a century).
    """
    if isinstance(value, (bool, int, float)):
        raise ValueError(f"bare number {_shown(value)}: a duration needs a unit (s, min, h or d)")
    if not isinstance(value, str):
        raise ValueError(f"{_shown(value)} is not a duration (expected e.g. '90min', '2h', '1d')")
    m = _DURATION.match(value)
    if not m:
        if _NUMBER.match(value):
            raise ValueError(
                f"bare number {_shown(value)}: a duration needs a unit (s, min, h or d)"
            )
        raise ValueError(f"{_shown(value)} is not a duration (expected e.g. '90min', '2h', '1d')")
    minutes = _minutes(m)
    if not abs(minutes) <= MAX_DURATION_DAYS * MINUTES_PER["d"]:
        raise ValueError(
            f"duration {_shown(value)} is longer than {MAX_DURATION_DAYS}d (100 years)"
        )
    if minutes < 0 and not signed:
        raise ValueError(f"duration {_shown(value)} must not be negative")
    return minutes


def parse_clock(value: object) -> float:
    """Minutes after midnight of a clock time ``"HH:MM"`` (``"24:00"`` is the end of day)."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 60:
        raise ValueError(
            f"{value!r} is not a clock time (expected 'HH:MM', quoted: "
            f"YAML reads an unquoted {value // 60}:{value % 60:02d} as the number {value})"
        )
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a clock time (expected 'HH:MM', quoted)")
    m = _CLOCK.match(value)
    if not m:
        raise ValueError(f"{value!r} is not a clock time (expected 'HH:MM')")
    hours, minutes = int(m.group(1)), int(m.group(2))
    if minutes >= 60 or hours > 24 or (hours == 24 and minutes):
        raise ValueError(f"{value!r} is not a valid clock time")
    return hours * 60.0 + minutes


def format_duration(minutes: float) -> str:
    """The shortest exact unit string for a number of minutes (``1440 -> "1d"``).

    ``parse_duration(format_duration(m)) == m`` for every finite ``m``, so a resolved
    scenario dumps back to exactly what was simulated.
    """
    for unit in ("d", "h", "min"):
        size = MINUTES_PER[unit]
        if minutes % size == 0:
            return f"{int(minutes // size)}{unit}"
    seconds = minutes * 60
    for text in (
        f"{minutes:g}min",
        f"{round(seconds)}s" if seconds == round(seconds) else "",
    ):
        m = _DURATION.match(text)
        if m and _minutes(m) == minutes:
            return text
    return f"{Decimal(repr(float(minutes))):f}min"


def format_clock(minutes: float) -> str:
    """``"HH:MM"`` for minutes after midnight."""
    total = round(minutes)
    return f"{total // 60:02d}:{total % 60:02d}"
