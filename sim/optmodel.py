"""What the size optimiser believes between simulations: per-part shortfall estimates.

The search (``sim.optsearch``) decides only on simulated points; this module proposes the
moves. For every stocked part it keeps the theoretical fill rate as a function of the
part's size (``sim.theory.fill_by_level``: Poisson demand over the protection span, the
window of levels each policy averages), scaled to what simulation saw: the part's units
short per replication at the current point against the theory's, shrunk towards the ratio
of all parts together when the part itself saw little (``Estimates``). From these, each
target KPI is a straight line in a *lever*: units short (``fill_rate``,
``stocked_fill_rate``: exactly one minus the lever over the units requested) or order
lines short (``parts_ready_rate``, ``on_time_rate``: a slope learnt from the simulated
path). The greedy sequences below are Sherbrooke's marginal analysis on that model: add a
step to the part with the most estimated service per unit of cost, or take a step from the
part that loses least per unit saved.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.theory import fill_by_level

# KPI -> the lever it moves with: stocked units short, the same over stocked units, or lines
LEVERS: dict[str, str] = {
    "fill_rate": "units",
    "stocked_fill_rate": "units",
    "parts_ready_rate": "lines",
    "on_time_rate": "lines",
}
SHRINK_UNITS = 1.0  # pseudo-units short per replication pulling a part towards the pool
TRUST_UNITS = 5.0  # units requested over the replications at which an observation and the
# model weigh the same: a part asked for once in ten replications is judged by the model
MAX_STEPS = 200_000  # a greedy sequence never grows longer (a guard, never reached in use)


@dataclass(frozen=True)
class SizeRule:
    """The size the optimiser sets for a policy: scenario field, catalogue column, least
    value, and whether one step is a card (kanban) or a container of units."""

    policy: str
    field: str
    column: str
    least: int
    per_card: bool

    def step(self, container: int) -> int:
        """The size added or taken by one move."""
        return 1 if self.per_card else int(container)


RULES: dict[str, SizeRule] = {
    "kanban": SizeRule("kanban", "cards", "cards", 1, True),
    "order_up_to": SizeRule("order_up_to", "level", "order_up_to", 0, False),
    "reorder_point": SizeRule("reorder_point", "point", "reorder_point", 0, False),
}


class Curves:
    """Theoretical fill rate of each part as a function of its size (``fill(i, size)``).

    ``demand`` in units per working hour, ``review`` and ``lead`` the split of the
    protection span (``sim.model.sizing.Span``), ``container`` C and ``qty`` the reorder
    point's lot Q per part. Kanban N cards: the mean of F over levels (N-1)C .. NC-1;
    order-up-to S: F[S-1] (S = 0 fills nothing); reorder point s: the mean of F[s .. s+Q-1].
    F is computed per part once and extended when a larger size is asked for.
    """

    def __init__(
        self,
        rule: SizeRule,
        demand: np.ndarray,
        review: float,
        lead: float,
        container: np.ndarray,
        qty: np.ndarray,
    ) -> None:
        self.rule = rule
        self.demand = np.asarray(demand, dtype=float)
        self.review, self.lead = review, lead
        self.container = np.asarray(container, dtype=np.int64)
        self.qty = np.maximum(1, np.asarray(qty, dtype=np.int64))
        self.scale = 1.0
        self._cum: dict[int, np.ndarray] = {}

    def rescale(self, scale: float) -> None:
        """Multiply every part's demand over the span by ``scale`` (the fitted correction
        of the theory's span, the longest of the week, to what simulation sees)."""
        self.scale = scale
        self._cum.clear()

    def fit(self, parts: np.ndarray, sizes: np.ndarray, lam: np.ndarray, short: float) -> float:
        """The scale at which the theory's units short of ``parts`` at ``sizes`` (λ(1 − F))
        add up to ``short``, the simulated total (bisection on a log scale in [1/20, 20]);
        set and returned."""

        def total(scale: float) -> float:
            self.rescale(scale)
            return sum(lam[i] * (1.0 - self.fill(i, int(sizes[i]))) for i in parts.tolist())

        lo, hi = math.log(1 / 20), math.log(20)
        for _ in range(24):
            mid = (lo + hi) / 2
            if total(math.exp(mid)) > short:
                hi = mid
            else:
                lo = mid
        self.rescale(math.exp((lo + hi) / 2))
        return self.scale

    def _window(self, i: int, size: int) -> tuple[int, int]:
        """The levels [lo, lo + width) whose F the size averages."""
        c = int(self.container[i])
        if self.rule.policy == "kanban":
            return (max(1, size) - 1) * c, c
        if self.rule.policy == "order_up_to":
            return size - 1, 1
        return size, int(self.qty[i])

    def _cumulative(self, i: int, top: int) -> np.ndarray:
        cum = self._cum.get(i)
        if cum is None or len(cum) <= top + 1:
            d = float(self.demand[i]) * self.scale
            m = d * (self.lead + self.review)
            kmax = max(top + 1, int(m + 12 * math.sqrt(m) + 12)) * (1 if cum is None else 2)
            f = fill_by_level(d, self.review, self.lead, kmax) if d > 0 else np.ones(kmax + 1)
            cum = np.concatenate(([0.0], np.cumsum(f)))
            self._cum[i] = cum
        return cum

    def fill(self, i: int, size: int) -> float:
        """Theoretical fill rate of part ``i`` at ``size``."""
        lo, width = self._window(i, int(size))
        if lo < 0:  # order-up-to S = 0: nothing on the shelf
            return 0.0
        cum = self._cumulative(i, lo + width)
        return float(min(1.0, (cum[lo + width] - cum[lo]) / width))


