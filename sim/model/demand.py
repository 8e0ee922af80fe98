"""Arrivals (walk-ins and appointments) and the job attributes drawn when a car arrives.

Every random attribute of a job is drawn at arrival, each from its own named stream, in
arrival order. Supply settings never touch these streams, so two policies compared in the
same replication see the same cars with the same work (common random numbers).
"""

from __future__ import annotations

import itertools
import math
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import simpy

from sim.calendar import DAY, Calendar
from sim.catalogue import Catalogue
from sim.distributions import BLOCK, Sampler, block_sampler, uniform_sampler
from sim.kpi import ATTACHED
from sim.scenario import Appointments, JobType, Scenario, WalkIns
from sim.streams import Streams
from sim.units import parse_clock


class Job:
    """One work order: attributes drawn at arrival, then timestamps filled as it flows."""

    __slots__ = (
        "arrival",
        "attached",
        "attached_cost",
        "booked",
        "comeback",
        "delivery_end",
        "delivery_time",
        "emergency_cost",
        "first_start",
        "id",
        "labour",
        "labour_worked",
        "lines",
        "lines_short",
        "missing",
        "parts_done",
        "promise",
        "qc_times",
        "rec_end",
        "rec_start",
        "reception_time",
        "rework",
        "rework_std",
        "source",
        "special",
        "std",
        "std_total",
        "type",
        "units_at_request",
        "units_requested",
        "wait_event",
    )

    def __init__(
        self,
        job_id: int,
        arrival: float,
        booked: bool,
        type_idx: int,
        reception_time: float,
        std: tuple[float, ...],
        labour: tuple[float, ...],
        lines: tuple[tuple[int, int], ...],
        rework: tuple[float, ...],
        qc_times: tuple[float, ...],
        delivery_time: float,
        comeback: bool,
        attached: tuple[float, ...],
        attached_cost: float,
        rework_std: tuple[float, ...] = (),
    ) -> None:
        # Drawn at arrival. Tuples of numbers, so the collector soon stops scanning them.
        self.id = job_id
        self.arrival = arrival
        self.booked = booked
        self.type = type_idx
        self.reception_time = reception_time
        self.std = std  # standard hours of each routed operation (minutes)
        self.std_total = sum(std)
        self.labour = labour  # labour of each operation: std x efficiency (minutes)
        self.lines = lines  # (part index, quantity)
        self.rework = rework  # labour of each rework pass (minutes)
        self.rework_std = rework_std  # its standard minutes (the planning board's view)
        self.qc_times = qc_times  # one per QC pass: len(rework) + 1
        self.delivery_time = delivery_time
        self.comeback = comeback
        self.attached = attached  # sales value per kind of sim.kpi.ATTACHED
        self.attached_cost = attached_cost
        # Filled as the job flows.
        self.rec_start = self.rec_end = self.promise = math.nan
        self.first_start = self.parts_done = self.delivery_end = math.nan
        self.labour_worked = 0.0
        self.emergency_cost = 0.0  # emergency orders this job placed, booked at its delivery
        self.units_requested = self.units_at_request = self.lines_short = self.missing = 0
        self.wait_event: simpy.Event | None = None
        self.special: tuple | None = None  # orders for its non-stock parts, once placed
        self.source = ""  # the source of cars it came from (sim.model.sources)

    def parts_arrived(self, now: float, units: int) -> None:
        """Called by the stock when backordered units reach this job."""
        self.missing -= units
        if self.missing == 0:
            self.parts_done = now
            if self.wait_event is not None:
                self.wait_event.succeed()
                self.wait_event = None


NO_SALES: tuple[float, ...] = (0.0,) * len(ATTACHED)


