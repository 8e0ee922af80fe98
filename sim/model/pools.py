"""Resource pools (advisors, QC, bays, technicians) with all-at-once acquisition.

A step takes every pool it uses at the same instant, waiting until each has a free unit, so
a car never holds a bay while it waits for a technician. Waiting requests are served first-fit
in (priority, arrival) order: whenever a unit is freed, the queue is scanned in that order and
every request whose pools are all free is granted. Lower priority numbers go first.

Nothing is granted outside working time: a request made, or a unit freed, while the workshop
is closed waits for the next opening, when the queue is served in order. So a walk-in queued
at a break does not take the advisor ahead of a booked car that arrives before the break ends.

Busy unit-minutes are integrated in working time, clipped to the measurement window: a unit
taken subtracts the clipped working time of that instant from its pool's total and a unit
given back adds it, so each hold adds its length and no per-interval records are kept
(units still held at the end add the end's). Held unit-minutes of elapsed time (nights
included: a car parked overnight holds its bay) are integrated the same way.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Sequence

import simpy

from sim.calendar import Calendar

# A request waiting for its pools: (priority, seq, needs, granted), queued in (priority,
# seq) order; lower priorities first, ``seq`` the arrival order (unique, so the order never
# looks further); ``needs`` the pools, one unit of each; ``granted`` succeeds once every
# unit is taken. A plain tuple, always unpacked into these names: as a NamedTuple its
# construction cost 0.7 % of a run's simulation (one per request that waits).
Request = tuple[int, int, tuple[int, ...], simpy.Event]


class Pools:
    """All resource pools of one replication, by index."""

    def __init__(
        self,
        env: simpy.Environment,
        names: Sequence[str],
        sizes: Sequence[int],
        calendar: Calendar,
        window: tuple[float, float],
    ) -> None:
        self.env = env
        self.names = list(names)
        self.index = {n: i for i, n in enumerate(names)}
        self.size = list(sizes)
        self.free = list(sizes)
        self._queue: list[Request] = []
        self._waiting = [0] * len(names)  # queued requests using each pool
        self._seq = 0
        self._cal = calendar
        self._w0, self._w1 = window
        # Working minutes of holds: sum(release) - sum(take), clipped to the window.
        self._busy_work = [0.0] * len(names)
        # Elapsed minutes of holds, the same way (the occupancy of sim.kpi.breakdown_rows).
        self._held = [0.0] * len(names)
        # What the calendar says of the current instant, asked once per instant.
        self._memo_t = -1.0
        self._memo_w = 0.0  # clipped working minutes
        self._memo_c = 0.0  # the instant clipped to the window
        self._memo_open = False
        self.log: list[tuple[float, int, int]] | None = None  # (time, pool, busy) when traced
        self._wake_pending = False

    def _clip(self, t: float) -> float:
        """Working minutes up to ``t`` clipped to the window (memoised for the current time)."""
        if t != self._memo_t:
            self._remember(t)
        return self._memo_w

    def _is_open(self, t: float) -> bool:
        """Whether ``t`` is working time (memoised for the current time)."""
        if t != self._memo_t:
            self._remember(t)
        return self._memo_open

    def _remember(self, t: float) -> None:
        self._memo_t = t
        c = self._w0 if t < self._w0 else self._w1 if t > self._w1 else t
        self._memo_c = c
        self._memo_w = self._cal.working(c)
        self._memo_open = self._cal.is_open(t)

    def _take(self, needs: tuple[int, ...], now: float) -> None:
        w = self._memo_w if now == self._memo_t else self._clip(now)
        c, free, work, held = self._memo_c, self.free, self._busy_work, self._held
        for i in needs:
            free[i] -= 1
            work[i] -= w
            held[i] -= c
        if self.log is not None:
            self.log.extend((now, i, self.size[i] - free[i]) for i in needs)

    def try_take(self, needs: tuple[int, ...], now: float) -> bool:
        """Take one unit of each pool at once if all are free at ``now`` (the current time);
        no event is created."""
        free = self.free
        for i in needs:
            if free[i] <= 0:
                return False
        if now != self._memo_t:
            self._remember(now)
        if not self._memo_open:
            return False
        self._take(needs, now)
        return True

    def passes(self, needs: tuple[int, ...], now: float) -> bool:
        """Whether taking one unit of each pool and giving it back at ``now`` would change
        nothing: all free, open, no grant due (none fits after the last grant, and no
        wake-up at the opening is pending), and no trace log to record the pair."""
        free = self.free
        for i in needs:
            if free[i] <= 0:
                return False
        if self._wake_pending or self.log is not None:
            return False
        return self._memo_open if now == self._memo_t else self._is_open(now)

    def request(self, needs: tuple[int, ...], priority: int) -> simpy.Event:
        """An event that fires once one unit of every pool in ``needs`` has been taken."""
        ev = self.env.event()
        if self.try_take(needs, self.env.now):
            ev.succeed()
        else:
            self._seq += 1
            insort(self._queue, (priority, self._seq, needs, ev))
            for i in needs:
                self._waiting[i] += 1
            if not self._is_open(self.env.now):
                self._wake_at_opening()
        return ev

    def _wake_at_opening(self) -> None:
        if not self._wake_pending:
            self._wake_pending = True
            now = self.env.now
            ev = self.env.timeout(self._cal.next_open(now) - now)
            ev.callbacks.append(self._on_opening)

    def _on_opening(self, _event: simpy.Event) -> None:
        self._wake_pending = False
        self._grant(None, self.env.now)

    def release(self, needs: tuple[int, ...], now: float) -> None:
        """Give back one unit of each pool at ``now`` (the current time) and grant whatever
        waiting requests now fit."""
        w = self._memo_w if now == self._memo_t else self._clip(now)
        c, free, work, held = self._memo_c, self.free, self._busy_work, self._held
        for i in needs:
            free[i] += 1
            work[i] += w
            held[i] += c
        if self.log is not None:
            self.log.extend((now, i, self.size[i] - free[i]) for i in needs)
        if self._queue:
            if not self._memo_open:  # memoised for now just above
                self._wake_at_opening()
                return
            # Only a request using a freed pool can fit now (see _grant): when none waits,
            # the scan would grant nothing (more than half the releases of the default dealer).
            waiting = self._waiting
            for i in needs:
                if waiting[i]:
                    self._grant(needs, now)
                    return
            if self._wake_pending:
                self._grant(needs, now)

    def _grant(self, freed: tuple[int, ...] | None, now: float) -> None:
        """Serve the queue in (priority, arrival) order: first fit.

        After a release (``freed``), only requests using a freed pool can fit, since after
        every grant no waiting request fits: the scan stops as soon as the freed pools have
        no free unit left. (Not while a wake-up at the opening is pending: requests queued
        while closed have not been scanned yet.)
        """
        if self._wake_pending:
            freed = None
        queue = self._queue
        free = self.free
        k = 0
        while k < len(queue):
            _, _, wanted, granted = queue[k]
            for i in wanted:
                if free[i] <= 0:
                    k += 1
                    break
            else:
                del queue[k]
                for i in wanted:
                    self._waiting[i] -= 1
                self._take(wanted, now)
                granted.succeed()
                if freed is not None:
                    for i in freed:
                        if free[i] > 0:
                            break
                    else:
                        return

    def busy_working_minutes(self, now: float) -> list[float]:
        """Busy unit-minutes per pool, integrated over working time in the window up to now."""
        w = self._clip(now)
        return [
            work + (size - free) * w
            for work, size, free in zip(self._busy_work, self.size, self.free, strict=True)
        ]

    def held_minutes(self, now: float) -> list[float]:
        """Held unit-minutes per pool, integrated over elapsed time in the window up to now."""
        self._clip(now)
        c = self._memo_c
        return [
            held + (size - free) * c
            for held, size, free in zip(self._held, self.size, self.free, strict=True)
        ]

    def waiting(self, i: int) -> int:
        """Requests queued for a unit of pool ``i``."""
        return self._waiting[i]

    def queue_length(self) -> int:
        """Requests waiting for at least one pool."""
        return len(self._queue)
