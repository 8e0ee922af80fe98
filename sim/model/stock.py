"""Line-side stock per part: FIFO lots, issue to jobs, backorders, dwell, time-average stock.

There is no warehouse behind the line: units arrive by truck (or emergency order), first
fill backorders in the order the jobs asked, then go on the shelf as a lot. Issues take the
oldest lot first. All counters are plain attributes; nothing here allocates per unit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from sim.model.demand import Job


@dataclass(slots=True, eq=False)
class Lot:
    """Units that went on the shelf together; issues use up the oldest lot first."""

    arrival: float  # when it went on the shelf
    units: int  # units left
    carded: bool  # a kanban container: its card goes back when it is used up


@dataclass(slots=True, eq=False)
class Backorder:
    """Units a job asked for and did not get, in the order the jobs asked."""

    job: Job
    units: int  # still outstanding


@dataclass(slots=True, eq=False)
class Truck:
    """A truck on the road: its drawn arrival, and the scheduled one (all the workshop
    knows). The parts it carries count their units on it in ``in_transit``."""

    arrival: float
    scheduled: float


@dataclass(slots=True, eq=False)
class QueuedOrder:
    """Containers of a part on order, waiting for a truck (oldest first; a call-off's
    orders in part_no order).

    With a finite parts centre (``sim.model.centre``) only ``ready`` containers (set aside
    for the dealer at the centre) can be loaded; ``short`` are owed by the centre, which
    sets them aside oldest order first as the plant's deliveries come in.
    """

    idx: int  # the part
    containers: int  # still to load (a non-stock order line takes one container's room)
    special: Any = None  # a non-stock part's order line for a job (policies.non_stock)
    ready: int = 0  # containers set aside at the centre, ready to load
    short: int = 0  # containers the centre still owes
    unit: int = 0  # units per container (a non-stock line: its units)
    owner: Any = None  # the dealer's supply, told when the centre sets containers aside


class Incoming(NamedTuple):
    """A part's units on an emergency order."""

    arrival: float
    units: int


