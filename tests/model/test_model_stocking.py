"""Stocking: non-stock parts ordered for each job, bookings made ahead, returns, the special
lead time, the auto rule's threshold, the catalogue rule, and emergency orders that replace a
job's own order.

Worked by hand on the base scenario of conftest.py: one booked car a day at 08:00, received
08:00-08:15, one 2h operation on the only bay and mechanic, QC 10min, delivery 5min;
call-offs at 08:00, 10:00, ... 16:00, constant lead time 1h. Here every job has one line of
one unit of P1 (cost 40, price 50), and P1 is not stocked (catalogue column ``stocked:
false``, rule ``catalogue``) unless a test says otherwise: nothing is on the shelf at time 0,
and each job's unit is ordered for that job, rides the next call-off's truck and waits beside
the line for it.

Promise of a job whose order is not beside the line at reception end: reception end + 2h +
10min + 5min + 30min in working time, but no earlier than the order's expected arrival +
the same 2h45.
"""

from __future__ import annotations

from typing import Any

import pytest

from sim.loading import ScenarioError
from sim.model.sizing import lines_and_units_per_open_hour
from sim.model.world import calendar_of, catalogue_for, sizes_for

ONE_UNIT = {"job_types": {"service": {"parts": {"lines": 1, "qty": 1}}}}
NON_STOCK = {"stocked": "false"}
P1 = {"part_no": "P1", "unit_cost": 40, "unit_price": 50, "container_qty": 1, "weight": 1}
# Open on Monday and Tuesday only (time 0 is a Monday): with a 2-day horizon, no booking is
# due for a slot after the window (the arrival stream books only slots inside the run; see
# test_booking_for_a_slot_after_the_run_is_made_inside_it).
MON_TUE = {"days": ["mon", "tue"]}


