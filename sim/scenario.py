"""Pydantic models of a scenario: every key of the scenario YAML, validated and frozen.

Loading files (``extends``, relative paths, ``--set``) lives in ``sim.loading``; this module
only says what a valid scenario is. Durations are stored in minutes, clock times in minutes
after midnight; both dump back to their unit strings.
"""

from __future__ import annotations

import hashlib
import json
import math
from datetime import date
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    Field,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    field_serializer,
    field_validator,
    model_serializer,
    model_validator,
)

from sim.distributions import DurationDist, NumberDist
from sim.scenario_base import (  # noqa: F401 (re-exported)
    DAY_NAMES,
    MAX_GENERATED_PARTS,
    MAX_NAME_LENGTH,
    MAX_POOL,
    MAX_REPLICATIONS,
    MAX_RUN_DAYS,
    MAX_UNITS,
    SHARE_TOLERANCE,
    Clock,
    DayName,
    Duration,
    Fraction,
    Moment,
    NonNeg,
    Strict,
    Units,
    _date_of,
    _days_to_indices,
)
from sim.scenario_demand import (  # noqa: F401 (re-exported)
    Appointments,
    AttachedKind,
    AttachedSale,
    Demand,
    DemandEvent,
    JobType,
    Operation,
    PartsNeed,
    WalkIns,
)
from sim.scorecard_rules import (
    ItemRule,
    Rules,
    RulesError,
    VetoRule,
    check_targets,
    default_rules,
    load_rules,
    merge_rules,
    rules_data,
)
from sim.units import format_clock, format_duration, parse_clock


class RunConfig(Strict):
    """Run length and replications; ``horizon`` is the measurement window after ``warmup``."""

    horizon: Duration
    warmup: Duration = 0.0
    replications: int = Field(10, ge=1, le=MAX_REPLICATIONS)
    seed: int = Field(0, ge=0)
    start: date | None = None  # the date of time 0 (default: an unnamed Monday)

    @field_validator("horizon")
    @classmethod
    def _positive(cls, v: float) -> float:
        if v <= 0:
            raise ValueError("horizon must be > 0")
        return v

    @field_validator("horizon", "warmup")
    @classmethod
    def _bounded(cls, v: float) -> float:
        if v > MAX_RUN_DAYS * 1440:
            raise ValueError(f"must be at most {MAX_RUN_DAYS}d (ten years)")
        return v


class CalendarConfig(Strict):
    """Opening hours, breaks and opening days of the workshop."""

    open: Clock
    close: Clock
    breaks: tuple[tuple[Clock, Clock], ...] = ()
    days: Literal["all"] | tuple[DayName, ...] = "all"
    closed: tuple[date, ...] = ()  # dates the workshop is shut (needs run.start)

    @model_validator(mode="after")
    def _order(self) -> CalendarConfig:
        if not self.open < self.close:
            raise ValueError("open must be before close")
        for a, b in self.breaks:
            if not (self.open <= a < b <= self.close):
                raise ValueError(
                    f"break {format_clock(a)}-{format_clock(b)} must lie within opening hours"
                )
        if self.days != "all" and not self.days:
            raise ValueError("days must name at least one day")
        return self

    @property
    def day_indices(self) -> tuple[int, ...]:
        """Opening days as indices, Monday = 0."""
        return _days_to_indices(self.days)


class Promise(Strict):
    """How the advisor sets the promised completion time (``sim.model.promise``).

    ``fixed``: reception end + standard hours + mean QC + mean delivery + buffer, in working
    time; ``workload`` adds the work queued ahead on the planning board. The buffer is
    max(``buffer``, ``buffer_share`` x the job's standard hours).
    """

    rule: Literal["fixed", "workload"] = "fixed"
    buffer: Duration = 0.0
    buffer_share: NonNeg = 0.0
    parts_eta: bool = True