class Ledger:
    """Stock totals across parts: time-average on-hand units and value, and issue statistics."""

    __slots__ = (
        "issued_value",
        "last",
        "t0",
        "t1",
        "trace",
        "unit_area",
        "units",
        "units_out",
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
        self.units_out = 0  # units issued to jobs (from the shelf or a delivery) or returned
        self.issued_value = 0.0  # cost of the units issued to jobs in the window
        self.trace: list[tuple[float, int, int]] | None = [] if trace else None

    def advance(self, now: float) -> None:
        """Integrate stock up to ``now`` (clipped to the window)."""
        # max(last, t0) and min(now, t1), written out: the builtins cost more than the rest
        a = self.last if self.last > self.t0 else self.t0
        b = now if now < self.t1 else self.t1
        if b > a:
            self.unit_area += self.units * (b - a)
            self.value_area += self.value * (b - a)
        self.last = now


class PartStock:
    """One part number's line-side stock and supply state."""

    __slots__ = (
        "area",
        "area_last",
        "backordered",
        "backorders",
        "claimed",
        "container",
        "emergency_in",
        "held",
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
        "returned",
        "stocked",
        "unit_cost",
        "w_available",
        "w_emergency",
        "w_lines",
        "w_requested",
        "w_short",
        "w_wait",
    )

    def __init__(self, idx: int, container: int, unit_cost: float, ledger: Ledger) -> None:
        self.idx = idx
        self.container = container
        self.unit_cost = unit_cost
        self.ledger = ledger
        # Plain lists, not deques: a part holds a few lots and backorders at a time, and an
        # empty deque allocates a 512-byte block (2,000 parts: 3 MB a dealer, which a region
        # of 20 dealers pays in cache misses).
        self.lots: list[Lot] = []
        self.held: dict[Job, int] = {}  # units on the shelf ordered for a job (non-stock)
        self.on_hand = 0
        self.backorders: list[Backorder] = []
        self.backordered = 0
        self.claimed = 0  # units promised to received jobs not yet started
        self.on_order = 0  # called off, waiting for a truck, in transit, or emergency
        self.in_transit: dict[Truck, int] = {}  # units of this part on each truck
        self.emergency_in: list[Incoming] = []  # emergency orders of this part
        self.requested_since = 0  # kanban on_request: units asked since the last card
        self.received = 0
        self.issued = 0
        self.returned = 0
        self.on_card_release: Callable[[PartStock, int], None] | None = None
        self.policy: Any = None  # the replenishment policy serving this part (set by supply)
        self.stocked = True  # held on the shelf under a policy (else ordered per job)
        # Window statistics of this part (parts.csv): unit-minutes on the shelf, order lines,
        # units requested and available at the request, lines short, emergency orders (an
        # order for k lines counts 1/k for each), job-minutes waited for this part.
        self.area = 0.0
        self.area_last = 0.0
        self.w_lines = self.w_requested = self.w_available = self.w_short = 0
        self.w_emergency = 0.0
        self.w_wait = 0.0

    @property
    def position(self) -> int:
        """Inventory position: on hand + on order - backordered."""
        return self.on_hand + self.on_order - self.backordered

    def _shelf_change(self, now: float, delta: int) -> None:
        led = self.ledger
        led.advance(now)
        a = self.area_last if self.area_last > led.t0 else led.t0
        b = now if now < led.t1 else led.t1
        if b > a:
            self.area += self.on_hand * (b - a)
        self.area_last = now
        self.on_hand += delta
        led.units += delta
        led.value += delta * self.unit_cost
        if led.trace is not None:
            led.trace.append((now, self.idx, self.on_hand))

    def put(self, now: float, units: int, carded: bool) -> None:
        """Put units on the shelf as one lot (initial stock or an arrival's remainder)."""
        if units > 0:
            self.lots.append(Lot(now, units, carded))
            self._shelf_change(now, units)

    def issue(self, now: float, job: Job, units: int) -> int:
        """Issue up to ``units`` FIFO from the shelf to ``job``; backorder the rest.

        Returns the units issued at once.
        """
        led = self.ledger
        in_window = led.t0 <= now < led.t1
        if self.held and job in self.held:
            return self._issue_held(now, job, units, in_window)
        lots = self.lots
        if lots and lots[0].units > units:  # the oldest lot covers it and stays: the usual case
            lots[0].units -= units
            if in_window:
                led.units_out += units
                led.issued_value += units * self.unit_cost
            self._shelf_change(now, -units)
            self.issued += units
            return units
        got = 0
        while got < units and lots:
            lot = lots[0]
            take = min(units - got, lot.units)
            lot.units -= take
            got += take
            if in_window:
                led.units_out += take
                led.issued_value += take * self.unit_cost
            if lot.units == 0:
                del lots[0]
                if lot.carded and self.on_card_release is not None:
                    self.on_card_release(self, 1)
        if got:
            self._shelf_change(now, -got)
            self.issued += got
        short = units - got
        if short:
            self.backorders.append(Backorder(job, short))
            self.backordered += short
        return got

    def _issue_held(self, now: float, job: Job, units: int, in_window: bool) -> int:
        """Issue what was received for ``job`` (then the shelf, as any request)."""
        held = self.held.pop(job)
        take = min(held, units)
        if held > take:
            self.held[job] = held - take
        if in_window:
            self.ledger.units_out += take
            self.ledger.issued_value += take * self.unit_cost
        self._shelf_change(now, -take)
        self.issued += take
        return take + (self.issue(now, job, units - take) if units > take else 0)

    def receive_for(self, now: float, job: Job, units: int) -> None:
        """Units ordered for ``job`` arrive: to its backorder if it waits, else held beside
        the line for it."""
        self.received += units
        self.on_order -= units
        left = units
        for entry in self.backorders:
            if entry.job is job:
                left -= self._fill(entry, left, now)
                break
        if left:
            self.held[job] = self.held.get(job, 0) + left
            self._shelf_change(now, left)

    def give_back(self, now: float, job: Job) -> int:
        """Units held for ``job`` go back to the supplier; returns how many."""
        units = self.held.pop(job, 0)
        if units:
            led = self.ledger
            if led.t0 <= now < led.t1:
                led.units_out += units
            self._shelf_change(now, -units)
            self.returned += units
        return units

    def receive(self, now: float, units: int, carded: bool, first: Job | None = None) -> None:
        """Units arrive: fill ``first``'s backorder, then others in order, then the shelf."""
        self.received += units
        self.on_order -= units
        left = units
        if first is not None:
            for entry in self.backorders:
                if entry.job is first:
                    left -= self._fill(entry, left, now)
                    break
        while left and self.backorders:
            left -= self._fill(self.backorders[0], left, now)
        if not left and carded and self.on_card_release is not None:
            # A whole container went straight to backorders: it is empty on arrival.
            self.on_card_release(self, 1)
        self.put(now, left, carded)

    def _waited(self, since: float, until: float) -> None:
        """A job waited for this part from ``since`` to ``until``: count it in the window."""
        led = self.ledger
        a, b = max(since, led.t0), min(until, led.t1)
        if b > a:
            self.w_wait += b - a

    def close(self, end: float) -> None:
        """At the end of the run: integrate the shelf to ``end``, count the waits still on."""
        led = self.ledger
        a, b = max(self.area_last, led.t0), min(end, led.t1)
        if b > a:
            self.area += self.on_hand * (b - a)
        self.area_last = end
        for entry in self.backorders:
            self._waited(entry.job.first_start, end)

    def _fill(self, entry: Backorder, units: int, now: float) -> int:
        take = min(units, entry.units)
        entry.units -= take
        self.backordered -= take
        self.issued += take
        led = self.ledger
        if led.t0 <= now < led.t1:
            led.units_out += take  # dwell 0: straight from the delivery to the job
            led.issued_value += take * self.unit_cost
        if entry.units == 0:
            self.backorders.remove(entry)
            self._waited(entry.job.first_start, now)
        entry.job.parts_arrived(now, take)
        return take
