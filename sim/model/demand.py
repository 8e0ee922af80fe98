"""Arrivals (walk-ins and appointments) and the job attributes drawn when a car arrives.

Every random attribute of a job is drawn at arrival, each from its own named stream, in
arrival order. Supply settings never touch these streams, so two policies compared in the
same replication see the same cars with the same work (common random numbers).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, Generator
from dataclasses import dataclass
from heapq import heappop, heappush

import numpy as np
import simpy

from sim.calendar import DAY, Calendar
from sim.catalogue import Catalogue
from sim.distributions import Sampler, uniform_sampler
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
    pick: Sampler
    eligible: list[int]
    cum_weight: list[float]
    qc_fail: float
    comeback: float
    attached: list[tuple[int, float, float, Sampler, Sampler]]  # kind, p, margin, u, value
    no_lines: bool  # the line count is constantly 0 (nothing to draw: its stream serves it alone)
    qty_constant: int | None  # every line's quantity when it is a constant (draws nothing)


def eligible_parts(cat: Catalogue, type_name: str) -> np.ndarray:
    """Indices of parts a job of this type may use (positive weight, type allowed)."""
    ok = [
        i
        for i, jt in enumerate(cat.job_types)
        if cat.weight[i] > 0 and (jt is None or type_name in jt)
    ]
    return np.array(ok, dtype=np.int64)


class JobFactory:
    """Draws a job's type and attributes from the named streams, in arrival order."""

    def __init__(self, scenario: Scenario, streams: Streams, cat: Catalogue) -> None:
        jts = scenario.demand.job_types
        self.type_names = list(jts)
        self._cum_share = list(np.cumsum([jt.share for jt in jts.values()]))
        self._type_u = uniform_sampler(streams["job.type"])
        ws = scenario.workshop
        self._reception = ws.reception.sampler(streams["job.reception"])
        self._qc_time = ws.qc.sampler(streams["job.qc_time"])
        self._delivery = ws.delivery.sampler(streams["job.delivery"])
        self._qc_u = uniform_sampler(streams["job.qc_fail"])
        self._comeback_u = uniform_sampler(streams["job.comeback"])
        self._types = [self._type_draws(n, jt, streams, cat) for n, jt in jts.items()]
        self._next_id = 0

    @staticmethod
    def _type_draws(name: str, jt: JobType, streams: Streams, cat: Catalogue) -> _TypeDraws:
        n_ops = len(jt.route)
        last = n_ops - 1
        elig = eligible_parts(cat, name)
        w = cat.weight[elig]
        return _TypeDraws(
            hours=[jt.op_hours(i).sampler(streams[f"job.hours.{name}.{i}"]) for i in range(n_ops)],
            efficiency=[
                jt.op_efficiency(i).sampler(streams[f"job.efficiency.{name}.{i}"])
                for i in range(n_ops)
            ],
            rework_hours=jt.op_hours(last).sampler(streams[f"job.rework_hours.{name}"]),
            rework_efficiency=jt.op_efficiency(last).sampler(streams[f"job.rework_eff.{name}"]),
            rework_share=jt.rework_share,
            lines=jt.parts.lines.sampler(streams[f"job.lines.{name}"]),
            qty=jt.parts.qty.sampler(streams[f"job.qty.{name}"]),
            pick=uniform_sampler(streams[f"job.parts.{name}"]),
            eligible=elig.tolist(),
            cum_weight=(np.cumsum(w) / w.sum()).tolist() if len(w) else [],
            qc_fail=jt.qc_fail,
            comeback=jt.comeback,
            attached=[
                (
                    ATTACHED.index(kind),
                    sale.probability,
                    sale.margin,
                    uniform_sampler(streams[f"job.attached.{kind}.{name}"]),
                    sale.value.sampler(streams[f"job.attached_value.{kind}.{name}"]),
                )
                for kind, sale in jt.attached.items()
            ],
            no_lines=len(elig) == 0
            or (jt.parts.lines.dist == "constant" and jt.parts.lines.value == 0),
            qty_constant=max(1, int(jt.parts.qty.value))  # type: ignore[arg-type]
            if jt.parts.qty.dist == "constant"
            else None,
        )

    def make(self, arrival: float, booked: bool) -> Job:
        """A new job arriving now, with every attribute drawn."""
        types = self._types
        if len(types) == 1:
            t = 0  # nothing to draw: the job.type stream serves only this choice
        else:
            t = min(bisect_right(self._cum_share, self._type_u()), len(types) - 1)
        d = types[t]
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
            self._next_id,
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
        self._next_id += 1
        return job

    @staticmethod
    def _pick_lines(d: _TypeDraws) -> tuple[tuple[int, int], ...]:
        n = min(int(d.lines()), len(d.eligible))
        if n <= 0:
            return ()
        chosen: list[int] = []
        cum, elig, pick = d.cum_weight, d.eligible, d.pick
        last = len(elig) - 1
        tries = 0
        while len(chosen) < n:
            j = bisect_right(cum, pick())
            part = elig[j if j < last else last]
            tries += 1
            if part in chosen:
                if tries > 50 * n:  # nearly all weight taken: fill deterministically
                    chosen += [p for p in elig if p not in chosen][: n - len(chosen)]
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
) -> list[float]:
    """Walk-in arrival times of one open day: Poisson count over the piecewise-constant profile
    (``profile``: ``walk_in_profile(cfg, cal)``, computed once by the caller)."""
    n = int(rng.poisson(cfg.per_day))
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
    no_show: bool