class Workshop(Strict):
    """Reception, QC and delivery times, the promise rule and what a stock-out does."""

    reception: DurationDist
    qc: DurationDist
    delivery: DurationDist
    promise: Promise = Promise()
    stockout: Literal["wait_in_bay", "park"] = "wait_in_bay"


class Generate(Strict):
    """A generated parts catalogue (the same in every replication)."""

    count: int = Field(ge=1, le=MAX_GENERATED_PARTS)
    zipf_s: NonNeg = 1.0
    unit_cost: NumberDist = NumberDist.model_validate({"dist": "lognormal", "mean": 150, "cv": 1.2})
    margin: NumberDist = NumberDist.model_validate({"dist": "uniform", "low": 0.12, "high": 0.45})
    container_qty: tuple[Units, ...] = (1, 2, 4, 5, 10)


class Parts(Strict):
    """The parts catalogue: a CSV file (absolute once loaded) or a generated one."""

    catalogue: str | None = None
    catalogue_sha256: str | None = None
    generate: Generate | None = None

    @model_validator(mode="after")
    def _one(self) -> Parts:
        if (self.catalogue is None) == (self.generate is None):
            raise ValueError("give exactly one of catalogue or generate")
        return self


class CallOff(Strict):
    """When released orders are sent: ``first``, ``first + every``, ... ``last`` each day."""

    every: Literal["continuous"] | Duration = 120.0
    first: Clock = 480.0
    last: Clock = 960.0
    days: Literal["all"] | tuple[DayName, ...] = "all"

    @model_validator(mode="after")
    def _check(self) -> CallOff:
        if self.every != "continuous":
            if self.every <= 0:
                raise ValueError("every must be > 0 (or 'continuous')")
            if self.last < self.first:
                raise ValueError("last must not be before first")
            if self.last >= 1440:
                raise ValueError("last must be before 24:00")
        if self.days != "all" and not self.days:
            raise ValueError("days must name at least one day")
        return self

    @property
    def continuous(self) -> bool:
        """Whether each order is sent the moment it arises."""
        return self.every == "continuous"

    def times_of_day(self) -> tuple[float, ...]:
        """Call-off clock times within one day, in minutes."""
        every = self.every
        if isinstance(every, str):  # continuous
            return ()
        n = math.floor((self.last - self.first) / every + 1e-9)
        return tuple(self.first + k * every for k in range(n + 1))

    @property
    def day_indices(self) -> tuple[int, ...]:
        """Call-off days as indices, Monday = 0."""
        return _days_to_indices(self.days)


SizeSpec = Literal["auto", "catalogue"] | Units


class PolicyBlock(Strict):
    """What every replenishment policy's config block shares: sizes that may come from the
    catalogue (``SIZE_FIELDS`` maps each size field to its catalogue column and least
    value), and ``target_fill``: with it, ``auto`` gives each part the fewest containers whose
    theoretical fill rate reaches the target (``safety`` is then ignored)."""

    SIZE_FIELDS: ClassVar[tuple[tuple[str, str, int], ...]] = ()
    target_fill: Annotated[float, Field(gt=0, lt=1)] | None = None

    def catalogue_columns(self) -> list[tuple[str, str, int]]:
        """``(field, column, least value)`` of each size this block reads from the catalogue."""
        return [f for f in self.SIZE_FIELDS if getattr(self, f[0]) == "catalogue"]


class Kanban(PolicyBlock):
    """Kanban loop: cards per part, safety factor of auto sizing, and when cards are released."""

    SIZE_FIELDS = (("cards", "cards", 1),)
    cards: SizeSpec = "auto"
    safety: NonNeg = 0.2
    release: Literal["on_request", "on_empty"] = "on_request"


class OrderUpTo(PolicyBlock):
    """(R, S): order-up-to level in units (auto: S = P, the protection level)."""

    SIZE_FIELDS = (("level", "order_up_to", 0),)
    level: SizeSpec = "auto"
    safety: NonNeg = 0.2