@dataclass
class _TypeDraws:
    """The samplers of one job type."""

    hours: list[Sampler]
    efficiency: list[Sampler]
    rework_hours: Sampler
    rework_efficiency: Sampler
    rework_share: float
    lines: Sampler
    qty: Sampler
    pick: Callable[[], int]  # the next part drawn by weight (one uniform of its stream each)
    n_eligible: int
    eligible: list[int]
    qc_fail: float
    comeback: float
    attached: list[tuple[int, float, float, Sampler, Sampler]]  # kind, p, margin, u, value
    no_lines: bool  # the line count is constantly 0 (nothing to draw: its stream serves it alone)
    qty_constant: int | None  # every line's quantity when it is a constant (draws nothing)


def part_picker(rng: np.random.Generator, elig: np.ndarray, w: np.ndarray) -> Callable[[], int]:
    """Parts drawn with probability proportional to ``w`` among ``elig``, one U(0, 1) of
    ``rng`` each: the part whose cumulative weight share first exceeds the draw.

    A block of draws is looked up at once (``searchsorted``) and served part by part, so a
    pick costs a list index, and the block's uniforms are exactly those one at a time.
    """
    if not len(elig):
        return lambda: -1  # never called: a type without parts draws no lines
    cum = np.cumsum(w) / w.sum()
    last = len(elig) - 1

    def block() -> list[int]:
        j = np.searchsorted(cum, rng.random(BLOCK), side="right")
        return elig[np.minimum(j, last)].tolist()

    return block_sampler(block)


def eligible_parts(cat: Catalogue, type_name: str) -> np.ndarray:
    """Indices of parts a job of this type may use (positive weight, type allowed)."""
    ok = [
        i
        for i, jt in enumerate(cat.job_types)
        if cat.weight[i] > 0 and (jt is None or type_name in jt)
    ]
    return np.array(ok, dtype=np.int64)


