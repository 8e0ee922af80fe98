"""Call-off policies and trucks on hand-worked sequences.

Unless said otherwise: two booked cars A and B arrive at 08:00 (per_day 2 on the single
slot); one advisor, two bays, two mechanics, so A starts (requests its parts) at 08:15 and
B at 08:30. Each needs 3 units of P1, whose container holds 2. Call-offs at 08:00, 10:00,
12:00, 14:00 and 16:00; constant lead time 1h; 2h jobs, QC 10min (one QC station), delivery
5min.
"""

from __future__ import annotations

import pytest

C2 = {"container_qty": 2}


def two_cars_three_units(supply: dict) -> dict:
    return {
        "resources": {"bays": 2, "mechanics": 2},
        "demand": {
            "appointments": {"per_day": 2},
            "job_types": {"service": {"parts": {"lines": 1, "qty": 3}}},
        },
        "supply": supply,
    }


# -- kanban: on_request vs on_empty -------------------------------------------------------
# One card (shelf 2 units at time 0).
#  08:15 A asks 3: 2 issued (the container empties), 1 backordered.
#  08:30 B asks 3: all 3 backordered.
# on_request: A's request reaches C once (3 = 1 x 2 + 1 left over) -> 1 card; B's brings the
#   count to 1 + 3 = 4 -> 2 cards. The 10:00 call-off sends 3 containers, arriving 11:00:
#   container 1 -> A 1 (A complete), B 1; container 2 -> B 2 (B complete); container 3 ->
#   shelf. Both wait until 11:00: parts wait 165 + 150 min.
# on_empty: the emptied container releases 1 card (08:15). The 10:00 truck (1 container,
#   arrives 11:00) -> A 1, B 1: it goes straight to backorders, so it is empty on arrival and
#   its card leaves at 12:00 (arrives 13:00) -> B 2, empty again -> card at 14:00, arrives
#   15:00 -> shelf 2. A waits 08:15-11:00 (165 min), B 08:30-13:00 (270 min).


@pytest.mark.parametrize(
    ("release", "departures", "containers", "b_done", "wait_min", "refill_h"),
    [
        ("on_request", [10.0], [3], 11.0, 165 + 150, 11.0),
        ("on_empty", [10.0, 12.0, 14.0], [1, 1, 1], 13.0, 165 + 270, 15.0),
    ],
)
def test_kanban_release(
    make_scenario, run, check_kpis, release, departures, containers, b_done, wait_min, refill_h
):
    s = make_scenario(two_cars_three_units({"kanban": {"cards": 1, "release": release}}), part=C2)
    res = run(s)
    trucks = res.extra["trucks"]
    assert trucks["departure_h"].tolist() == pytest.approx(departures)
    assert trucks["arrival_h"].tolist() == pytest.approx([d + 1 for d in departures])
    assert trucks["containers"].tolist() == containers
    assert res.jobs["parts_done_h"].tolist() == pytest.approx([11.0, b_done])
    stock = res.stock
    assert stock["on_hand"].tolist() == [2, 0, 2]
    assert stock["time_h"].tolist() == pytest.approx([0.0, 8.25, refill_h])
    check_kpis(
        res.kpis,
        {
            "fill_rate": 2 / 6,
            "parts_ready_rate": 0.0,
            "stockout_events": 2,
            "parts_wait_h": wait_min / 60,
            "deliveries": len(departures),
            # 2 units on [0, 08:15) and from the refill to midnight.
            "avg_inventory_units": (2 * 495 + 2 * (1440 - 60 * refill_h)) / 1440,
            # Little's law: those unit-minutes / the six units issued (two from the shelf,
            # four straight from trucks to backorders, with dwell 0).
            "mean_dwell_h": (2 * 495 + 2 * (1440 - 60 * refill_h)) / 6 / 60,
        },
    )