@dataclass(frozen=True)
class PointStats:
    """Per-part means over a point's replications (catalogue order) and its KPI means."""

    units: np.ndarray  # units requested
    short_units: np.ndarray
    lines: np.ndarray
    short_lines: np.ndarray
    emergency: np.ndarray
    kpis: dict[str, float]


@dataclass(frozen=True)
class Costs:
    """What one unit on the shelf costs in the objective, and what an emergency order
    saves: ``holding`` per unit of stock value (1 for ``avg_inventory_value``; the holding
    rate over the window for ``logistics_cost``), ``emergency`` per order (0 or its cost)."""

    unit_cost: np.ndarray
    holding: float
    emergency: float


class Observed:
    """What simulation saw per part and size on the search seed: units short and stock
    value, means per replication (averaged over the points that had the part at that
    size). Under common random numbers a part meets the same demand in every point, so
    what it did at a size elsewhere is what it does at that size here, up to the small
    effects parts have on each other (trucks, emergency orders)."""

    def __init__(self) -> None:
        self._sum: dict[tuple[int, int], tuple[float, float, int]] = {}

    def add(
        self, parts: np.ndarray, sizes: np.ndarray, short: np.ndarray, value: np.ndarray
    ) -> None:
        """Record one simulated point's per-part figures (``parts``: the stocked ones)."""
        for i in parts.tolist():
            key = (i, int(sizes[i]))
            s, v, n = self._sum.get(key, (0.0, 0.0, 0))
            self._sum[key] = (s + float(short[i]), v + float(value[i]), n + 1)

    def get(self, i: int, size: int) -> tuple[float, float] | None:
        """(units short, stock value) of part ``i`` at ``size``, or None if never seen."""
        got = self._sum.get((i, size))
        return None if got is None else (got[0] / got[2], got[1] / got[2])


