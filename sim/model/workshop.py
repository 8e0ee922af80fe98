"""Reception with a promised time, routed operations on pools, parts issue, QC, delivery.

A job flows: advisor (booked cars first) -> promise -> for each routed
operation, take all its pools at once -> (first operation) request parts -> labour in working
time -> QC passes with rework -> delivery. Durations are working time: a step that reaches
closing pauses and resumes at the next opening, keeping what it holds.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass

import simpy

from sim.calendar import Calendar
from sim.model.demand import Job
from sim.model.pools import Pools
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
        on_delivered: Callable[[Job], None],
        evented: bool = False,
    ) -> None:
        self.env = env
        # With ``evented``, every step yields a SimPy event even when it needs no waiting
        # (the reference path that the event-free shortcut is tested against).
        self.evented = evented
        self.cal = cal
        self.pools = pools
        self.parts = parts
        self.supply = supply
        self.on_delivered = on_delivered
        ws = scenario.workshop
        self.advisor = (pools.index["advisors"],)
        self.qc = (pools.index["qc"],)
        self.park = ws.stockout == "park"
        self.parts_eta = ws.promise.parts_eta
        self.promise_extra = ws.qc.mean_value() + ws.delivery.mean_value() + ws.promise.buffer
        self.routes = [
            TypeRoute(
                needs=tuple(tuple(pools.index[p] for p in op.uses) for op in jt.route),
                labour_rate=jt.labour_rate,
            )
            for jt in scenario.demand.job_types.values()
        ]
        self.in_workshop = 0

    def start(self, job: Job) -> None:
        """A car has arrived: start its flow.

        When nothing else is due at this instant, the flow starts at once under a
        :class:`_Flow` driver instead of a SimPy process: no initialisation event, no
        completion event, the same order of everything (the evented path is the reference).
        """
        self.in_workshop += 1
        if self._must_yield():
            self.env.process(self.flow(job))
        else:
            _Flow(self.flow(job))

    def _must_yield(self) -> bool:
        """Whether a step that needs no waiting must still yield an event.

        Skipping the event is exact only when nothing else is due at this instant: otherwise
        the evented path would let those events run first, and ties would resolve differently.
        """
        return self.evented or self.env.peek() <= self.env.now

    def _passes(self, pool: tuple[int, ...], minutes: float) -> bool:
        """Whether a zero-length step on ``pool`` can be skipped altogether: a unit is free,
        and taking and giving it back at once would change nothing (see Pools.passes)."""
        return minutes == 0 and self.pools.passes(pool) and not self._must_yield()

    def _work(self, minutes: float) -> simpy.Event | None:
        """The event ending ``minutes`` of working time from now; None when there is nothing
        to wait for (zero minutes, and nothing else due now)."""
        now = self.env.now
        end = self.cal.add(now, minutes)
        if end > now or self._must_yield():
            return self.env.timeout(end - now)
        return None

    def _take(self, needs: tuple[int, ...], priority: int) -> simpy.Event | None:
        """Take one unit of each pool in ``needs``: None when taken at once (and nothing else
        is due now), else the event to wait for (granted from the queue, in order)."""
        if self.pools.try_take(needs):
            if self._must_yield():
                return self.env.timeout(0)  # what the evented path's granted request costs
            return None
        return self.pools.request(needs, priority)

    def flow(self, job: Job) -> Generator[simpy.Event, None, None]:
        """The whole life of one job in the workshop.

        Each step's event is yielded only when there is one (``_take`` and ``_work`` return
        None for a step that completes now), so a step costs no generator of its own.
        """
        env, pools = self.env, self.pools
        take, work = self._take, self._work
        # A car arriving while closed queues for an advisor; the pools serve the queue at the
        # opening, booked cars first.
        if (
            ev := take(self.advisor, PRIORITY_BOOKED if job.booked else PRIORITY_NORMAL)
        ) is not None:
            yield ev
        job.rec_start = env.now
        if (ev := work(job.reception_time)) is not None:
            yield ev
        pools.release(self.advisor)
        job.rec_end = env.now
        self._promise(job)

        route = self.routes[job.type]
        for k, needs in enumerate(route.needs):
            if (ev := take(needs, PRIORITY_NORMAL)) is not None:
                yield ev
            if k == 0:
                job.first_start = env.now
                if job.lines:
                    yield from self._parts(job, needs)
            job.labour_worked += job.labour[k]
            if (ev := work(job.labour[k])) is not None:
                yield ev
            pools.release(needs)
        last = route.needs[-1]
        for r, labour in enumerate(job.rework):
            yield from self._qc(job.qc_times[r])
            if (ev := take(last, PRIORITY_NORMAL)) is not None:
                yield ev
            job.labour_worked += labour
            if (ev := work(labour)) is not None:
                yield ev
            pools.release(last)
        if not self._passes(self.qc, job.qc_times[-1]):
            yield from self._qc(job.qc_times[-1])
        if (ev := work(job.delivery_time)) is not None:
            yield ev
        job.delivery_end = env.now
        self.in_workshop -= 1
        self.on_delivered(job)

    def _qc(self, minutes: float) -> Generator[simpy.Event, None, None]:
        if (ev := self._take(self.qc, PRIORITY_NORMAL)) is not None:
            yield ev
        if (ev := self._work(minutes)) is not None:
            yield ev
        self.pools.release(self.qc)

    def _promise(self, job: Job) -> None:
        """Promise = reception end + standard hours + mean QC + mean delivery + buffer, in
        working time; with parts ETA, no earlier than the same work started at the ETA of a
        part short of available-to-promise. The job then claims its units."""
        work = sum(job.std) + self.promise_extra
        promise = self.cal.add(job.rec_end, work)
        for idx, qty in job.lines:
            part = self.parts[idx]
            if self.parts_eta and qty > part.on_hand - part.claimed:
                promise = max(promise, self.cal.add(self.supply.eta(part), work))
            part.claimed += qty
        job.promise = promise

    def _parts(self, job: Job, needs: tuple[int, ...]) -> Generator[simpy.Event, None, None]:
        """Request every line at the first operation's start; wait for backorders."""
        now = self.env.now
        missing: list[tuple[PartStock, int]] = []
        for idx, qty in job.lines:
            part = self.parts[idx]
            part.claimed -= qty
            got = part.issue(now, job, qty)
            self.supply.on_request(part, qty)
            job.units_requested += qty
            job.units_at_request += got
            if got < qty:
                job.lines_short += 1
                missing.append((part, qty - got))
        job.missing = sum(n for _, n in missing)
        if not missing:
            job.parts_done = now
            return
        self.supply.emergency(job, missing)
        if job.missing == 0:  # filled while ordering (cannot happen with lead times > 0)
            return
        keep = () if self.park else needs[:1]
        give_back = needs[len(keep) :]
        if give_back:
            self.pools.release(give_back)
        job.wait_event = self.env.event()
        yield job.wait_event
        if give_back and (ev := self._take(give_back, PRIORITY_RESUME)) is not None:
            yield ev


class _Flow:
    """Drives a job's flow generator from the callbacks of the events it yields.

    What a SimPy process does for a generator that only ever waits on fresh events that
    succeed, without a process event of its own: a job's flow is never waited on,
    interrupted or failed, so the process event and its scheduling would be pure cost.
    """

    __slots__ = ("_send",)

    def __init__(self, flow: Generator[simpy.Event, None, None]) -> None:
        self._send = flow.send
        self._resume(None)

    def _resume(self, event: simpy.Event | None) -> None:
        try:
            nxt = self._send(None)
        except StopIteration:
            return
        nxt.callbacks.append(self._resume)  # type: ignore[union-attr]