def test_kanban_on_request_counts_units_across_requests(make_scenario, run):
    # Container 2, two cards (shelf 4); two cars asking 1 unit each. A's request (1 < 2)
    # releases nothing; B's brings the count to 2: one card at 08:30, called off 10:00.
    s = make_scenario(
        {
            "resources": {"bays": 2, "mechanics": 2},
            "demand": {
                "appointments": {"per_day": 2},
                "job_types": {"service": {"parts": {"lines": 1, "qty": 1}}},
            },
            "supply": {"kanban": {"cards": 2}},
        },
        part=C2,
    )
    res = run(s)
    trucks = res.extra["trucks"]
    assert trucks["departure_h"].tolist() == pytest.approx([10.0])
    assert trucks["containers"].tolist() == [1]
    assert res.stock["on_hand"].tolist() == [2, 4, 3, 2, 4]  # two lots at 0, then issues


# -- order-up-to and reorder point --------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "containers", "fill_rate", "parts_wait_min", "final"),
    [
        # S = 5: shelf 5 (2 + 2 + 1). A takes 3 (shelf 2); B takes 2 and backorders 1:
        # IP = 0 + 0 - 1 = -1 at the 10:00 review -> ceil((5 - -1) / 2) = 3 containers,
        # arriving 11:00: 1 to B, 5 on the shelf (IP back to S = 5).
        (5, 3, 5 / 6, 150, 5),
        # S = 7: A takes 3 (4 left), B takes 3 (1 left): IP = 1 -> ceil(6 / 2) = 3
        # containers; the shelf ends at 1 + 6 = 7.
        (7, 3, 1.0, 0, 7),
        # S = 4: shelf 4. A takes 3 (1 left); B takes 1 and backorders 2: IP = -2 ->
        # ceil(6 / 2) = 3 containers: 2 to B, shelf 4.
        (4, 3, 4 / 6, 150, 4),
        # S = 3: shelf 3 (2 + 1). A takes 3; B backorders 3: IP = -3 -> 3 containers:
        # 3 to B, shelf 3.
        (3, 3, 3 / 6, 150, 3),
    ],
)
def test_order_up_to(
    make_scenario, run, check_kpis, level, containers, fill_rate, parts_wait_min, final
):
    s = make_scenario(
        two_cars_three_units({"policy": "order_up_to", "order_up_to": {"level": level}}), part=C2
    )
    res = run(s)
    trucks = res.extra["trucks"]
    assert trucks["departure_h"].tolist() == pytest.approx([10.0])
    assert trucks["containers"].tolist() == [containers]
    assert res.stock["on_hand"].iloc[-1] == final
    at_zero = res.stock[res.stock["time_h"] == 0.0]
    assert at_zero["on_hand"].iloc[-1] == level  # the full level on the shelf at time 0
    check_kpis(
        res.kpis,
        {"fill_rate": fill_rate, "parts_wait_h": parts_wait_min / 60, "deliveries": 1},
    )


def test_order_up_to_rounds_up_to_whole_containers(make_scenario, run):
    # Order-up-to S = 5, container 2: lots of 2, 2 and 1 at time 0. One car takes 1 unit at
    # 08:15 (shelf 4); at 10:00 IP = 4 < 5 -> ceil(1 / 2) = 1 container; the 11:00 truck
    # lifts the shelf to 6 > S.
    s = make_scenario(
        {
            "demand": {"job_types": {"service": {"parts": {"lines": 1, "qty": 1}}}},
            "supply": {"policy": "order_up_to", "order_up_to": {"level": 5}},
        },
        part=C2,
    )
    res = run(s)
    assert res.extra["trucks"]["containers"].tolist() == [1]
    assert res.stock["on_hand"].tolist() == [2, 4, 5, 4, 6]
    assert res.stock["time_h"].tolist() == pytest.approx([0, 0, 0, 8.25, 11.0])


