"""The regional parts centre: finite stock per part that the dealers' orders draw on.

Every dealer's regular and non-stock orders are placed with the centre when the dealer calls
off (``sim.model.supply``). The centre sets aside what it has, in whole containers of the
ordering dealer, and owes the rest: a backorder, filled oldest order first (across dealers)
as the plant's deliveries come in. Only containers set aside can ride the dealer's truck, so
a short centre shows as a partial truck and, for what it owed, a later one. An emergency
order takes what is free at once and never waits at the centre; what it lacks the dealer
orders from the plant as an express order, past the centre (docs/model.md, "A region").

The centre reviews its stock every ``review`` from time 0 and orders from the plant what
lifts each part's inventory position (on hand + on order − owed) back to its level S; one
plant truck per review, its lead time drawn from ``supply_lead_time``. Statistics are kept
per part over the measurement window: units asked, units set aside at once, time-average
units on hand and units owed.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Generator, Sequence

import simpy

from sim.distributions import Sampler
from sim.model.stock import QueuedOrder

CENTRE_KPIS: tuple[str, ...] = (
    "centre_fill_rate",  # units set aside at once / units the dealers ordered
    "centre_avg_inventory_value",  # time-average value on hand (unit cost)
    "centre_backorders",  # time-average units owed to the dealers
    "centre_lines_short",  # order lines not set aside in full at once
    "centre_plant_deliveries",  # plant trucks arriving
)


class Centre:
    """The parts centre of one replication of a region."""

    def __init__(
        self,
        env: simpy.Environment,
        part_no: Sequence[str],
        unit_cost: Sequence[float],
        level: Sequence[int],
        review: float,
        lead_time: Sampler,
        window: tuple[float, float],
    ) -> None:
        n = len(part_no)
        self.env = env
        self.part_no = list(part_no)
        self.index = {p: i for i, p in enumerate(self.part_no)}
        self.unit_cost = [float(c) for c in unit_cost]
        self.level = [int(s) for s in level]
        self.review_every = review
        self.lead_time = lead_time
        self.t0, self.t1 = window
        self.on_hand = list(self.level)  # the centre starts with every part at its level
        self.initial = sum(self.level)
        self.on_order = [0] * n  # units on their way from the plant
        self.owed = [0] * n  # units backordered for the dealers
        self.backlog: dict[int, deque[QueuedOrder]] = {}  # per part, oldest order first
        self.touched: set[int] = set()  # parts whose position moved since the last review
        self.last = [0.0] * n  # when each part's areas were last brought up to date
        # window statistics per part
        self.asked = [0] * n  # units the dealers ordered
        self.at_once = [0] * n  # of which set aside at once
        self.lines = [0] * n  # order lines
        self.lines_short = [0] * n  # order lines not set aside in full at once
        self.on_hand_area = [0.0] * n  # unit-minutes on hand
        self.owed_area = [0.0] * n  # unit-minutes owed
        self.emergency_units = [0] * n  # units taken by emergency orders
        self.express_units = [0] * n  # units the plant sent dealers past the centre (express)
        # whole-run totals for the flow balance
        self.received = 0  # units from the plant
        self.shipped = 0  # units set aside for dealers (regular, non-stock, emergency)
        self.put_back = 0  # units set aside, then no longer wanted (a cancelled order)
        self.plant_trucks = 0  # plant deliveries arriving in the window

    # -- time-average areas -------------------------------------------------------------
    def _advance(self, i: int, now: float) -> None:
        """Integrate part ``i``'s stock and backorders up to ``now`` (clipped to the window)."""
        a = self.last[i]
        if a < self.t0:
            a = self.t0
        b = now if now < self.t1 else self.t1
        if b > a:
            self.on_hand_area[i] += self.on_hand[i] * (b - a)
            self.owed_area[i] += self.owed[i] * (b - a)
        self.last[i] = now

    def _in_window(self) -> bool:
        return self.t0 <= self.env.now < self.t1

    # -- dealers' orders ------------------------------------------------------------------
    def request(self, order: QueuedOrder, i: int) -> None:
        """A dealer orders ``order.containers`` of ``order.unit`` units of part ``i``: set
        aside what is free now (none while older orders of the part wait), owe the rest."""
        now = self.env.now
        self._advance(i, now)
        need, unit = order.containers, order.unit
        queue = self.backlog.get(i)
        k = 0 if queue else min(need, self.on_hand[i] // unit)
        self.on_hand[i] -= k * unit
        self.shipped += k * unit
        order.ready += k
        order.short = need - k
        if order.short:
            self.owed[i] += order.short * unit
            if queue is None:
                queue = self.backlog[i] = deque()
            queue.append(order)
        self.touched.add(i)
        if self._in_window():
            self.asked[i] += need * unit
            self.at_once[i] += k * unit
            self.lines[i] += 1
            self.lines_short[i] += order.short > 0

    def cancel(self, order: QueuedOrder, i: int) -> None:
        """The dealer no longer wants an order it has not loaded: what was set aside goes
        back on the centre's shelf, what was owed is owed no more."""
        self._advance(i, self.env.now)
        back = order.ready * order.unit
        self.on_hand[i] += back
        self.put_back += back
        self.owed[i] -= order.short * order.unit
        order.ready = order.short = 0  # the backlog skips it
        self.touched.add(i)
        if back:
            served: list[QueuedOrder] = []
            self._serve(i, served)
            self._tell(served)

    def free(self, i: int) -> int:
        """Units of part ``i`` a new order would get at once: none while older orders of the
        part wait, else what is on hand."""
        return 0 if self.backlog.get(i) else self.on_hand[i]

    def take(self, i: int, units: int, whole: bool) -> int:
        """An emergency order: the units of part ``i`` free now (none while orders of the
        part wait; ``whole``: all of ``units`` or none)."""
        if self.backlog.get(i):
            return 0
        k = min(units, self.on_hand[i])
        if k <= 0 or (whole and k < units):
            return 0
        self._advance(i, self.env.now)
        self.on_hand[i] -= k
        self.shipped += k
        self.touched.add(i)
        if self._in_window():
            self.emergency_units[i] += k
        return k

    def expressed(self, i: int, units: int) -> None:
        """A dealer ordered ``units`` of part ``i`` from the plant's express, past the centre,
        which lacked them: counted, never on the centre's shelf or in its balance."""
        if self._in_window():
            self.express_units[i] += units

    # -- the plant ------------------------------------------------------------------------
    def reviews(self, end: float) -> Generator[simpy.Event, None, None]:
        """Review every ``review`` from time 0 until ``end``."""
        t = 0.0
        while t < end:
            yield self.env.timeout(t - self.env.now)
            self.review()
            t += self.review_every

    def position(self, i: int) -> int:
        """Part ``i``'s inventory position: on hand + on order − owed."""
        return self.on_hand[i] + self.on_order[i] - self.owed[i]

    def review(self) -> None:
        """Order from the plant what lifts each moved part's position back to its level."""
        load = []
        for i in sorted(self.touched):
            short = self.level[i] - self.position(i)
            if short > 0:
                self.on_order[i] += short
                load.append((i, short))
        self.touched.clear()
        if load:
            ev = self.env.timeout(self.lead_time())
            ev.callbacks.append(lambda _ev: self._arrive(load))

    def _arrive(self, load: list[tuple[int, int]]) -> None:
        now = self.env.now
        if self._in_window():
            self.plant_trucks += 1
        owners: list[QueuedOrder] = []
        for i, units in load:
            self._advance(i, now)
            self.on_hand[i] += units
            self.on_order[i] -= units
            self.received += units
            self._serve(i, owners)
        self._tell(owners)

    @staticmethod
    def _tell(served: list[QueuedOrder]) -> None:
        """Tell each dealer once, in the order its orders were served, that containers
        wait for it (a continuous call-off sends a truck at once)."""
        told = set()
        for order in served:
            if id(order.owner) not in told:
                told.add(id(order.owner))
                order.owner.centre_served()

    def _serve(self, i: int, served: list[QueuedOrder]) -> None:
        """Set aside stock for part ``i``'s backorders, oldest first (a whole container at a
        time; the oldest waits for the rest of its containers before a younger is served)."""
        queue = self.backlog.get(i)
        while queue:
            order = queue[0]
            if order.short == 0:  # cancelled
                queue.popleft()
                continue
            k = min(order.short, self.on_hand[i] // order.unit)
            if k == 0:
                break
            units = k * order.unit
            self.on_hand[i] -= units
            self.shipped += units
            self.owed[i] -= units
            order.short -= k
            order.ready += k
            served.append(order)
            if order.short:
                break
            queue.popleft()
        if queue is not None and not queue:
            del self.backlog[i]

    # -- results --------------------------------------------------------------------------
    def close(self, end: float) -> None:
        """Bring every part's areas up to ``end``."""
        for i in range(len(self.part_no)):
            self._advance(i, end)

    def check_flow(self) -> str | None:
        """What is wrong with the centre's balance of units, or None."""
        units = sum(self.on_hand)
        if self.initial + self.received + self.put_back != units + self.shipped:
            return (
                f"centre units not conserved: initial {self.initial} + received "
                f"{self.received} + put back {self.put_back} != on hand {units} + set aside "
                f"{self.shipped}"
            )
        if any(x < 0 for x in self.on_hand) or any(x < 0 for x in self.owed):
            return "centre: negative stock or backorders"
        return None

    def flow(self) -> dict[str, float]:
        """The centre's balance of units over the whole run (warm-up included)."""
        return {
            "centre_initial": self.initial,
            "centre_received": self.received,
            "centre_put_back": self.put_back,
            "centre_on_hand": sum(self.on_hand),
            "centre_set_aside": self.shipped,
            "centre_owed": sum(self.owed),
        }

    def kpis(self) -> dict[str, float | None]:
        """The region rows' KPIs over the window."""
        span = self.t1 - self.t0
        asked = sum(self.asked)
        value = sum(a * c for a, c in zip(self.on_hand_area, self.unit_cost, strict=True))
        return {
            "centre_fill_rate": sum(self.at_once) / asked if asked else None,
            "centre_avg_inventory_value": value / span,
            "centre_backorders": sum(self.owed_area) / span,
            "centre_lines_short": float(sum(self.lines_short)),
            "centre_plant_deliveries": float(self.plant_trucks),
        }

    def part_rows(self) -> dict[str, Sequence[object]]:
        """The centre's per-part table over the window, one list per column."""
        span = self.t1 - self.t0
        return {
            "part_no": self.part_no,
            "level": self.level,
            "unit_cost": self.unit_cost,
            "lines": self.lines,
            "units_ordered": self.asked,
            "fill_rate": [
                f / a if a else None for f, a in zip(self.at_once, self.asked, strict=True)
            ],
            "lines_short": self.lines_short,
            "avg_on_hand": [a / span for a in self.on_hand_area],
            "avg_backorders": [a / span for a in self.owed_area],
            "emergency_units": self.emergency_units,
            "express_units": self.express_units,
        }
