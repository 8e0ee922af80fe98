"""Scenario models of demand: walk-ins, appointments, job types, day factors and events."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from sim.distributions import DurationDist, IntDist, NumberDist, SignedDurationDist
from sim.scenario_base import (
    DAY_NAMES,
    MAX_DAY_FACTOR,
    MAX_UNITS,
    SHARE_TOLERANCE,
    Duration,
    Fraction,
    Moment,
    NonNeg,
    PerDay,
    Strict,
)
from sim.units import parse_clock


class WalkIns(Strict):
    """Unbooked arrivals: Poisson count per open day over a piecewise-constant day profile."""

    per_day: PerDay
    profile: dict[str, Fraction] | None = None

    @field_validator("profile")
    @classmethod
    def _profile(cls, v: dict[str, float] | None) -> dict[str, float] | None:
        if v is None:
            return v
        for key in v:
            parse_clock(key)
        total = sum(v.values())
        if not v or abs(total - 1) > SHARE_TOLERANCE:
            raise ValueError(f"profile shares must sum to 1 (they sum to {total:g})")
        return v


class Appointments(Strict):
    """Booked arrivals on slots, with no-shows, lateness and cancellation."""

    per_day: PerDay
    slot: Duration = 30.0
    no_show: Fraction = 0.0
    cancel_after: Duration = 30.0
    lateness: SignedDurationDist = SignedDurationDist.model_validate("0min")
    # How long before its slot a booking is made; with it, the job is drawn at booking.
    booked_ahead: DurationDist = DurationDist.model_validate("0min")

    @property
    def ahead(self) -> bool:
        """Whether bookings are made before their slot (jobs drawn at booking)."""
        d = self.booked_ahead
        return not (d.dist == "constant" and d.value == 0)

    @field_validator("slot")
    @classmethod
    def _slot(cls, v: float) -> float:
        if v <= 0:
            raise ValueError("slot must be > 0")
        return v


class Operation(Strict):
    """One routed step: holds every pool in ``uses`` (the first is the space) while it works."""

    op: str
    uses: tuple[str, ...] = Field(min_length=1)
    standard_hours: DurationDist | None = None
    efficiency: NumberDist | None = None


class PartsNeed(Strict):
    """Parts lines per job and units per line."""

    lines: IntDist = IntDist.model_validate(0)
    qty: IntDist = IntDist.model_validate(1)

    @field_validator("qty")
    @classmethod
    def _qty(cls, v: IntDist) -> IntDist:
        if v.support_min() < 1:
            raise ValueError("qty must be at least 1 unit per line")
        if v.support_max() > MAX_UNITS:
            raise ValueError(f"qty must be at most {MAX_UNITS:,} units per line")
        return v


class AttachedSale(Strict):
    """An attached sale offered at reception: bought with ``probability``, worth ``value``."""

    probability: Fraction
    value: NumberDist
    margin: Fraction = 0.0


AttachedKind = Literal["care_products", "accessories", "tyres"]


class JobType(Strict):
    """A kind of work order: share of arrivals, route, parts, price and quality."""

    share: Fraction
    route: tuple[Operation, ...] = Field(min_length=1)
    standard_hours: DurationDist | None = None
    efficiency: NumberDist | None = None
    parts: PartsNeed = PartsNeed()
    labour_rate: NonNeg = 0.0
    qc_fail: Annotated[float, Field(ge=0, lt=1)] = 0.0
    # A failed QC pass redoes this share of the last operation's labour (a fresh draw of its
    # hours and efficiency, times the share).
    rework_share: Annotated[float, Field(gt=0, le=1)] = 1.0
    comeback: Fraction = 0.0
    attached: dict[AttachedKind, AttachedSale] = {}

    @model_validator(mode="after")
    def _hours(self) -> JobType:
        if len(self.route) > 1 and (self.standard_hours or self.efficiency):
            raise ValueError(
                "job-level standard_hours/efficiency only for single-operation routes; "
                "set them on each operation"
            )
        for i, op in enumerate(self.route):
            if op.standard_hours is None and self.standard_hours is None:
                raise ValueError(f"route.{i} ({op.op}) has no standard_hours")
        return self

    def op_hours(self, i: int) -> DurationDist:
        """The standard-hours distribution of operation ``i``."""
        hours = self.route[i].standard_hours or self.standard_hours
        if hours is None:  # refused by _hours
            raise ValueError(f"route.{i} has no standard_hours")
        return hours

    def op_efficiency(self, i: int) -> NumberDist:
        """The efficiency distribution of operation ``i`` (constant 1 when unset)."""
        return self.route[i].efficiency or self.efficiency or NumberDist.model_validate(1.0)


class DemandEvent(Strict):
    """Extra cars over [start, end) (a recall campaign, a promotion): ``extra_per_day``
    expected cars of ``job_type`` per open day, ``booked_share`` of them booked on slots and
    the rest walk-ins."""

    name: str = Field(min_length=1)
    start: Moment
    end: Moment
    job_type: str
    extra_per_day: PerDay
    booked_share: Fraction = 0.0

    @model_validator(mode="after")
    def _order(self) -> DemandEvent:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self

    def covers(self, day: int) -> bool:
        """Whether day ``day`` (its 00:00) lies in [start, end)."""
        return self.start <= day * 1440.0 < self.end


class Demand(Strict):
    """Arrivals and the job mix."""

    walk_ins: WalkIns | None = None
    appointments: Appointments | None = None
    job_types: dict[str, JobType] = Field(min_length=1)
    day_factors: dict[
        str, Annotated[float, Field(ge=0, le=MAX_DAY_FACTOR)]
    ] = {}  # weekday -> multiplier of walk-ins and bookings
    events: tuple[DemandEvent, ...] = ()

    @field_validator("day_factors")
    @classmethod
    def _weekdays(cls, v: dict[str, float]) -> dict[str, float]:
        for key in v:
            if key not in DAY_NAMES:
                raise ValueError(f"unknown weekday {key!r} (use {', '.join(DAY_NAMES)})")
        return v

    def factors_by_weekday(self) -> tuple[float, ...]:
        """The day factor of each weekday, Monday first (1 where not given)."""
        return tuple(float(self.day_factors.get(d, 1.0)) for d in DAY_NAMES)

    @field_validator("job_types")
    @classmethod
    def _shares(cls, v: dict[str, JobType]) -> dict[str, JobType]:
        total = sum(t.share for t in v.values())
        if abs(total - 1) > SHARE_TOLERANCE:
            raise ValueError(f"job type shares must sum to 1 (they sum to {total:g})")
        return v