@pytest.mark.parametrize(
    ("point", "qty", "containers", "fill_rate", "final"),
    [
        # s = 2, Q = 2: shelf s + Q = 4. A takes 3 (1 left), B takes 1, backorders 2:
        # IP = -2 <= s: the fewest Q-lots lifting IP above 2: -2 + 2k > 2 -> k = 3 lots =
        # 3 containers (6 units); 2 to B, shelf 4.
        (2, 2, 3, 4 / 6, 4),
        # s = 2, Q = 4 (two containers): shelf 6. A takes 3, B takes 3: IP = 0 <= 2;
        # 0 + 4k > 2 -> k = 1 lot = 2 containers; shelf 4.
        (2, 4, 2, 1.0, 4),
        # s = 0, Q = 2: shelf 2. A takes 2, backorders 1; B backorders 3: IP = -4 <= 0;
        # -4 + 2k > 0 -> k = 3 lots = 3 containers (6 units): 1 to A, 3 to B, shelf 2.
        (0, 2, 3, 2 / 6, 2),
        # s = 4, Q = 2: shelf 6. A 3, B 3: IP = 0 <= 4; 0 + 2k > 4 -> k = 3: shelf 6.
        (4, 2, 3, 1.0, 6),
    ],
)
def test_reorder_point(make_scenario, run, check_kpis, point, qty, containers, fill_rate, final):
    s = make_scenario(
        two_cars_three_units(
            {"policy": "reorder_point", "reorder_point": {"point": point, "qty": qty}}
        ),
        part=C2,
    )
    res = run(s)
    at_zero = res.stock[res.stock["time_h"] == 0.0]
    assert at_zero["on_hand"].iloc[-1] == point + qty  # s + Q on the shelf at time 0
    assert res.extra["trucks"]["containers"].tolist() == [containers]
    assert res.stock["on_hand"].iloc[-1] == final
    check_kpis(res.kpis, {"fill_rate": fill_rate, "deliveries": 1})


def test_reorder_point_no_order_above_s(make_scenario, run, check_kpis):
    # s = 2, Q = 4: shelf 6; one car takes 3: IP = 3 > s -> no order, no truck.
    s = make_scenario(
        {
            "demand": {"job_types": {"service": {"parts": {"lines": 1, "qty": 3}}}},
            "supply": {"policy": "reorder_point", "reorder_point": {"point": 2, "qty": 4}},
        },
        part=C2,
    )
    res = run(s)
    assert len(res.extra["trucks"]) == 0
    check_kpis(res.kpis, {"deliveries": 0, "fill_rate": 1.0})


# -- trucks ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("capacity", "departures", "containers", "b_done"),
    [
        # The on_request kanban sequence above orders 3 containers at 10:00.
        # Capacity 1: one per truck at 10:00, 12:00, 14:00 (arriving 11, 13, 15):
        # container 1 -> A 1, B 1; container 2 -> B 2 (13:00); container 3 -> shelf.
        (1, [10.0, 12.0, 14.0], [1, 1, 1], 13.0),
        # Capacity 2: 2 at 10:00 (A 1, B 1 + 2), 1 at 12:00.
        (2, [10.0, 12.0], [2, 1], 11.0),
        (None, [10.0], [3], 11.0),
    ],
)
def test_truck_capacity_splits_containers(
    make_scenario, run, check_kpis, capacity, departures, containers, b_done
):
    supply = {"kanban": {"cards": 1, "release": "on_request"}}
    if capacity is not None:
        supply["truck_capacity"] = capacity
    res = run(make_scenario(two_cars_three_units(supply), part=C2))
    trucks = res.extra["trucks"]
    assert trucks["departure_h"].tolist() == pytest.approx(departures)
    assert trucks["containers"].tolist() == containers
    assert res.jobs["parts_done_h"].tolist() == pytest.approx([11.0, b_done])
    check_kpis(res.kpis, {"deliveries": len(departures)})


def test_truck_loads_oldest_first_ties_by_part_no(make_scenario, run):
    # Two parts, listed P2 before P1 in the catalogue, one card of one unit each; one car
    # takes one of each at 08:15 (2 lines from 2 parts: both). Both cards go to the 10:00
    # call-off; with room for one container, P1 (first by part_no) leaves at 10:00 and P2
    # waits for the 12:00 truck.
    parts = [
        {"part_no": "P2", "unit_cost": 10, "unit_price": 20, "container_qty": 1, "weight": 1},
        {"part_no": "P1", "unit_cost": 40, "unit_price": 50, "container_qty": 1, "weight": 1},
    ]
    s = make_scenario(
        {
            "demand": {"job_types": {"service": {"parts": {"lines": 2, "qty": 1}}}},
            "supply": {"truck_capacity": 1},
        },
        parts=parts,
    )
    res = run(s)
    assert res.extra["trucks"]["departure_h"].tolist() == pytest.approx([10.0, 12.0])
    stock = res.stock
    refill = stock[(stock["on_hand"] == 1) & (stock["time_h"] > 0)]
    assert dict(zip(refill["part_no"], refill["time_h"], strict=True)) == {"P1": 11.0, "P2": 13.0}
    # Revenue: 2h x 100 + 50 + 20; margin minus 40 + 10 and 2h x 55.
    assert res.kpis["revenue"] == pytest.approx(270.0)
    assert res.kpis["gross_margin"] == pytest.approx(270 - 50 - 110)