class ReorderPoint(PolicyBlock):
    """(s, Q): reorder point and lot size in units (auto: s = P, Q = C)."""

    SIZE_FIELDS = (("point", "reorder_point", 0), ("qty", "order_qty", 1))
    point: Literal["auto", "catalogue"] | Annotated[int, Field(ge=0, le=MAX_UNITS)] = "auto"
    qty: SizeSpec = "auto"
    safety: NonNeg = 0.2


class Emergency(Strict):
    """Emergency (VOR) orders for a waiting job's missing units."""

    enabled: bool = False
    lead_time: Duration = 240.0
    cost: NonNeg = 0.0


class TruckCost(Strict):
    """What a regular delivery costs: per truck that arrives, and per container it brings."""

    per_delivery: NonNeg = 0.0
    per_container: NonNeg = 0.0


class Disruption(Strict):
    """A supplier outage (no truck leaves) or extra transit delay over [start, end)."""

    kind: Literal["outage", "delay"]
    start: Moment
    end: Moment
    delay: Duration = 0.0

    @model_validator(mode="after")
    def _order(self) -> Disruption:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        if self.kind == "delay" and self.delay <= 0:
            raise ValueError("a delay disruption needs delay > 0")
        return self


class LateTrucks(Strict):
    """Each regular truck is late with ``probability``, by a draw from ``by`` (unannounced)."""

    probability: Fraction
    by: DurationDist


class RandomOutages(Strict):
    """Supplier outages at random: ``every`` from one outage's start to the next one's (the
    first from time 0), each lasting a draw from ``duration``; like an ``outage``
    disruption, but known only once it has started."""

    every: DurationDist
    duration: DurationDist

    @field_validator("every")
    @classmethod
    def _every(cls, v: DurationDist) -> DurationDist:
        if not v.mean_value() > 0:
            raise ValueError("every must be > 0 on average")
        return v


class Reliability(Strict):
    """Unreliable supply: late trucks and random outages, each from its own streams."""

    late: LateTrucks | None = None
    outages: RandomOutages | None = None


class Stocking(Strict):
    """Which parts sit beside the line (stocked) and which are ordered for each job.

    ``all`` stocks every part; ``auto`` stocks a part expected on at least
    ``min_lines_per_month`` order lines per 30 open days; ``catalogue`` reads the boolean
    column ``stocked``. ``lead_time``: how long a non-stock order travels from the call-off
    that sends it (default: it rides the regular truck).
    """

    rule: Literal["all", "auto", "catalogue"] = "all"
    min_lines_per_month: NonNeg = 1.0
    lead_time: DurationDist | None = None


class Supply(Strict):
    """Call-off policy, supplier trucks, emergency orders and disruptions."""

    policy: Literal["kanban", "order_up_to", "reorder_point"] = "kanban"
    call_off: CallOff = CallOff()
    lead_time: DurationDist
    truck_capacity: Units | None = None
    truck_cost: TruckCost = TruckCost()
    kanban: Kanban = Kanban()
    order_up_to: OrderUpTo = OrderUpTo()
    reorder_point: ReorderPoint = ReorderPoint()
    emergency: Emergency = Emergency()
    disruptions: tuple[Disruption, ...] = ()
    reliability: Reliability | None = None
    start_stock: Literal["cycle", "full"] = "cycle"
    stocking: Stocking = Stocking()
    prepare: bool = False  # booked jobs' non-stock parts are ordered at booking

    @property
    def policy_block(self) -> PolicyBlock:
        """The config block of the policy in force (``kanban``, ``order_up_to``, ...)."""
        block: PolicyBlock = getattr(self, self.policy)
        return block


