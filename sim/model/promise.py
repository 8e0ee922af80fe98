"""The promise rules: when the service advisor promises the car back (承诺时间).

The promise is set once, at the end of reception, and never revised; it changes nothing that
the job does, only whether the job counts as on time. ``workshop.py`` holds a job's life and
calls :meth:`Promises.make` at its reception end.
"""

from __future__ import annotations

from sim.calendar import Calendar
from sim.model.demand import Job
from sim.model.stock import PartStock
from sim.model.supply import Supply
from sim.scenario import Scenario


class Promises:
    """The advisor's promise for each job of one replication."""

    def __init__(
        self, scenario: Scenario, cal: Calendar, parts: list[PartStock], supply: Supply
    ) -> None:
        ws = scenario.workshop
        self.cal = cal
        self.parts = parts
        self.supply = supply
        self.parts_eta = ws.promise.parts_eta
        self.extra = ws.qc.mean_value() + ws.delivery.mean_value() + ws.promise.buffer

    def make(self, job: Job) -> None:
        """Promise = reception end + standard hours + mean QC + mean delivery + buffer, in
        working time; with parts ETA, no earlier than the same work started at the ETA of a
        part short of available-to-promise. The job then claims its units."""
        cal = self.cal
        work = job.std_total + self.extra
        promise = cal.add(job.rec_end, work)
        for idx, qty in job.lines:
            part = self.parts[idx]
            if not part.stocked:  # ordered for this job: ready when its order is
                if self.parts_eta and part.held.get(job, 0) < qty:
                    for order in job.special or ():
                        if order.idx == idx:
                            eta = self.supply.order_eta(order)
                            promise = max(promise, cal.add(eta, work))
                continue
            if self.parts_eta and qty > part.on_hand - part.claimed:
                promise = max(promise, cal.add(self.supply.eta(part), work))
            part.claimed += qty
        job.promise = promise
