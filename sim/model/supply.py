"""The call-off schedule, the supplier's trucks, emergency orders and disruptions.

Orders are whole containers; what to order is the policy's (``sim.model.policies``). Only
parts touched since the last call-off are looked at, so a call-off costs nothing for the
thousands of parts that did not move. Trucks leave at call-offs with the oldest orders first
and one lead-time draw. An emergency order is placed only when it would reach the workshop
sooner than the regular supply already on its way or due at the next call-off.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Generator, Sequence
from typing import TYPE_CHECKING, NamedTuple

import simpy

from sim.calendar import DAY, Calendar
from sim.distributions import Sampler
from sim.model.policies import POLICIES
from sim.model.policies.non_stock import NonStock, SpecialOrder
from sim.model.stock import Incoming, PartStock, QueuedOrder, Truck
from sim.scenario import Supply as SupplyConfig

if TYPE_CHECKING:
    from sim.model.centre import Centre
    from sim.model.demand import Job


class Shipment(NamedTuple):
    """A truck, or the special orders of a call-off travelling on their own."""

    departure: float
    arrival: float
    containers: int  # a non-stock order line counts as one


class Supply:
    """The supply side of one replication."""

    def __init__(
        self,
        env: simpy.Environment,
        cfg: SupplyConfig,
        parts: Sequence[PartStock],
        rank: Sequence[int],
        sizes: dict[str, list[int]],
        lead_time: Sampler,
        window: tuple[float, float],
        cal: Calendar,
        special_lead: Sampler | None = None,
        late: Callable[[], float] | None = None,
        random_outages: Sequence[tuple[float, float]] = (),
        centre: Centre | None = None,
        centre_index: Sequence[int] = (),
        express_lead: float | None = None,
    ) -> None:
        self.env = env
        self.cal = cal  # the workshop's: when parts can be used
        self.cfg = cfg
        self.parts = parts
        self.rank = rank  # position of each part in part_no order, for tie-breaking
        self.sizes = sizes
        self.lead_time = lead_time
        self.mean_lead_time = cfg.lead_time.mean_value()
        self.t0, self.t1 = window
        self.continuous = cfg.call_off.continuous
        self.times_of_day = cfg.call_off.times_of_day()
        self.call_days = frozenset(cfg.call_off.day_indices)
        self.capacity = cfg.truck_capacity or math.inf
        self.queue: deque[QueuedOrder] = deque()
        self.deliveries = 0  # trucks (and special shipments) arriving in the window
        self.containers_delivered = 0  # containers (and non-stock lines) they brought
        self.emergency_orders = 0  # placed in the window
        self.truck_log: list[Shipment] = []
        self.special_log: list[Shipment] = []  # special orders travelling on their own
        self.policy = POLICIES[cfg.policy](self, cfg.policy_block, sizes, parts)
        self.non_stock = NonStock(self, cfg.stocking, sizes, parts)
        stocked = sizes["stocked"]
        for p in parts:
            p.stocked = bool(stocked[p.idx])
            p.policy = self.policy if p.stocked else self.non_stock
            p.policy.attach(p)
        self.special_lead = special_lead  # None: special orders ride the regular truck
        self.special_mean = (
            cfg.stocking.lead_time.mean_value() if cfg.stocking.lead_time else self.mean_lead_time
        )
        self.returns = 0  # units sent back in the window
        # Disruptions as (start, end[, delay]); outages hold trucks, delays add up.
        outages = [(d.start, d.end) for d in cfg.disruptions if d.kind == "outage"]
        self.delays = [(d.start, d.end, d.delay) for d in cfg.disruptions if d.kind == "delay"]
        # supply.reliability: a late truck's extra delay (unannounced), and the random
        # outages, which hold trucks like the others but are known only once started, and
        # then expected to last the mean duration (their drawn end is not known).
        self.late = late
        self.random_outages = list(random_outages)
        self.outages = outages + self.random_outages
        self.announced = outages
        rel = cfg.reliability
        self.outage_mean = (
            rel.outages.duration.mean_value() if rel is not None and rel.outages else 0.0
        )
        # A finite parts centre (a region): orders draw on its stock. None: it never runs
        # out (a single dealer), and every order is ready to load at once.
        self.centre = centre
        self.centre_index = list(centre_index)  # the centre's index of each part
        # Plant express (VOR) orders: what the centre cannot fill of an emergency order
        # comes from the plant after this lead time. None: it is not ordered.
        self.express_lead = express_lead

    # -- demand signals -------------------------------------------------------------------
    def on_request(self, part: PartStock, units: int) -> None:
        """A job asked for ``units`` of ``part`` (issued or backordered)."""
        part.policy.on_request(part, units)

    def order(self, idx: int, containers: int) -> None:
        """Put ``containers`` of part ``idx`` on order; the next truck takes them."""
        if containers > 0:
            part = self.parts[idx]
            part.on_order += containers * part.container
            entry = QueuedOrder(idx, containers)
            if self.centre is not None:
                self._claim(entry, part.container)
            self.queue.append(entry)

    def _claim(self, entry: QueuedOrder, unit: int) -> None:
        """Place a queued order with the centre, which sets aside what it has."""
        assert self.centre is not None
        entry.unit, entry.owner = unit, self
        self.centre.request(entry, self.centre_index[entry.idx])
        if entry.short and entry.special is None and self.cfg.emergency.enabled:
            self._escalate(self.parts[entry.idx])

    def _escalate(self, part: PartStock) -> None:
        """The centre cannot fill an order of ``part`` at once: each job waiting for it whose
        units the regular supply no longer brings in time gets an emergency order (the
        parts manager's VOR order when the centre confirms a backorder)."""
        soon = self.cal.next_open(self.env.now + self.cfg.emergency.lead_time)
        need = 0
        for entry in list(part.backorders):
            need += entry.units
            regular = self.regular_arrival(part, need)
            if regular == math.inf or soon < self.cal.next_open(regular):
                self.emergency(entry.job, [(part, entry.units)], need)

    def centre_served(self) -> None:
        """The centre set containers aside for this dealer: a continuous call-off sends
        them at once, a periodic one with its next truck."""
        if self.continuous:
            self.dispatch()

    # -- call-offs and trucks -------------------------------------------------------------
    def next_call_off(self, t: float) -> float:
        """The first call-off at or after ``t`` (``t`` itself when continuous)."""
        if self.continuous:
            return t
        day = int(t // DAY)
        for d in range(day, day + 8):
            if d % 7 in self.call_days:
                for tod in self.times_of_day:
                    if d * DAY + tod >= t:
                        return d * DAY + tod
        return math.inf

    def eta(self, part: PartStock) -> float:
        """Earliest truck in transit carrying the part (its scheduled arrival: the drawn one
        is not known to the workshop), else next call-off + mean lead time."""
        if part.in_transit:
            return min(truck.scheduled for truck in part.in_transit)
        return self.next_call_off(self.env.now) + self.mean_lead_time

    def call_offs(self, end: float) -> Generator[simpy.Event, None, None]:
        """The periodic call-off process (not started when continuous)."""
        day = 0
        while day * DAY < end:
            if day % 7 in self.call_days:
                for tod in self.times_of_day:
                    t = day * DAY + tod
                    if t >= end:
                        return
                    yield self.env.timeout(t - self.env.now)
                    self.call_off()
            day += 1

    def call_off(self) -> None:
        """Order what the policy says (in part_no order), then load a truck."""
        rank = self.rank
        for idx, n in sorted(self.policy.orders(), key=lambda o: rank[o[0]]):
            self.order(idx, n)
        self.dispatch()

    def _outage_end(self) -> float | None:
        """When the outage(s) in force now end (None: no outage), hand-placed or random."""
        now, outages = self.env.now, self.outages
        active = [e for s, e in outages if s <= now < e]
        if not active:
            return None
        end = max(active)
        while True:  # outages that chain on from this one hold trucks too
            later = [e for s, e in outages if s <= end < e]
            if not later:
                return end
            end = max(later)

    def _delay_in_force(self) -> float:
        """The sum of the delay disruptions in force now."""
        now = self.env.now
        return sum(d for s, e, d in self.delays if s <= now < e)

    def dispatch(self) -> None:
        """Trucks leave now with queued containers, oldest orders first, up to capacity."""
        if not self.queue:
            return
        outage_end = self._outage_end()
        if outage_end is not None:
            if self.continuous:
                ev = self.env.timeout(outage_end - self.env.now)
                ev.callbacks.append(lambda _: self.dispatch())
            return
        if self.centre is not None:
            self._dispatch_ready()
            return
        while self.queue:
            load: list[tuple[int, int]] = []
            special: list[SpecialOrder] = []
            room = self.capacity
            while self.queue and room > 0:
                order = self.queue[0]
                take = int(min(order.containers, room))
                if order.special is None:
                    load.append((order.idx, take))
                else:
                    special.append(order.special)
                room -= take
                order.containers -= take
                if order.containers == 0:
                    self.queue.popleft()
            self._send(load, special)
            if not self.continuous:
                break  # one truck per call-off; the rest wait for the next one

    def _dispatch_ready(self) -> None:
        """With a finite centre: trucks take the containers set aside, oldest orders first,
        up to capacity; what the centre still owes stays queued."""
        while True:
            load: list[tuple[int, int]] = []
            special: list[SpecialOrder] = []
            room = self.capacity
            for order in self.queue:
                if room <= 0:
                    break
                if order.ready <= 0:
                    continue
                take = int(min(order.ready, room))
                if order.special is None:
                    load.append((order.idx, take))
                else:
                    special.append(order.special)
                room -= take
                order.ready -= take
                order.containers -= take
            if not load and not special:
                return
            if any(order.containers == 0 for order in self.queue):
                self.queue = deque(order for order in self.queue if order.containers)
            self._send(load, special)
            if not self.continuous:
                return  # one truck per call-off; the rest wait for the next one

    def _send(self, load: list[tuple[int, int]], special: list[SpecialOrder]) -> None:
        now = self.env.now
        delay = self._delay_in_force()
        if special and self.special_lead is not None:  # special orders travel on their own
            lead = self.special_lead() + delay
            self._ship(now + lead, now + self.special_mean + delay, special)
            special = []
        if load or special:
            lead = self.lead_time() + delay
            if self.late is not None:  # late: nobody knows, the schedule stays
                lead += self.late()
            arrival = now + lead
            if special:
                self._ship(arrival, now + self.mean_lead_time + delay, special, counted=False)
            self._truck(now, arrival, now + self.mean_lead_time + delay, load, len(special))

    def preload(self, departure: float, arrival: float, load: list[tuple[int, int]]) -> None:
        """A truck sent before time 0 (the start state), due at ``arrival``."""
        for idx, n in load:
            self.parts[idx].on_order += n * self.parts[idx].container
        self._truck(departure, arrival, arrival, load)

    def _truck(
        self,
        departure: float,
        arrival: float,
        scheduled: float,
        load: list[tuple[int, int]],
        lines: int = 0,
    ) -> None:
        """A truck on the road, in each part's ``in_transit`` (the actual arrival is drawn;
        the workshop knows the schedule)."""
        truck = Truck(arrival, scheduled)
        for idx, n in load:
            part = self.parts[idx]
            part.in_transit[truck] = part.in_transit.get(truck, 0) + n * part.container
        self.truck_log.append(Shipment(departure, arrival, sum(n for _, n in load) + lines))
        ev = self.env.timeout(arrival - self.env.now)
        ev.callbacks.append(lambda _ev: self._arrive(truck, load, lines))

    def _arrive(self, truck: Truck, load: list[tuple[int, int]], lines: int) -> None:
        now = self.env.now
        if self.t0 <= now < self.t1:
            self.deliveries += 1
            self.containers_delivered += sum(n for _, n in load) + lines
        for idx, n in load:
            part = self.parts[idx]
            part.in_transit.pop(truck, None)  # None: a second load line of the part
            for _ in range(n):
                part.receive(now, part.container, carded=True)

    # -- non-stock parts: ordered per job -------------------------------------------------
    def order_for_job(self, job: Job) -> None:
        """Order the job's units of non-stock parts (once per job), for the next call-off."""
        if job.special is not None:
            return
        orders = []
        for idx, qty in job.lines:
            part = self.parts[idx]
            if not part.stocked:
                order = SpecialOrder(job, idx, qty)
                part.on_order += qty
                entry = QueuedOrder(idx, 1, order)
                if self.centre is not None:
                    self._claim(entry, qty)
                self.queue.append(entry)
                orders.append(order)
        job.special = tuple(orders)
        if orders and self.continuous:
            self.dispatch()

    def _ship(
        self, arrival: float, scheduled: float, orders: list[SpecialOrder], counted: bool = True
    ) -> None:
        """Special orders on their way; ``counted``: a delivery of its own when it arrives."""
        for order in orders:
            order.state, order.arrival = "road", scheduled
        if counted:
            self.special_log.append(Shipment(self.env.now, arrival, len(orders)))
        ev = self.env.timeout(arrival - self.env.now)
        ev.callbacks.append(lambda _ev: self._special_arrive(orders, counted))

    def _special_arrive(self, orders: list[SpecialOrder], counted: bool) -> None:
        now = self.env.now
        if self.t0 <= now < self.t1 and counted:
            self.deliveries += 1
            self.containers_delivered += len(orders)
        for order in orders:
            order.state = "arrived"
            self._special_receive(self.parts[order.idx], order.job, order.units, order.cancelled)

    def cancel(self, order: SpecialOrder) -> None:
        """The job no longer needs the order: unsent, it is struck off; on the road or
        arrived, its units go back with the first truck after now."""
        if order.cancelled:
            return
        order.cancelled = True
        part = self.parts[order.idx]
        if order.state == "queued":
            for entry in self.queue:
                if entry.special is order:
                    if self.centre is not None:
                        self.centre.cancel(entry, self.centre_index[entry.idx])
                    self.queue.remove(entry)
                    part.on_order -= order.units
                    break
        elif order.state == "arrived":
            self._send_back(part, order.job, self.env.now)

    def abandon(self, job: Job) -> None:
        """A booked car that never came: its orders are no longer needed."""
        for order in job.special or ():
            self.cancel(order)
        job.special = ()  # the orders keep the job, not the other way round: no cycle

    def _send_back(self, part: PartStock, job: Job, ready: float) -> None:
        """Units held for ``job`` leave the shelf with the first truck at or after ``ready``."""
        when = self.next_call_off(ready)
        ev = self.env.timeout(when - self.env.now)
        ev.callbacks.append(lambda _ev: self._returned(part, job))

    def _returned(self, part: PartStock, job: Job) -> None:
        units = part.give_back(self.env.now, job)
        if self.t0 <= self.env.now < self.t1:
            self.returns += units

    def order_eta(self, order: SpecialOrder) -> float:
        """When a job's special order is expected (scheduled, never the drawn time); never,
        while the centre owes it."""
        if order.state == "road":
            return order.arrival
        if order.state == "arrived":
            return self.env.now
        if self.centre is not None and any(
            e.special is order and e.short for e in self.queue
        ):  # owed by the centre: it comes when it can, not counted on
            return math.inf
        dep = self._departure_after(self.env.now)
        return dep + self.special_mean + self._known_delay(dep)

    # -- emergency orders -----------------------------------------------------------------
    def _known_outages(self) -> list[tuple[float, float]]:
        """Outages known now, with their expected ends: every hand-placed one (announced),
        and each random one that has started, expected to last its mean duration."""
        if not self.random_outages:
            return self.announced
        now, mean = self.env.now, self.outage_mean
        return self.announced + [(s, s + mean) for s, _ in self.random_outages if s <= now]

    def _departure_after(self, t: float) -> float:
        """When the regular truck of the first call-off at or after ``t`` is expected to
        leave: outages known now hold it until their (expected) end."""
        known = self._known_outages()
        for _ in range(100):
            t = self.next_call_off(t)
            held = [e for s, e in known if s <= t < e]
            if not held:
                return t
            t = max(held)
        return math.inf

    def _known_delay(self, t: float) -> float:
        return sum(d for s, e, d in self.delays if s <= t < e)

    def regular_arrival(self, part: PartStock, units: int) -> float:
        """When the regular supply already on its way or due at the next call-off is expected
        to have brought ``units`` of ``part`` (inf: it never will without a new order).

        Supply comes in the order it is expected: trucks on the road at their scheduled
        arrival (never the drawn one), emergency orders in flight, then containers waiting
        for a truck and what the next call-off will send (released cards, non-stock orders,
        the review's order), at that call-off + the mean lead time + known delays. With a
        finite centre only what it has set aside, or has free for the next call-off, counts.
        """
        coming = [(truck.scheduled, n) for truck, n in part.in_transit.items()]
        coming += part.emergency_in
        waiting = part.policy.pending_units(part)
        if self.centre is None:
            queued = sum(o.containers for o in self.queue if o.idx == part.idx)
        else:
            # What the centre owes comes when it can: not counted on. What the next
            # call-off will order is counted only as far as the centre has it free now
            # (the dealer sees the centre's stock when it orders).
            queued = sum(o.ready for o in self.queue if o.idx == part.idx)
            waiting = min(waiting, self.centre.free(self.centre_index[part.idx]))
        waiting += queued * part.container
        if waiting:
            dep = self._departure_after(self.env.now)
            coming.append((dep + self.mean_lead_time + self._known_delay(dep), waiting))
        got = 0
        for when, n in sorted(coming):
            got += n
            if got >= units:
                return when
        return math.inf

    def emergency(
        self, job: Job, missing: list[tuple[PartStock, int]], through: int | None = None
    ) -> None:
        """A job starts waiting: order the missing units of the parts whose regular supply
        would reach the workshop later than an emergency order would.

        Compared in working time: the next working moment at or after each arrival (a job
        waiting at 17:00 gains nothing from a 21:00 emergency delivery if the morning truck
        arrives before opening). The job's units come after earlier backorders of the part.
        In a region the centre serves what it has free, and what it lacks comes from the
        plant as an express order (``centre.express``), if that beats the regular supply:
        one emergency order, one cost, arriving in two parts. ``through``: the units of a
        stocked part backordered up to and including this job's (default: all of them, as
        for a job that has just started waiting).
        """
        cfg = self.cfg.emergency
        if not cfg.enabled:
            return
        now = self.env.now
        soon = self.cal.next_open(now + cfg.lead_time)
        lines, regulars = [], []
        for p, n in missing:
            if p.stocked:
                regular = self.regular_arrival(p, p.backordered if through is None else through)
            else:
                own = [o for o in job.special or () if o.idx == p.idx and not o.cancelled]
                regular = self.order_eta(own[0]) if own else math.inf
            if regular == math.inf or soon < self.cal.next_open(regular):
                lines.append((p, n))
                regulars.append(regular)
        express: list[tuple[PartStock, int]] = []
        if lines and self.centre is not None:
            lines, express = self._from_centre(lines, regulars)
        if not lines and not express:
            return
        if self.t0 <= now < self.t1:
            self.emergency_orders += 1
            placed = len(lines) + len(express)
            for part, _ in (*lines, *express):
                part.w_emergency += 1 / placed
        job.emergency_cost += cfg.cost
        if lines:
            self._place(job, lines, cfg.lead_time)
        if express:
            assert self.express_lead is not None and self.centre is not None
            for part, n in express:
                self.centre.expressed(self.centre_index[part.idx], n)
            self._place(job, express, self.express_lead)

    def _place(self, job: Job, lines: list[tuple[PartStock, int]], lead: float) -> None:
        """The units of ``lines`` are on an emergency order for ``job``, arriving in ``lead``."""
        entries = []
        for part, n in lines:
            part.on_order += n
            entry = Incoming(self.env.now + lead, n)
            part.emergency_in.append(entry)
            entries.append(entry)
            part.policy.emergency_placed(part, n)
            if not part.stocked:  # the job's own order is no longer needed
                for order in job.special or ():
                    if order.idx == part.idx:
                        self.cancel(order)
        ev = self.env.timeout(lead)
        ev.callbacks.append(lambda _ev: self._emergency_arrive(job, lines, entries))

    def _from_centre(
        self, lines: list[tuple[PartStock, int]], regulars: list[float]
    ) -> tuple[list[tuple[PartStock, int]], list[tuple[PartStock, int]]]:
        """The emergency lines the centre serves at once (what it has free of a stocked part;
        the whole of a non-stock part's units or nothing), and the plant's express lines for
        the rest, where express orders are on and the plant's express beats the regular
        supply."""
        assert self.centre is not None
        got, express = [], []
        soon = self.cal.next_open(self.env.now + (self.express_lead or 0.0))
        for (part, n), regular in zip(lines, regulars, strict=True):
            k = self.centre.take(self.centre_index[part.idx], n, whole=not part.stocked)
            if k:
                got.append((part, k))
            if (
                k < n
                and self.express_lead is not None
                and (regular == math.inf or soon < self.cal.next_open(regular))
            ):
                express.append((part, n - k))
        return got, express

    def _emergency_arrive(
        self, job: Job, lines: list[tuple[PartStock, int]], entries: list[Incoming]
    ) -> None:
        now = self.env.now
        for (part, n), entry in zip(lines, entries, strict=True):
            part.emergency_in.remove(entry)
            if part.stocked:
                part.receive(now, n, carded=False, first=job)
            else:  # for this job alone; what it no longer needs goes back
                self._special_receive(part, job, n, surplus=True)

    def _special_receive(self, part: PartStock, job: Job, units: int, surplus: bool) -> None:
        """Units of a non-stock part for ``job`` arrive: to its wait, else held beside the
        line; held units go back when ``surplus`` (the job has had its request served or
        no longer needs them: whichever of its own order and an emergency order came first
        served it)."""
        now = self.env.now
        part.receive_for(now, job, units)
        if surplus and part.held.get(job):
            self._send_back(part, job, now)
