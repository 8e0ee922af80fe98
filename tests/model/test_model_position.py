"""The loop's count with emergency orders, and reviews that see stock on order.

Worked by hand on the base scenario of conftest.py (08:00-17:00, one advisor, reception
15min, 2h jobs, QC 10min on one station, delivery 5min, call-offs at 08:00, 10:00, ...
16:00). Here every car needs 3 units of P1, whose container holds 2.

- Kanban with release on request: an emergency order's units are subtracted from the
  request counter, so they replace card releases; the loop invariant ``on_hand + on_order +
  released cards x C - backordered + counter = N x C`` holds at every instant
  (docs/model.md, section 2.3).
- Order-up-to and reorder point review the inventory position ``on_hand + on_order -
  backordered``: with a lead time longer than the call-off interval, a review sees the
  previous review's order still on the road and counts it.
"""

from __future__ import annotations

import pytest

from sim.model.world import World

C2 = {"container_qty": 2}
THREE_UNITS = {"job_types": {"service": {"parts": {"lines": 1, "qty": 3}}}}


def loop_count(world: World) -> int:
    """on_hand + on_order + released cards x C - backordered + counter of P1."""
    part = world.parts[0]
    released = world.supply.policy.released.get(part.idx, 0)
    return (
        part.on_hand
        + part.on_order
        + released * part.container
        - part.backordered
        + part.requested_since
    )


# -- kanban: an emergency order and the request counter ---------------------------------
# One card of C = 2 (the shelf holds 2 at time 0); two cars at 08:00, two bays and two
# mechanics; emergency orders with a 30min lead time.
#  08:15 A asks 3: 2 issued (the container empties), 1 backordered. Counter 0 + 3 = 3:
#        1 card released, counter 1. The regular supply is that card at the 10:00 call-off,
#        due 11:00; an emergency order due 08:45 is sooner: ordered for A's missing unit,
#        and its unit is subtracted from the counter: 1 - 1 = 0.
#  08:30 B asks 3: all backordered (4 in all). Counter 0 + 3 = 3: 1 card, counter 1. The
#        regular supply (A's emergency unit 08:45, then 2 cards = 4 units at 11:00) covers
#        the 4 units at 11:00; an emergency order due 09:00 is sooner: ordered for B's 3
#        units, counter 1 - 3 = -2.
#  08:45 A's emergency unit: A starts its labour. 09:00 B's 3 units: B starts.
#  10:00 the call-off sends the 2 released cards: 2 containers, due 11:00: shelf 4.
# Had the counter been left alone, it would read 1 after A and 1 + 3 = 4 after B: 2 cards
# from B, 3 containers on the 10:00 truck and 6 units on the shelf; the loop would hold one
# container more than its N x C after every such pair of emergency orders.


def kanban_with_emergency(make_scenario):
    return make_scenario(
        {
            "resources": {"bays": 2, "mechanics": 2},
            "demand": {"appointments": {"per_day": 2}, **THREE_UNITS},
            "supply": {
                "kanban": {"cards": 1, "release": "on_request"},
                "emergency": {"enabled": True, "lead_time": "30min", "cost": 80},
            },
        },
        part=C2,
    )


def test_emergency_units_are_taken_off_the_kanban_counter(make_scenario, run, check_kpis):
    res = run(kanban_with_emergency(make_scenario))
    trucks = res.extra["trucks"]
    assert trucks["departure_h"].tolist() == pytest.approx([10.0])
    assert trucks["arrival_h"].tolist() == pytest.approx([11.0])
    assert trucks["containers"].tolist() == [2]
    assert res.jobs["parts_done_h"].tolist() == pytest.approx([8.75, 9.0])
    assert res.stock["on_hand"].iloc[-1] == 4
    check_kpis(res.kpis, {"emergency_orders": 2, "emergency_cost": 160, "deliveries": 1})


