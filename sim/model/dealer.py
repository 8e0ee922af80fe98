"""One dealer: its calendar, pools, workshop, line-side stock, call-offs and sources of cars.

A ``Dealer`` is built from one scenario on an environment it shares with the rest of its
world (``sim.model.world``): alone, for a single-dealer run, or beside other dealers and a
parts centre in a region. It holds every model part of the dealer, wired together, and
gathers the dealer's records when the run ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import simpy

from sim.calendar import DAY, Calendar, ClosedCalendar
from sim.catalogue import Catalogue, catalogue_of
from sim.kpi import month_windows
from sim.model.demand import Job
from sim.model.pools import Pools
from sim.model.records import PartRecords, RunRecords
from sim.model.reliability import late_drawer, outage_intervals
from sim.model.sizing import resolved_sizes
from sim.model.sources import Pending, arrivals, sources_of
from sim.model.start import draw_start
from sim.model.stock import Ledger, PartStock
from sim.model.supply import Supply
from sim.model.workshop import Workshop
from sim.scenario import Scenario
from sim.streams import Streams

if TYPE_CHECKING:
    from sim.model.centre import Centre

UNPAID_POOLS = ("advisors", "qc")  # never labour pools of economics.labour_cost: paid


class FlowBalanceError(RuntimeError):
    """Parts or jobs were created or lost: a model bug, never a user error."""


def calendar_of(scenario: Scenario) -> Calendar:
    """The workshop calendar of a scenario: its week starts on the weekday of day 0
    (``run.start``'s), and ``calendar.closed`` days are shut."""
    c = scenario.calendar
    days = scenario.internal_days(c.day_indices)
    closed = [d for d in scenario.closed_days() if d * DAY < scenario.run_end]
    if closed:
        return ClosedCalendar(c.open, c.close, c.breaks, days, closed)
    return Calendar(c.open, c.close, c.breaks, days)


def catalogue_for(scenario: Scenario) -> Catalogue:
    """The scenario's parts catalogue (cached per process)."""
    p = scenario.parts
    return catalogue_of(p.catalogue, p.catalogue_sha256, p.generate, scenario.run.seed)


def sizes_for(scenario: Scenario) -> dict[str, np.ndarray]:
    """Per-part resolved policy sizes and expected demand, as simulated."""
    return resolved_sizes(scenario, catalogue_for(scenario), calendar_of(scenario))


class Dealer:
    """One dealer of one replication: its calendar, pools, workshop, line-side stock,
    call-offs and sources of cars, on a shared environment.

    ``centre``: the region's parts centre its orders draw on (``centre_index`` maps each of
    the dealer's parts to the centre's); None: a supplier that never runs out.
    ``express_lead``: the plant's express lead time for what the centre cannot fill of an
    emergency order (None: not ordered).
    """

    def __init__(
        self,
        env: simpy.Environment,
        scenario: Scenario,
        streams: Streams,
        *,
        trace: bool = False,
        evented: bool = False,
        centre: Centre | None = None,
        centre_index: Sequence[int] = (),
        express_lead: float | None = None,
    ) -> None:
        self.scenario = scenario
        self.replication = streams.replication
        self.env = env
        self.cal = cal = calendar_of(scenario)
        self.streams = streams
        self.cat = cat = catalogue_for(scenario)
        self.sizes = sizes = resolved_sizes(scenario, cat, cal)
        t0 = scenario.run.warmup
        self.window = window = (t0, t0 + scenario.run.horizon)
        self.end = window[1]

        names = list(scenario.resources)
        self.pools = Pools(env, names, [scenario.resources[n] for n in names], cal, window)
        if trace:
            self.pools.log = []
        self.ledger = Ledger(window, trace)
        cont = cat.container_qty.tolist()
        self.parts = [
            PartStock(i, cont[i], float(cat.unit_cost[i]), self.ledger) for i in range(len(cat))
        ]
        rank = np.empty(len(cat), dtype=np.int64)
        rank[np.argsort(np.array(cat.part_no))] = np.arange(len(cat))
        size_lists = {k: v.tolist() for k, v in sizes.items()}
        self.supply = Supply(
            env,
            scenario.supply,
            self.parts,
            rank.tolist(),
            size_lists,
            scenario.supply.lead_time.sampler(streams["supply.lead_time"]),
            window,
            cal,
            special_lead=(
                scenario.supply.stocking.lead_time.sampler(streams["supply.stocking_lead_time"])
                if scenario.supply.stocking.lead_time is not None
                else None
            ),
            **self._reliability(streams),
            centre=centre,
            centre_index=centre_index,
            express_lead=express_lead,
        )
        # Call-off days are weekdays: days of the model's week, which starts on day 0's.
        self.supply.call_days = frozenset(
            scenario.internal_days(scenario.supply.call_off.day_indices)
        )
        if scenario.supply.start_stock == "full":
            self._start_full(size_lists["initial"])
        else:
            self._start_in_cycle(streams)
        self.initial_on_hand = [p.on_hand for p in self.parts]  # units on the shelf at 0
        self.initial_units = sum(self.initial_on_hand)

        self.jobs: list[Job] = []
        self.workshop = Workshop(
            env, scenario, cal, self.pools, self.parts, self.supply, self.jobs, evented, self.end
        )
        self.sources = sources_of(scenario, cal, streams, cat)
        self.pending_arrivals: list[Pending] = []  # bookings and cars still to come
        stream = arrivals(
            env,
            self.sources,
            cal,
            self.workshop.start,
            self.end,
            on_booking=self.supply.order_for_job if scenario.supply.prepare else None,
            on_abandon=self.supply.abandon,
            pending=self.pending_arrivals,
        )
        env.process(stream)
        if not self.supply.continuous:
            env.process(self.supply.call_offs(self.end))

    def _reliability(self, streams: Streams) -> dict[str, Any]:
        """Late trucks and random outages (``supply.reliability``), from their own streams."""
        rel = self.scenario.supply.reliability
        out: dict[str, Any] = {}
        if rel is not None and rel.late is not None:
            out["late"] = late_drawer(rel.late, streams)
        if rel is not None and rel.outages is not None:
            out["random_outages"] = outage_intervals(rel.outages, streams, self.end)
        return out

    def _start_full(self, initial: list[int]) -> None:
        """Round 1's start: every loop full (``supply.start_stock: full``)."""
        for part, units in zip(self.parts, initial, strict=True):
            full, rest = divmod(int(units), part.container)
            for _ in range(full):
                part.put(0.0, part.container, carded=True)
            part.put(0.0, rest, carded=False)

    def _start_in_cycle(self, streams: Streams) -> None:
        """Every loop at a random point of its cycle (``sim.model.start``)."""
        state = draw_start(
            self.scenario,
            self.cal,
            self.parts,
            self.sizes["demand_per_open_hour"],
            streams["stock.start"],
        )
        on_hand = state.on_hand.tolist()
        for part, units in zip(self.parts, on_hand, strict=True):
            full, rest = divmod(units, part.container)
            part.put(0.0, rest, carded=True)  # the open container is used first
            for _ in range(full):
                part.put(0.0, part.container, carded=True)
        lead = self.supply.mean_lead_time
        for arrival in sorted(state.transit):
            self.supply.preload(arrival - lead, arrival, state.transit[arrival])
        for part, pending, position in zip(
            self.parts, state.pending.tolist(), state.position.tolist(), strict=True
        ):
            part.policy.start_pending(part, pending, position)

    def finish(self) -> None:
        """Close the books at the end of the run, then check the flow balance."""
        self.ledger.advance(self.end)
        for part in self.parts:
            part.close(self.end)
        self.check_flow()

    def close(self) -> None:
        """Let go of the jobs once the results are taken, so they are freed at once.

        The generators still suspended at the end (running flows, the arrival stream) are in
        reference cycles with the environment, and their frames reach the workshop and its
        job list: without this, every job (and its tuples) would wait for the cyclic
        collector, whose pass over them cost 0.05-0.17 s a simulated year of the default
        dealer. The jobs of the running flows stay until then; they are few.
        """
        self.jobs.clear()
        for *_, job in self.pending_arrivals:  # jobs booked for after the end: their orders
            if job is not None:  # and they refer to each other
                job.special = ()
        self.pending_arrivals.clear()
        self.supply.queue.clear()  # orders for jobs still to come
        for part in self.parts:
            part.held.clear()

    def flow(self) -> dict[str, float]:
        """Flow balance figures over the whole run (warm-up included)."""
        received = sum(p.received for p in self.parts)
        issued = sum(p.issued for p in self.parts)
        returned = sum(p.returned for p in self.parts)
        on_hand = sum(p.on_hand for p in self.parts)
        return {
            "jobs_arrived": len(self.jobs),
            "jobs_delivered_total": self.workshop.delivered,
            "jobs_in_workshop": self.workshop.in_workshop,
            "parts_initial": self.initial_units,
            "parts_received": received,
            "parts_issued": issued,
            "parts_returned": returned,
            "parts_on_hand": on_hand,
            "parts_backordered": sum(p.backordered for p in self.parts),
        }

    def check_flow(self) -> None:
        """Raise FlowBalanceError unless parts and jobs are conserved."""
        f = self.flow()
        if f["jobs_arrived"] != f["jobs_delivered_total"] + f["jobs_in_workshop"]:
            raise FlowBalanceError(f"jobs not conserved: {f}")
        out = f["parts_issued"] + f["parts_returned"] + f["parts_on_hand"]
        if f["parts_initial"] + f["parts_received"] != out:
            raise FlowBalanceError(f"parts not conserved: {f}")
        if any(p.on_hand < 0 or p.backordered < 0 for p in self.parts):
            raise FlowBalanceError("negative stock or backorders")

    def records(self) -> RunRecords:
        """The flat records the KPI computation reads."""
        sc = self.scenario
        space: set[int] = set()
        labour: set[int] = set()
        for jt in sc.demand.job_types.values():
            for op in jt.route:
                space.add(self.pools.index[op.uses[0]])
                labour.update(self.pools.index[p] for p in op.uses[1:])
        labour -= space
        t0, t1 = self.window
        return RunRecords(
            window=self.window,
            jobs=self.jobs,
            job_labour_rate=[jt.labour_rate for jt in sc.demand.job_types.values()],
            unit_price=self.cat.unit_price,
            unit_cost=self.cat.unit_cost,
            labour_cost_per_hour=sc.economics.labour_cost_per_hour,
            working_minutes=self.cal.working_between(t0, t1),
            pool_size=list(self.pools.size),
            pool_busy=self.pools.busy_working_minutes(self.end),
            space_pools=sorted(space),
            labour_pools=sorted(labour),
            inventory_unit_minutes=self.ledger.unit_area,
            inventory_value_minutes=self.ledger.value_area,
            units_out=self.ledger.units_out,
            deliveries=self.supply.deliveries,
            emergency_orders=self.supply.emergency_orders,
            parts=self.part_records(),
            issued_value=self.ledger.issued_value,
            containers_delivered=self.supply.containers_delivered,
            returns=self.supply.returns,
            per_delivery=sc.supply.truck_cost.per_delivery,
            per_container=sc.supply.truck_cost.per_container,
            emergency_cost=sc.supply.emergency.cost,
            holding_rate=sc.economics.holding_rate,
            attached_sales=any(jt.attached for jt in sc.demand.job_types.values()),
            pool_names=list(self.pools.names),
            pool_held=self.pools.held_minutes(self.end),
            pool_wait=list(self.workshop.op_wait),
            pool_waits=list(self.workshop.op_waits),
            job_types=list(sc.demand.job_types),
            labour_cost=sc.economics.labour_cost,
            paid_labour_units=sum(
                self.pools.size[i] for i in labour if self.pools.names[i] not in UNPAID_POOLS
            ),
            month_working_minutes=[
                self.cal.working_between(a, b) for a, b in month_windows(self.window)
            ],
        )

    def part_records(self) -> PartRecords:
        """Each part's window statistics, in catalogue order."""
        parts = self.parts
        stocked = [p.stocked for p in parts]
        fields = self.scenario.supply.policy_block.SIZE_FIELDS  # (field, sizes key, least)
        sizes = {
            field: [int(v) if ok else None for v, ok in zip(self.sizes[key], stocked, strict=True)]
            for field, key, _ in fields
        }
        return PartRecords(
            part_no=list(self.cat.part_no),
            stocked=stocked,
            sizes=sizes,
            unit_cost=[p.unit_cost for p in parts],
            lines=[p.w_lines for p in parts],
            requested=[p.w_requested for p in parts],
            available=[p.w_available for p in parts],
            short=[p.w_short for p in parts],
            emergency=[p.w_emergency for p in parts],
            wait_minutes=[p.w_wait for p in parts],
            unit_minutes=[p.area for p in parts],
        )