# -- call-off times -------------------------------------------------------------------------

ONE_CAR_ONE_UNIT = {"demand": {"job_types": {"service": {"parts": {"lines": 1, "qty": 1}}}}}


@pytest.mark.parametrize(
    ("call_off", "departure_h"),
    [
        # The card is released at 08:15 (minute 495).
        ({"every": "2h", "first": "08:00", "last": "16:00"}, 10.0),
        # 08:00, 11:00, 14:00 (17:00 is past last): next is 11:00.
        ({"every": "3h", "first": "08:00", "last": "16:00"}, 11.0),
        # Once a day at 10:00.
        ({"every": "1d", "first": "10:00", "last": "10:00"}, 10.0),
        # Once a day at 08:00: the card waits for Tuesday 08:00 = 32h.
        ({"every": "1d", "first": "08:00", "last": "08:00"}, 32.0),
        # Round the clock every 2h: 08:00, 10:00, ...
        ({"every": "2h", "first": "00:00", "last": "22:00"}, 10.0),
        # Every 5 minutes from 08:00: 08:15 itself is a call-off time, due at the very instant
        # of the request. Events of one instant run in the order they were scheduled, and the
        # call-off was scheduled first, so it goes out empty and the card leaves at 08:20.
        ({"every": "5min", "first": "08:00", "last": "16:00"}, 8 + 20 / 60),
        # Only on Tuesdays: Tue 08:00.
        ({"every": "2h", "first": "08:00", "last": "16:00", "days": ["tue"]}, 32.0),
        # Continuous: the card leaves the moment it is released.
        ({"every": "continuous"}, 8.25),
    ],
)
def test_call_off_times(make_scenario, run, call_off, departure_h):
    s = make_scenario(
        {**ONE_CAR_ONE_UNIT, "run": {"horizon": "2d"}, "supply": {"call_off": call_off}}
    )
    trucks = run(s).extra["trucks"]
    assert trucks["departure_h"].iloc[0] == pytest.approx(departure_h)
    assert trucks["arrival_h"].iloc[0] == pytest.approx(departure_h + 1)


def test_continuous_order_up_to_orders_at_each_request(make_scenario, run):
    # Continuous review, S = 5, container 2: A's request (3 units) leaves IP = 2 -> order
    # ceil(3 / 2) = 2 containers at 08:15 (IP 6); B's (3 units, 2 issued, 1 backordered)
    # leaves IP = 0 + 4 - 1 = 3 -> ceil(2 / 2) = 1 container at 08:30.
    s = make_scenario(
        two_cars_three_units(
            {
                "policy": "order_up_to",
                "order_up_to": {"level": 5},
                "call_off": {"every": "continuous"},
            }
        ),
        part=C2,
    )
    trucks = run(s).extra["trucks"]
    assert trucks["departure_h"].tolist() == pytest.approx([8.25, 8.5])
    assert trucks["containers"].tolist() == [2, 1]