class JobFactory:
    """Draws a job's type and attributes from the named streams, in arrival order.

    Each source of cars has its own factory (``prefix``: its stream names start with it, as
    in ``walk_ins.job.type``), so that one source's cars never depend on another's. ``only``
    fixes the job type (an event's cars); ``ids`` is the run's shared job numbering.
    """

    def __init__(
        self,
        scenario: Scenario,
        streams: Streams,
        cat: Catalogue,
        prefix: str = "",
        only: str | None = None,
        ids: Iterator[int] | None = None,
    ) -> None:
        jts = scenario.demand.job_types
        self.type_names = list(jts)
        self.source = prefix.removesuffix(".")
        p = f"{prefix}job."
        self._cum_share = list(np.cumsum([jt.share for jt in jts.values()]))
        self._fixed = self.type_names.index(only) if only is not None else None
        if self._fixed is None and len(jts) == 1:
            self._fixed = 0  # nothing to draw: the job.type stream serves only this choice
        self._type_u = uniform_sampler(streams[f"{p}type"])
        ws = scenario.workshop
        self._reception = ws.reception.sampler(streams[f"{p}reception"])
        self._qc_time = ws.qc.sampler(streams[f"{p}qc_time"])
        self._delivery = ws.delivery.sampler(streams[f"{p}delivery"])
        self._qc_u = uniform_sampler(streams[f"{p}qc_fail"])
        self._comeback_u = uniform_sampler(streams[f"{p}comeback"])
        self._types = [
            self._type_draws(n, jt, streams, cat, p)
            if self._fixed is None or k == self._fixed
            else None
            for k, (n, jt) in enumerate(jts.items())
        ]
        self._ids = itertools.count() if ids is None else ids

    @staticmethod
    def _type_draws(
        name: str, jt: JobType, streams: Streams, cat: Catalogue, p: str = "job."
    ) -> _TypeDraws:
        n_ops = len(jt.route)
        last = n_ops - 1
        elig = eligible_parts(cat, name)
        w = cat.weight[elig]
        return _TypeDraws(
            hours=[jt.op_hours(i).sampler(streams[f"{p}hours.{name}.{i}"]) for i in range(n_ops)],
            efficiency=[
                jt.op_efficiency(i).sampler(streams[f"{p}efficiency.{name}.{i}"])
                for i in range(n_ops)
            ],
            rework_hours=jt.op_hours(last).sampler(streams[f"{p}rework_hours.{name}"]),
            rework_efficiency=jt.op_efficiency(last).sampler(streams[f"{p}rework_eff.{name}"]),
            rework_share=jt.rework_share,
            lines=jt.parts.lines.sampler(streams[f"{p}lines.{name}"]),
            qty=jt.parts.qty.sampler(streams[f"{p}qty.{name}"]),
            pick=part_picker(streams[f"{p}parts.{name}"], elig, w),
            n_eligible=len(elig),
            eligible=elig.tolist(),
            qc_fail=jt.qc_fail,
            comeback=jt.comeback,
            attached=[
                (
                    ATTACHED.index(kind),
                    sale.probability,
                    sale.margin,
                    uniform_sampler(streams[f"{p}attached.{kind}.{name}"]),
                    sale.value.sampler(streams[f"{p}attached_value.{kind}.{name}"]),
                )
                for kind, sale in jt.attached.items()
            ],
            no_lines=len(elig) == 0
            or (jt.parts.lines.dist == "constant" and jt.parts.lines.value == 0),
            qty_constant=max(1, int(jt.parts.qty.mean_value()))  # its value
            if jt.parts.qty.dist == "constant"
            else None,
        )

    def make(self, arrival: float, booked: bool) -> Job:
        """A new job arriving now, with every attribute drawn."""
        types = self._types
        t = self._fixed
        if t is None:
            t = min(bisect_right(self._cum_share, self._type_u()), len(types) - 1)
        d = types[t]
        assert d is not None
        reception = self._reception()
        hours, efficiency = d.hours, d.efficiency
        if len(hours) == 1:
            s = hours[0]()
            std: tuple[float, ...] = (s,)
            labour: tuple[float, ...] = (s * efficiency[0](),)
        else:
            std = tuple([h() for h in hours])
            labour = tuple([s * e() for s, e in zip(std, efficiency, strict=True)])
        lines = () if d.no_lines else self._pick_lines(d)
        fails = 0
        qc_u, qc_fail = self._qc_u, d.qc_fail
        while qc_u() < qc_fail:
            fails += 1
        if fails:
            # Drawn as with the whole operation, then scaled: a share of 1 changes nothing.
            share = d.rework_share
            rework_std = tuple([d.rework_hours() * share for _ in range(fails)])
            rework = tuple([s * d.rework_efficiency() for s in rework_std])
            qc_times = tuple([self._qc_time() for _ in range(fails + 1)])
        else:
            rework_std, rework, qc_times = (), (), (self._qc_time(),)
        delivery = self._delivery()
        comeback = self._comeback_u() < d.comeback
        attached, attached_cost = NO_SALES, 0.0
        if d.attached:
            values = list(NO_SALES)
            for kind, p, margin, u, value in d.attached:
                bought, worth = u() < p, value()  # both drawn always: streams stay aligned
                if bought:
                    values[kind] = worth
                    attached_cost += worth * (1 - margin)
            attached = tuple(values)
        job = Job(
            next(self._ids),
            arrival,
            booked,
            t,
            reception,
            std,
            labour,
            lines,
            rework,
            qc_times,
            delivery,
            comeback,
            attached,
            attached_cost,
            rework_std,
        )
        job.source = self.source
        return job

    @staticmethod
    def _pick_lines(d: _TypeDraws) -> tuple[tuple[int, int], ...]:
        n = min(int(d.lines()), d.n_eligible)
        if n <= 0:
            return ()
        chosen: list[int] = []
        pick = d.pick
        tries = 0
        while len(chosen) < n:
            part = pick()
            tries += 1
            if part in chosen:
                if tries > 50 * n:  # nearly all weight taken: fill deterministically
                    chosen += [p for p in d.eligible if p not in chosen][: n - len(chosen)]
                continue
            chosen.append(part)
        if d.qty_constant is not None:
            q = d.qty_constant
            return tuple([(part, q) for part in chosen])
        qty = d.qty
        lines = []
        for part in chosen:
            q = int(qty())
            lines.append((part, q if q > 1 else 1))
        return tuple(lines)


