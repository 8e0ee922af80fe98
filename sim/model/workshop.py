"""Reception with a promised time, routed operations on pools, parts issue, QC, delivery.

A job flows: advisor (booked cars first) -> promise -> for each routed
operation, take all its pools at once -> (first operation) request parts -> labour in working
time -> QC passes with rework -> delivery. Durations are working time: a step that reaches
closing pauses and resumes at the next opening, keeping what it holds.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import dataclass

import simpy

from sim.calendar import Calendar
from sim.model.demand import Job
from sim.model.driver import Driver
from sim.model.pools import Pools
from sim.model.promise import Promises
from sim.model.stock import PartStock
from sim.model.supply import Supply
from sim.scenario import Scenario

PRIORITY_BOOKED = 0
PRIORITY_RESUME = 0  # a job whose parts arrived retakes its pools before new work
PRIORITY_NORMAL = 1


@dataclass(frozen=True)
class TypeRoute:
    """Pool indices of one job type's route, and its price."""

    needs: tuple[tuple[int, ...], ...]
    labour_rate: float


class Workshop:
    """The workshop processes of one replication."""

    def __init__(
        self,
        env: simpy.Environment,
        scenario: Scenario,
        cal: Calendar,
        pools: Pools,
        parts: list[PartStock],
        supply: Supply,
        jobs: list[Job],
        evented: bool = False,
        end: float = math.inf,
    ) -> None:
        self.env = env
        self.end = end  # the run stops here: events at or after it are never processed
        self.t0, self.t1 = scenario.run.warmup, scenario.run.warmup + scenario.run.horizon
        # With ``evented``, every step yields a SimPy event even when it needs no waiting
        # (the reference path that the event-free shortcut is tested against).
        self.evented = evented
        self.cal = cal
        self.pools = pools
        self.parts = parts
        self.supply = supply
        self.jobs = jobs  # every job that arrived, in arrival order (appended by ``start``)
        self.delivered = 0
        ws = scenario.workshop
        self.advisor = (pools.index["advisors"],)
        self.qc = (pools.index["qc"],)
        self.park = ws.stockout == "park"
        self.routes = [
            TypeRoute(
                needs=tuple(tuple(pools.index[p] for p in op.uses) for op in jt.route),
                labour_rate=jt.labour_rate,
            )
            for jt in scenario.demand.job_types.values()
        ]
        needs = [r.needs for r in self.routes]
        self.promises = Promises(scenario, cal, pools, parts, supply, needs)
        self.board = self.promises.board  # None unless the workload rule keeps one
        self.in_workshop = 0
        # Per pool, operations (rework included) that took it as their first pool in the
        # window: minutes from the request to the grant, and how many.
        self.op_wait = [0.0] * len(pools.names)
        self.op_waits = [0] * len(pools.names)

    def start(self, job: Job) -> None:
        """A car has arrived: record it and start its flow.

        The flow runs under a :class:`~sim.model.driver.Driver` (a process without a process
        event), started at once, when nothing else is due at this instant; else as a SimPy
        process, started by its urgent initialisation event like any process. The evented
        path (the reference) uses SimPy processes throughout.
        """
        self.jobs.append(job)
        self.in_workshop += 1
        env = self.env
        if self.evented or env.peek() <= env.now:
            env.process(self.flow(job))
        else:
            Driver.start(self.flow(job))

    def _must_yield(self, now: float) -> bool:
        """Whether a step that needs no waiting must still yield an event at ``now`` (the
        current time).

        Skipping the event is exact only when nothing else is due at this instant: otherwise
        the evented path would let those events run first, and ties would resolve differently.
        """
        return self.evented or self.env.peek() <= now

    def _work(self, minutes: float, now: float) -> simpy.Event | None:
        """The event ending ``minutes`` of working time from ``now``; None when there is
        nothing to wait for (zero minutes, and nothing else due now)."""
        end = self.cal.add(now, minutes) if minutes > 0 else now
        if end > now or self._must_yield(now):
            return self.env.timeout(end - now)
        return None

    def _take(self, needs: tuple[int, ...], priority: int, now: float) -> simpy.Event | None:
        """Take one unit of each pool in ``needs``: None when taken at once (and nothing else
        is due now), else the event to wait for (granted from the queue, in order)."""
        if self.pools.try_take(needs, now):
            if self._must_yield(now):
                return self.env.timeout(0)  # what the evented path's granted request costs
            return None
        return self.pools.request(needs, priority)

    def flow(self, job: Job) -> Generator[simpy.Event, None, None]:
        """The whole life of one job in the workshop.

        Each step's event is yielded only when there is one (``_take`` and ``_work`` return
        None for a step that completes now), so a step costs no generator of its own. Time
        moves only at a yield, so ``now`` is read once after each.
        """
        env, pools, cal = self.env, self.pools, self.cal
        peek, evented, board = env.peek, self.evented, self.board
        now = env.now
        # A car arriving while closed queues for an advisor; the pools serve the queue at the
        # opening, booked cars first. A zero-length reception with an advisor free passes
        # (Pools.passes), unless something else is due now.
        if (
            job.reception_time == 0
            and not evented
            and pools.passes(self.advisor, now)
            and peek() > now
        ):
            job.rec_start = job.rec_end = now
        else:
            priority = PRIORITY_BOOKED if job.booked else PRIORITY_NORMAL
            if (ev := self._take(self.advisor, priority, now)) is not None:
                yield ev
                now = env.now
            job.rec_start = now
            if (ev := self._work(job.reception_time, now)) is not None:
                yield ev
                now = env.now
            pools.release(self.advisor, now)
            job.rec_end = now
        if job.lines and job.special is None:
            self.supply.order_for_job(job)  # the work order lists its non-stock parts
        self.promises.make(job)

        route = self.routes[job.type]
        t0, t1, op_wait, op_waits = self.t0, self.t1, self.op_wait, self.op_waits
        for k, needs in enumerate(route.needs):
            asked = now
            if (ev := self._take(needs, PRIORITY_NORMAL, now)) is not None:
                yield ev
                now = env.now
            if t0 <= now < t1:
                op_wait[needs[0]] += now - asked
                op_waits[needs[0]] += 1
            if board is not None:
                board.started(job, k, needs, now)
            if k == 0:
                job.first_start = now
                if job.lines and self._request_parts(job, now):
                    yield from self._wait_parts(job, needs, now)
                    now = env.now
            minutes = job.labour[k]
            job.labour_worked += minutes
            if (ev := self._work(minutes, now)) is not None:
                yield ev
                now = env.now
            pools.release(needs, now)
            if board is not None:
                board.released(job, needs)
        qc = self.qc
        if job.rework:
            last = route.needs[-1]
            for r, labour in enumerate(job.rework):
                yield from self._qc(job.qc_times[r])
                now = env.now
                asked = now
                if (ev := self._take(last, PRIORITY_NORMAL, now)) is not None:
                    yield ev
                    now = env.now
                if t0 <= now < t1:
                    op_wait[last[0]] += now - asked
                    op_waits[last[0]] += 1
                if board is not None:
                    board.serve(job, last, job.rework_std[r], now)
                job.labour_worked += labour
                if (ev := self._work(labour, now)) is not None:
                    yield ev
                    now = env.now
                pools.release(last, now)
                if board is not None:
                    board.released(job, last)
        minutes = job.qc_times[-1]
        if minutes != 0 or evented or not pools.passes(qc, now) or peek() <= now:
            yield from self._qc(minutes)
            now = env.now
        if evented:
            ev = self._work(job.delivery_time, now)
            assert ev is not None  # evented: every step has its event
            yield ev
            self._delivered(job, env.now)
            return
        # Delivery holds no pool, and nothing reads a job's stamps or the counters before
        # the run ends: its end is computed, not waited for. The time is the one SimPy would
        # give a timeout of (end - now), and a delivery due at or after the run's end is not
        # made, as that timeout would never be processed.
        minutes = job.delivery_time
        end = cal.add(now, minutes) if minutes > 0 else now
        t = now + (end - now)
        if t < self.end:
            self._delivered(job, t)

    def _delivered(self, job: Job, t: float) -> None:
        job.delivery_end = t
        if job.special:
            job.special = ()  # its orders keep the job, not the other way round: no cycle
        self.in_workshop -= 1
        self.delivered += 1

    def _qc(self, minutes: float) -> Generator[simpy.Event, None, None]:
        """One QC pass: take the QC pool, work ``minutes``, give it back."""
        env = self.env
        if (ev := self._take(self.qc, PRIORITY_NORMAL, env.now)) is not None:
            yield ev
        if (ev := self._work(minutes, env.now)) is not None:
            yield ev
        self.pools.release(self.qc, env.now)

    def _request_parts(self, job: Job, now: float) -> bool:
        """Request every line at the first operation's start; True if the job must wait
        for backorders (emergency orders placed)."""
        missing: list[tuple[PartStock, int]] = []
        parts, on_request = self.parts, self.supply.on_request
        requested = at_request = 0
        in_window = self.t0 <= now < self.t1
        for idx, qty in job.lines:
            part = parts[idx]
            if part.stocked:
                part.claimed -= qty
            got = part.issue(now, job, qty)
            on_request(part, qty)
            requested += qty
            at_request += got
            if in_window:
                part.w_lines += 1
                part.w_requested += qty
                part.w_available += got
            if got < qty:
                missing.append((part, qty - got))
                if in_window:
                    part.w_short += 1
        job.units_requested += requested
        job.units_at_request += at_request
        job.lines_short += len(missing)
        job.missing = sum(n for _, n in missing)
        if not missing:
            job.parts_done = now
            return False
        self.supply.emergency(job, missing)
        return job.missing > 0  # 0: filled while ordering (cannot happen with lead times > 0)

    def _wait_parts(
        self, job: Job, needs: tuple[int, ...], now: float
    ) -> Generator[simpy.Event, None, None]:
        """Wait for the backordered units, holding the space pool (or nothing when parked)."""
        keep = () if self.park else needs[:1]
        give_back = needs[len(keep) :]
        if give_back:
            self.pools.release(give_back, now)
        board = self.board
        if board is not None:
            board.wait_parts(job, keep, give_back)
        job.wait_event = self.env.event()
        yield job.wait_event
        if give_back and (ev := self._take(give_back, PRIORITY_RESUME, self.env.now)) is not None:
            yield ev
        if board is not None:  # labour starts now
            board.serve(job, needs, job.std[0], self.env.now)
