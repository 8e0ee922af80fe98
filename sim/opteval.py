"""Simulating the size optimiser's points: one catalogue file per point, batches of points
spread over an executor, per-part means.

A *point* is one size per part (catalogue order). It is simulated as a scenario that reads
its sizes from a copy of the catalogue with the size column filled in (``cards:
catalogue``, ...), so the answer the optimiser reports is exactly a scenario that was
simulated: its ``sizes.csv`` has the same bytes, hence the same scenario hash. Every point
of one seed runs replications 0 .. R-1 of that seed: the same cars, jobs and parts
(common random numbers, ``docs/model.md`` 4.4). The given point is the scenario as the
user gave it.

The points of one round go to the executor together, as (scenario, replications) tasks
like a batch's (``sim.executors.make_tasks``); results are put back in point and
replication order, so every executor gives the same numbers.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.catalogue import REQUIRED_COLUMNS, catalogue_of
from sim.executors import Executor, chunk_size, make_tasks
from sim.experiment import Interval, t_interval
from sim.kpi import KPI_COLUMNS
from sim.model.records import RunResult
from sim.optmodel import Curves, PointStats, SizeRule
from sim.results import format_cell, write_atomic
from sim.scenario import Parts, Scenario

if TYPE_CHECKING:
    from sim.experiment import Simulate
    from sim.progress import Progress

ProgressFactory = Callable[[int, str], "Progress | None"]


class CatalogueTable:
    """The scenario's catalogue as CSV cells, to be written again with size columns.

    A catalogue file keeps every column and cell as written (``category`` and the rest);
    a generated catalogue is written out with the columns the reader needs.
    """

    def __init__(self, header: list[str], rows: list[list[str]]) -> None:
        self.header, self.rows = header, rows

    @classmethod
    def of(cls, scn: Scenario) -> CatalogueTable:
        """The catalogue ``scn`` reads."""
        parts = scn.parts
        if parts.catalogue is not None:
            text = Path(parts.catalogue).read_text(encoding="utf-8-sig")
            table = list(csv.reader(io.StringIO(text)))
            header = [h.strip() for h in table[0]]
            width = len(header)
            rows = [(r + [""] * width)[:width] for r in table[1:] if any(c.strip() for c in r)]
            return cls(header, rows)
        cat = catalogue_of(None, None, parts.generate, scn.run.seed)
        header = [*REQUIRED_COLUMNS, "job_types"]
        rows = [
            [
                cat.part_no[i],
                format_cell(float(cat.unit_cost[i])),
                format_cell(float(cat.unit_price[i])),
                str(int(cat.container_qty[i])),
                format_cell(float(cat.weight[i])),
                ";".join(sorted(cat.job_types[i] or ())),
            ]
            for i in range(len(cat))
        ]
        return cls(header, rows)

    def column(self, name: str) -> list[str]:
        """The cells of column ``name`` ('' for every row when absent)."""
        if name not in self.header:
            return [""] * len(self.rows)
        k = self.header.index(name)
        return [r[k] for r in self.rows]

    def text(self, sizes: dict[str, Sequence[int]]) -> str:
        """The catalogue as CSV with the columns of ``sizes`` set (added at the end when new)."""
        header = list(self.header) + [c for c in sizes if c not in self.header]
        index = {c: header.index(c) for c in sizes}
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(header)
        for r, row in enumerate(self.rows):
            cells = row + [""] * (len(header) - len(row))
            for col, k in index.items():
                cells[k] = str(int(sizes[col][r]))
            w.writerow(cells)
        return buf.getvalue()


@dataclass
class Eval:
    """One point simulated on one seed: every KPI per replication and the per-part means
    (``stats``; ``inventory_value`` per part, ``fill`` per part or NaN). ``results`` are
    kept only when asked for (the answer's confirmation, written as a results folder)."""

    key: str
    seed: int
    values: dict[str, list[float | None]]
    stats: PointStats
    inventory_value: np.ndarray
    fill: np.ndarray
    results: list[RunResult] = field(default_factory=list)
    seconds: float = 0.0

    def interval(self, kpi: str) -> Interval:
        """Mean and 95 % t-interval of ``kpi`` over the replications."""
        return t_interval(self.values[kpi])

    def mean(self, kpi: str) -> float:
        """The mean of ``kpi`` (NaN where no replication defines it)."""
        return self.interval(kpi).mean


def _column(result: RunResult, name: str) -> list[Any]:
    parts = result.extra.get("parts")
    if not isinstance(parts, dict) or name not in parts:
        raise RuntimeError(
            f"{result.scenario} replication {result.replication}: the model gave no per-part "
            "table (RunResult.extra['parts']); the optimiser needs it"
        )
    return list(parts[name])


def summarise_point(key: str, seed: int, results: Sequence[RunResult]) -> Eval:
    """The Eval of a point from its replications (in replication order)."""
    values = {k: [r.kpis.get(k) for r in results] for k in KPI_COLUMNS}
    reps = len(results)
    n = len(_column(results[0], "units_requested"))
    acc = {k: np.zeros(n) for k in ("units", "short", "lines", "short_lines", "em", "inv")}
    fill_sum, fill_n = np.zeros(n), np.zeros(n)
    for res in results:
        units = np.array(_column(res, "units_requested"), dtype=float)
        fill = np.array([np.nan if f is None else f for f in _column(res, "fill_rate")])
        short = np.where(units > 0, np.round(units * (1 - np.nan_to_num(fill, nan=1.0))), 0.0)
        acc["units"] += units
        acc["short"] += short
        acc["lines"] += np.array(_column(res, "lines"), dtype=float)
        acc["short_lines"] += np.array(_column(res, "stockout_events"), dtype=float)
        acc["em"] += np.array(_column(res, "emergency_orders"), dtype=float)
        acc["inv"] += np.array(_column(res, "avg_inventory_value"), dtype=float)
        seen = ~np.isnan(fill)
        fill_sum[seen] += fill[seen]
        fill_n[seen] += 1
    mean = {k: v / reps for k, v in acc.items()}
    kpis = {k: t_interval(v).mean for k, v in values.items()}
    stats = PointStats(
        units=mean["units"],
        short_units=mean["short"],
        lines=mean["lines"],
        short_lines=mean["short_lines"],
        emergency=mean["em"],
        kpis=kpis,
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        fill_mean = np.where(fill_n > 0, fill_sum / np.maximum(fill_n, 1), np.nan)
    return Eval(key, seed, values, stats, mean["inv"], fill_mean)


class Space:
    """The sizes the optimiser may choose for one scenario, and how a point is simulated.

    ``given`` holds the sizes the scenario resolves to (the start), ``stocked`` which parts
    have a loop, ``container`` C and ``qty`` (the reorder point's lot, kept as resolved),
    ``expected`` each part's expected units in the window (the sizing's D times the
    window's working hours), ``curves`` the theory. Point files go to ``work``.
    """

    def __init__(self, base: Scenario, rule: SizeRule, reps: int, work: Path) -> None:
        from sim.model.sizing import protection_span
        from sim.model.world import calendar_of, sizes_for

        self.base, self.rule, self.reps, self.work = base, rule, reps, work
        sizes = sizes_for(base)
        self.stocked = sizes["stocked"].astype(bool)
        self.container = sizes["container_qty"].astype(np.int64)
        self.demand = sizes["demand_per_open_hour"].astype(float)
        self.given = np.where(self.stocked, sizes[rule.column], rule.least).astype(np.int64)
        self.qty = sizes.get("order_qty", self.container).astype(np.int64)
        cal = calendar_of(base)
        t0 = base.run.warmup
        hours = cal.working_between(t0, t0 + base.run.horizon) / 60.0
        self.expected = self.demand * hours
        span = protection_span(base, cal)
        self.curves = Curves(rule, self.demand, span.review, span.lead, self.container, self.qty)
        self.table = CatalogueTable.of(base)
        self.unit_cost = np.array([float(c) for c in self.table.column("unit_cost")])
        self.part_no = self.table.column("part_no")

    def least(self) -> np.ndarray:
        """The least sizes: every stocked part at the policy's minimum."""
        return np.where(self.stocked, self.rule.least, self.given).astype(np.int64)

    def total(self, sizes: np.ndarray) -> int:
        """Cards (kanban) or units of size over the stocked parts."""
        return int(np.asarray(sizes)[self.stocked].sum())

    def catalogue_text(self, sizes: np.ndarray) -> str:
        """``sizes.csv``: the catalogue with the policy's size column (and the reorder point's
        lot) filled in; parts not stocked get the column's least value."""
        column = np.where(self.stocked, sizes, self.rule.least).astype(np.int64)
        cols: dict[str, Sequence[int]] = {self.rule.column: column.tolist()}
        if self.rule.policy == "reorder_point":
            cols["order_qty"] = np.where(self.stocked, self.qty, self.container).tolist()
        return self.table.text(cols)

    def key(self, sizes: np.ndarray) -> str:
        """A short digest of a point's sizes."""
        return hashlib.sha256(np.asarray(sizes, dtype=np.int64).tobytes()).hexdigest()[:16]

    def scenario(self, sizes: np.ndarray | None, name: str, seed: int) -> Scenario:
        """The scenario that simulates ``sizes`` (None: the given scenario itself), with
        ``reps`` replications of ``seed``; a point's catalogue is written to ``work``."""
        run = self.base.run.model_copy(update={"seed": seed, "replications": self.reps})
        if sizes is None:
            return self.base.model_copy(update={"name": name, "run": run})
        text = self.catalogue_text(sizes)
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        path = self.work / f"{sha[:20]}.csv"
        if not path.is_file():
            self.work.mkdir(parents=True, exist_ok=True)
            write_atomic(path, text)
        return self.with_catalogue(path.resolve(), sha, name, run)

    def with_catalogue(self, path: Path, sha: str, name: str, run: Any = None) -> Scenario:
        """The base scenario reading its sizes from the catalogue ``path`` (sha256 ``sha``)."""
        update: dict[str, Any] = {self.rule.field: "catalogue", "target_fill": None}
        if self.rule.policy == "reorder_point":
            update["qty"] = "catalogue"
        block = self.base.supply.policy_block.model_copy(update=update)
        supply = self.base.supply.model_copy(update={self.rule.policy: block})
        parts = Parts(catalogue=str(path), catalogue_sha256=sha)
        changes: dict[str, Any] = {"name": name, "parts": parts, "supply": supply}
        if run is not None:
            changes["run"] = run
        return self.base.model_copy(update=changes)


@dataclass(frozen=True)
class Request:
    """A point to simulate: its sizes (None: the given scenario), the seed, and whether to
    keep its replications (for the results folder)."""

    sizes: np.ndarray | None
    seed: int
    name: str
    keep: bool = False


class Evaluator:
    """Simulates batches of points on an executor; remembers every (point, seed) done."""

    def __init__(
        self,
        space: Space,
        executor: Executor,
        simulate: Simulate | None = None,
        progress: ProgressFactory | None = None,
    ) -> None:
        self.space, self.executor, self.simulate = space, executor, simulate
        self.progress = progress
        self.cache: dict[tuple[str, int], Eval] = {}
        self.seconds_per_rep: float | None = None

    def key(self, req: Request) -> str:
        """The point's digest; the given scenario counts as its own sizes (it simulates
        exactly as the catalogue that spells them out)."""
        return self.space.key(self.space.given if req.sizes is None else req.sizes)

    def run(self, requests: Sequence[Request], desc: str = "") -> list[Eval]:
        """The Eval of every request, simulating those not done before, in one batch."""
        todo: dict[tuple[str, int], tuple[Request, Scenario]] = {}
        for req in requests:
            k = (self.key(req), req.seed)
            cached = self.cache.get(k)
            if k in todo or (cached is not None and (cached.results or not req.keep)):
                continue
            todo[k] = (req, self.space.scenario(req.sizes, req.name, req.seed))
        if todo:
            self._simulate(todo, desc)
        return [self.cache[(self.key(r), r.seed)] for r in requests]

    def _simulate(self, todo: dict[tuple[str, int], tuple[Request, Scenario]], desc: str) -> None:
        import time

        names = {scn.name: k for k, (_, scn) in todo.items()}
        if len(names) != len(todo):
            raise ValueError("two points of one batch share a scenario name")
        reps = self.space.reps
        pending = [(scn, r) for _, scn in todo.values() for r in range(reps)]
        tasks = make_tasks(pending, chunk_size(len(pending), self.executor.slots()))
        got: dict[tuple[str, int], RunResult] = {}
        seconds: dict[str, float] = dict.fromkeys(names, 0.0)
        reporter = self.progress(len(pending), desc) if self.progress else None
        started = time.perf_counter()
        try:
            for outcomes in self.executor.run(tasks, self.simulate):
                for o in outcomes:
                    if o.error is not None or o.result is None:
                        raise RuntimeError(
                            f"replication {o.replication} of a point failed: {o.error}"
                            + (f"\n{o.traceback}" if o.traceback else "")
                        )
                    got[(o.scenario, o.replication)] = o.result
                    seconds[o.scenario] += o.seconds
                if reporter is not None:
                    reporter.update(len(outcomes))
        finally:
            if reporter is not None:
                reporter.close()
        wall = time.perf_counter() - started
        per = wall / max(1, len(pending))
        self.seconds_per_rep = (
            per if self.seconds_per_rep is None else (self.seconds_per_rep + per) / 2
        )
        for name, k in names.items():
            req = todo[k][0]
            results = [got[(name, r)] for r in range(reps)]
            ev = summarise_point(k[0], req.seed, results)
            ev.seconds = seconds[name]
            if req.keep:
                ev.results = results
            self.cache[k] = ev

    def eta(self, points: int) -> float:
        """Seconds a batch of ``points`` is expected to take (0 before anything ran)."""
        if self.seconds_per_rep is None:
            return 0.0
        return self.seconds_per_rep * points * self.space.reps


def merge(evals: Sequence[Eval]) -> Eval:
    """One point on several seeds as one Eval: the replications of all, per-part means
    averaged (every seed runs the same number of replications)."""
    if len(evals) == 1:
        return evals[0]
    values = {k: [v for e in evals for v in e.values[k]] for k in evals[0].values}

    def mean(name: str) -> np.ndarray:
        return np.mean([getattr(e.stats, name) for e in evals], axis=0)

    stats = PointStats(
        units=mean("units"),
        short_units=mean("short_units"),
        lines=mean("lines"),
        short_lines=mean("short_lines"),
        emergency=mean("emergency"),
        kpis={k: t_interval(v).mean for k, v in values.items()},
    )
    fills = np.array([e.fill for e in evals])
    with np.errstate(invalid="ignore"):
        seen = ~np.isnan(fills)
        fill = np.where(
            seen.any(axis=0), np.nansum(fills, axis=0) / np.maximum(seen.sum(axis=0), 1), np.nan
        )
    return Eval(
        evals[0].key,
        evals[0].seed,
        values,
        stats,
        np.mean([e.inventory_value for e in evals], axis=0),
        fill,
        seconds=sum(e.seconds for e in evals),
    )


def confirm_seed(seed: int, k: int) -> int:
    """The seed of the k-th confirmation (k >= 1): another seed, so other replication seeds."""
    return seed + k