# -- disruptions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("disruption", "call_off", "departure_h", "arrival_h"),
    [
        # The card is released 08:15. A delay of 2h on trucks leaving in [0, 1d): the 10:00
        # truck arrives 10:00 + 1h + 2h = 13:00.
        ({"kind": "delay", "start": "0h", "end": "1d", "delay": "2h"}, None, 10.0, 13.0),
        # An outage over [0, 11h): no truck leaves at 10:00; the order waits for 12:00.
        ({"kind": "outage", "start": "0h", "end": "11h"}, None, 12.0, 13.0),
        # Continuous call-offs: the order waits for the end of the outage, 11:00.
        ({"kind": "outage", "start": "0h", "end": "11h"}, {"every": "continuous"}, 11.0, 12.0),
    ],
)
def test_disruptions(make_scenario, run, disruption, call_off, departure_h, arrival_h):
    supply: dict = {"disruptions": [disruption]}
    if call_off:
        supply["call_off"] = call_off
    s = make_scenario({**ONE_CAR_ONE_UNIT, "supply": supply})
    trucks = run(s).extra["trucks"]
    assert trucks["departure_h"].tolist() == pytest.approx([departure_h])
    assert trucks["arrival_h"].tolist() == pytest.approx([arrival_h])


# Overlapping delays add up (docs/model.md, "Disruptions"): a truck leaving inside two delay
# intervals gets both delays. Three delays: 2h over [0, 1d), 30min over [9h, 11h) and 45min
# over [0, 10h), which ends at the 10:00 departure and so is not in force then ([start, end)).
# One car needs 2 units of P1; the shelf holds 1 (one card of one unit).
#  08:15 the job takes the unit and backorders the other; 2 units requested: 2 cards.
#  10:00 the truck leaves with both containers: lead 1h + 2h + 30min = 3h30, due 13:30 (13:00
#        if overlapping delays were combined by their maximum).
#  13:30 one unit to the job, one to the shelf; labour 13:30-15:30, QC -15:40, delivery -15:45.
OVERLAPPING_DELAYS = [
    {"kind": "delay", "start": "0h", "end": "1d", "delay": "2h"},
    {"kind": "delay", "start": "9h", "end": "11h", "delay": "30min"},
    {"kind": "delay", "start": "0h", "end": "10h", "delay": "45min"},
]
SHORT_ONE_UNIT = {"demand": {"job_types": {"service": {"parts": {"lines": 1, "qty": 2}}}}}


def test_overlapping_delays_add_up(make_scenario, run):
    s = make_scenario({**SHORT_ONE_UNIT, "supply": {"disruptions": OVERLAPPING_DELAYS}})
    res = run(s)
    trucks = res.extra["trucks"]
    assert trucks["departure_h"].tolist() == pytest.approx([10.0])
    assert trucks["arrival_h"].tolist() == pytest.approx([13.5])
    assert trucks["containers"].tolist() == [2]
    job = res.jobs.iloc[0]
    assert job["parts_done_h"] == pytest.approx(13.5)
    assert job["delivery_end_h"] == pytest.approx(15.75)
    # The promise's ETA for a stocked part with no truck on the road is the next call-off +
    # the mean lead time, delays not counted (section 2.2): 11:00 + 2h45 = 13:45.
    assert job["promise_h"] == pytest.approx(13.75)


def test_overlapping_delays_add_up_in_the_expected_arrival(make_scenario, run):
    # P1 not stocked: the job's 2 units are ordered at 08:15 and ride the 10:00 truck. Its
    # expected arrival knows every disruption: 10:00 + 1h + 2h + 30min = 13:30, so the
    # promise is 13:30 + 2h45 = 16:15 (15:45 with the maximum). Delivered 15:45: on time.
    s = make_scenario(
        {
            **SHORT_ONE_UNIT,
            "supply": {"disruptions": OVERLAPPING_DELAYS, "stocking": {"rule": "catalogue"}},
        },
        part={"stocked": "false"},
    )
    res = run(s)
    assert res.extra["trucks"]["arrival_h"].tolist() == pytest.approx([13.5])
    job = res.jobs.iloc[0]
    assert (job["parts_done_h"], job["delivery_end_h"]) == pytest.approx((13.5, 15.75))
    assert job["promise_h"] == pytest.approx(16.25)
    assert res.kpis["on_time_rate"] == 1.0


