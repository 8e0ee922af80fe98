"""KPI columns and their computation from one replication's records."""

from __future__ import annotations

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


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def compute_kpis(rec: RunRecords) -> dict[str, float | None]:
    """One KPI row over the measurement window; None where a denominator is zero.

    Counting rules (DESIGN.md, "KPIs"): arrivals count at arrival; completion KPIs and money
    at delivery end; bay wait, parts readiness, fill rate and stock-outs at the first
    operation's start (the parts request); dwell at issue; trucks at arrival; emergency
    orders at placement, their cost with the placing job's money at its delivery.
    ``parts_wait_h`` integrates each waiting job's hours inside the window.
    """
    t0, t1 = rec.window
    span = t1 - t0
    price, cost = rec.unit_price, rec.unit_cost
    received = delivered = on_time = comebacks = 0
    lead = revenue = parts_cost = labour_min = 0.0
    started = bay_wait = 0.0
    n_started = with_lines = ready = short_lines = 0
    units_req = units_now = 0
    wait = emergency = 0.0
    for j in rec.jobs:
        if t0 <= j.arrival < t1:
            received += 1
        if t0 <= j.delivery_end < t1:
            delivered += 1
            on_time += j.delivery_end <= j.promise
            comebacks += j.comeback
            lead += j.delivery_end - j.arrival
            revenue += sum(j.std) / 60 * rec.job_labour_rate[j.type]
            for p, q in j.lines:
                revenue += q * price[p]
                parts_cost += q * cost[p]
            labour_min += j.labour_worked
            emergency += j.emergency_cost
        fs = j.first_start
        if t0 <= fs < t1:
            n_started += 1
            bay_wait += fs - j.rec_end
            if j.lines:
                with_lines += 1
                ready += j.lines_short == 0
                short_lines += j.lines_short
                units_req += j.units_requested
                units_now += j.units_at_request
        if j.lines_short:
            done = j.parts_done if j.parts_done == j.parts_done else t1  # NaN: still waiting
            a, b = max(fs, t0), min(done, t1)
            if b > a:
                wait += b - a
    started = n_started
    margin = revenue - parts_cost - labour_min / 60 * rec.labour_cost_per_hour - emergency

    def util(pools: list[int]) -> float | None:
        den = sum(rec.pool_size[i] for i in pools) * rec.working_minutes
        return _ratio(sum(rec.pool_busy[i] for i in pools), den)

    kpis: dict[str, float | None] = {
        "vehicles_received": float(received),
        "jobs_delivered": float(delivered),
        "on_time_rate": _ratio(on_time, delivered),
        "mean_lead_time_h": _ratio(lead / 60, delivered),
        "mean_bay_wait_h": _ratio(bay_wait / 60, started),
        "bay_utilization": util(rec.space_pools),
        "technician_utilization": util(rec.labour_pools),
        "comeback_rate": _ratio(comebacks, delivered),
        "revenue": revenue,
        "gross_margin": margin,
        "gross_margin_rate": _ratio(margin, revenue),
        "fill_rate": _ratio(units_now, units_req),
        "parts_ready_rate": _ratio(ready, with_lines),
        "stockout_events": float(short_lines),
        "parts_wait_h": wait / 60,
        "avg_inventory_units": rec.inventory_unit_minutes / span,
        "avg_inventory_value": rec.inventory_value_minutes / span,
        "mean_dwell_h": _ratio(rec.dwell_minutes / 60, rec.units_issued),
        "deliveries": float(rec.deliveries),
        "emergency_orders": float(rec.emergency_orders),
    }
    assert tuple(kpis) == KPI_COLUMNS
    return {k: (None if v is None else float(v)) for k, v in kpis.items()}