class Economics(Strict):
    """Currency, labour cost, and the yearly cost of holding stock (share of its value).

    ``labour_cost``: ``worked`` costs the labour hours worked on the jobs delivered (booked
    at delivery); ``paid`` costs every labour pool's units for every working hour of the
    window, idle or not (booked over the window).
    """

    currency: str = "CNY"
    labour_cost_per_hour: NonNeg = 0.0
    labour_cost: Literal["worked", "paid"] = "worked"
    holding_rate: NonNeg = 0.0

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if isinstance(data, dict) and data.get("labour_cost") == "worked":
            data.pop("labour_cost")  # the default, left out as before it: hashes unchanged
        return data


class Scorecard(Strict):
    """Monthly scorecard targets and rules (scored by ``sim.scorecard``).

    ``rules`` names a complete rules file (made absolute by ``sim.loading``; default: the
    seed's rules shipped in ``sim/data``); ``items`` and ``vetoes`` override single keys of
    it. The scenario's hash counts the rules by content, never by path.
    """

    targets: dict[str, Annotated[float, Field(gt=0, allow_inf_nan=False)]] = {}
    rules: str | None = None
    items: dict[str, ItemRule] = {}
    vetoes: dict[str, VetoRule] = {}

    @model_validator(mode="after")
    def _consistent(self) -> Scorecard:
        try:
            check_targets(self.resolved_rules(), self.targets)
        except RulesError as exc:
            raise ValueError(str(exc)) from None
        return self

    def resolved_rules(self) -> Rules:
        """The rules in force: the rules file (or the default) with the inline overrides."""
        base = load_rules(self.rules) if self.rules is not None else default_rules()
        if not self.items and not self.vetoes:
            return base
        return merge_rules(base, self.items, self.vetoes)

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        for key in ("items", "vetoes"):  # no overrides: leave the keys out, as before them
            if isinstance(data, dict) and not data.get(key):
                data.pop(key, None)
        return data

    @field_serializer("rules")
    def _rules_by_content(self, value: str | None, info: SerializationInfo) -> Any:
        if value is not None and info.context and info.context.get("by_content"):
            return rules_data(value)
        return value


