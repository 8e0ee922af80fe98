"""Sources of cars (walk-ins, bookings, each demand event) and the arrival process.

Each source draws its arrival times and every attribute of its jobs from its own family of
streams (``walk_ins.*``, ``bookings.*``, ``event.<name>.*``), so adding an event or changing
one source's rate leaves every other source's cars exactly as they were. ``arrivals`` merges
the sources' cars in time order.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from heapq import heappop, heappush

import numpy as np
import simpy

from sim.calendar import DAY, Calendar
from sim.catalogue import Catalogue
from sim.distributions import Sampler
from sim.model.demand import (
    Booking,
    Job,
    JobFactory,
    WalkInProfile,
    day_bookings,
    slot_starts,
    walk_in_profile,
    walk_in_times,
)
from sim.scenario import Appointments, DemandEvent, Scenario, WalkIns
from sim.streams import Streams

WALK_INS, BOOKINGS = "walk_ins", "bookings"


@dataclass
class Source:
    """One source of cars: its job factory, and its walk-ins and bookings per day.

    ``walk_rate(day)`` and ``book_rate(day)`` are the day's expected walk-ins and bookings
    before rounding (0: none, and nothing is drawn); ``walk_ins`` and ``appointments`` give
    the profile and the slot rules.
    """

    name: str
    factory: JobFactory
    walk_ins: WalkIns | None
    appointments: Appointments | None
    walk_rate: Callable[[int], float]
    book_rate: Callable[[int], float]
    walk_rng: np.random.Generator | None = None
    book_rng: np.random.Generator | None = None
    lateness: Sampler | None = None
    ahead: Sampler | None = None  # with booked_ahead: the lead of each booking
    profile: WalkInProfile | None = None
    slots: list[float] | None = None

    def day_times(
        self, cal: Calendar, day: int, ahead_too: bool = False
    ) -> tuple[list[float], list[float]]:
        """Booked arrivals and walk-ins of open day ``day``; the booked arrivals only without
        ``booked_ahead`` (they are drawn at the start then), unless ``ahead_too``."""
        booked: list[float] = []
        walk: list[float] = []
        if self.ahead is None or ahead_too:
            bookings = self.bookings_ahead(cal, day)
            booked = sorted(b.arrival for b in bookings if b.arrival is not None)
        rate = self.walk_rate(day)
        if rate > 0:
            assert self.walk_ins is not None and self.walk_rng is not None  # wired: _wire
            walk = walk_in_times(self.walk_ins, cal, day, self.walk_rng, self.profile, rate)
        return booked, walk

    def bookings_ahead(self, cal: Calendar, day: int) -> list[Booking]:
        """The bookings of open day ``day`` (no-shows and cancellations included)."""
        rate = self.book_rate(day)
        if rate <= 0:
            return []
        ap, rng, lateness = self.appointments, self.book_rng, self.lateness
        assert ap is not None and rng is not None and lateness is not None  # wired: _wire
        return day_bookings(ap, cal, day, rng, lateness, self.slots, rate)

    def reach(self) -> float:
        """How far past the end bookings made before it may lie (booked_ahead only)."""
        assert self.appointments is not None
        d = self.appointments.booked_ahead
        reach = d.support_max()
        return 10 * d.mean_value() if reach == math.inf else reach


def _never(day: int) -> float:
    return 0.0


def _while(event: DemandEvent, rate: float) -> Callable[[int], float]:
    """``rate`` on the days ``event`` covers, else 0."""

    def on(day: int) -> float:
        return rate if event.covers(day) else 0.0

    return on


def sources_of(
    scenario: Scenario,
    cal: Calendar,
    streams: Streams,
    cat: Catalogue,
    ids: Iterator[int] | None = None,
) -> list[Source]:
    """The scenario's sources of cars, each with its own streams: walk-ins, bookings, then
    each demand event in order. ``ids`` numbers the jobs of every source."""
    dem = scenario.demand
    ids = itertools.count() if ids is None else ids
    k = scenario.weekday_offset
    factors = dem.factors_by_weekday()
    by_day = [factors[(d + k) % 7] for d in range(7)]  # by day of the model's week
    plain = all(f == 1.0 for f in factors)
    wi, ap = dem.walk_ins, dem.appointments
    out: list[Source] = []
    if wi is not None and wi.per_day > 0:
        per = wi.per_day
        src = Source(
            WALK_INS,
            JobFactory(scenario, streams, cat, f"{WALK_INS}.", ids=ids),
            wi,
            None,
            (lambda day: per) if plain else (lambda day: per * by_day[day % 7]),
            _never,
        )
        _wire(src, cal, streams)
        out.append(src)
    if ap is not None and ap.per_day > 0:
        per_b = ap.per_day
        src = Source(
            BOOKINGS,
            JobFactory(scenario, streams, cat, f"{BOOKINGS}.", ids=ids),
            None,
            ap,
            _never,
            (lambda day: per_b) if plain else (lambda day: per_b * by_day[day % 7]),
        )
        _wire(src, cal, streams)
        out.append(src)
    for ev in dem.events:
        if ev.extra_per_day <= 0:
            continue
        name = f"event.{ev.name}"
        walk = ev.extra_per_day * (1 - ev.booked_share)
        book = ev.extra_per_day * ev.booked_share
        src = Source(
            name,
            JobFactory(scenario, streams, cat, f"{name}.", only=ev.job_type, ids=ids),
            WalkIns(per_day=walk, profile=wi.profile if wi is not None else None),
            ap if ap is not None else Appointments(per_day=0),
            _while(ev, walk) if walk > 0 else _never,
            _while(ev, book) if book > 0 else _never,
        )
        _wire(src, cal, streams)
        out.append(src)
    return out


def _wire(src: Source, cal: Calendar, streams: Streams) -> None:
    """Give a source its arrival streams, profile and slots."""
    p = src.name
    if src.walk_ins is not None and src.walk_rate is not _never:
        src.walk_rng = streams[f"{p}.arrivals"]
        src.profile = walk_in_profile(src.walk_ins, cal)
    ap = src.appointments
    if ap is not None and src.book_rate is not _never:
        src.book_rng = streams[f"{p}.slots"]
        src.lateness = ap.lateness.sampler(streams[f"{p}.lateness"])
        src.slots = slot_starts(ap, cal)
        if ap.ahead:
            src.ahead = ap.booked_ahead.sampler(streams[f"{p}.booked_ahead"])


# Something the arrival process will do, in the heap's (time, kind, seq) order: (time, kind,
# seq, source, booking, job). ``kind``: BOOK, BOOKED, WALK_IN or ABANDON, their order at a
# tie; ``seq`` is unique, so the order never looks further. BOOK: ``source`` makes
# ``booking``. BOOKED: a booked car arrives, its ``job`` drawn at the booking, else drawn now
# from ``source``. WALK_IN: a car of ``source``. ABANDON: the booked ``job``'s car never
# came. A plain tuple, always unpacked into these names: as a NamedTuple its construction
# cost 1.3 % of a run's simulation (one per car and booking).
Pending = tuple[float, int, int, Source | None, Booking | None, Job | None]


def arrivals(
    env: simpy.Environment,
    sources: list[Source],
    cal: Calendar,
    start_job: Callable[[Job], None],
    end: float,
    on_booking: Callable[[Job], None] | None = None,
    on_abandon: Callable[[Job], None] | None = None,
    pending: list[Pending] | None = None,
) -> Generator[simpy.Event, None, None]:
    """The arrival process: each open day's bookings and walk-ins of every source, merged in
    time order.

    With ``appointments.booked_ahead``, every booking of the run is drawn at the start (day
    by day and source by source, the same draws as without it) and made at its slot less a
    drawn lead (not before time 0): the job is drawn then and ``on_booking`` hears of it; a
    car that will not come is ``on_abandon``'d at slot + ``cancel_after``. Without it a
    booked job is drawn when its car arrives. ``pending`` (the caller's empty list) holds
    what is still to come, so that the caller can let go of it when the run ends.
    """
    # Cars of every generated day wait in one heap, so a late booking that spills past
    # midnight does not hold back the next day's earlier cars. At one instant bookings are
    # made, then booked cars arrive, then walk-ins.
    pending = [] if pending is None else pending
    seq = 0

    def push(
        t: float,
        kind: int,
        source: Source | None = None,
        booking: Booking | None = None,
        job: Job | None = None,
    ) -> None:
        nonlocal seq
        heappush(pending, (t, kind, seq, source, booking, job))
        seq += 1

    for src in sources:
        if src.ahead is None:
            continue
        # Bookings made before the end for slots after it are made too (their parts are
        # ordered in the run); these days' draws come after the run's, which they leave as
        # they are.
        reach = src.reach()
        day = 0
        while day * DAY < end + reach:
            if cal.is_open_day(day):
                for b in src.bookings_ahead(cal, day):
                    push(max(0.0, b.slot - src.ahead()), BOOK, src, b)
            day += 1

    def release(until: float) -> Generator[simpy.Event, None, None]:
        """Act on every pending event before ``until`` (and before the end)."""
        until = min(until, end)
        while pending:
            t, kind, _, src, b, job = pending[0]
            if t >= until:
                break
            heappop(pending)
            now = env.now
            if t > now:
                yield env.timeout(t - now)
                now = env.now
            if kind == BOOK:
                assert src is not None and b is not None and src.appointments is not None
                job = src.factory.make(b.slot, True)
                if on_booking is not None:
                    on_booking(job)
                if b.arrival is not None:
                    push(b.arrival, BOOKED, job=job)
                else:
                    push(b.slot + src.appointments.cancel_after, ABANDON, job=job)
            elif kind == BOOKED:
                if job is not None:  # drawn at its booking
                    job.arrival = now
                else:
                    assert src is not None
                    job = src.factory.make(now, True)
                start_job(job)
            elif kind == WALK_IN:
                assert src is not None
                start_job(src.factory.make(now, False))
            elif on_abandon is not None:
                assert job is not None
                on_abandon(job)

    day = 0
    while day * DAY < end:
        if cal.is_open_day(day):
            for src in sources:
                booked, walk = src.day_times(cal, day)
                for t in booked:
                    push(t, BOOKED, src)
                for t in walk:
                    push(t, WALK_IN, src)
        day += 1
        yield from release(day * DAY)
        if env.now < day * DAY < end:
            yield env.timeout(day * DAY - env.now)
    yield from release(end)  # bookings that spilled past the last generated day


BOOK, BOOKED, WALK_IN, ABANDON = 0, 1, 2, 3  # pending arrival events, in their order at a tie
