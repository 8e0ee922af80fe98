"""Trace tables (``--trace``): one row per job, stock changes, pool occupancy and trucks.

Built once after the run from the plain records; nothing here runs inside the event loop.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from sim.catalogue import Catalogue
    from sim.model.demand import Job
    from sim.model.pools import Pools
    from sim.model.stock import Ledger
    from sim.model.supply import Supply
    from sim.scenario import Scenario


class World(Protocol):
    """What the tables read of a finished run (``sim.model.world.World`` has it): the trace
    depends on these records, not on the world that made them."""

    scenario: Scenario
    cat: Catalogue
    jobs: list[Job]
    ledger: Ledger
    pools: Pools
    supply: Supply


H = 60.0


def _dated(world: World, df: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """With ``run.start``, a datetime column beside each hour column (``arrival_h`` ->
    ``arrival_at``): the date and time of day of that moment."""
    start = world.scenario.run.start
    if start is None:
        return df
    origin = pd.Timestamp(start)
    for hours, at in columns.items():
        df[at] = origin + pd.to_timedelta(df[hours] * 3600.0, unit="s").dt.round("ms")
    return df


def jobs_frame(world: World) -> pd.DataFrame:
    """One row per job that arrived; times in hours from the start of the run; ``source``:
    the source of cars it came from (``walk_ins``, ``bookings``, ``event.<name>``)."""
    names = list(world.scenario.demand.job_types)
    jobs = world.jobs
    cols = {
        "job": [j.id for j in jobs],
        "job_type": [names[j.type] for j in jobs],
        "booked": [j.booked for j in jobs],
        "source": [j.source for j in jobs],
        "arrival_h": [j.arrival / H for j in jobs],
        "reception_start_h": [j.rec_start / H for j in jobs],
        "reception_end_h": [j.rec_end / H for j in jobs],
        "promise_h": [j.promise / H for j in jobs],
        "first_start_h": [j.first_start / H for j in jobs],
        "parts_done_h": [j.parts_done / H for j in jobs],
        "delivery_end_h": [j.delivery_end / H for j in jobs],
        "standard_hours": [j.std_total / H for j in jobs],
        "labour_hours": [j.labour_worked / H for j in jobs],
        "lines": [len(j.lines) for j in jobs],
        "units": [j.units_requested for j in jobs],
        "units_at_request": [j.units_at_request for j in jobs],
        "lines_short": [j.lines_short for j in jobs],
        "qc_passes": [len(j.qc_times) for j in jobs],
        "comeback": [j.comeback for j in jobs],
    }
    df = pd.DataFrame(cols)
    df["on_time"] = (df["delivery_end_h"] <= df["promise_h"]).where(df["delivery_end_h"].notna())
    return _dated(world, df, {"arrival_h": "arrival_at", "delivery_end_h": "delivery_end_at"})


def stock_frame(world: World) -> pd.DataFrame:
    """Every change of a part's on-hand units: time (h), part_no, on_hand."""
    time, part, on_hand = np.array(world.ledger.trace or [], dtype=float).reshape(-1, 3).T
    part_no = np.array(world.cat.part_no, dtype=object)
    df = pd.DataFrame(
        {
            "time_h": time / H,
            "part_no": part_no[part.astype(np.int64)],
            "on_hand": on_hand.astype(np.int64),
        }
    )
    return _dated(world, df, {"time_h": "time_at"})


def pools_frame(world: World) -> pd.DataFrame:
    """Every change of a pool's busy units: time (h), pool, busy, size."""
    time, pool, busy = np.array(world.pools.log or [], dtype=float).reshape(-1, 3).T
    names = np.array(world.pools.names, dtype=object)
    idx = pool.astype(np.int64)
    df = pd.DataFrame(
        {
            "time_h": time / H,
            "pool": names[idx],
            "busy": busy.astype(np.int64),
            "size": np.array(world.pools.size, dtype=np.int64)[idx],
        }
    )
    return _dated(world, df, {"time_h": "time_at"})


def trucks_frame(world: World) -> pd.DataFrame:
    """Every delivery: departure and arrival (h), containers carried (a non-stock order line
    counts as one), and its kind: ``regular`` (a truck of a call-off) or ``special`` (the
    non-stock orders of a call-off travelling on their own ``stocking.lead_time``)."""
    sup = world.supply
    rows = [(s, "regular") for s in sup.truck_log] + [(s, "special") for s in sup.special_log]
    rows.sort(key=lambda row: (row[0].departure, row[0].arrival))  # stable: regular first
    df = pd.DataFrame(
        {
            "departure_h": np.array([s.departure for s, _ in rows], dtype=float) / H,
            "arrival_h": np.array([s.arrival for s, _ in rows], dtype=float) / H,
            "containers": np.array([s.containers for s, _ in rows], dtype=np.int64),
            "kind": pd.Series([kind for _, kind in rows], dtype=object),
        }
    )
    return _dated(world, df, {"departure_h": "departure_at", "arrival_h": "arrival_at"})