class Scenario(Strict):
    """One fully validated scenario."""

    name: str = Field(min_length=1, max_length=MAX_NAME_LENGTH)
    description: str | None = None
    run: RunConfig
    calendar: CalendarConfig
    resources: dict[str, Annotated[int, Field(ge=0, le=MAX_POOL)]]
    demand: Demand
    workshop: Workshop
    parts: Parts
    supply: Supply
    economics: Economics
    scorecard: Scorecard | None = None

    @model_validator(mode="before")
    @classmethod
    def _dates_to_moments(cls, data: Any) -> Any:
        """With ``run.start``, every ISO date given as a disruption's or an event's start or
        end becomes the duration from time 0 to 00:00 of that date."""
        run = data.get("run") if isinstance(data, dict) else None
        try:
            start = _date_of(run.get("start")) if isinstance(run, dict) else None
        except ValueError:
            return data  # run.start itself reports the error
        if start is None:
            return data
        data = dict(data)
        for block, key in (("supply", "disruptions"), ("demand", "events")):
            part = data.get(block)
            items = part.get(key) if isinstance(part, dict) else None
            if not isinstance(items, list | tuple):
                continue
            new = []
            for item in items:
                if isinstance(item, dict):
                    item = dict(item)
                    for end in ("start", "end"):
                        try:
                            day = _date_of(item.get(end))
                        except ValueError:
                            continue  # the field reports it
                        if day is not None:
                            item[end] = f"{(day - start).days}d"
                new.append(item)
            data[block] = {**part, key: new}
        return data

    @property
    def weekday_offset(self) -> int:
        """The weekday of day 0 (Monday = 0): ``run.start``'s, else Monday."""
        return self.run.start.weekday() if self.run.start is not None else 0

    @property
    def run_end(self) -> float:
        """The end of the run, warm-up included (minutes)."""
        return self.run.warmup + self.run.horizon

    def closed_days(self) -> tuple[int, ...]:
        """Day indices of ``calendar.closed`` (days from ``run.start``), sorted."""
        start = self.run.start
        if start is None:
            return ()
        return tuple(sorted({(d - start).days for d in self.calendar.closed}))

    def internal_days(self, weekdays: tuple[int, ...]) -> tuple[int, ...]:
        """Weekday indices (Monday = 0) as days of the model's week, whose day 0 is day 0 of
        the run (the weekday of ``run.start``)."""
        k = self.weekday_offset
        return tuple(sorted((d - k) % 7 for d in weekdays))

    @field_validator("resources")
    @classmethod
    def _resources(cls, v: dict[str, int]) -> dict[str, int]:
        for key in ("advisors", "qc"):
            if key not in v:
                raise ValueError(f"{key} is required")
            if v[key] < 1:
                raise ValueError(f"{key} must be >= 1")
        return v

    def cross_check(self) -> list[tuple[str, str]]:
        """Errors that span blocks, as ``(dotted path, message)``."""
        errors = []
        for name, jt in self.demand.job_types.items():
            for i, op in enumerate(jt.route):
                for k, pool in enumerate(op.uses):
                    path = f"demand.job_types.{name}.route.{i}.uses.{k}"
                    if pool not in self.resources:
                        errors.append((path, f"pool {pool!r} is not defined in resources"))
                    elif self.resources[pool] < 1:
                        errors.append((path, f"pool {pool!r} has size 0"))
                if len(set(op.uses)) != len(op.uses):
                    errors.append(
                        (f"demand.job_types.{name}.route.{i}.uses", "a pool is named twice")
                    )
        wi = self.demand.walk_ins
        if wi and wi.profile:
            for key in wi.profile:
                if not self.calendar.open <= parse_clock(key) < self.calendar.close:
                    errors.append(
                        (f"demand.walk_ins.profile.{key}", "must lie within opening hours")
                    )
        ap = self.demand.appointments
        if ap and ap.per_day > 0 and ap.slot > self.calendar.close - self.calendar.open:
            errors.append(("demand.appointments.slot", "no slot fits in the opening hours"))
        if self.run.warmup < 0:
            errors.append(("run.warmup", "must be >= 0"))
        if self.calendar.closed and self.run.start is None:
            errors.append(("calendar.closed", "closed dates need run.start (the date of time 0)"))
        names: set[str] = set()
        for i, ev in enumerate(self.demand.events):
            if ev.job_type not in self.demand.job_types:
                errors.append((f"demand.events.{i}.job_type", f"{ev.job_type!r} is not a job type"))
            if ev.name in names:
                errors.append((f"demand.events.{i}.name", f"event {ev.name!r} is named twice"))
            names.add(ev.name)
        moments: list[tuple[str, DemandEvent | Disruption]]
        moments = [(f"demand.events.{i}", ev) for i, ev in enumerate(self.demand.events)]
        moments += [(f"supply.disruptions.{i}", d) for i, d in enumerate(self.supply.disruptions)]
        end = self.run_end
        for path, x in moments:
            if x.start >= end:
                errors.append(
                    (f"{path}.start", f"starts after the run ends ({format_duration(end)})")
                )
            elif x.end <= 0:
                errors.append((f"{path}.end", "ends before the run starts (time 0)"))
        return errors

    def dump(self) -> dict[str, Any]:
        """The scenario as plain YAML-ready data (durations and clocks as strings)."""
        return self.model_dump(mode="json", exclude_none=True)

    def digest(self) -> str:
        """sha256 of what is simulated: the resolved scenario with files by content.

        File paths are left out (the catalogue counts by its sha256, empirical files by their
        values), so the same scenario has the same hash in any checkout, on any machine.
        """
        data = self.model_dump(mode="json", exclude_none=True, context={"by_content": True})
        data["parts"].pop("catalogue", None)
        text = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()
