"""The promise rules: when the service advisor promises the car back (承诺时间).

The promise is set once, at the end of reception, and never revised; it changes nothing that
the job does, only whether the job counts as on time. ``workshop.py`` holds a job's life and
calls :meth:`Promises.make` at its reception end; under the workload rule it also tells the
planning board (:class:`Board`) when a job starts and ends each operation.

- ``fixed``: reception end + the route's standard hours + mean QC + mean delivery + buffer,
  in working time.
- ``workload``: the same, plus the work queued ahead on the planning board. Per operation,
  the standard minutes of the jobs received earlier that have not started it, over the
  smallest pool of the operation, plus, when a pool of the operation has no free unit, the
  shortest remaining standard time among the jobs holding it: when the operation is clear.
  The route is a pipeline (the job finishes operation k at max(finish of k - 1, clear time
  of k) + its own minutes there), not a sum of the queues; then the QC passes waiting ×
  mean QC time / QC units.

The buffer is max(``buffer``, ``buffer_share`` × the job's standard hours). With
``parts_eta`` the promise is no earlier than the job's own work started at the expected
arrival of a part short of available-to-promise.
"""

from __future__ import annotations

from sim.calendar import Calendar
from sim.model.demand import Job
from sim.model.pools import Pools
from sim.model.stock import PartStock
from sim.model.supply import Supply
from sim.scenario import Scenario


class Promises:
    """The advisor's promise for each job of one replication."""

    def __init__(
        self,
        scenario: Scenario,
        cal: Calendar,
        pools: Pools,
        parts: list[PartStock],
        supply: Supply,
        needs: list[tuple[tuple[int, ...], ...]],
    ) -> None:
        ws = scenario.workshop
        rule = ws.promise
        self.cal = cal
        self.parts = parts
        self.supply = supply
        self.parts_eta = rule.parts_eta
        self.steps = ws.qc.mean_value() + ws.delivery.mean_value()  # QC and delivery
        self.buffer = rule.buffer
        self.share = rule.buffer_share
        self.extra = self.steps + self.buffer  # with no buffer_share: the same for every job
        # The planning board of the workload rule (None: the fixed rule keeps none).
        self.board = (
            Board(cal, pools, needs, pools.index["qc"], ws.qc.mean_value())
            if rule.rule == "workload"
            else None
        )

    def make(self, job: Job) -> None:
        """Set the job's promise at its reception end; the job then claims its units.

        Its own work is its standard hours + mean QC + mean delivery + the buffer; the
        workload rule adds the work queued ahead of it first. With parts ETA the promise is
        no earlier than its own work started at the ETA of a part short of
        available-to-promise (non-stock parts: their own order's ETA).
        """
        cal = self.cal
        std = job.std_total
        if self.share:
            work = std + (self.steps + max(self.buffer, self.share * std))
        else:
            work = std + self.extra
        board = self.board
        if board is None:
            promise = cal.add(job.rec_end, work)
        else:
            promise = cal.add(job.rec_end, board.ahead(job, job.rec_end) + work)
            board.received(job)
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


class Board:
    """The advisor's planning board (workload rule): what is queued and in service.

    Per operation (a distinct tuple of pools, ``uses``), the standard minutes of the jobs
    received and not yet started on it; per pool, the jobs holding a unit with the working
    time their labour started (None while they wait for parts) and their standard minutes.
    A promise reads one entry per operation of its route and the pools of each.
    """

    def __init__(
        self,
        cal: Calendar,
        pools: Pools,
        needs: list[tuple[tuple[int, ...], ...]],
        qc: int,
        qc_mean: float,
    ) -> None:
        self.cal = cal
        self.free = pools.free
        self.pools = pools
        keys: dict[tuple[int, ...], int] = {}
        self.op_key = [tuple(keys.setdefault(n, len(keys)) for n in route) for route in needs]
        self.key_needs = list(keys)
        self.key_units = [min(pools.size[i] for i in n) for n in keys]
        self.backlog = [0.0] * len(keys)  # standard minutes received, not started
        self.count = [0] * len(keys)  # their operations
        # per pool: job -> (working minutes when its labour started, or None; std minutes)
        self.serving: list[dict[Job, tuple[float | None, float]]] = [{} for _ in pools.size]
        self.qc = qc
        self.qc_pass = qc_mean / pools.size[qc]

    def ahead(self, job: Job, now: float) -> float:
        """Working minutes the job's own work is pushed back by the work queued ahead of it.

        The route is a pipeline: the job reaches operation k when it has finished k - 1, and
        operation k is clear of the work ahead at ``clear_k``; so it finishes k at
        max(finish_{k-1}, clear_k) + its own standard minutes on k. What the queue adds is
        the last finish minus the job's own standard minutes, then the QC passes waiting.
        """
        free, serving = self.free, self.serving
        seen: set[int] = set()
        finish = 0.0
        w_now = None
        for key, std in zip(self.op_key[job.type], job.std, strict=True):
            if key not in seen:
                seen.add(key)
                clear = self.backlog[key] / self.key_units[key] if self.count[key] else 0.0
                blocked = 0.0  # until every pool of the operation has a unit free
                for i in self.key_needs[key]:
                    if free[i] <= 0 and serving[i]:
                        if w_now is None:
                            w_now = self.cal.working(now)
                        soonest = min(
                            s if w is None else max(0.0, s - (w_now - w))
                            for w, s in serving[i].values()
                        )
                        blocked = max(blocked, soonest)
                finish = max(finish, clear + blocked)
            finish += std
        return finish - job.std_total + self.pools.waiting(self.qc) * self.qc_pass

    def received(self, job: Job) -> None:
        """The job is on the board: its operations are queued."""
        backlog, count = self.backlog, self.count
        for key, std in zip(self.op_key[job.type], job.std, strict=True):
            backlog[key] += std
            count[key] += 1

    def started(self, job: Job, k: int, needs: tuple[int, ...], now: float) -> None:
        """The job took the pools of its operation ``k`` and starts its labour."""
        key, std = self.op_key[job.type][k], job.std[k]
        self.count[key] -= 1
        # a running sum: exactly 0 when nothing is queued, not a rounding residue
        self.backlog[key] = self.backlog[key] - std if self.count[key] else 0.0
        self.serve(job, needs, std, now)

    def serve(self, job: Job, needs: tuple[int, ...], std: float, now: float) -> None:
        """The job holds ``needs`` and works ``std`` standard minutes from ``now``."""
        entry = (self.cal.working(now), std)
        for i in needs:
            self.serving[i][job] = entry

    def wait_parts(self, job: Job, kept: tuple[int, ...], freed: tuple[int, ...]) -> None:
        """The job waits for parts keeping ``kept``: its labour has not started."""
        serving = self.serving
        for i in freed:
            del serving[i][job]
        for i in kept:
            _, std = serving[i][job]
            serving[i][job] = (None, std)

    def released(self, job: Job, needs: tuple[int, ...]) -> None:
        """The job gave back the pools of a step."""
        for i in needs:
            del self.serving[i][job]
