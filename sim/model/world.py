"""Builds one replication from a scenario or a region, runs it, and returns its KPI row.

``World`` wires the components of one replication on one environment: one dealer
(``sim.model.dealer``) for a scenario, which is a region of one on a centre that never runs
out; for a region, a parts centre (``sim.model.centre``) and every dealer on it, the way
desmod's gas-station example wires its stations to one tanker company.

``simulate(scenario, replication)`` is the pure core: the same inputs give the same numbers in
any process, on any executor.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import simpy

from sim.kpi import breakdown_rows, compute_kpis, job_columns, month_rows, part_rows
from sim.model.centre import CENTRE_KPIS, Centre
from sim.model.centresizing import centre_plan
from sim.model.dealer import (
    UNPAID_POOLS,
    Dealer,
    FlowBalanceError,
    calendar_of,
    catalogue_for,
    sizes_for,
)
from sim.model.records import CENTRE_PARTS_KEY, DEALERS_KEY, RunResult
from sim.scenario import Scenario
from sim.scenario_region import Region
from sim.streams import Streams

__all__ = [
    "CENTRE_PARTS_KEY",
    "DEALERS_KEY",
    "UNPAID_POOLS",
    "FlowBalanceError",
    "World",
    "calendar_of",
    "catalogue_for",
    "simulate",
    "sizes_for",
]

PLANT_STREAM = "centre.plant_lead_time"  # the plant's lead times to the centre


class World:
    """One replication: the environment, the parts centre (None: it never runs out) and the
    dealers, wired together.

    A scenario is a region of one dealer on an infinite centre: ``dealer`` is that dealer,
    and its attributes read as the world's (``world.parts``, ``world.jobs``...).
    """

    def __init__(
        self,
        model: Scenario | Region,
        replication: int,
        trace: bool = False,
        evented: bool = False,
    ) -> None:
        self.model = model
        self.replication = replication
        self.env = env = simpy.Environment()
        self.end = model.run.warmup + model.run.horizon
        seed = model.run.seed
        self.centre: Centre | None = None
        if isinstance(model, Scenario):
            streams = Streams(seed, replication)
            self.dealers = [Dealer(env, model, streams, trace=trace, evented=evented)]
            return
        index: tuple[tuple[int, ...], ...] = ((),) * len(model.dealers)
        express = model.centre.express.lead_time if model.centre.express.enabled else None
        if not model.centre.infinite:
            plan = centre_plan(model)
            stock, lead = model.centre.stock, model.centre.supply_lead_time
            assert stock is not None and lead is not None  # a finite centre has both
            window = (model.run.warmup, self.end)
            rng = Streams(seed, replication)[PLANT_STREAM]
            self.centre = Centre(
                env,
                plan.part_no,
                plan.unit_cost,
                plan.level,
                stock.review,
                lead.sampler(rng),
                window,
            )
            index = plan.index
        self.dealers = [
            Dealer(
                env,
                d.scenario,
                Streams(seed, replication, "" if k == 0 else f"{d.name}/"),
                trace=trace,
                evented=evented,
                centre=self.centre,
                centre_index=index[k],
                express_lead=express,
            )
            for k, d in enumerate(model.dealers)
        ]
        if self.centre is not None:
            env.process(self.centre.reviews(self.end))

    @property
    def dealer(self) -> Dealer:
        """The only dealer (a scenario's world)."""
        if len(self.dealers) != 1:
            raise AttributeError("a region has several dealers: read world.dealers")
        return self.dealers[0]

    def __getattr__(self, name: str) -> Any:
        dealers = self.__dict__.get("dealers")
        if name.startswith("__") or dealers is None or len(dealers) != 1:
            raise AttributeError(f"World has no attribute {name!r} (a region: read its dealers)")
        return getattr(dealers[0], name)

    def run(self) -> None:
        """Simulate warm-up plus horizon, then check every flow balance."""
        self.env.run(until=self.end)
        for dealer in self.dealers:
            dealer.finish()
        if self.centre is not None:
            self.centre.close(self.end)
            problem = self.centre.check_flow()
            if problem:
                raise FlowBalanceError(problem)

    def close(self) -> None:
        """Let go of every dealer's jobs once the results are taken."""
        for dealer in self.dealers:
            dealer.close()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector, restoring its state afterwards.

    A run keeps every job until its KPIs are computed, so each collection would rescan all
    of them for nothing: a job's objects form no reference cycles (reference counting frees
    its events), and the run's memory is bounded by its own records. About 5 % of run time.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def simulate(scenario: Scenario | Region, replication: int, trace: bool = False) -> RunResult:
    """Run replication ``replication`` of a scenario or a region and return its KPI row
    (a region's: the centre's KPIs, each dealer's in ``extra["dealers"]``); pure."""
    with collector_paused():
        if isinstance(scenario, Region):
            return _simulate_region(scenario, replication, trace)
        return _simulate(scenario, replication, trace)


def _dealer_result(dealer: Dealer, name: str, replication: int) -> RunResult:
    """One dealer's KPI row, flow balance, months, per-part table and breakdown."""
    records = dealer.records()
    cols = job_columns(records)
    result = RunResult(
        scenario=name,
        replication=replication,
        kpis=compute_kpis(records, cols),
        flow=dealer.flow(),
    )
    result.extra["months"] = month_rows(records, cols)
    result.extra["parts"] = part_rows(records)
    result.extra["breakdown"] = breakdown_rows(records, cols)
    return result


def _simulate_region(region: Region, replication: int, trace: bool) -> RunResult:
    if trace:
        raise ValueError("trace tables are not kept for a region")
    world = World(region, replication)
    world.run()
    dealers = {
        d.name: _dealer_result(dealer, d.name, replication)
        for d, dealer in zip(region.dealers, world.dealers, strict=True)
    }
    centre = world.centre
    result = RunResult(
        scenario=region.name,
        replication=replication,
        kpis=centre.kpis() if centre is not None else dict.fromkeys(CENTRE_KPIS),
        flow=centre.flow() if centre is not None else {},
    )
    result.extra[DEALERS_KEY] = dealers
    if centre is not None:
        result.extra[CENTRE_PARTS_KEY] = centre.part_rows()
    world.close()
    return result


def _simulate(scenario: Scenario, replication: int, trace: bool) -> RunResult:
    world = World(scenario, replication, trace)
    world.run()
    result = _dealer_result(world.dealer, scenario.name, replication)
    if trace:
        from sim.model import trace as trace_tables  # pandas only when tables are asked for

        result.jobs = trace_tables.jobs_frame(world)
        result.stock = trace_tables.stock_frame(world)
        result.extra["pools"] = trace_tables.pools_frame(world)
        result.extra["trucks"] = trace_tables.trucks_frame(world)
    world.close()
    return result
