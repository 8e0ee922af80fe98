"""KPI columns and their computation from one replication's records."""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter

import numpy as np

from sim.model.records import RunRecords

KPI_COLUMNS: tuple[str, ...] = (
    "vehicles_received",
    "jobs_delivered",
    "on_time_rate",
    "mean_lead_time_h",
    "mean_bay_wait_h",
    "bay_utilization",
    "technician_utilization",
    "comeback_rate",
    "revenue",
    "gross_margin",
    "gross_margin_rate",
    "fill_rate",
    "parts_ready_rate",
    "stockout_events",
    "parts_wait_h",
    "avg_inventory_units",
    "avg_inventory_value",
    "mean_dwell_h",
    "deliveries",
    "emergency_orders",
)


ATTACHED: tuple[str, ...] = ("care_products", "accessories", "tyres")
# Attached sales (care products, accessories, tyres) sold with the jobs delivered in the
# window: columns beyond the first specification's set (docs/model.md 6.2), so that every
# scorecard item is simulated.
# Round 2: stocking, the shelf's own service, and what stock, trucks and emergency orders
# cost together (money over the window, in the scenario's currency).
LOGISTICS: tuple[str, ...] = (
    "stocked_parts",
    "stocked_fill_rate",
    "holding_cost",
    "transport_cost",
    "emergency_cost",
    "logistics_cost",
    "days_of_supply",
    "returns",
)
# Issue 12: how far ahead the advisor promises (a promise padded to look punctual shows here).
PROMISE: tuple[str, ...] = ("mean_promise_h",)
KPI_COLUMNS = (*KPI_COLUMNS, *ATTACHED, *LOGISTICS, *PROMISE)

MONTH_DAYS = 30
MONTH_COLUMNS: tuple[str, ...] = (
    "month",
    "vehicles_received",
    "jobs_delivered",
    "revenue",
    "gross_margin",
    "gross_margin_rate",
    *ATTACHED,
    "on_time_rate",
    "comeback_rate",
)


def _ratio(num: float, den: float) -> float | None:
    return float(num / den) if den else None


def _float(value: float | None) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True)
class JobColumns:
    """The per-job figures the KPIs read, one numpy array each, in arrival order.

    Built in one pass over the jobs, so the run's KPI row and each month's row are numpy
    reductions over windows, not loops over every job per window.
    """

    arrival: np.ndarray
    job_type: np.ndarray  # index into the scenario's job types
    delivery_end: np.ndarray  # NaN: not delivered
    on_time: np.ndarray  # delivery_end <= promise
    promise: np.ndarray
    comeback: np.ndarray
    revenue: np.ndarray  # labour at the job type's rate + parts at price + attached sales
    cost: np.ndarray  # labour worked (labour_cost: worked) + parts at cost + emergency orders
    # + attached cost
    attached: np.ndarray  # (kinds, jobs): attached sales value per kind
    first_start: np.ndarray  # NaN: not started
    bay_wait: np.ndarray  # first start - reception end
    with_lines: np.ndarray
    lines_short: np.ndarray
    units_requested: np.ndarray
    units_at_request: np.ndarray
    parts_done: np.ndarray  # NaN: still waiting (or no parts)