def merged(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """``over`` merged into a copy of ``base``, mappings key by key."""
    out = dict(base)
    for k, v in over.items():
        out[k] = merged(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def non_stock(make_scenario, *, part: dict | None = None, **blocks: dict):
    """The one-unit scenario with P1 not stocked; ``blocks`` (demand, supply, run, ...) are
    merged into the overrides."""
    over: dict[str, Any] = {"demand": ONE_UNIT, "supply": {"stocking": {"rule": "catalogue"}}}
    over = merged(over, blocks)
    return make_scenario(over, part={**NON_STOCK, **(part or {})})


# -- ordered at reception end ------------------------------------------------------------
# 08:15 reception ends: the work order lists P1, so its unit is ordered for the job and
#       waits for the next call-off. Promise: the order is expected at 10:00 + 1h = 11:00,
#       so max(08:15 + 2h45, 11:00 + 2h45) = 13:45.
# 08:15 the operation starts (bay and mechanic free): nothing beside the line, the unit is
#       backordered; the job keeps the bay and gives the mechanic back.
# 10:00 call-off: no card released (P1 has no loop); the order rides the truck: one
#       container's room, the truck's only load. It arrives 11:00: the unit goes straight to
#       the job's backorder (never on the shelf).
# 11:00 the job retakes the mechanic: labour 11:00-13:00, QC -13:10, delivery -13:15.
# With no booking made ahead, `prepare` changes nothing: the job is known only at reception.


@pytest.mark.parametrize("prepare", [False, True])
def test_non_stock_part_ordered_at_reception_rides_the_next_truck(
    make_scenario, run, check_kpis, busy_at, prepare
):
    res = run(non_stock(make_scenario, supply={"prepare": prepare}))
    job = res.jobs.iloc[0]
    assert job["reception_end_h"] == pytest.approx(8.25)
    assert job["first_start_h"] == pytest.approx(8.25)
    assert job["promise_h"] == pytest.approx(13.75)
    assert (job["units"], job["units_at_request"], job["lines_short"]) == (1, 0, 1)
    assert job["parts_done_h"] == pytest.approx(11.0)
    assert job["delivery_end_h"] == pytest.approx(13.25)
    trucks = res.extra["trucks"]
    assert trucks["departure_h"].tolist() == pytest.approx([10.0])
    assert trucks["arrival_h"].tolist() == pytest.approx([11.0])
    assert trucks["containers"].tolist() == [1]
    assert res.stock.empty  # nothing ever on the shelf
    pools = res.extra["pools"]
    assert busy_at(pools, "bays", 10.0) == 1  # waits in its bay
    assert busy_at(pools, "mechanics", 10.0) == 0
    parts = res.extra["parts"]
    assert parts["stocked"] == [False]
    assert parts["cards"] == [None]
    assert parts["fill_rate"] == [0.0]
    assert parts["parts_wait_h"] == pytest.approx([2.75])
    check_kpis(
        res.kpis,
        {
            "vehicles_received": 1,
            "jobs_delivered": 1,
            "on_time_rate": 1.0,  # 13:15 <= 13:45
            "mean_lead_time_h": 13.25 - 8,
            # Bay 08:15-13:00 (285 min), mechanic 08:15-08:15 and 11:00-13:00 (120 min).
            "bay_utilization": 285 / 540,
            "technician_utilization": 120 / 540,
            "revenue": 2 * 100 + 50,
            "gross_margin": 250 - 40 - 2 * 55,
            "fill_rate": 0.0,
            "parts_ready_rate": 0.0,
            "stockout_events": 1,
            "parts_wait_h": 2.75,  # 08:15 -> 11:00
            "avg_inventory_units": 0.0,
            "avg_inventory_value": 0.0,
            "mean_dwell_h": 0.0,  # the one unit went from the truck to the job
            "deliveries": 1,
            "emergency_orders": 0,
            "stocked_parts": 0,
            "stocked_fill_rate": None,  # no stocked part was requested
            "days_of_supply": 0.0,
            "returns": 0,
        },
    )
    assert res.flow["parts_initial"] == 0
    assert res.flow["parts_received"] == res.flow["parts_issued"] == 1
    assert res.flow["parts_on_hand"] == 0


# -- ordered at booking (prepare), bookings made a day ahead -------------------------------
# Horizon 2 days, open Monday and Tuesday. Bookings are made 1d before their slot, not
# before time 0:
#  J0 (Monday 08:00 slot) is booked at time 0 (08:00 - 1d < 0): its job is drawn and, with
#     prepare, its unit ordered at once; the order waits for the 08:00 call-off.
#  J1 (Tuesday 08:00 slot, t = 32h) is booked on Monday at 08:00: a booking made at the
#     call-off's instant is in time for it (the arrival stream acts first at that instant).
# Mon 08:00 call-off: one truck with both orders (2 containers), arriving 09:00.
# Mon 08:00 J0 arrives, reception 08:00-08:15. Promise: its order is on the road, due 09:00:
#     max(08:15 + 2h45, 09:00 + 2h45) = 11:45. Starts 08:15: nothing beside the line for it,
#     backordered. 09:00 the truck: J0's unit to its backorder; J1's unit waits beside the
#     line, held for J1 (on the shelf: line-side stock from 09:00).
#     J0: labour 09:00-11:00, QC -11:10, delivery -11:15.
# Tue 08:00 J1 arrives; its unit is beside the line at reception end: promise 08:15 + 2h45 =
#     11:00 (t = 35h). Starts 08:15 (32.25h): its held unit is issued, available at the
#     request. Labour -10:15, QC -10:25, delivery -10:30.
# Stock: 1 unit on [09:00 Mon, 08:15 Tue) = 23h15 = 1,395 min over 2,880.


def test_prepared_order_is_held_beside_the_line_until_its_job_starts(
    make_scenario, run, check_kpis
):
    s = non_stock(
        make_scenario,
        run={"horizon": "2d"},
        calendar=MON_TUE,
        demand={"appointments": {"booked_ahead": "1d"}},
        supply={"prepare": True},
    )
    res = run(s)
    jobs = res.jobs
    assert jobs["arrival_h"].tolist() == pytest.approx([8.0, 32.0])
    assert jobs["promise_h"].tolist() == pytest.approx([11.75, 35.0])
    assert jobs["first_start_h"].tolist() == pytest.approx([8.25, 32.25])
    assert jobs["units_at_request"].tolist() == [0, 1]
    assert jobs["lines_short"].tolist() == [1, 0]
    assert jobs["parts_done_h"].tolist() == pytest.approx([9.0, 32.25])
    assert jobs["delivery_end_h"].tolist() == pytest.approx([11.25, 34.5])
    trucks = res.extra["trucks"]
    assert trucks["departure_h"].tolist() == pytest.approx([8.0])
    assert trucks["arrival_h"].tolist() == pytest.approx([9.0])
    assert trucks["containers"].tolist() == [2]
    assert res.stock["time_h"].tolist() == pytest.approx([9.0, 32.25])
    assert res.stock["on_hand"].tolist() == [1, 0]
    units = 1395 / 2880
    assert res.extra["parts"]["avg_inventory_units"] == pytest.approx([units])
    check_kpis(
        res.kpis,
        {
            "vehicles_received": 2,
            "jobs_delivered": 2,
            "on_time_rate": 1.0,
            "fill_rate": 1 / 2,  # J1's unit was ready, J0's was not
            "parts_ready_rate": 1 / 2,
            "stockout_events": 1,
            "parts_wait_h": 0.75,  # J0: 08:15 -> 09:00
            "avg_inventory_units": units,
            "avg_inventory_value": 40 * units,
            # Little's law: 1,395 unit-minutes / 2 units out (J0's straight from the truck).
            "mean_dwell_h": 1395 / 60 / 2,
            "deliveries": 1,
            "stocked_parts": 0,
            "stocked_fill_rate": None,
            # Two units of 40 used in two days: stock value / 40 a day.
            "days_of_supply": 40 * units / 40,
            "returns": 0,
        },
    )
    assert res.flow["parts_received"] == res.flow["parts_issued"] == 2
    assert res.flow["parts_returned"] == res.flow["parts_on_hand"] == 0


# -- a booking that never arrives: its orders go back ------------------------------------
# As above (bookings a day ahead, prepare, Monday and Tuesday), but no car ever comes: every
# booking is a no-show, or is cancelled because the car is 40min late (> cancel_after
# 30min). At slot + 30min the booking's order is cancelled:
# Call-offs from 08:00 (08:00, 10:00, ...):
#  J0 (booked at 0) and J1 (booked Mon 08:00) ride the Mon 08:00 truck, due 09:00.
#  Mon 08:30 J0 is given up; its order is on the road: it will go back after it arrives.
#  Mon 09:00 both units beside the line (1, 2); J0's leaves at the first call-off at or after
#      09:00: Mon 10:00 (1 left).
#  Tue 08:30 J1 is given up; its unit has arrived: back at Tue 10:00 (34h).
#  Stock: J0's unit 60 min, J1's 09:00 Mon -> 10:00 Tue = 1,500 min; 1,560 over 2,880.
# Call-offs from 09:00 (09:00, 11:00, 13:00, 15:00):
#  Mon 08:30 J0 is given up while its order still waits for the 09:00 call-off: struck off,
#      never sent, never returned.
#  Mon 09:00 call-off: J1's order alone (1 container), due 10:00; held from 10:00.
#  Tue 08:30 J1 is given up: its unit goes back at Tue 09:00 (33h). Stock: 23h = 1,380 min.


@pytest.mark.parametrize(
    "absence",
    [{"no_show": 1.0}, {"lateness": "40min"}],
    ids=["no_show", "cancelled_late"],
)
@pytest.mark.parametrize(
    ("first", "containers", "stock_times", "stock_levels", "returns", "unit_minutes"),
    [
        ("08:00", [2], [9.0, 9.0, 10.0, 34.0], [1, 2, 1, 0], 2, 60 + 1500),
        ("09:00", [1], [10.0, 33.0], [1, 0], 1, 1380),
    ],
    ids=["on_road_and_arrived", "struck_off_and_arrived"],
)
def test_orders_of_a_booking_that_never_arrives_go_back(
    make_scenario,
    run,
    check_kpis,
    absence,
    first,
    containers,
    stock_times,
    stock_levels,
    returns,
    unit_minutes,
):
    s = non_stock(
        make_scenario,
        run={"horizon": "2d"},
        calendar=MON_TUE,
        demand={"appointments": {"booked_ahead": "1d", **absence}},
        supply={"prepare": True, "call_off": {"first": first}},
    )
    res = run(s)
    assert res.jobs.empty  # no car came
    trucks = res.extra["trucks"]
    dep = float(first[:2])
    assert trucks["departure_h"].tolist() == pytest.approx([dep])
    assert trucks["arrival_h"].tolist() == pytest.approx([dep + 1])
    assert trucks["containers"].tolist() == containers
    assert res.stock["time_h"].tolist() == pytest.approx(stock_times)
    assert res.stock["on_hand"].tolist() == stock_levels
    check_kpis(
        res.kpis,
        {
            "vehicles_received": 0,
            "fill_rate": None,
            "avg_inventory_units": unit_minutes / 2880,
            "avg_inventory_value": 40 * unit_minutes / 2880,
            # Little's law: the units out are the units sent back.
            "mean_dwell_h": unit_minutes / 60 / returns,
            "deliveries": 1,
            "returns": returns,
        },
    )
    assert res.flow["parts_received"] == res.flow["parts_returned"] == returns
    assert res.flow["parts_issued"] == res.flow["parts_on_hand"] == 0


# -- stocking.lead_time: non-stock orders travel on their own ----------------------------
# Two parts: P1 not stocked, P2 (cost 20, price 30) stocked with one card; the job has two
# lines, so it asks one unit of each. Non-stock orders travel 3h from the call-off that
# sends them, apart from the regular truck.
# 08:15 P1 ordered for the job (promise: expected 10:00 + 3h = 13:00 -> 13:00 + 2h45 =
#       15:45); the job starts: P2 from the shelf (its card released), P1 backordered.
# 10:00 call-off: P2's card on the regular truck (arrives 11:00: P2 back on the shelf);
#       P1's order leaves on its own, arriving 13:00: a delivery of its own.
# 13:00 the job resumes: labour -15:00, QC -15:10, delivery -15:15.
# Transport: 2 deliveries x 300 + 2 containers (P2's card, P1's line) x 5.


def test_stocking_lead_time_ships_non_stock_orders_on_their_own(make_scenario, run, check_kpis):
    p2 = {**P1, "part_no": "P2", "unit_cost": 20, "unit_price": 30, "stocked": "true"}
    s = make_scenario(
        {
            "demand": {"job_types": {"service": {"parts": {"lines": 2, "qty": 1}}}},
            "supply": {
                "stocking": {"rule": "catalogue", "lead_time": "3h"},
                "truck_cost": {"per_delivery": 300, "per_container": 5},
            },
        },
        parts=[P1 | NON_STOCK, p2],
    )
    res = run(s)
    job = res.jobs.iloc[0]
    assert job["promise_h"] == pytest.approx(15.75)
    assert (job["units"], job["units_at_request"], job["lines_short"]) == (2, 1, 1)
    assert job["parts_done_h"] == pytest.approx(13.0)
    assert job["delivery_end_h"] == pytest.approx(15.25)
    # Both leave at the 10:00 call-off: the truck with P2's container (11:00), P1's line on
    # its own 3h special lead time (13:00).
    trucks = res.extra["trucks"]
    assert trucks["departure_h"].tolist() == pytest.approx([10.0, 10.0])
    assert trucks["arrival_h"].tolist() == pytest.approx([11.0, 13.0])
    assert trucks["containers"].tolist() == [1, 1]
    assert trucks["kind"].tolist() == ["regular", "special"]
    assert res.stock["part_no"].tolist() == ["P2"] * 3  # P1 never on the shelf
    assert res.stock["time_h"].tolist() == pytest.approx([0.0, 8.25, 11.0])
    assert res.stock["on_hand"].tolist() == [1, 0, 1]
    parts = res.extra["parts"]
    assert parts["stocked"] == [False, True]
    assert parts["fill_rate"] == [0.0, 1.0]
    # P2: 1 unit on [0, 08:15) and [11:00, 24:00): 495 + 780 unit-minutes.
    p2_units = (495 + 780) / 1440
    check_kpis(
        res.kpis,
        {
            "fill_rate": 1 / 2,
            "parts_ready_rate": 0.0,
            "parts_wait_h": 13 - 8.25,
            "avg_inventory_units": p2_units,
            "avg_inventory_value": 20 * p2_units,
            "mean_dwell_h": (495 + 780) / 60 / 2,
            "deliveries": 2,
            "transport_cost": 2 * 300 + 2 * 5,
            "stocked_parts": 1,
            "stocked_fill_rate": 1.0,  # P2's unit was on the shelf
        },
    )


# -- the auto rule's threshold -------------------------------------------------------------
# Two bookings a day on the only slot, each a no-show with probability 0.25 (lateness 0):
# 2 x 0.75 = 1.5 cars expected a day. One job type (share 1) with 1-3 lines (mean 2), three
# parts of weights 6, 3, 1 (normalised 0.6, 0.3, 0.1). Expected order lines per open day:
#   P1: 1.5 x 1 x min(1, 2 x 0.6 = 1.2) = 1.5   -> 45 lines per 30 open days
#   P2: 1.5 x 1 x min(1, 2 x 0.3)       = 0.9   -> 27
#   P3: 1.5 x 1 x min(1, 2 x 0.1)       = 0.3   ->  9
# A part is stocked when its lines per month reach min_lines_per_month (>=).


@pytest.mark.parametrize(
    ("threshold", "stocked"),
    [
        (10.0, [True, True, False]),
        (9.0, [True, True, True]),  # exactly on the threshold: stocked
        (9.000001, [True, True, False]),
        (27.5, [True, False, False]),
        (46.0, [False, False, False]),
    ],
)
def test_auto_rule_stocks_parts_at_or_above_the_threshold(make_scenario, run, threshold, stocked):
    s = make_scenario(
        {
            "resources": {"bays": 2, "mechanics": 2},
            "demand": {
                "appointments": {"per_day": 2, "no_show": 0.25},
                "job_types": {
                    "service": {
                        "parts": {"lines": {"dist": "uniform_int", "low": 1, "high": 3}, "qty": 1}
                    }
                },
            },
            "supply": {
                "stocking": {"rule": "auto", "min_lines_per_month": threshold},
                "kanban": {"cards": "auto"},
            },
        },
        parts=[{**P1, "part_no": f"P{k}", "weight": w} for k, w in ((1, 6), (2, 3), (3, 1))],
    )
    cal = calendar_of(s)
    lines, _ = lines_and_units_per_open_hour(s, catalogue_for(s), cal)
    assert (lines * cal.hours_per_open_day * 30).tolist() == pytest.approx([45.0, 27.0, 9.0])
    sizes = sizes_for(s)
    assert sizes["stocked"].tolist() == [int(x) for x in stocked]
    assert all((n > 0) == x for n, x in zip(sizes["cards"].tolist(), stocked, strict=True))
    res = run(s, trace=False)
    assert res.kpis["stocked_parts"] == sum(stocked)
    parts = res.extra["parts"]
    assert parts["stocked"] == stocked
    assert [c is not None for c in parts["cards"]] == stocked


# -- the catalogue rule needs its column ---------------------------------------------------


@pytest.mark.parametrize(
    "parts",
    [
        [P1],
        [P1 | {"stocked": "true"}, P1 | {"part_no": "P2", "stocked": ""}],
    ],
    ids=["no_column", "missing_value"],
)
def test_catalogue_rule_without_a_stocked_value_is_an_input_error(make_scenario, parts):
    with pytest.raises(ScenarioError) as err:
        make_scenario({"supply": {"stocking": {"rule": "catalogue"}}}, parts=parts)
    assert err.value.field == "supply.stocking.rule"
    assert "needs a stocked value" in str(err.value)
    # The other rules do not read the column.
    for rule in ("all", "auto"):
        make_scenario({"supply": {"stocking": {"rule": rule}}}, parts=parts)


@pytest.mark.parametrize(
    ("word", "stocked"),
    [("true", 1), ("false", 0), ("yes", 1), ("no", 0), ("1", 1), ("0", 0), (" TRUE ", 1)],
)
def test_catalogue_rule_reads_the_flag_words(make_scenario, word, stocked):
    s = make_scenario({"supply": {"stocking": {"rule": "catalogue"}}}, part={"stocked": word})
    assert sizes_for(s)["stocked"].tolist() == [stocked]


# -- an emergency order replaces the job's own order ---------------------------------------
# Emergency orders on, 30min lead, 80 an order.
# Ordered at reception (no booking ahead): at 08:15 the job starts short of P1, whose order
# waits for the 10:00 call-off (expected 11:00). An emergency order would be here at 08:45,
# sooner: placed, and the job's own order is struck off the queue: the 10:00 call-off sends
# no truck and nothing ever goes back. The emergency unit fills the backorder at 08:45:
# labour 08:45-10:45, QC -10:55, delivery -11:00.


def test_emergency_order_strikes_off_the_queued_own_order(make_scenario, run, check_kpis):
    s = non_stock(
        make_scenario, supply={"emergency": {"enabled": True, "lead_time": "30min", "cost": 80}}
    )
    res = run(s)
    job = res.jobs.iloc[0]
    assert job["promise_h"] == pytest.approx(13.75)  # made at 08:15, before the emergency
    assert job["parts_done_h"] == pytest.approx(8.75)
    assert job["delivery_end_h"] == pytest.approx(11.0)
    assert res.extra["trucks"].empty  # the 10:00 call-off had nothing to send
    assert res.stock.empty
    assert res.extra["parts"]["emergency_orders"] == [1.0]
    check_kpis(
        res.kpis,
        {
            "fill_rate": 0.0,
            "parts_wait_h": 0.5,
            "emergency_orders": 1,
            "emergency_cost": 80.0,
            "gross_margin": 250 - 40 - 2 * 55 - 80,
            "deliveries": 0,  # emergency orders are not deliveries
            "avg_inventory_units": 0.0,
            "returns": 0,
        },
    )
    assert res.flow["parts_received"] == res.flow["parts_issued"] == 1
    assert res.flow["parts_returned"] == res.flow["parts_on_hand"] == 0


# Ordered at booking (a day ahead, prepare): J0's order rides the 08:00 truck, due 09:00.
# At 08:15 J0 starts short. A 30min emergency order (08:45) is sooner: placed; the own order
# is on the road, so it is cancelled and goes back after it arrives: held from 09:00, it
# leaves with the 10:00 call-off (returns 1; 60 unit-minutes on the shelf). A 45min one
# (09:00) is not sooner than the truck: not placed, J0 gets its own unit at 09:00.


@pytest.mark.parametrize(
    ("lead", "placed", "done_h", "stock_times", "returns"),
    [("30min", 1, 8.75, [9.0, 10.0], 1), ("45min", 0, 9.0, [], 0)],
)
def test_emergency_order_sends_back_the_own_order_on_the_road(
    make_scenario, run, check_kpis, lead, placed, done_h, stock_times, returns
):
    s = non_stock(
        make_scenario,
        calendar={"days": ["mon"]},  # the next booking (next Monday's) is made after the run
        demand={"appointments": {"booked_ahead": "1d"}},
        supply={"prepare": True, "emergency": {"enabled": True, "lead_time": lead, "cost": 80}},
    )
    res = run(s)
    job = res.jobs.iloc[0]
    assert job["promise_h"] == pytest.approx(11.75)  # own order due 09:00, + 2h45
    assert job["parts_done_h"] == pytest.approx(done_h)
    trucks = res.extra["trucks"]
    assert trucks["departure_h"].tolist() == pytest.approx([8.0])
    assert trucks["containers"].tolist() == [1]
    assert res.stock["time_h"].tolist() == pytest.approx(stock_times)
    assert res.stock["on_hand"].tolist() == [1, 0][: len(stock_times)]
    check_kpis(
        res.kpis,
        {
            "emergency_orders": placed,
            "parts_wait_h": done_h - 8.25,
            "deliveries": 1,
            "avg_inventory_units": 60 * returns / 1440,
            "returns": returns,
        },
    )
    assert res.flow["parts_received"] == 1 + placed
    assert res.flow["parts_returned"] == returns
    assert res.flow["parts_on_hand"] == 0


# -- whichever comes first serves; bookings for after the run -------------------------------


def test_cancelled_own_order_arriving_before_the_emergency_goes_back(make_scenario, run):
    # As above with a 30min emergency order, but the regular lead time is 20min or 100min
    # with equal chances (mean 1h: the order is still *expected* at 09:00, so the emergency
    # order, due 08:45, is placed and cancels it). In replication 1 the truck draws 20min
    # and arrives at 08:20, before the emergency order.
    # Whichever of the two comes first serves J0 (the cancelled order's unit, at 08:20); the
    # emergency unit, arriving 08:45 for a job no longer waiting, is surplus and goes back
    # with the 10:00 call-off: nothing of the non-stock part is left on the shelf.
    s = non_stock(
        make_scenario,
        calendar={"days": ["mon"]},  # the next booking (next Monday's) is made after the run
        demand={"appointments": {"booked_ahead": "1d"}},
        supply={
            "prepare": True,
            "lead_time": {"dist": "empirical", "values": ["20min", "100min"]},
            "emergency": {"enabled": True, "lead_time": "30min"},
        },
    )
    res = run(s, replication=1)
    assert res.extra["trucks"]["arrival_h"].tolist() == pytest.approx([8 + 20 / 60])
    assert res.kpis["emergency_orders"] == 1
    assert res.flow["parts_received"] == 2
    assert res.kpis["returns"] == 1
    assert res.flow["parts_returned"] == 1
    assert res.flow["parts_on_hand"] == 0
    assert res.stock["on_hand"].iloc[-1] == 0


def test_booking_for_a_slot_after_the_run_is_made_inside_it(make_scenario, run, check_kpis):
    # Horizon 1 day, every day open, bookings a day ahead with prepare. Rule 3: Tuesday's
    # booking (slot 32h) is made on Monday at 08:00, inside the run, and its order rides the
    # 08:00 truck with J0's (2 containers, due 09:00); its unit is held beside the line from
    # 09:00 to the end of the window: 900 unit-minutes over 1,440. (Bookings are drawn for
    # the days after the run as far as a booking can reach back, after the run's own
    # draws, which they leave unchanged.)
    s = non_stock(
        make_scenario,
        demand={"appointments": {"booked_ahead": "1d"}},
        supply={"prepare": True},
    )
    res = run(s)
    assert res.extra["trucks"]["containers"].tolist() == [2]
    check_kpis(res.kpis, {"avg_inventory_units": 900 / 1440, "deliveries": 1})