@dataclass(frozen=True)
class WalkInProfile:
    """The periods of an open day's walk-in profile: start and end clock minutes, and the
    probability that a walk-in falls in each."""

    starts: np.ndarray
    ends: np.ndarray
    p: np.ndarray


def walk_in_profile(cfg: WalkIns, cal: Calendar) -> WalkInProfile:
    """The walk-in profile of ``cfg`` clipped to the opening hours (the same every day)."""
    profile = cfg.profile or {"00:00": 1.0}
    keys = sorted((max(parse_clock(k), cal.open_min), w) for k, w in profile.items())
    starts = [k for k, _ in keys]
    weights = np.array([w for _, w in keys])
    return WalkInProfile(
        starts=np.asarray(starts),
        ends=np.asarray([*starts[1:], cal.close_min]),
        p=weights / weights.sum(),
    )


def walk_in_times(
    cfg: WalkIns,
    cal: Calendar,
    day: int,
    rng: np.random.Generator,
    profile: WalkInProfile | None = None,
    per_day: float | None = None,
) -> list[float]:
    """Walk-in arrival times of one open day: Poisson count over the piecewise-constant profile
    (``profile``: ``walk_in_profile(cfg, cal)``, computed once by the caller; ``per_day``: the
    day's expected count, default ``cfg.per_day``)."""
    n = int(rng.poisson(cfg.per_day if per_day is None else per_day))
    if n == 0:
        return []
    prof = walk_in_profile(cfg, cal) if profile is None else profile
    period = rng.choice(len(prof.p), size=n, p=prof.p)
    u = rng.random(n)
    lo = prof.starts[period]
    span = prof.ends[period] - lo
    return np.sort(day * DAY + lo + u * span).tolist()


def slot_starts(cfg: Appointments, cal: Calendar) -> list[float]:
    """Slot start clock times in [open, close - slot] whose slot does not overlap a break."""
    out = []
    s = cal.open_min
    while s <= cal.close_min - cfg.slot + 1e-9:
        if all(s + cfg.slot <= a or s >= b for a, b in cal.breaks):
            out.append(s)
        s += cfg.slot
    return out


@dataclass(frozen=True)
class Booking:
    """One booking: its slot, and when the car arrives (None: a no-show, or a cancellation
    for lateness)."""

    slot: float
    arrival: float | None


def day_bookings(
    cfg: Appointments,
    cal: Calendar,
    day: int,
    rng: np.random.Generator,
    lateness: Sampler,
    slots: list[float] | None = None,
    per_day: float | None = None,
) -> list[Booking]:
    """The bookings of one open day, in slot order (no-shows and cancellations included).

    ``slots``: ``slot_starts(cfg, cal)``, computed once by the caller (the same every day);
    ``per_day``: the day's bookings before rounding, default ``cfg.per_day``.
    """
    slots = slot_starts(cfg, cal) if slots is None else slots
    per_day = cfg.per_day if per_day is None else per_day
    n = round(per_day)
    if n == 0 or not slots:
        return []
    cap = math.ceil(per_day / len(slots))
    n = min(n, cap * len(slots))
    booked = np.sort(rng.choice(cap * len(slots), size=n, replace=False) // cap)
    no_show = rng.random(n) < cfg.no_show
    base = day * DAY
    out = []
    for s, absent in zip(booked.tolist(), no_show.tolist(), strict=True):
        late = lateness()  # drawn for every booking so the stream stays aligned
        slot = base + slots[s]
        comes = not absent and late <= cfg.cancel_after
        out.append(Booking(slot, max(base, slot + late) if comes else None))
    return out