def job_columns(rec: RunRecords) -> JobColumns:
    """The per-job arrays of a run's jobs (each read by a C-level map, not a Python loop)."""
    jobs = rec.jobs
    n = len(jobs)

    def col(name: str, dtype: type = float) -> np.ndarray:
        return np.fromiter(map(attrgetter(name), jobs), dtype=dtype, count=n)

    with_lines = np.fromiter(map(bool, map(attrgetter("lines"), jobs)), dtype=bool, count=n)
    lined = np.flatnonzero(with_lines)
    with_parts = jobs if len(lined) == n else [jobs[k] for k in lined.tolist()]

    def parts_col(name: str, dtype: type, none: float) -> np.ndarray:
        """A figure only jobs with parts lines can have (``none`` for the others)."""
        out: np.ndarray = np.full(n, none, dtype=dtype)
        out[lined] = np.fromiter(map(attrgetter(name), with_parts), dtype, count=len(lined))
        return out

    arrival, delivery_end, promise = col("arrival"), col("delivery_end"), col("promise")
    first_start, rec_end = col("first_start"), col("rec_end")
    worked, job_type, std = col("labour_worked"), col("type", np.int64), col("std_total")
    emergency = parts_col("emergency_cost", float, 0.0)
    if rec.attached_sales:
        attached_cost = col("attached_cost")
        attached = np.array(list(map(attrgetter("attached"), jobs)), dtype=float)
        attached = attached.reshape(n, len(ATTACHED))
    else:
        attached_cost, attached = np.zeros(n), np.zeros((n, len(ATTACHED)))
    # Labour at the job type's rate, attached sales, then each part line at its price.
    revenue = std / 60 * np.asarray(rec.job_labour_rate, dtype=float)[job_type]
    revenue += attached.sum(axis=1)
    # Labour worked is a job's cost unless the crew is paid for its hours (then per window).
    per_minute = rec.labour_cost_per_hour / 60 if rec.labour_cost == "worked" else 0.0
    costs = worked * per_minute + emergency + attached_cost
    price, cost = np.asarray(rec.unit_price).tolist(), np.asarray(rec.unit_cost).tolist()
    for k in lined.tolist():
        r, c = revenue[k], costs[k]
        for p, q in jobs[k].lines:
            r += q * price[p]
            c += q * cost[p]
        revenue[k], costs[k] = r, c
    return JobColumns(
        arrival=arrival,
        job_type=job_type,
        delivery_end=delivery_end,
        on_time=delivery_end <= promise,
        promise=promise,
        comeback=col("comeback", bool),
        revenue=revenue,
        cost=costs,
        attached=attached.T,
        first_start=first_start,
        bay_wait=first_start - rec_end,
        with_lines=with_lines,
        lines_short=parts_col("lines_short", np.int64, 0),
        units_requested=parts_col("units_requested", np.int64, 0),
        units_at_request=parts_col("units_at_request", np.int64, 0),
        parts_done=parts_col("parts_done", float, np.nan),
    )


def _in(t: np.ndarray, t0: float, t1: float) -> np.ndarray:
    return (t >= t0) & (t < t1)  # NaN is in no window


def paid_labour(rec: RunRecords, working_minutes: float) -> float:
    """The labour cost booked over a window of ``working_minutes``: every labour pool's units
    for every working hour (``labour_cost: paid``), else 0 (labour is the jobs' cost)."""
    if rec.labour_cost != "paid":
        return 0.0
    return rec.paid_labour_units * working_minutes / 60 * rec.labour_cost_per_hour


def _deliveries(
    cols: JobColumns, t0: float, t1: float, labour: float = 0.0
) -> dict[str, float | None]:
    """Arrival and delivery-counted KPIs (throughput, on time, money) over [t0, t1);
    ``labour`` is the labour cost booked over the window (``labour_cost: paid``)."""
    done = _in(cols.delivery_end, t0, t1)
    delivered = int(done.sum())
    revenue = float(cols.revenue[done].sum())
    margin = revenue - float(cols.cost[done].sum()) - labour
    arrival = cols.arrival[done]
    lead = float((cols.delivery_end[done] - arrival).sum())
    promised = float((cols.promise[done] - arrival).sum())
    attached = cols.attached[:, done].sum(axis=1)
    return {
        "vehicles_received": float(_in(cols.arrival, t0, t1).sum()),
        "jobs_delivered": float(delivered),
        "on_time_rate": _ratio(cols.on_time[done].sum(), delivered),
        "mean_lead_time_h": _ratio(lead / 60, delivered),
        "mean_promise_h": _ratio(promised / 60, delivered),
        "comeback_rate": _ratio(cols.comeback[done].sum(), delivered),
        "revenue": revenue,
        "gross_margin": margin,
        "gross_margin_rate": _ratio(margin, revenue),
        **{kind: float(v) for kind, v in zip(ATTACHED, attached, strict=True)},
    }