class Estimates:
    """The calibrated shortfall model at one simulated point.

    ``short(i, size)``: what simulation saw of part ``i`` at that size (``observed``),
    weighed against the model by how many units of the part the replications asked for
    (``TRUST_UNITS``: a rare part's zero shortage says little), else
    c_i · λ_i · (1 − F_i(size)): λ_i the part's units requested per replication
    (simulated, pulled towards the theory's D·H when few replications saw it), c_i =
    (simulated short + k·c) / (theory short + k) with c the pooled ratio over all stocked
    parts and k the theory's short itself (at least ``SHRINK_UNITS``): a part that saw
    nothing short keeps at least half the theory's. The theory's demand is scaled once, at
    the given point, so that its total short matches simulation (``Curves.fit``). Slopes
    ``slope[kpi]`` turn a lever change into a KPI change; ``ratio[lever]`` turns units
    short into the lever per part.
    """

    def __init__(
        self,
        curves: Curves,
        stocked: np.ndarray,
        sizes: np.ndarray,
        stats: PointStats,
        expected_units: np.ndarray,
        reps: int,
        slope: dict[str, float],
        costs: Costs,
        observed: Observed | None = None,
    ) -> None:
        self.curves, self.costs, self.slope = curves, costs, dict(slope)
        self.observed = observed
        self.parts = np.flatnonzero(stocked)
        n = len(sizes)
        lam = (reps * stats.units + 2.0 * expected_units) / (reps + 2.0)
        self.lam = lam
        seen_units = reps * stats.units
        self.trust = seen_units / (seen_units + TRUST_UNITS)  # weight of what was observed
        theory = np.zeros(n)
        for i in self.parts.tolist():
            theory[i] = lam[i] * (1.0 - curves.fill(i, int(sizes[i])))
        seen = stats.short_units
        pooled = (seen[self.parts].sum() + SHRINK_UNITS) / (theory[self.parts].sum() + SHRINK_UNITS)
        weight = np.maximum(SHRINK_UNITS, theory)  # a prior as strong as the theory's count
        self.calib = (seen + weight * pooled) / (theory + weight)
        per_unit = np.where(stats.units > 0, stats.lines / np.maximum(stats.units, 1e-12), 1.0)
        self.ratio = {"units": np.ones(n), "lines": per_unit}
        lines_short = stats.short_lines[self.parts].sum()
        self.emergency_per_line = (
            float(stats.emergency[self.parts].sum() / lines_short) if lines_short > 0 else 0.0
        )

    def short(self, i: int, size: int) -> float:
        """Estimated units short per replication of part ``i`` at ``size``."""
        model = float(self.calib[i] * self.lam[i] * (1.0 - self.curves.fill(i, size)))
        seen = self.observed.get(i, size) if self.observed is not None else None
        if seen is None:
            return model
        w = float(self.trust[i])
        return w * seen[0] + (1 - w) * model

    def fill(self, i: int, size: int) -> float:
        """Estimated fill rate of part ``i`` at ``size`` (1 when it sees no demand)."""
        lam = float(self.lam[i])
        return 1.0 if lam <= 0 else max(0.0, 1.0 - self.short(i, size) / lam)

    def avoided(self, i: int, size: int, new: int) -> float:
        """Units short avoided going from ``size`` to ``new``: never negative for a step
        up, never positive for a step down (more stock never serves worse)."""
        du = self.short(i, size) - self.short(i, new)
        return max(du, 0.0) if new > size else min(du, 0.0)

    def gains(self, i: int, size: int, new: int, kpis: Sequence[str]) -> np.ndarray:
        """KPI change of each of ``kpis`` when part ``i`` goes from ``size`` to ``new``."""
        du = self.avoided(i, size, new)
        return np.array([self.slope[k] * du * self.ratio[LEVERS[k]][i] for k in kpis])

    def cost(self, i: int, size: int, new: int) -> float:
        """Objective change when part ``i`` goes from ``size`` to ``new`` (> 0 costs more).

        Stock: the part's simulated stock value at both sizes when seen, else each unit of
        size added holds about its fill rate of a unit on average (the (R, S) on-hand grows
        by F per level); emergency orders: the lines short avoided times the emergency
        orders per short line seen.
        """
        c = self.costs
        obs = self.observed
        a, b = (obs.get(i, size), obs.get(i, new)) if obs is not None else (None, None)
        if a is not None and b is not None and (b[1] - a[1]) * (new - size) > 0:
            stock = (b[1] - a[1]) * c.holding
        else:
            step = new - size
            c_i = int(self.curves.container[i])
            units = step * (c_i if self.curves.rule.per_card else 1)
            level = new if step > 0 else size
            stock = units * max(self.fill(i, level), 0.05) * float(c.unit_cost[i]) * c.holding
        lines = self.avoided(i, size, new) * self.ratio["lines"][i]
        return stock - c.emergency * self.emergency_per_line * lines