def day_bookings(
    cfg: Appointments,
    cal: Calendar,
    day: int,
    rng: np.random.Generator,
    lateness: Sampler,
    slots: list[float] | None = None,
) -> list[Booking]:
    """The bookings of one open day, in slot order (no-shows and cancellations included).

    ``slots``: ``slot_starts(cfg, cal)``, computed once by the caller (the same every day).
    """
    slots = slot_starts(cfg, cal) if slots is None else slots
    n = round(cfg.per_day)
    if n == 0 or not slots:
        return []
    cap = math.ceil(cfg.per_day / len(slots))
    n = min(n, cap * len(slots))
    booked = np.sort(rng.choice(cap * len(slots), size=n, replace=False) // cap)
    no_show = rng.random(n) < cfg.no_show
    base = day * DAY
    out = []
    for s, absent in zip(booked.tolist(), no_show.tolist(), strict=True):
        late = lateness()  # drawn for every booking so the stream stays aligned
        slot = base + slots[s]
        comes = not absent and late <= cfg.cancel_after
        out.append(Booking(slot, max(base, slot + late) if comes else None, absent))
    return out


def appointment_times(
    cfg: Appointments,
    cal: Calendar,
    day: int,
    rng: np.random.Generator,
    lateness: Sampler,
    slots: list[float] | None = None,
) -> tuple[list[float], int, int]:
    """Booked arrivals of one open day: (arrival times, no-shows, cancellations)."""
    bookings = day_bookings(cfg, cal, day, rng, lateness, slots)
    times = sorted(b.arrival for b in bookings if b.arrival is not None)
    no_show = sum(b.no_show for b in bookings)
    return times, no_show, len(bookings) - len(times) - no_show


def arrivals(
    env: simpy.Environment,
    scenario: Scenario,
    cal: Calendar,
    streams: Streams,
    factory: JobFactory,
    start_job: Callable[[Job], None],
    end: float,
    on_booking: Callable[[Job], None] | None = None,
    on_abandon: Callable[[Job], None] | None = None,
    pending: list[tuple[float, int, int, object]] | None = None,
) -> Generator[simpy.Event, None, None]:
    """The arrival process: each open day's appointments and walk-ins, merged in time order.

    With ``appointments.booked_ahead``, every booking of the run is drawn at the start (day
    by day, the same draws as without it) and made at its slot less a drawn lead (not before
    time 0): the job is drawn then and ``on_booking`` hears of it; a car that will not come
    is ``on_abandon``'d at slot + ``cancel_after``. Without it a booked job is drawn when
    its car arrives, as in Round 1. ``pending`` (the caller's empty list) holds what is
    still to come, so that the caller can let go of it when the run ends.
    """
    wi, ap = scenario.demand.walk_ins, scenario.demand.appointments
    wi_rng, ap_rng = streams["arrivals.walk_ins"], streams["arrivals.appointments"]
    lateness = ap.lateness.sampler(streams["arrivals.lateness"]) if ap else None
    wi_profile = walk_in_profile(wi, cal) if wi is not None else None
    ap_slots = slot_starts(ap, cal) if ap is not None else None
    books = ap is not None and ap.per_day > 0
    ahead = books and ap.ahead  # type: ignore[union-attr]
    # Cars of every generated day wait in one heap, so a late booking that spills past
    # midnight does not hold back the next day's earlier cars. Entries: (time, kind, seq,
    # payload); at one instant bookings are made, then booked cars arrive, then walk-ins.
    pending = [] if pending is None else pending
    seq = 0

    def push(t: float, kind: int, payload: object = None) -> None:
        nonlocal seq
        heappush(pending, (t, kind, seq, payload))
        seq += 1

    if ahead:
        draw_ahead = ap.booked_ahead.sampler(streams["arrivals.booked_ahead"])  # type: ignore[union-attr]
        # Bookings made before the end for slots after it are made too (their parts are
        # ordered in the run); these days' draws come after the run's, which they leave as
        # they are. An unbounded lead looks ten mean leads past the end.
        reach = ap.booked_ahead.support_max()  # type: ignore[union-attr]
        if reach == math.inf:
            reach = 10 * ap.booked_ahead.mean_value()  # type: ignore[union-attr]
        day = 0
        while day * DAY < end + reach:
            if cal.is_open_day(day):
                for b in day_bookings(ap, cal, day, ap_rng, lateness, ap_slots):  # type: ignore[arg-type]
                    push(max(0.0, b.slot - draw_ahead()), BOOK, b)
            day += 1

    def release(until: float) -> Generator[simpy.Event, None, None]:
        """Act on every pending event before ``until`` (and before the end)."""
        until = min(until, end)
        while pending and pending[0][0] < until:
            t, kind, _, payload = heappop(pending)
            now = env.now
            if t > now:
                yield env.timeout(t - now)
                now = env.now
            if kind == BOOK:
                b: Booking = payload  # type: ignore[assignment]
                job = factory.make(b.slot, True)
                if on_booking is not None:
                    on_booking(job)
                if b.arrival is not None:
                    push(b.arrival, BOOKED, job)
                else:
                    push(b.slot + ap.cancel_after, ABANDON, job)  # type: ignore[union-attr]
            elif kind == BOOKED:
                job = payload if payload is not None else factory.make(now, True)  # type: ignore[assignment]
                job.arrival = now
                start_job(job)
            elif kind == WALK_IN:
                start_job(factory.make(now, False))
            elif on_abandon is not None:
                on_abandon(payload)  # type: ignore[arg-type]

    day = 0
    while day * DAY < end:
        if cal.is_open_day(day):
            if books and not ahead:
                times, _, _ = appointment_times(ap, cal, day, ap_rng, lateness, ap_slots)  # type: ignore[arg-type]
                for t in times:
                    push(t, BOOKED)
            if wi is not None and wi.per_day > 0:
                for t in walk_in_times(wi, cal, day, wi_rng, wi_profile):
                    push(t, WALK_IN)
        day += 1
        yield from release(day * DAY)
        if env.now < day * DAY < end:
            yield env.timeout(day * DAY - env.now)
    yield from release(end)  # bookings that spilled past the last generated day


BOOK, BOOKED, WALK_IN, ABANDON = 0, 1, 2, 3  # pending arrival events, in their order at a tie
