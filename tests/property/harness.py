"""Running one replication with a watcher on who holds which pool unit; expected arrivals.

:func:`watched_world` builds a :class:`sim.model.world.World` and wraps, on that instance
only, the pool calls the workshop makes (``try_take``, ``request``, ``release``) and each
job's flow, so the units of every pool are attributed to the job whose flow took them (a
unit granted from the queue when its event is processed, just before the job resumes).
The watcher asserts, at every take and release, that a job holds at most one unit of a pool,
only the pools of one step at a time (advisor, QC, one operation's pools, or the space of
its first operation while it waits for parts), and nothing when it is delivered.

:func:`drawn_arrivals` re-draws, from fresh streams, the arrival times a run should show.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Generator
from typing import Any

from sim.calendar import DAY
from sim.model.sources import sources_of
from sim.model.world import World
from sim.scenario import Scenario
from sim.streams import Streams
from tests.flows import RunningJob


class HoldingError(AssertionError):
    """A job held pool units it should not hold."""


class Watcher:
    """Pool units held by each job, checked at every change."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.env = env = world.env
        pools = world.pools
        names = pools.names
        self.names = names
        self.held: dict[int, Counter[int]] = {}  # job id -> pool index -> units
        self.pending: set[Any] = set()  # request events not yet granted
        self.delivered_clean = 0
        self.takes = 0
        adv, qc = pools.index["advisors"], pools.index["qc"]
        self.allowed: list[set[frozenset[int]]] = []
        for jt in world.scenario.demand.job_types.values():
            steps = [frozenset(pools.index[p] for p in op.uses) for op in jt.route]
            first_space = frozenset({pools.index[jt.route[0].uses[0]]})
            self.allowed.append(
                {frozenset(), frozenset({adv}), frozenset({qc}), first_space, *steps}
            )

        orig_try_take, orig_request, orig_release = pools.try_take, pools.request, pools.release
        orig_flow = world.workshop.flow

        def try_take(needs: tuple[int, ...], now: float) -> bool:
            ok = orig_try_take(needs, now)
            if ok:
                self._add(self.running.job, needs)
            return ok

        def request(needs: tuple[int, ...], priority: int) -> Any:
            ev = orig_request(needs, priority)  # an immediate grant went through try_take
            if not ev.triggered:
                # However the pools grant it later (a release, the opening), the units are
                # the requester's from then on; this callback runs before the job resumes.
                job = self.running.job
                self.pending.add(ev)
                ev.callbacks.append(lambda e: self._granted(e, job, needs))
            return ev

        def release(needs: tuple[int, ...], now: float) -> None:
            self._remove(self.running.job, needs)
            orig_release(needs, now)

        def flow(job: Any) -> Generator[Any, Any, None]:
            self.held[job.id] = Counter()
            yield from orig_flow(job)
            # The flow ends at the last QC pass; the delivery (no pool) is stamped then, if
            # it is due before the run's end.
            if +self.held[job.id]:
                raise HoldingError(
                    f"job {job.id} left QC at {env.now} still holding "
                    f"{self._named(self.held[job.id])}"
                )
            if not math.isnan(job.delivery_end):
                self.delivered_clean += 1

        pools.try_take, pools.request, pools.release = try_take, request, release
        world.workshop.flow = flow
        self.running = RunningJob(world)  # wraps the checked flow: job set while it runs

    def _named(self, c: Counter[int]) -> dict[str, int]:
        return {self.names[i]: n for i, n in c.items() if n}

    def _job(self, job: Any) -> Any:
        if job is None:
            raise HoldingError(f"pool change at {self.env.now} outside any job's flow")
        return job

    def _add(self, job: Any, needs: tuple[int, ...]) -> None:
        job = self._job(job)
        held = self.held[job.id]
        self.takes += 1
        for i in needs:
            held[i] += 1
            if held[i] > 1:
                raise HoldingError(f"job {job.id} holds two units of {self.names[i]}")
        if not job.arrival <= self.env.now:
            raise HoldingError(f"job {job.id} took a pool before it arrived")
        if not job.delivery_end != job.delivery_end:  # NaN until delivered
            raise HoldingError(f"job {job.id} took a pool after its delivery")
        now_held = frozenset(i for i, n in held.items() if n)
        if now_held not in self.allowed[job.type]:
            raise HoldingError(
                f"job {job.id} (type {job.type}) holds {self._named(held)} at {self.env.now}, "
                "not the pools of one step"
            )

    def _granted(self, ev: Any, job: Any, needs: tuple[int, ...]) -> None:
        self.pending.discard(ev)
        self._add(job, needs)

    def _remove(self, job: Any, needs: tuple[int, ...]) -> None:
        job = self._job(job)
        held = self.held[job.id]
        for i in needs:
            if held[i] < 1:
                raise HoldingError(f"job {job.id} released {self.names[i]} it did not hold")
            held[i] -= 1

    def busy(self) -> list[int]:
        """Units of each pool held by jobs, by the watcher's count."""
        out = [0] * len(self.names)
        for c in self.held.values():
            for i, n in c.items():
                out[i] += n
        return out


def watched_world(scenario: Scenario, replication: int) -> tuple[World, Watcher]:
    """Build, watch and run one traced replication."""
    world = World(scenario, replication, trace=True)
    watcher = Watcher(world)
    world.run()
    return world, watcher


def drawn_arrivals(world: World) -> list[tuple[float, bool]]:
    """Arrival times drawn by the demand streams (each source's bookings and walk-ins) with
    ``booked``, re-drawn from fresh streams."""
    sc = world.scenario
    streams = Streams(sc.run.seed, world.replication)
    out: list[tuple[float, bool]] = []
    sources = sources_of(sc, world.cal, streams, world.cat)
    day = 0
    while day * DAY < world.end:
        if world.cal.is_open_day(day):
            for src in sources:
                booked, walk = src.day_times(world.cal, day, ahead_too=True)
                out += [(float(t), True) for t in booked]
                out += [(float(t), False) for t in walk]
        day += 1
    return sorted(x for x in out if x[0] < world.end)