def compute_kpis(rec: RunRecords, cols: JobColumns | None = None) -> dict[str, float | None]:
    """One KPI row over the measurement window; None where a denominator is zero.

    Counting rules (docs/model.md 6.1): arrivals count at arrival; completion KPIs and money
    at delivery end; bay wait, parts readiness, fill rate and stock-outs at the first
    operation's start (the parts request); dwell at issue; trucks at arrival; emergency
    orders at placement, their cost with the placing job's money at its delivery.
    ``parts_wait_h`` integrates each waiting job's hours inside the window.
    """
    cols = job_columns(rec) if cols is None else cols
    t0, t1 = rec.window
    span = t1 - t0
    started = _in(cols.first_start, t0, t1)
    parts = started & cols.with_lines
    short = cols.lines_short > 0
    # A job short of parts waits from its first start to the last unit (or the run's end).
    done = np.where(np.isnan(cols.parts_done), t1, cols.parts_done)[short]
    waited = np.minimum(done, t1) - np.maximum(cols.first_start[short], t0)

    def util(pools: list[int]) -> float | None:
        den = sum(rec.pool_size[i] for i in pools) * rec.working_minutes
        return _ratio(sum(rec.pool_busy[i] for i in pools), den)

    stock_value = rec.inventory_value_minutes / span
    row = _deliveries(cols, t0, t1, paid_labour(rec, rec.working_minutes))
    row.update(
        mean_bay_wait_h=_ratio(cols.bay_wait[started].sum() / 60, started.sum()),
        bay_utilization=util(rec.space_pools),
        technician_utilization=util(rec.labour_pools),
        fill_rate=_ratio(cols.units_at_request[parts].sum(), cols.units_requested[parts].sum()),
        parts_ready_rate=_ratio((cols.lines_short[parts] == 0).sum(), parts.sum()),
        stockout_events=float(cols.lines_short[started].sum()),
        parts_wait_h=float(waited[waited > 0].sum()) / 60,
        avg_inventory_units=rec.inventory_unit_minutes / span,
        avg_inventory_value=stock_value,
        # Little's law: stock / units going out (to jobs, or returned) per hour; units
        # passed straight from a delivery to a waiting job count with dwell 0. Not a mean
        # over the units issued, which the start-up of slow movers biases for months.
        mean_dwell_h=_ratio(rec.inventory_unit_minutes / 60, rec.units_out),
        deliveries=float(rec.deliveries),
        emergency_orders=float(rec.emergency_orders),
    )
    row.update(_logistics(rec, stock_value))
    return {k: _float(row[k]) for k in KPI_COLUMNS}


def _logistics(rec: RunRecords, stock_value: float) -> dict[str, float | None]:
    """Stocking, the shelf's fill rate, and the logistics cost of the window."""
    pr = rec.parts
    days = (rec.window[1] - rec.window[0]) / 1440
    stocked = np.asarray(pr.stocked, dtype=bool)
    requested = np.asarray(pr.requested, dtype=float)
    holding = stock_value * rec.holding_rate * days / 365
    transport = rec.deliveries * rec.per_delivery + rec.containers_delivered * rec.per_container
    emergency = rec.emergency_orders * rec.emergency_cost
    return {
        "stocked_parts": float(stocked.sum()),
        "stocked_fill_rate": _ratio(
            np.asarray(pr.available, dtype=float)[stocked].sum(), requested[stocked].sum()
        ),
        "holding_cost": holding,
        "transport_cost": float(transport),
        "emergency_cost": float(emergency),
        "logistics_cost": holding + transport + emergency,
        # stock / the cost of the units issued to jobs per calendar day
        "days_of_supply": _ratio(stock_value, rec.issued_value / days),
        "returns": float(rec.returns),
    }


def part_rows(rec: RunRecords) -> dict[str, list]:
    """Per-part figures of the window (``parts.csv``), lists in catalogue order."""
    pr = rec.parts
    span = rec.window[1] - rec.window[0]
    units = [m / span for m in pr.unit_minutes]
    return {
        "part_no": list(pr.part_no),
        "stocked": list(pr.stocked),
        **{k: list(v) for k, v in pr.sizes.items()},
        "lines": list(pr.lines),
        "units_requested": list(pr.requested),
        "fill_rate": [
            a / r if r else None for a, r in zip(pr.available, pr.requested, strict=True)
        ],
        "stockout_events": list(pr.short),
        "parts_wait_h": [m / 60 for m in pr.wait_minutes],
        "avg_inventory_units": units,
        "avg_inventory_value": [u * c for u, c in zip(units, pr.unit_cost, strict=True)],
        "emergency_orders": list(pr.emergency),
    }