def test_kanban_loop_invariant_with_emergency_orders(make_scenario):
    # The loop's count at each step of the timeline above, and the counter itself.
    world = World(kanban_with_emergency(make_scenario), 0)
    part = world.parts[0]
    n_c = 1 * 2
    steps = [
        # (time h, counter, released cards, on order, backordered, on hand)
        (8.2, 0, 0, 0, 0, 2),
        (8.3, 0, 1, 1, 1, 0),  # after A: 1 card, A's emergency unit on order
        (8.6, -2, 2, 4, 4, 0),  # after B: 2 cards, 1 + 3 emergency units on order
        (9.5, -2, 2, 0, 0, 0),  # both emergency orders arrived, straight to the jobs
        (10.5, -2, 0, 4, 0, 0),  # the cards called off: 2 containers on the road
        (11.5, -2, 0, 0, 0, 4),  # the truck arrived
    ]
    for t_h, counter, released, on_order, backordered, on_hand in steps:
        world.env.run(until=t_h * 60)
        got = (
            part.requested_since,
            world.supply.policy.released.get(part.idx, 0),
            part.on_order,
            part.backordered,
            part.on_hand,
        )
        assert got == (counter, released, on_order, backordered, on_hand), t_h
        assert loop_count(world) == n_c, t_h
    world.run()
    assert loop_count(world) == n_c


# -- reviews with stock on order -----------------------------------------------------------
# Call-offs every 2h, constant lead time 3h: an order is still on the road at the next
# review. Two cars at 08:00, one bay: A works 08:15-10:15, so B takes the bay and asks for
# its parts at 10:15, after the 10:00 review.
#
# Order-up-to, S = 5 (shelf 2 + 2 + 1):
#  08:15 A takes 3: shelf 2, IP 2.
#  10:00 review: IP 2 < 5 -> ceil(3 / 2) = 2 containers, due 13:00; IP 6.
#  10:15 B takes 2, backorders 1: IP = 0 on hand + 4 on order - 1 = 3.
#  12:00 review: IP 3 < 5 -> ceil(2 / 2) = 1 container, due 15:00. (Without the units on
#        order IP would be -1 and it would order ceil(6 / 2) = 3.)
#  13:00 4 units: 1 to B, 3 on the shelf. 15:00 2 units: shelf 5 = S.
# Reorder point, s = 2, Q = 2 (shelf s + Q = 4):
#  08:15 A takes 3: shelf 1, IP 1.
#  10:00 review: IP 1 <= 2 -> floor((2 - 1) / 2) + 1 = 1 lot (1 container), due 13:00; IP 3.
#  10:15 B takes 1, backorders 2: IP = 0 + 2 - 2 = 0.
#  12:00 review: IP 0 <= 2 -> floor(2 / 2) + 1 = 2 lots, due 15:00. (Without the units on
#        order IP would be -2: floor(4 / 2) + 1 = 3 lots.)
#  13:00 2 units to B. 15:00 4 units: shelf 4 = s + Q.
# Either way B waits in the bay 10:15-13:00, works 13:00-15:00, QC -15:10, delivery -15:15.


@pytest.mark.parametrize(
    ("supply", "containers", "shelf", "fill_rate"),
    [
        # A gets 3 units from the shelf, B 2 of its 3.
        (
            {"policy": "order_up_to", "order_up_to": {"level": 5}},
            [2, 1],
            {0.0: 5, 8.25: 2, 10.25: 0, 13.0: 3, 15.0: 5},
            5 / 6,
        ),
        # A gets 3, B 1 of its 3; the 13:00 truck goes straight to B (no shelf change).
        (
            {"policy": "reorder_point", "reorder_point": {"point": 2, "qty": 2}},
            [1, 2],
            {0.0: 4, 8.25: 1, 10.25: 0, 15.0: 4},
            4 / 6,
        ),
    ],
)
def test_review_counts_the_units_on_order(
    make_scenario, run, check_kpis, supply, containers, shelf, fill_rate
):
    s = make_scenario(
        {
            "demand": {"appointments": {"per_day": 2}, **THREE_UNITS},
            "supply": {**supply, "lead_time": "3h"},
        },
        part=C2,
    )
    res = run(s)
    trucks = res.extra["trucks"]
    assert trucks["departure_h"].tolist() == pytest.approx([10.0, 12.0])
    assert trucks["arrival_h"].tolist() == pytest.approx([13.0, 15.0])
    assert trucks["containers"].tolist() == containers
    # The shelf at the end of time 0, after A (08:15), after B (10:15), after the trucks.
    stock = res.stock.groupby("time_h")["on_hand"].last()
    assert stock.index.tolist() == pytest.approx(list(shelf))
    assert stock.tolist() == list(shelf.values())
    b = res.jobs.iloc[1]
    assert (b["first_start_h"], b["parts_done_h"]) == pytest.approx((10.25, 13.0))
    assert b["delivery_end_h"] == pytest.approx(15.25)
    check_kpis(res.kpis, {"deliveries": 2, "fill_rate": fill_rate})