@dataclass(frozen=True)
class Step:
    """One move of a greedy sequence: part ``part`` to ``size``; the KPI changes of the
    sequence so far (``gains``, per target) and its objective change so far (``cost``)."""

    part: int
    size: int
    gains: np.ndarray
    cost: float


def add_sequence(
    est: Estimates,
    sizes: np.ndarray,
    kpis: Sequence[str],
    need: np.ndarray,
    limit: np.ndarray | None = None,
) -> list[Step]:
    """Marginal analysis upwards: steps to the part with the most estimated gain per cost,
    weighting each KPI by 1/need (a KPI already met weighs nothing), until the estimated
    gains reach ``need`` on every KPI or no part gains any more.

    ``limit`` caps each part's size (None: no cap). Lazy greedy: a part's ratio is
    computed when its step is taken, the next step then queued with its own ratio.
    """
    need = np.maximum(np.asarray(need, dtype=float), 0.0)
    weights = np.where(need > 0, 1.0 / np.maximum(need, 1e-15), 0.0)
    current = np.array(sizes, dtype=np.int64)
    rule = est.curves.rule
    heap: list[tuple[float, int, int]] = []

    def push(i: int) -> None:
        size = int(current[i])
        new = size + rule.step(int(est.curves.container[i]))
        if limit is not None and new > limit[i]:
            return
        gain = float(weights @ est.gains(i, size, new, kpis))
        if gain <= 1e-15:
            return
        cost = est.cost(i, size, new)
        ratio = gain / cost if cost > 1e-12 else gain * 1e12
        heapq.heappush(heap, (-ratio, i, new))

    for i in est.parts.tolist():
        push(i)
    steps: list[Step] = []
    total, spent = np.zeros(len(kpis)), 0.0
    while heap and len(steps) < MAX_STEPS and (total < need - 1e-15).any():
        _, i, new = heapq.heappop(heap)
        size = int(current[i])
        total = total + est.gains(i, size, new, kpis)
        spent += est.cost(i, size, new)
        current[i] = new
        steps.append(Step(i, new, total.copy(), spent))
        push(i)
    return steps


def remove_sequence(
    est: Estimates,
    sizes: np.ndarray,
    kpis: Sequence[str],
    slack: np.ndarray,
    blocked: set[int] | frozenset[int] = frozenset(),
    floor: np.ndarray | None = None,
) -> list[Step]:
    """Marginal analysis downwards: steps from the part that loses the least share of the
    slack (its most binding KPI) per unit saved, until some KPI's estimated loss reaches
    its slack. Parts in ``blocked`` are left alone; ``floor`` is each part's least size
    (default the policy's). A step that saves nothing is never taken."""
    slack = np.maximum(np.asarray(slack, dtype=float), 1e-15)
    current = np.array(sizes, dtype=np.int64)
    rule = est.curves.rule
    heap: list[tuple[float, int, int]] = []

    def push(i: int) -> None:
        size = int(current[i])
        least = rule.least if floor is None else max(rule.least, int(floor[i]))
        new = max(least, size - rule.step(int(est.curves.container[i])))
        if new >= size or i in blocked:
            return
        saving = -est.cost(i, size, new)
        if saving <= 1e-12:
            return
        loss = float(np.max(-est.gains(i, size, new, kpis) / slack))
        heapq.heappush(heap, (max(loss, 0.0) / saving, i, new))

    for i in est.parts.tolist():
        push(i)
    steps: list[Step] = []
    total, spent = np.zeros(len(kpis)), 0.0
    while heap and len(steps) < MAX_STEPS:
        _, i, new = heapq.heappop(heap)
        size = int(current[i])
        change = est.gains(i, size, new, kpis)
        if ((total + change) < -slack).any():
            break
        total = total + change
        spent += est.cost(i, size, new)
        current[i] = new
        steps.append(Step(i, new, total.copy(), spent))
        push(i)
    return steps