POOL_KPIS: tuple[str, ...] = ("utilization", "occupancy", "mean_wait_h")
JOB_TYPE_KPIS: tuple[str, ...] = (
    "jobs_delivered",
    "on_time_rate",
    "mean_lead_time_h",
    "mean_promise_h",
    "mean_wait_h",
    "revenue",
)
Breakdown = dict[str, dict[str, dict[str, float | None]]]  # group -> name -> kpi -> value


def breakdown_rows(rec: RunRecords, cols: JobColumns | None = None) -> Breakdown:
    """The window's figures per pool and per job type (``breakdown.csv``), plain floats.

    ``{"pool": {name: {kpi: value}}, "job_type": {name: {kpi: value}}}``, pools in the order
    of ``resources`` and job types in the scenario's order; None where a denominator is 0.
    A pool's ``utilization`` is ``bay_utilization``'s ratio for that pool alone,
    ``occupancy`` the time-average units held over elapsed time (nights included), and
    ``mean_wait_h`` the mean time from request to grant of the operations (rework included)
    that take it as their first pool, granted in the window. A job type's figures are the
    KPIs of the same name over its jobs (``mean_wait_h`` as ``mean_bay_wait_h``);
    ``mean_promise_h`` beside ``mean_lead_time_h`` shows whether a type's on-time rate comes
    from a right promise or a padded one.
    """
    cols = job_columns(rec) if cols is None else cols
    t0, t1 = rec.window
    pools = {
        name: {
            "utilization": _ratio(rec.pool_busy[i], rec.pool_size[i] * rec.working_minutes),
            "occupancy": rec.pool_held[i] / (t1 - t0),
            "mean_wait_h": _ratio(rec.pool_wait[i] / 60, rec.pool_waits[i]),
        }
        for i, name in enumerate(rec.pool_names)
    }
    n = len(rec.job_types)
    done = _in(cols.delivery_end, t0, t1)
    started = _in(cols.first_start, t0, t1)
    kind, first = cols.job_type[done], cols.job_type[started]

    def per_type(weights: np.ndarray | None, which: np.ndarray = kind) -> list[float]:
        return np.bincount(which, weights=weights, minlength=n).astype(float).tolist()

    delivered = per_type(None)
    on_time = per_type(cols.on_time[done].astype(float))
    lead = per_type((cols.delivery_end - cols.arrival)[done])
    promised = per_type((cols.promise - cols.arrival)[done])
    revenue = per_type(cols.revenue[done])
    waited, began = per_type(cols.bay_wait[started], first), per_type(None, first)
    types = {
        name: {
            "jobs_delivered": delivered[t],
            "on_time_rate": _ratio(on_time[t], delivered[t]),
            "mean_lead_time_h": _ratio(lead[t] / 60, delivered[t]),
            "mean_promise_h": _ratio(promised[t] / 60, delivered[t]),
            "mean_wait_h": _ratio(waited[t] / 60, began[t]),
            "revenue": revenue[t],
        }
        for t, name in enumerate(rec.job_types)
    }
    return {"pool": pools, "job_type": types}


def month_windows(window: tuple[float, float]) -> list[tuple[float, float]]:
    """The 30-day months of a window from its start (a trailing partial month dropped)."""
    t0, t1 = window
    month = MONTH_DAYS * 1440.0
    return [(t0 + m * month, t0 + (m + 1) * month) for m in range(int((t1 - t0) // month + 1e-9))]


def month_rows(rec: RunRecords, cols: JobColumns | None = None) -> list[dict[str, float | None]]:
    """The scorecard KPIs of each 30-day month from the end of warm-up (partial month dropped)."""
    cols = job_columns(rec) if cols is None else cols
    rows = []
    for m, (a, b) in enumerate(month_windows(rec.window)):
        labour = paid_labour(rec, rec.month_working_minutes[m]) if rec.labour_cost == "paid" else 0
        row = _deliveries(cols, a, b, labour)
        rows.append({"month": float(m), **{k: _float(row[k]) for k in MONTH_COLUMNS[1:]}})
    return rows
