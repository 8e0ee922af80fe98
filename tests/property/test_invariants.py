"""Invariants of the model on random small scenarios (hypothesis).

Each example draws a valid scenario (``strategies.any_scenarios``: ordinary or stressed),
runs one traced replication and checks what must hold whatever the inputs: parts are
conserved and never negative (and so are kanban loops); a job's timestamps are causal; pools
are never over- or under-booked and only jobs in the workshop hold them, one step at a time;
KPIs lie in their ranges, are empty only where their denominator is zero, and agree with the
traces; every car that arrived is delivered or still in the workshop; cars arrive at their
drawn times and are received in priority order; trucks keep to call-offs and capacity; the
event-free shortcut gives the evented results.

``PROPERTY_EXAMPLES=1000 pytest tests/property`` searches harder than the default run.
"""

from __future__ import annotations

import copy
import math
import os
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from harness import drawn_arrivals, watched_world
from hypothesis import HealthCheck, given, settings
from strategies import ScenarioSpec, any_scenarios, build

from sim.calendar import DAY
from sim.kpi import KPI_COLUMNS, compute_kpis
from sim.model.world import World, simulate

EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", "40"))  # raise it to hunt for rare bugs
PROP = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
EPS = 1e-6  # minutes of float slack in working-time arithmetic


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where inline catalogues are written (one file per distinct content)."""
    return tmp_path_factory.mktemp("catalogues")


def isnan(x: float) -> bool:
    return x != x


# -- parts ----------------------------------------------------------------------------------


@PROP
@given(spec=any_scenarios())
def test_parts_conserved_and_never_negative(spec: ScenarioSpec, folder: Path) -> None:
    """Per part: initial + received = issued + returned + on hand; stock and backorders
    never negative; nothing free on the shelf while backordered (units held for a job are
    that job's); the stock trace agrees with the end state."""
    world, _ = watched_world(build(spec, folder), 0)
    initial = world.initial_on_hand
    assert len(initial) == len(world.parts)
    for p, init in zip(world.parts, initial, strict=True):
        assert init >= 0
        out = p.issued + p.returned + p.on_hand
        assert init + p.received == out, f"part {p.idx} not conserved"
        assert p.on_hand >= 0 and p.backordered >= 0 and p.on_order >= 0
        free = sum(lot.units for lot in p.lots)
        assert p.on_hand == free + sum(p.held.values())
        assert all(lot.units > 0 for lot in p.lots) and all(n > 0 for n in p.held.values())
        assert p.backordered == sum(entry.units for entry in p.backorders)
        assert free == 0 or p.backordered == 0, f"part {p.idx} shelved while backordered"
        if p.stocked:
            assert not p.held and p.returned == 0
        else:
            assert init == 0
        # FIFO lots: shelf arrival times never decrease along the shelf
        times = [lot.arrival for lot in p.lots]
        assert times == sorted(times)
    assert world.initial_units == sum(initial)

    trace = world.ledger.trace
    assert trace is not None
    last: dict[int, int] = {}
    t_prev = 0.0
    for t, idx, on_hand in trace:
        assert on_hand >= 0, f"negative stock of part {idx} at {t}"
        assert t >= t_prev - EPS
        assert t <= world.end
        t_prev = t
        last[idx] = on_hand
    for p in world.parts:
        assert last.get(p.idx, 0) == p.on_hand

    # Units issued to jobs match the units the jobs asked for and got
    requested = sum(j.units_requested for j in world.jobs)
    got = sum(j.units_requested - j.missing for j in world.jobs)
    assert sum(p.issued for p in world.parts) == got
    assert sum(p.backordered for p in world.parts) == requested - got
    assert all(j.missing >= 0 for j in world.jobs)


@PROP
@given(spec=any_scenarios())
def test_kanban_loop_conserved(spec: ScenarioSpec, folder: Path) -> None:
    """Kanban released on request: on hand + on order - backordered + released cards + units
    requested since the last card = N·C for every part, at the end of any run."""
    spec = ScenarioSpec(raw=copy.deepcopy(spec.raw), catalogue_rows=spec.catalogue_rows)
    raw = spec.raw
    raw["supply"]["policy"] = "kanban"
    raw["supply"].setdefault("kanban", {})["release"] = "on_request"
    raw["supply"].pop("order_up_to", None)
    raw["supply"].pop("reorder_point", None)
    world, _ = watched_world(build(spec, folder), 0)
    cards = world.sizes["cards"].tolist()
    for p, n in zip(world.parts, cards, strict=True):
        if not p.stocked:
            continue  # ordered per job: no loop
        released = world.supply.policy.released.get(p.idx, 0)
        loop = p.on_hand + p.on_order - p.backordered + released * p.container + p.requested_since
        assert loop == n * p.container, f"part {p.idx}: loop {loop} != {n} x {p.container}"


# -- jobs -----------------------------------------------------------------------------------


def _check_job(world: World, j) -> None:
    cal = world.cal
    stamps = [j.arrival, j.rec_start, j.rec_end, j.first_start]
    if j.lines:
        stamps.append(j.parts_done)
    stamps.append(j.delivery_end)
    # Once a stamp is missing (the job has not got there yet) every later stamp is missing
    seen_nan = False
    for s in stamps:
        if isnan(s):
            seen_nan = True
        else:
            assert not seen_nan, f"job {j.id}: a later stamp is set before an earlier one"
    present = [s for s in stamps if not isnan(s)]
    assert present == sorted(present), f"job {j.id}: timestamps out of order {stamps}"
    assert all(0 <= s <= world.end for s in present)
    assert not j.lines or isnan(j.first_start) or not isnan(j.parts_done) or j.missing > 0
    if not isnan(j.rec_end):
        assert j.promise >= j.rec_end
        worked = cal.working_between(j.rec_start, j.rec_end)
        assert math.isclose(worked, j.reception_time, abs_tol=EPS), f"job {j.id} reception"
    if not isnan(j.delivery_end):
        after_parts = j.first_start if not j.lines else j.parts_done
        work = sum(j.labour) + sum(j.rework) + sum(j.qc_times) + j.delivery_time
        assert cal.working_between(after_parts, j.delivery_end) >= work - EPS, (
            f"job {j.id} delivered before its labour, QC and delivery were done"
        )
        assert math.isclose(j.labour_worked, sum(j.labour) + sum(j.rework), abs_tol=EPS)
        assert j.missing == 0
    assert len(j.qc_times) == len(j.rework) + 1
    assert all(x >= 0 for x in [*j.std, *j.labour, *j.rework, *j.qc_times])
    assert j.reception_time >= 0 and j.delivery_time >= 0
    assert len({p for p, _ in j.lines}) == len(j.lines)
    assert all(q >= 1 for _, q in j.lines)


@PROP
@given(spec=any_scenarios())
def test_job_timestamps_causal(spec: ScenarioSpec, folder: Path) -> None:
    """arrival <= reception <= first start <= parts done <= delivery, promise >= reception end,
    and the working time between stamps covers the work done in between."""
    world, watcher = watched_world(build(spec, folder), 0)
    arrivals = [j.arrival for j in world.jobs]
    assert arrivals == sorted(arrivals)
    ids = [j.id for j in world.jobs]
    ap = world.scenario.demand.appointments
    if ap is not None and ap.ahead:  # jobs are numbered at booking, no-shows included
        assert len(set(ids)) == len(ids)
    else:
        assert ids == list(range(len(world.jobs)))
    for j in world.jobs:
        _check_job(world, j)
    delivered = [j for j in world.jobs if not isnan(j.delivery_end)]
    assert watcher.delivered_clean == len(delivered)


@PROP
@given(spec=any_scenarios())
def test_jobs_conserved(spec: ScenarioSpec, folder: Path) -> None:
    """Jobs arrived = delivered + in the workshop, by the flow balance and by the job stamps."""
    world, _ = watched_world(build(spec, folder), 0)
    f = world.flow()
    assert f["jobs_arrived"] == f["jobs_delivered_total"] + f["jobs_in_workshop"]
    delivered = sum(not isnan(j.delivery_end) for j in world.jobs)
    assert f["jobs_arrived"] == len(world.jobs)
    assert f["jobs_delivered_total"] == delivered
    assert f["jobs_in_workshop"] == len(world.jobs) - delivered
    out = f["parts_issued"] + f["parts_returned"] + f["parts_on_hand"]
    assert f["parts_initial"] + f["parts_received"] == out


# -- pools ----------------------------------------------------------------------------------


@PROP
@given(spec=any_scenarios())
def test_pools_held_only_by_jobs_in_workshop(spec: ScenarioSpec, folder: Path) -> None:
    """Busy units of a pool stay within [0, size]; each unit is held by a job in the workshop,
    one unit per pool per job, the pools of one step at a time; none after all deliveries."""
    scenario = build(spec, folder)
    world, watcher = watched_world(scenario, 0)  # the watcher asserts at every take/release
    pools = world.pools
    busy_end = [s - f for s, f in zip(pools.size, pools.free, strict=True)]
    assert busy_end == watcher.busy()
    in_ws = world.workshop.in_workshop
    assert all(0 <= b <= min(in_ws, s) for b, s in zip(busy_end, pools.size, strict=True))
    assert len(watcher.pending) == pools.queue_length()
    # The per-pool count of queued requests that lets a release skip a fruitless scan
    using = [sum(i in needs for _, _, needs, _ in pools._queue) for i in range(len(pools.size))]
    assert pools._waiting == using

    # The same from the public trace of simulate()
    result = simulate(scenario, 0, trace=True)
    frame = result.extra["pools"]
    assert result.flow == world.flow()
    busy = frame["busy"].to_numpy()
    size = frame["size"].to_numpy()
    assert (busy >= 0).all() and (busy <= size).all()
    t = frame["time_h"].to_numpy()
    assert (np.diff(t) >= 0).all()
    last = frame.groupby("pool", sort=False)["busy"].last().to_dict()
    for name, b in zip(pools.names, busy_end, strict=True):
        assert last.get(name, 0) == b

    # While a unit is busy at time t, some job has arrived by t and is not yet delivered
    jobs = result.jobs
    arr = np.sort(jobs["arrival_h"].to_numpy())
    dl = jobs["delivery_end_h"].fillna(np.inf).to_numpy()
    dl_sorted = np.sort(dl)
    for time_h, b in zip(t, busy, strict=True):
        if b > 0:
            arrived = np.searchsorted(arr, time_h, side="right")
            gone = np.searchsorted(dl_sorted, time_h, side="left")  # delivered strictly before
            assert arrived - gone >= b, f"more busy units than jobs in the workshop at {time_h} h"
    if in_ws == 0:
        assert busy_end == [0] * len(busy_end)


# -- KPIs -----------------------------------------------------------------------------------

RATES = (
    "on_time_rate",
    "bay_utilization",
    "technician_utilization",
    "comeback_rate",
    "fill_rate",
    "parts_ready_rate",
    "stocked_fill_rate",
)
NON_NEGATIVE = (
    "vehicles_received",
    "jobs_delivered",
    "mean_lead_time_h",
    "mean_bay_wait_h",
    "revenue",
    "stockout_events",
    "parts_wait_h",
    "avg_inventory_units",
    "avg_inventory_value",
    "mean_dwell_h",
    "deliveries",
    "emergency_orders",
    "stocked_parts",
    "holding_cost",
    "transport_cost",
    "emergency_cost",
    "logistics_cost",
    "days_of_supply",
    "returns",
)
COUNTS = (
    "vehicles_received",
    "jobs_delivered",
    "stockout_events",
    "deliveries",
    "emergency_orders",
    "stocked_parts",
    "returns",
)


@PROP
@given(spec=any_scenarios())
def test_kpi_ranges(spec: ScenarioSpec, folder: Path) -> None:
    """Rates and utilizations in [0, 1], counts whole and >= 0, and None exactly where the
    KPI's denominator is zero."""
    scenario = build(spec, folder)
    world, _ = watched_world(scenario, 0)
    k = simulate(scenario, 0).kpis
    assert tuple(k) == KPI_COLUMNS
    for name, v in k.items():
        assert v is None or (isinstance(v, float) and math.isfinite(v)), (name, v)
    for name in RATES:
        assert k[name] is None or -EPS <= k[name] <= 1 + EPS, (name, k[name])
    for name in NON_NEGATIVE:
        assert k[name] is None or k[name] >= -EPS, (name, k[name])
    for name in COUNTS:
        assert k[name] == int(k[name])

    t0, t1 = world.window
    jobs = world.jobs
    delivered = [j for j in jobs if t0 <= j.delivery_end < t1]
    started = [j for j in jobs if t0 <= j.first_start < t1]
    with_lines = [j for j in started if j.lines]
    assert k["vehicles_received"] == sum(t0 <= j.arrival < t1 for j in jobs)
    assert k["jobs_delivered"] == len(delivered)
    for name in ("on_time_rate", "mean_lead_time_h", "comeback_rate"):
        assert (k[name] is None) == (not delivered), name
    assert (k["mean_bay_wait_h"] is None) == (not started)
    assert (k["fill_rate"] is None) == (not with_lines)
    assert (k["parts_ready_rate"] is None) == (not with_lines)
    assert (k["gross_margin_rate"] is None) == (k["revenue"] == 0)
    if k["gross_margin_rate"] is not None:
        assert k["gross_margin_rate"] <= 1 + EPS
    assert k["gross_margin"] <= k["revenue"] + EPS
    assert (k["mean_dwell_h"] is None) == (world.ledger.units_out == 0)
    # Little's law: dwell x units out per hour = the time-average stock
    if k["mean_dwell_h"] is not None:
        per_hour = world.ledger.units_out / ((t1 - t0) / 60)
        assert k["mean_dwell_h"] * per_hour == pytest.approx(k["avg_inventory_units"])
    # Per part, the window statistics add up to the scenario's KPIs.
    plain = simulate(scenario, 0)
    parts = plain.extra["parts"]
    assert sum(parts["stockout_events"]) == k["stockout_events"]
    assert sum(parts["emergency_orders"]) == pytest.approx(k["emergency_orders"])
    assert sum(parts["avg_inventory_units"]) == pytest.approx(k["avg_inventory_units"])
    assert k["logistics_cost"] == pytest.approx(
        k["holding_cost"] + k["transport_cost"] + k["emergency_cost"]
    )
    # Per job type, deliveries and revenue add up to the KPIs and the delivered-weighted means
    # of on-time, lead time and promise are theirs; per pool, the space pools'
    # busy time (utilization x size) adds up to the pooled bay_utilization's.
    rec = world.records()
    breakdown = plain.extra["breakdown"]
    types = breakdown["job_type"].values()
    assert sum(t["jobs_delivered"] for t in types) == k["jobs_delivered"]
    assert sum(t["revenue"] for t in types) == pytest.approx(k["revenue"])
    for kpi in ("on_time_rate", "mean_lead_time_h", "mean_promise_h"):  # delivered-weighted
        if k[kpi] is not None:
            parts = [t[kpi] * t["jobs_delivered"] for t in types if t["jobs_delivered"]]
            assert sum(parts) / k["jobs_delivered"] == pytest.approx(k[kpi])
    if k["bay_utilization"] is not None:
        pools = breakdown["pool"]
        busy = sum(
            pools[rec.pool_names[i]]["utilization"] * rec.pool_size[i] for i in rec.space_pools
        )
        size = sum(rec.pool_size[i] for i in rec.space_pools)
        assert busy / size == pytest.approx(k["bay_utilization"])
    for name, size in zip(rec.pool_names, rec.pool_size, strict=True):
        assert -EPS <= breakdown["pool"][name]["occupancy"] <= size + EPS  # units held
    working = rec.working_minutes
    assert (k["bay_utilization"] is None) == (working == 0)
    assert (k["technician_utilization"] is None) == (working == 0 or not rec.labour_pools)
    if k["stockout_events"] == 0 and with_lines:
        assert k["fill_rate"] == 1 and k["parts_ready_rate"] == 1
    # Inventory averages stay within the stock that ever was on hand
    peak: dict[int, int] = defaultdict(int)
    for _, idx, on_hand in world.ledger.trace or []:
        peak[idx] = max(peak[idx], on_hand)
    assert k["avg_inventory_units"] <= sum(peak.values()) + EPS
    if not scenario.supply.emergency.enabled:
        assert k["emergency_orders"] == 0


@PROP
@given(spec=any_scenarios())
def test_kanban_on_empty_cards_conserved(spec: ScenarioSpec, folder: Path) -> None:
    """Kanban released on empty, no emergency orders: carded containers on the shelf + cards
    released + containers on order = N for every part."""
    spec = ScenarioSpec(raw=copy.deepcopy(spec.raw), catalogue_rows=spec.catalogue_rows)
    sup = spec.raw["supply"]
    sup["policy"] = "kanban"
    sup.setdefault("kanban", {})["release"] = "on_empty"
    sup.pop("order_up_to", None)
    sup.pop("reorder_point", None)
    sup["emergency"] = {"enabled": False}
    world, _ = watched_world(build(spec, folder), 0)
    for p, n in zip(world.parts, world.sizes["cards"].tolist(), strict=True):
        if not p.stocked:
            continue  # ordered per job: no loop
        carded = sum(1 for lot in p.lots if lot.carded)
        assert p.on_order % p.container == 0
        released = world.supply.policy.released.get(p.idx, 0)
        assert carded + released + p.on_order // p.container == n, f"part {p.idx}"


# -- reconstructions from the traces ---------------------------------------------------------


def _working_integral(world: World, log: list[tuple[float, int]]) -> float:
    """Integral over working time in the window of a step function given as (time, value)."""
    t0, t1 = world.window
    cal = world.cal

    def w(t: float) -> float:
        return cal.working(min(max(t, t0), t1))

    total = 0.0
    for (ta, va), (tb, _) in zip(log, [*log[1:], (world.end, 0)], strict=False):
        if va:
            total += va * (w(tb) - w(ta))
    return total


@PROP
@given(spec=any_scenarios())
def test_utilization_and_inventory_match_traces(spec: ScenarioSpec, folder: Path) -> None:
    """Utilizations re-integrated from the pool trace, and average stock re-integrated from
    the stock trace, equal the reported KPIs."""
    scenario = build(spec, folder)
    world, _ = watched_world(scenario, 0)
    k = simulate(scenario, 0).kpis
    rec = world.records()
    per_pool: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for t, i, busy in world.pools.log or []:
        per_pool[i].append((t, busy))
    busy_work = [_working_integral(world, per_pool[i]) for i in range(len(world.pools.size))]
    working = world.cal.working_between(*world.window)
    for name, pools in (
        ("bay_utilization", rec.space_pools),
        ("technician_utilization", rec.labour_pools),
    ):
        den = sum(world.pools.size[i] for i in pools) * working
        if k[name] is None:
            continue
        expected = sum(busy_work[i] for i in pools) / den
        assert math.isclose(k[name], expected, rel_tol=1e-9, abs_tol=1e-12), name

    t0, t1 = world.window
    level = 0
    total = 0.0
    last_t = 0.0
    on_hand = [0] * len(world.parts)
    for t, idx, units in world.ledger.trace or []:
        a, b = max(last_t, t0), min(t, t1)
        if b > a:
            total += level * (b - a)
        level += units - on_hand[idx]
        on_hand[idx] = units
        last_t = t
    a = max(last_t, t0)
    if t1 > a:
        total += level * (t1 - a)
    expected = total / (t1 - t0)
    assert math.isclose(k["avg_inventory_units"], expected, rel_tol=1e-9, abs_tol=1e-9)


@PROP
@given(spec=any_scenarios())
def test_trucks(spec: ScenarioSpec, folder: Path) -> None:
    """Trucks carry 1..capacity containers, leave at call-offs (one per call-off) or at once
    when continuous, never during an outage, and arrive after they leave; ``deliveries``
    counts those arriving in the window."""
    scenario = build(spec, folder)
    world, _ = watched_world(scenario, 0)
    sup = scenario.supply
    log = world.supply.truck_log
    cap = sup.truck_capacity or math.inf
    for dep, arr, containers in log:
        assert 1 <= containers <= cap or dep < 0  # trucks before 0: the start state
        assert arr >= dep
        assert dep < world.end
        for d in sup.disruptions:
            if d.kind == "outage":
                assert not d.start <= dep < d.end, f"truck left at {dep} during an outage"
    if not sup.call_off.continuous:
        deps = [dep for dep, _, _ in log]
        assert len(deps) == len(set(deps)), "two trucks at one call-off"
        tods = sup.call_off.times_of_day()
        days = scenario.internal_days(sup.call_off.day_indices)  # day 0: run.start's weekday
        for dep in deps:
            day, tod = divmod(dep, 1440)
            assert int(day) % 7 in days
            assert any(math.isclose(tod, x, abs_tol=1e-6) for x in tods), f"truck at {dep}"
    t0, t1 = world.window
    k = simulate(scenario, 0).kpis
    shipments = world.supply.special_log  # special orders on their own lead time
    arrived = [arr for _, arr, _ in log] + [arr for _, arr, _ in shipments]
    assert k["deliveries"] == sum(t0 <= arr < t1 for arr in arrived)
    if not sup.emergency.enabled:  # regular receipts of stocked parts are whole containers
        assert all(p.received % p.container == 0 for p in world.parts if p.stocked)


def _ready(world: World, t: float) -> float:
    return t if world.cal.is_open(t) else world.cal.next_open(t)


@PROP
@given(spec=any_scenarios())
def test_reception_order(spec: ScenarioSpec, folder: Path) -> None:
    """No walk-in is received while a booked car waits for an advisor, and each class is
    received first come, first served (ready = arrival, or the next opening)."""
    world, _ = watched_world(build(spec, folder), 0)
    jobs = [(j, _ready(world, j.arrival)) for j in world.jobs]
    for a, ra in jobs:
        if isnan(a.rec_start):
            continue
        for b, rb in jobs:
            if rb >= a.rec_start or (rb >= ra and b.booked == a.booked):
                continue
            # b was waiting for an advisor before a was received
            if (b.booked and not a.booked) or (b.booked == a.booked and rb < ra):
                assert not isnan(b.rec_start) and b.rec_start <= a.rec_start, (
                    f"job {b.id} (booked={b.booked}, ready {rb}) received after job {a.id} "
                    f"(booked={a.booked}, ready {ra}, received {a.rec_start})"
                )


# -- arrivals --------------------------------------------------------------------------------


@PROP
@given(spec=any_scenarios())
def test_cars_arrive_at_their_drawn_times(spec: ScenarioSpec, folder: Path) -> None:
    """Every car arrives exactly when the demand streams put it (and walk-ins only in opening
    hours of open days)."""
    world, _ = watched_world(build(spec, folder), 0)
    expected = drawn_arrivals(world)
    got = sorted((float(j.arrival), j.booked) for j in world.jobs)
    assert len(got) == len(expected)
    for (tg, bg), (te, be) in zip(got, expected, strict=True):
        assert bg == be and math.isclose(tg, te, rel_tol=0, abs_tol=1e-9), (tg, te)
    cal = world.cal
    for j in world.jobs:
        if not j.booked:
            day, tod = divmod(j.arrival, DAY)
            assert cal.is_open_day(int(day))
            assert cal.open_min <= tod < cal.close_min


# -- the event-free shortcut ---------------------------------------------------------------


def _stamps(world: World) -> np.ndarray:
    rows = [
        (j.arrival, j.rec_start, j.rec_end, j.promise, j.first_start, j.parts_done, j.delivery_end)
        for j in world.jobs
    ]
    return np.array(rows, dtype=float).reshape(-1, 7)


@PROP
@given(spec=any_scenarios())
def test_shortcut_matches_evented_path(spec: ScenarioSpec, folder: Path) -> None:
    """Zero-length steps on free pools completed without an event give exactly the results
    of the path where every step yields an event (docs/model.md 2.4, the zero-duration shortcut)."""
    scenario = build(spec, folder)
    worlds = []
    for evented in (False, True):
        world = World(scenario, 0, evented=evented)
        world.run()
        worlds.append(world)
    fast, slow = worlds
    assert compute_kpis(fast.records()) == compute_kpis(slow.records())
    assert fast.flow() == slow.flow()
    assert np.array_equal(_stamps(fast), _stamps(slow), equal_nan=True)
