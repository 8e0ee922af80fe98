"""Line-side stock per part: FIFO lots, issue to jobs, backorders, dwell, time-average stock.

There is no warehouse behind the line: units arrive by truck (or emergency order), first
fill backorders in the order the jobs asked, then go on the shelf as a lot. Issues take the
oldest lot first. All counters are plain attributes; nothing here allocates per unit.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.model.workshop import Job


class Ledger:
    """Stock totals across parts: time-average on-hand units and value, and issue statistics."""

    __slots__ = (
        "dwell_sum",
        "issued_window",
        "last",
        "t0",
        "t1",
        "trace",
        "unit_area",
        "units",
        "value",
        "value_area",
    )

    def __init__(self, window: tuple[float, float], trace: bool) -> None:
        self.t0, self.t1 = window
        self.units = 0
        self.value = 0.0
        self.unit_area = 0.0  # unit-minutes on the shelf within the window
        self.value_area = 0.0
        self.last = 0.0
        self.dwell_sum = 0.0  # minutes, over units issued in the window
        self.issued_window = 0
        self.trace: list[tuple[float, int, int]] | None = [] if trace else None

    def advance(self, now: float) -> None:
        """Integrate stock up to ``now`` (clipped to the window)."""
        a, b = max(self.last, self.t0), min(now, self.t1)
        if b > a:
            self.unit_area += self.units * (b - a)
            self.value_area += self.value * (b - a)
        self.last = now


class PartStock:
    """One part number's line-side stock and supply state."""

    __slots__ = (
        "backordered",
        "backorders",
        "claimed",
        "container",
        "idx",
        "in_transit",
        "issued",
        "ledger",
        "lots",
        "on_card_release",
        "on_hand",
        "on_order",
        "policy",
        "received",
        "requested_since",
        "unit_cost",
    )

    def __init__(self, idx: int, container: int, unit_cost: float, ledger: Ledger) -> None:
        self.idx = idx
        self.container = container
        self.unit_cost = unit_cost
        self.ledger = ledger
        self.lots: deque[list] = deque()  # [shelf arrival time, units left, carded]
        self.on_hand = 0
        self.backorders: deque[list] = deque()  # [job, units outstanding]
        self.backordered = 0
        self.claimed = 0  # units promised to received jobs not yet started
        self.on_order = 0  # called off, waiting for a truck, in transit, or emergency
        self.in_transit: list[float] = []  # arrival times of trucks carrying this part
        self.requested_since = 0  # kanban on_request: units asked since the last card
        self.received = 0
        self.issued = 0
        self.on_card_release: Callable[[PartStock, int], None] | None = None
        self.policy: Any = None  # the replenishment policy serving this part (set by supply)

    @property
    def position(self) -> int:
        """Inventory position: on hand + on order - backordered."""
        return self.on_hand + self.on_order - self.backordered

    def _shelf_change(self, now: float, delta: int) -> None:
        led = self.ledger
        # led.advance(now), inlined: every issue and arrival passes here
        a = led.last if led.last > led.t0 else led.t0
        b = now if now < led.t1 else led.t1
        if b > a:
            led.unit_area += led.units * (b - a)
            led.value_area += led.value * (b - a)
        led.last = now
        self.on_hand += delta
        led.units += delta
        led.value += delta * self.unit_cost
        if led.trace is not None:
            led.trace.append((now, self.idx, self.on_hand))

    def put(self, now: float, units: int, carded: bool) -> None:
        """Put units on the shelf as one lot (initial stock or an arrival's remainder)."""
        if units > 0:
            self.lots.append([now, units, carded])
            self._shelf_change(now, units)

    def issue(self, now: float, job: Job, units: int) -> int:
        """Issue up to ``units`` FIFO from the shelf to ``job``; backorder the rest.

        Returns the units issued at once.
        """
        led = self.ledger
        in_window = led.t0 <= now < led.t1
        lots = self.lots
        if lots and lots[0][1] > units:  # the oldest lot covers it and stays: the usual case
            lot = lots[0]
            lot[1] -= units
            if in_window:
                led.dwell_sum += units * (now - lot[0])
                led.issued_window += units
            self._shelf_change(now, -units)
            self.issued += units
            return units
        got = 0
        while got < units and lots:
            lot = lots[0]
            take = min(units - got, lot[1])
            lot[1] -= take
            got += take
            if in_window:
                led.dwell_sum += take * (now - lot[0])
                led.issued_window += take
            if lot[1] == 0:
                lots.popleft()
                if lot[2] and self.on_card_release is not None:
                    self.on_card_release(self, 1)
        if got:
            self._shelf_change(now, -got)
            self.issued += got
        short = units - got
        if short:
            self.backorders.append([job, short])
            self.backordered += short
        return got

    def receive(self, now: float, units: int, carded: bool, first: Job | None = None) -> None:
        """Units arrive: fill ``first``'s backorder, then others in order, then the shelf."""
        self.received += units
        self.on_order -= units
        led = self.ledger
        in_window = led.t0 <= now < led.t1
        left = units
        if first is not None:
            for entry in self.backorders:
                if entry[0] is first:
                    left -= self._fill(entry, left, now, in_window)
                    break
        while left and self.backorders:
            left -= self._fill(self.backorders[0], left, now, in_window)
        if not left and carded and self.on_card_release is not None:
            # A whole container went straight to backorders: it is empty on arrival.
            self.on_card_release(self, 1)
        self.put(now, left, carded)

    def _fill(self, entry: list, units: int, now: float, in_window: bool) -> int:
        take = min(units, entry[1])
        entry[1] -= take
        self.backordered -= take
        self.issued += take
        if in_window:
            self.ledger.issued_window += take  # dwell 0: passed straight to the job
        if entry[1] == 0:
            self.backorders.remove(entry)
        entry[0].parts_arrived(now, take)
        return take