def single_removals(
    est: Estimates,
    sizes: np.ndarray,
    kpis: Sequence[str],
    slack: np.ndarray,
    blocked: set[int] | frozenset[int] = frozenset(),
    min_saving: float = 1e-12,
) -> list[Step]:
    """One step down for every part not ``blocked`` that saves at least ``min_saving``,
    the least loss of slack per unit saved first (each step alone, from ``sizes``)."""
    slack = np.maximum(np.asarray(slack, dtype=float), 1e-6)
    rule = est.curves.rule
    ranked: list[tuple[float, int, Step]] = []
    for i in est.parts.tolist():
        size = int(sizes[i])
        new = max(rule.least, size - rule.step(int(est.curves.container[i])))
        if new >= size or i in blocked:
            continue
        saving = -est.cost(i, size, new)
        if saving < min_saving:
            continue
        change = est.gains(i, size, new, kpis)
        loss = float(np.max(-change / slack))
        ranked.append((max(loss, 0.0) / saving, i, Step(i, new, change, -saving)))
    ranked.sort(key=lambda t: (t[0], t[1]))
    return [t[2] for t in ranked]


def exchange(
    est: Estimates,
    sizes: np.ndarray,
    kpis: Sequence[str],
    slack: np.ndarray,
    part: int,
) -> tuple[np.ndarray, float] | None:
    """One step down for ``part`` and, where that loses more than the slack, the cheapest
    steps up elsewhere (the greedy upwards, ``part`` held) that win the excess back: the
    new sizes and the estimated saving, or None when nothing is saved. When the model says
    the excess cannot be won back in full, the steps that still save money are proposed if
    they win back at least half of it: simulation decides. This is how an aggregate target
    moves service from a dear part to cheap ones."""
    rule = est.curves.rule
    size = int(sizes[part])
    new = max(rule.least, size - rule.step(int(est.curves.container[part])))
    if new >= size:
        return None
    saving = -est.cost(part, size, new)
    need = np.maximum(0.0, -est.gains(part, size, new, kpis) - np.asarray(slack, dtype=float))
    down = np.array(sizes, dtype=np.int64)
    down[part] = new
    if not (need > 0).any():
        return down, saving
    limit = np.full(len(down), np.iinfo(np.int64).max)
    limit[part] = new
    steps = add_sequence(est, down, kpis, need, limit)
    n = prefix_reaching(steps, need)
    if n and not (steps[n - 1].gains >= need - 1e-15).all():  # cannot win it all back
        n = max((k + 1 for k, st in enumerate(steps) if st.cost < saving), default=0)
        if n == 0 or not (steps[n - 1].gains >= need / 2).all():
            return None
    gain = saving - (steps[n - 1].cost if n else 0.0)
    return (apply(down, steps[:n]), gain) if gain > 0 else None


def apply(sizes: np.ndarray, steps: Sequence[Step]) -> np.ndarray:
    """``sizes`` with the moves ``steps`` made."""
    out = np.array(sizes, dtype=np.int64)
    for s in steps:
        out[s.part] = s.size
    return out


def prefix_reaching(steps: Sequence[Step], need: np.ndarray) -> int:
    """The length of the shortest prefix whose gains reach ``need`` on every KPI (all of
    them when none does)."""
    for k, s in enumerate(steps):
        if (s.gains >= need - 1e-15).all():
            return k + 1
    return len(steps)


def prefix_within(steps: Sequence[Step], allowance: np.ndarray) -> int:
    """The length of the longest prefix whose losses stay within ``allowance``."""
    n = 0
    for k, s in enumerate(steps):
        if (-s.gains <= allowance + 1e-15).all():
            n = k + 1
        else:
            break
    return n