@pytest.mark.parametrize(
    ("lead", "orders", "parts_done_h"),
    [
        # The emergency rule expects the regular unit at 10:00 + 1h + 2h30 = 13:30. An
        # emergency order placed at 08:15 with a 4h45 lead is due 13:00, sooner: placed; it
        # serves the job at 13:00 (with the maximum, 13:00 would not be sooner than 13:00).
        ("285min", 1, 13.0),
        # With a 5h15 lead it is due 13:30: not sooner, no order; the truck serves the job.
        ("315min", 0, 13.5),
    ],
)
def test_overlapping_delays_add_up_in_the_emergency_rule(
    make_scenario, run, lead, orders, parts_done_h
):
    supply = {"disruptions": OVERLAPPING_DELAYS, "emergency": {"enabled": True, "lead_time": lead}}
    res = run(make_scenario({**SHORT_ONE_UNIT, "supply": supply}))
    assert res.kpis["emergency_orders"] == orders
    assert res.jobs["parts_done_h"].iloc[0] == pytest.approx(parts_done_h)


# -- automatic sizes ------------------------------------------------------------------------


def initial_on_hand(res) -> dict[str, int]:
    """Units on the shelf at time 0 per part (the last stock change at time 0)."""
    at_zero = res.stock[res.stock["time_h"] == 0.0]
    return at_zero.groupby("part_no")["on_hand"].last().to_dict()


@pytest.mark.parametrize(
    ("supply", "container", "expected"),
    [
        # Nine booked cars a day, one line of one unit each, one part: D = 9 / 9 open hours
        # = 1 unit/h. Call-offs 08:00 .. 16:00 every 2h, 1h trucks: the protection span T
        # is 3 working hours (08:00 to 11:00, when the 10:00 call-off's truck arrives).
        # P = ceil(1 x 3 x 1.2) = 4 units; N = P/C + 1 = 5 cards.
        ({"kanban": {"cards": "auto"}}, 1, 5),
        # Safety 0: P = 3 (no rounding up of 3.0000000001), N = 4.
        ({"kanban": {"cards": "auto", "safety": 0}}, 1, 4),
        # Container 2: P = ceil(3.6 / 2) = 2 containers, N = 3 cards -> 6 units.
        ({"kanban": {"cards": "auto"}}, 2, 6),
        # Order-up-to: S = P = 4.
        ({"policy": "order_up_to"}, 1, 4),
        # Reorder point: s = P = 4, Q = C = 1: s + Q = 5 on the shelf.
        ({"policy": "reorder_point"}, 1, 5),
        # Continuous: T = the 1h lead time; P = ceil(1.2) = 2, N = 3.
        ({"call_off": {"every": "continuous"}}, 1, 3),
    ],
)
def test_auto_sizes(make_scenario, run, supply, container, expected):
    s = make_scenario(
        {
            "resources": {"bays": 9, "mechanics": 9},
            "demand": {
                "appointments": {"per_day": 9},
                "job_types": {"service": {"parts": {"lines": 1, "qty": 1}}},
            },
            "supply": {"kanban": {"cards": "auto"}, **supply},
        },
        part={"container_qty": container},
    )
    assert initial_on_hand(run(s)) == {"P1": expected}


def test_auto_sizes_follow_part_weights(make_scenario, run):
    # Two parts with weights 1 and 2, one line per job: P(line is P1) = 1/3, P2 = 2/3.
    # D1 = 9 x 1/3 / 9 = 1/3 per hour, T = 3h -> P1 = ceil(1/3 x 3 x 1.2) = ceil(1.2) = 2,
    # N1 = 3; D2 = 2/3 per hour -> P2 = ceil(2.4) = 3, N2 = 4.
    parts = [
        {"part_no": "P1", "unit_cost": 40, "unit_price": 50, "container_qty": 1, "weight": 1},
        {"part_no": "P2", "unit_cost": 10, "unit_price": 15, "container_qty": 1, "weight": 2},
    ]
    s = make_scenario(
        {
            "resources": {"bays": 9, "mechanics": 9},
            "demand": {
                "appointments": {"per_day": 9},
                "job_types": {"service": {"parts": {"lines": 1, "qty": 1}}},
            },
            "supply": {"kanban": {"cards": "auto"}},
        },
        parts=parts,
    )
    assert initial_on_hand(run(s)) == {"P1": 3, "P2": 4}
