"""Shared types of the scenario models: units, the strict base model, dates and moments."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
)

from sim.units import (
    CLOCK_JSON_SCHEMA,
    duration_json_schema,
    format_clock,
    format_duration,
    parse_clock,
    parse_duration,
)

Duration = Annotated[
    float,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration),
    WithJsonSchema(duration_json_schema()),
]


def _positive(v: float) -> float:
    if v <= 0:
        raise ValueError("must be > 0")
    return v


PositiveDuration = Annotated[Duration, AfterValidator(_positive)]
"""A duration that must be longer than zero (a review period, a lead time)."""
_ISO_DATE = re.compile(r"^\s*\d{4}-\d{1,2}-\d{1,2}\s*$")


def _date_of(value: object) -> date | None:
    """``value`` as a date when it is one or an ISO date string (ValueError if malformed)."""
    if isinstance(value, datetime):
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return date.fromisoformat(value.strip())
        except ValueError as exc:
            raise ValueError(f"bad date {value!r}: {exc}") from None
    return None


def _parse_moment(value: object) -> float:
    """A moment of the run: a duration from time 0. An ISO date is turned into one by
    ``Scenario`` when ``run.start`` is given, so a date reaching this point has no start."""
    if isinstance(value, datetime) or _date_of(value) is not None:
        raise ValueError(f"{value!s}: a date needs run.start (the date of time 0)")
    return parse_duration(value, signed=True)


# A duration from time 0, or (with run.start) an ISO date: 00:00 of that day.
_MOMENT_SCHEMA = {
    "anyOf": [
        duration_json_schema(signed=True),
        {"type": "string", "format": "date", "description": "an ISO date (needs run.start)"},
    ],
    "description": "A moment: a duration from time 0 ('10d') or, with run.start, an ISO date",
}
Moment = Annotated[
    float,
    BeforeValidator(_parse_moment),
    PlainSerializer(format_duration),
    WithJsonSchema(_MOMENT_SCHEMA),
]
Clock = Annotated[
    float,
    BeforeValidator(parse_clock),
    PlainSerializer(format_clock),
    WithJsonSchema(CLOCK_JSON_SCHEMA),
]
NonNeg = Annotated[float, Field(ge=0)]
Fraction = Annotated[float, Field(ge=0, le=1)]

# Upper bounds of what a scenario may ask (docs/model.md, "Input limits"): far above any
# dealer, low enough that a typo (an extra three zeros) fails at once instead of running
# for days or exhausting memory.
MAX_RUN_DAYS = 3660  # run.horizon and run.warmup: ten years each
MAX_REPLICATIONS = 10_000
MAX_GENERATED_PARTS = 200_000  # parts.generate.count
MAX_PER_DAY = 10_000  # cars per open day: walk-ins, bookings, an event's extra cars
MAX_DAY_FACTOR = 100  # demand.day_factors
MAX_POOL = 1_000_000  # units of one resource pool (validation runs use 100,000 as "unlimited")
MAX_UNITS = 1_000_000  # a count of units or containers: sizes, container_qty, per line
MAX_NAME_LENGTH = 120  # a scenario's name: it names the files of its results
PerDay = Annotated[float, Field(ge=0, le=MAX_PER_DAY)]
Units = Annotated[int, Field(ge=1, le=MAX_UNITS)]
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DayName = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
SHARE_TOLERANCE = 1e-6


class Strict(BaseModel):
    """Base of every scenario block: unknown keys are errors, values are frozen, and no
    number is infinite or NaN (YAML's ``.inf`` and ``.nan``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _days_to_indices(days: Literal["all"] | tuple[DayName, ...]) -> tuple[int, ...]:
    return tuple(range(7)) if days == "all" else tuple(sorted({DAY_NAMES.index(d) for d in days}))
