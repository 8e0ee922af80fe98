"""Measuring one replication of a validation case: its KPIs and the derived metrics.

Little's-law cases add a probe on the pools (:class:`HoldProbe`) and the trace tables;
the others read the KPI row and derive a backorder average and trucks per call-off.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.calendar import DAY
from sim.kpi import compute_kpis
from sim.model import trace as trace_tables
from sim.model.world import World, collector_paused, simulate
from sim.scenario import Scenario
from tests.flows import RunningJob

if TYPE_CHECKING:
    from tests.validation.cases import Case


class HoldProbe:
    """Records, per job, the elapsed minutes it holds each space pool.

    It wraps the public calls of ``world.pools`` (``try_take``, ``request``, ``release``)
    and each job's flow (:class:`tests.flows.RunningJob`), so it sees every take and
    release exactly as the model makes them, without changing what happens.
    """

    def __init__(self, world: World) -> None:
        self.env = world.env
        pools = world.pools
        self.space = {
            pools.index[op.uses[0]]
            for jt in world.scenario.demand.job_types.values()
            for op in jt.route
        }
        self.held: dict[int, float] = defaultdict(float)  # job id -> minutes held
        self.intervals: list[tuple[int, float, float]] = []  # (job id, start, end), minutes
        self.open_at_close: list[int] = []  # jobs still holding a space pool at the end
        self._since: dict[tuple[Any, int], float] = {}
        try_take, request, release = pools.try_take, pools.request, pools.release
        running = RunningJob(world)

        def probed_try_take(needs: tuple[int, ...], now: float) -> bool:
            ok = try_take(needs, now)
            if ok:
                self._took(running.job, needs)
            return ok

        def probed_request(needs: tuple[int, ...], priority: int) -> Any:
            job = running.job
            ev = request(needs, priority)  # calls probed_try_take when granted at once
            if not ev.triggered:
                ev.callbacks.append(lambda _ev: self._took(job, needs))
            return ev

        def probed_release(needs: tuple[int, ...], now: float) -> None:
            self._released(running.job, needs)
            release(needs, now)

        pools.try_take = probed_try_take
        pools.request = probed_request
        pools.release = probed_release

    def _took(self, job: Any, needs: tuple[int, ...]) -> None:
        for i in needs:
            if i in self.space:
                self._since[(job.id, i)] = self.env.now

    def _released(self, job: Any, needs: tuple[int, ...]) -> None:
        for i in needs:
            if i in self.space:
                self._hold(job.id, self._since.pop((job.id, i)), self.env.now)

    def _hold(self, job: int, start: float, end: float) -> None:
        self.held[job] += end - start
        self.intervals.append((job, start, end))

    def close(self, now: float) -> None:
        """Count holds still open at the end of the run up to ``now``."""
        for (job, _i), start in self._since.items():
            self.open_at_close.append(job)
            self._hold(job, start, now)
        self._since.clear()


def time_average_busy(pools: pd.DataFrame, names: set[str], t0: float, t1: float) -> float:
    """Time-average total busy units of the named pools over [t0, t1) (hours)."""
    total = 0.0
    for name in names:
        rows = pools[pools["pool"] == name]
        t = np.append(rows["time_h"].to_numpy(), np.inf)
        busy = rows["busy"].to_numpy()
        # busy[k] holds on [t[k], t[k + 1]); clip each interval to the window
        lo, hi = np.clip(t[:-1], t0, t1), np.clip(t[1:], t0, t1)
        total += float(np.sum(busy * (hi - lo)))
    return total / (t1 - t0)


def measure_little(
    scenario: Scenario, replication: int, margin_days: float = 0.0
) -> tuple[dict[str, float | None], World]:
    """One replication with the hold probe: its KPIs plus the Little's-law metrics.

    Bays are measured over [warmup, end - margin): the run goes on for ``margin_days`` so
    that every job starting in that window is seen to release its bays (its W complete).
    Stock uses the KPI window of the run (avg_inventory_units and mean_dwell_h).
    """
    world = World(scenario, replication, trace=True)
    probe = HoldProbe(world)
    world.run()
    probe.close(world.end)
    kpis = compute_kpis(world.records())
    jobs = trace_tables.jobs_frame(world)
    pools = trace_tables.pools_frame(world)
    t0, end = (t / 60 for t in world.window)
    t1 = end - margin_days * DAY / 60
    started = jobs[(jobs["first_start_h"] >= t0) & (jobs["first_start_h"] < t1)]
    rate = len(started) / (t1 - t0)
    held_h = np.array([probe.held.get(j, 0.0) for j in started["job"]]) / 60
    ids = set(started["job"].tolist())
    space_names = {world.pools.names[i] for i in probe.space}
    out: dict[str, float | None] = dict(kpis)
    out["bays_L"] = time_average_busy(pools, space_names, t0, t1)
    out["bays_lambda"] = rate
    out["bays_W_h"] = float(held_h.mean()) if len(held_h) else math.nan
    out["bays_lambda_W"] = rate * out["bays_W_h"]
    out["bays_unfinished"] = float(sum(1 for j in probe.open_at_close if j in ids))
    in_kpi_window = jobs[(jobs["first_start_h"] >= t0) & (jobs["first_start_h"] < end)]
    units_rate = float(in_kpi_window["units"].sum()) / (end - t0)
    dwell = kpis["mean_dwell_h"]
    out["stock_lambda"] = units_rate
    out["stock_lambda_W"] = units_rate * dwell if dwell is not None else None
    return out, world


def wait_within(t: float) -> str:
    """The metric name of P(Wq <= t hours)."""
    return f"wait_within_{t:g}h"


def measure_queue(
    scenario: Scenario, replication: int, points: tuple[float, ...] = ()
) -> dict[str, float | None]:
    """One replication's KPIs plus its queue measured in working time, from the jobs.

    Over the jobs whose first operation starts in the window (those of ``mean_bay_wait_h``):
    ``working_wait_h``, the mean wait from reception end to that start in working minutes
    of the calendar; ``p_wait``, the share that waited at all; ``wait_within_<t>h``, the
    share that waited at most t working hours, for each t of ``points``. Over the jobs
    delivered in the window (those of ``mean_lead_time_h``): ``working_time_in_system_h``,
    arrival to delivery end in working time. Round the clock, working time is elapsed time.
    """
    with collector_paused():
        world = World(scenario, replication)
        world.run()
    out: dict[str, float | None] = dict(compute_kpis(world.records()))
    working = world.cal.working
    t0, t1 = world.window
    started = [j for j in world.jobs if t0 <= j.first_start < t1]
    waits = np.array([working(j.first_start) - working(j.rec_end) for j in started]) / 60
    out["working_wait_h"] = float(waits.mean())
    out["p_wait"] = float(np.mean(waits > 0))
    for t in points:
        out[wait_within(t)] = float(np.mean(waits <= t))
    done = [j for j in world.jobs if t0 <= j.delivery_end < t1]
    times = [working(j.delivery_end) - working(j.arrival) for j in done]
    out["working_time_in_system_h"] = float(np.mean(times)) / 60
    world.close()
    return out


def measure(case: Case, scenario: Scenario, replication: int) -> dict[str, float | None]:
    """The metrics of one replication of a case: its KPIs and a few derived from them.

    ``avg_backorders``: with one unit per car, ``parts_wait_h`` (waiting cars' hours inside
    the window) / horizon is the time-average number of units backordered.
    ``trucks_per_call_off``: trucks arriving in the window / call-offs in a window's length.
    """
    if case.measure == "little":
        return measure_little(scenario, replication, case.margin_days)[0]
    if case.measure == "queue":
        return measure_queue(scenario, replication, case.wait_points)
    out: dict[str, float | None] = dict(simulate(scenario, replication).kpis)
    horizon = scenario.run.horizon
    wait, trucks = out["parts_wait_h"], out["deliveries"]
    out["avg_backorders"] = None if wait is None else wait * 60 / horizon
    every = scenario.supply.call_off.every
    if every != "continuous" and trucks is not None:
        out["trucks_per_call_off"] = trucks / (horizon / every)  # type: ignore[operator]
    return out
