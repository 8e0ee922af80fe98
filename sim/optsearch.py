"""The size optimiser's search: marginal analysis proposed by theory, decided by simulation
(``docs/model.md`` 4.5 has the rules and why).

1. **Given**: the scenario's own sizes, simulated on the search seed (R replications).
2. **Theory start**: Sherbrooke's greedy (``sim.optmodel.add_sequence``) from every part at
   its least size, to the targets and a little beyond; the cheapest point meeting them kept.
3. **Add** while a target is missed: the greedy from the current point, to close 1, 1.6 and
   2.5 times the gap; the cheapest point meeting the targets kept, else the closest.
4. **Remove** while they are met: batches of steps down (all, half, a quarter of the
   slack), then single steps and exchanges (a dear part's step for cheap parts' steps);
   the cheapest point still meeting them kept when it saves ``MIN_SAVING`` of the objective.
5. **Confirm** on another seed, the given sizes beside: every target's mean must reach it.
   After a miss that seed joins the search's seeds and the search goes on.

A point meets a target in the search when its mean is ``STANDARD_ERRORS`` standard errors
of a mean over R replications above it. Only simulated points on the same seeds (common
random numbers) decide. The answer is the confirmed point cheapest on the search seed.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from sim.opteval import Eval, Evaluator, Request, confirm_seed, merge
from sim.optmodel import (
    LEVERS,
    Costs,
    Estimates,
    Observed,
    add_sequence,
    apply,
    exchange,
    prefix_reaching,
    prefix_within,
    remove_sequence,
    single_removals,
)

ADD_FACTORS = (1.0, 1.6, 2.5)
REMOVE_FACTORS = (1.0, 0.5, 0.25)
START_AIMS = (0.0, 0.25)  # theory start: targets + this share of (1 - target)
SINGLES = 3  # single-step removals tried side by side once batches fail
EXCHANGES = 2  # and beside them, exchanges: a dear part's step for cheap parts' steps
PATIENCE = 3  # rounds in a row without a kept point before "no move helps"
MAX_CONFIRMATIONS = 4
MAX_ROUNDS = 400
MIN_SAVING = 1e-3  # a removal helps when it saves at least this share of the objective
STANDARD_ERRORS = 1.0  # the search wants each target's mean this many standard errors above


@dataclass(frozen=True)
class Target:
    """``kpi`` must reach ``value`` (a mean over replications)."""

    kpi: str
    value: float


@dataclass
class Row:
    """One simulated point of the path (``optimize.csv``)."""

    step: int
    phase: str
    point: int
    seed: str  # the seed, or the seeds joined by "+" once a missed confirmation joined them
    ev: Eval
    total: int
    moves: int
    meets: bool
    accepted: bool = False
    note: str = ""


@dataclass
class Confirmed:
    """A point checked on fresh random numbers: its search and confirmation figures and
    the given sizes' figures on the same fresh numbers."""

    sizes: np.ndarray
    point: int
    search: Eval
    check: Eval
    given: Eval
    passed: bool
    seed: int


@dataclass
class Outcome:
    """What the search ends with."""

    answer: Confirmed | None
    confirmed: bool
    reason: str
    rows: list[Row]
    given: Eval
    margins: dict[str, float] = field(default_factory=dict)
    closest: Row | None = None  # the last point kept (the closest to the targets when none met)
    seeds: tuple[int, ...] = ()  # the search's seeds at the end


class Infeasible(Exception):
    """A target no size can reach (the message says why)."""


class Search:
    """One optimisation: ``targets`` at the least ``objective``.

    ``on_path(rows)`` is called after every round, ``on_answer(confirmed)`` when a point
    passes its confirmation and is the cheapest so far; ``say(what, row)`` reports progress
    (``what``: given, kept, confirmed, missed).
    ``budget`` in seconds (None: none); ``clock`` is injectable for tests.
    """

    def __init__(
        self,
        evaluator: Evaluator,
        targets: Sequence[Target],
        objective: str,
        costs: Costs,
        *,
        budget: float | None = None,
        on_path: Callable[[list[Row]], None] | None = None,
        on_answer: Callable[[Confirmed], None] | None = None,
        say: Callable[[str, Row], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ev, self.space = evaluator, evaluator.space
        self.targets, self.objective, self.costs = list(targets), objective, costs
        self.kpis = [t.kpi for t in self.targets]
        self.budget, self.clock = budget, clock
        self.on_path, self.on_answer = on_path, on_answer
        self.say = say or (lambda _what, _row: None)
        self.seed = self.space.base.run.seed
        self.seeds = [self.seed]  # the search's seeds: a missed confirmation's seed joins
        self.margins = dict.fromkeys(self.kpis, 0.0)
        self.rows: list[Row] = []
        self.points: dict[str, int] = {}
        self.step = 0
        self.conf_k = 1
        self.misses = 0
        self.confirmed: list[Confirmed] = []
        self.answer: Confirmed | None = None
        self.tabu: set[tuple[int, int]] = set()  # (part, size): its step down failed there
        self.exchanged: set[tuple[int, int]] = set()  # (part, size) exchanges proposed
        self.slope: dict[str, float] = {}
        self.prior: dict[str, float] = {}
        self.sizes_of: dict[int, np.ndarray] = {}
        self.observed = Observed()
        self.started = clock()

    # --- bookkeeping -------------------------------------------------------------------

    def _new(self, p: np.ndarray, points: Sequence[np.ndarray]) -> bool:
        """Whether ``p`` is neither among ``points`` nor simulated on the search's seeds."""
        if any(np.array_equal(p, q) for q in points):
            return False
        return any((self.space.key(p), s) not in self.ev.cache for s in self.seeds)

    def _point(self, sizes: np.ndarray | None) -> int:
        key = self.space.key(self.space.given if sizes is None else sizes)
        return self.points.setdefault(key, len(self.points))

    def need(self, ev: Eval, t: Target) -> float:
        """What the search wants of target ``t``'s mean at a point: the target, plus one
        standard error of a mean over R replications (what the confirmation averages, so
        that it sees the target met most of the time), plus any raise after a miss."""
        sd = ev.interval(t.kpi).std
        se = 0.0 if math.isnan(sd) else sd / math.sqrt(self.space.reps)
        return t.value + STANDARD_ERRORS * se + self.margins[t.kpi]

    def meets(self, ev: Eval, margins: bool = True) -> bool:
        """Every target's mean at what the search wants (``need``), or with ``margins``
        False at the target itself (a confirmation)."""
        return all(
            ev.mean(t.kpi) >= (self.need(ev, t) if margins else t.value) - 1e-12
            for t in self.targets
        )

    def cost(self, ev: Eval) -> float:
        return ev.mean(self.objective)

    def gaps(self, ev: Eval) -> np.ndarray:
        """Each target's shortfall on the search seed (0 when met)."""
        return np.array([max(0.0, self.need(ev, t) - ev.mean(t.kpi)) for t in self.targets])

    def slacks(self, ev: Eval) -> np.ndarray:
        return np.array([max(0.0, ev.mean(t.kpi) - self.need(ev, t)) for t in self.targets])

    def _left(self) -> float | None:
        if self.budget is None:
            return None
        return self.budget - (self.clock() - self.started)

    def _simulate(
        self,
        phase: str,
        base: np.ndarray | None,
        points: Sequence[np.ndarray | None],
        seed: int | None = None,
        keep: bool = False,
        notes: Sequence[str] = (),
    ) -> list[Row]:
        seeds = list(self.seeds) if seed is None else [seed]
        self.step += 1
        reqs = []
        for sizes in points:
            pid = self._point(sizes)
            self.sizes_of[pid] = self.space.given if sizes is None else np.asarray(sizes)
            for j, one in enumerate(seeds):
                name = f"{self.space.base.name}-p{pid}-s{j}" if sizes is not None else f"given-{j}"
                if keep and sizes is not None:
                    name = f"{self.space.base.name}-optimized"
                reqs.append(Request(sizes, one, name, keep=keep and sizes is not None))
        got = self.ev.run(reqs, desc=f"step {self.step} ({phase})")
        n = len(seeds)
        evs = [merge(got[k * n : (k + 1) * n]) for k in range(len(points))]
        parts = np.flatnonzero(self.space.stocked)
        if seed is None:
            for sizes, ev in zip(points, evs, strict=True):
                at = self.space.given if sizes is None else np.asarray(sizes)
                self.observed.add(parts, at, ev.stats.short_units, ev.inventory_value)
        label = "+".join(str(s) for s in seeds)
        rows = []
        for k, (sizes, ev) in enumerate(zip(points, evs, strict=True)):
            at = self.space.given if sizes is None else np.asarray(sizes)
            moves = 0 if base is None else int(np.count_nonzero(at != base))
            row = Row(
                self.step,
                phase,
                self._point(sizes),
                label,
                ev,
                self.space.total(at),
                moves,
                self.meets(ev, margins=phase != "confirm"),
                note=notes[k] if k < len(notes) else "",
            )
            rows.append(row)
        self.rows += rows
        return rows

    def _flush(self) -> None:
        if self.on_path is not None:
            self.on_path(self.rows)

    # --- the model ---------------------------------------------------------------------

    def _init_slopes(self, given: Eval) -> None:
        st = given.stats
        stocked = self.space.stocked
        total_units = float(st.units.sum())
        stocked_units = float(st.units[stocked].sum())
        lines_short = float(st.short_lines[stocked].sum())
        ready = given.mean("parts_ready_rate")
        ready_b = (1 - ready) / lines_short if lines_short > 0 and not math.isnan(ready) else 0.0
        if ready_b <= 0:
            ready_b = 1.0 / max(1.0, float(st.lines.sum()))
        self.prior = {
            "fill_rate": 1.0 / max(total_units, 1e-9),
            "stocked_fill_rate": 1.0 / max(stocked_units, 1e-9),
            "parts_ready_rate": ready_b,
            "on_time_rate": 0.5 * ready_b,
        }
        self.slope = dict(self.prior)

    def _learn(self, old: Eval, new: Eval) -> None:
        """Slopes of the line-lever KPIs from a pair of points on the same seed."""
        stocked = self.space.stocked
        before = float(old.stats.short_lines[stocked].sum())
        after = float(new.stats.short_lines[stocked].sum())
        moved = before - after
        if abs(moved) < max(1.0, 0.05 * before):
            return
        for kpi in self.kpis:
            if LEVERS[kpi] != "lines":
                continue
            seen = (new.mean(kpi) - old.mean(kpi)) / moved
            if seen > 0:
                p = self.prior[kpi]
                self.slope[kpi] = min(20 * p, max(p / 20, math.sqrt(self.slope[kpi] * seen)))

    def estimates(self, sizes: np.ndarray, ev: Eval) -> Estimates:
        sp = self.space
        return Estimates(
            sp.curves,
            sp.stocked,
            sizes,
            ev.stats,
            sp.expected,
            sp.reps,
            self.slope,
            self.costs,
            self.observed,
        )

    def _fit(self, given: Eval) -> None:
        """Scale the theory's demand so that its units short add up to the given point's."""
        sp = self.space
        parts = np.flatnonzero(sp.stocked)
        lam = (sp.reps * given.stats.units + 2.0 * sp.expected) / (sp.reps + 2.0)
        sp.curves.fit(parts, sp.given, lam, float(given.stats.short_units[parts].sum()))

    def _ceiling(self, given: Eval) -> None:
        """Stop at once when a units target is beyond what no stocked part short gives
        (with the standard error the search wants above the target, ``need``)."""
        for t in self.targets:
            if LEVERS[t.kpi] != "units":
                continue
            short = float(given.stats.short_units[self.space.stocked].sum())
            top = given.mean(t.kpi) + self.slope[t.kpi] * short
            want = self.need(given, t)
            if want > top + 1e-9:
                raise Infeasible(
                    f"{t.kpi} {t.value:g} cannot be reached by sizing the stocked parts: with "
                    f"no stocked part ever short it would be about {top:.4f} on these "
                    "replications (the rest is short on parts that are not stocked), and the "
                    f"search wants {want:.4f} (the target and one standard error)"
                )

    # --- rounds ------------------------------------------------------------------------

    def _choose(self, x: Eval, rows: Sequence[Row]) -> Row | None:
        """The cheapest row meeting every target; else the one closing most of the gaps."""
        ok = [r for r in rows if r.meets]
        if ok:
            return min(ok, key=lambda r: (self.cost(r.ev), r.point))
        gap = self.gaps(x)
        best, score = None, 1e-12
        for r in rows:
            closed = (gap - self.gaps(r.ev)) / np.maximum(gap, 1e-12)
            s = float(np.minimum(closed, 1.0)[gap > 0].sum())
            if s > score:
                best, score = r, s
        return best

    def _start(self, given_row: Row) -> Row:
        sp, given = self.space, given_row.ev
        least = sp.least()
        est = self.estimates(sp.given, given)
        at_least = np.array(
            [
                given.mean(t.kpi)
                - sum(
                    est.gains(i, int(least[i]), int(sp.given[i]), [t.kpi])[0]
                    for i in est.parts.tolist()
                )
                for t in self.targets
            ]
        )
        aims = [
            np.array([self.need(given, t) + a * (1 - t.value) for t in self.targets])
            for a in START_AIMS
        ]
        steps = add_sequence(est, least, self.kpis, max(aims, key=lambda a: a.sum()) - at_least)
        points: list[np.ndarray] = []
        for aim in aims:
            n = prefix_reaching(steps, aim - at_least)
            p = apply(least, steps[:n])
            if self._new(p, points):
                points.append(p)
        rows = self._simulate("theory", sp.given, points)
        chosen = self._choose(given, [given_row, *rows]) or given_row
        return chosen

    def _add(self, x: Row, scale: float) -> tuple[Row | None, list[Row]]:
        sizes = self._sizes(x)
        est = self.estimates(sizes, x.ev)
        gap = self.gaps(x.ev)
        factors = [f * scale for f in ADD_FACTORS]
        steps = add_sequence(est, sizes, self.kpis, gap * max(factors))
        points: list[np.ndarray] = []
        for f in factors:  # points simulated before are candidates too: they cost nothing
            n = prefix_reaching(steps, gap * f)
            p = apply(sizes, steps[:n])
            if n and not any(np.array_equal(p, q) for q in points):
                points.append(p)
        if not points:
            return None, []
        rows = self._simulate("add", sizes, points)
        return self._choose(x.ev, rows), rows

    def _remove(
        self, x: Row, scale: float, singles: bool
    ) -> tuple[Row | None, list[Row], list[int]]:
        sizes = self._sizes(x)
        est = self.estimates(sizes, x.ev)
        slack = self.slacks(x.ev)
        tried: list[int] = []
        points: list[np.ndarray] = []
        blocked = {i for i, at in self.tabu if int(sizes[i]) == at}
        if not singles:
            steps = remove_sequence(est, sizes, self.kpis, slack * scale, blocked)
            for f in REMOVE_FACTORS:
                n = prefix_within(steps, slack * scale * f)
                p = apply(sizes, steps[:n])
                if n and self._new(p, points):
                    points.append(p)
        alone: list[int] = []  # the part of each single-step point
        if not points:  # single steps, in the order of the least loss per unit saved
            least = MIN_SAVING * abs(self.cost(x.ev))
            for s in single_removals(est, sizes, self.kpis, slack, blocked, least):
                p = apply(sizes, [s])
                if self._new(p, points):
                    points.append(p)
                    alone.append(s.part)
                else:
                    tried.append(s.part)  # simulated before: left alone from now on
                if len(points) == SINGLES:
                    break
            points += self._exchanges(est, sizes, slack, points)
        if not points:
            return None, [], tried
        rows = self._simulate("remove", sizes, points)
        tried += [i for i, r in zip(alone, rows, strict=False) if not r.meets]
        least = self.cost(x.ev) - MIN_SAVING * abs(self.cost(x.ev))
        cheaper = [r for r in rows if r.meets and self.cost(r.ev) < least]
        chosen = min(cheaper, key=lambda r: (self.cost(r.ev), r.point)) if cheaper else None
        return chosen, rows, tried

    def _exchanges(
        self, est: Estimates, sizes: np.ndarray, slack: np.ndarray, points: list[np.ndarray]
    ) -> list[np.ndarray]:
        """Up to ``EXCHANGES`` new points: the dearest steps down (most saved first), each
        with the cheap steps up that cover its estimated loss, where that saves money."""
        least = MIN_SAVING * abs(float(est.costs.unit_cost.sum()) or 1.0)
        rule = est.curves.rule
        ranked = []
        for i in est.parts.tolist():
            size = int(sizes[i])
            new = max(rule.least, size - rule.step(int(est.curves.container[i])))
            if new < size and (i, size) not in self.exchanged:
                ranked.append((-est.cost(i, size, new), i))
        out: list[np.ndarray] = []
        for saving, i in sorted(ranked, key=lambda t: (-t[0], t[1])):
            if len(out) == EXCHANGES or saving <= least:
                break
            self.exchanged.add((i, int(sizes[i])))
            got = exchange(est, sizes, self.kpis, slack, i)
            if got is not None and self._new(got[0], points + out):
                out.append(got[0])
        return out

    def _sizes(self, row: Row) -> np.ndarray:
        return self.sizes_of[row.point]

    # --- confirmation ------------------------------------------------------------------

    def _base(self, point: int) -> Eval:
        """A point's figures on the first search seed (every point kept has them)."""
        return self.ev.cache[(self.space.key(self.sizes_of[point]), self.seed)]

    def _confirm(self, x: Row) -> Row | None:
        """Check ``x`` on fresh random numbers. None when it passes; after a miss the search
        goes on with the missed seed joined to its own, and the row of ``x`` on them."""
        seed = confirm_seed(self.seed, self.conf_k)
        sizes = self._sizes(x)
        rows = self._simulate("confirm", sizes, [sizes, None], seed=seed, keep=True)
        check, given = rows[0].ev, rows[1].ev
        passed = self.meets(check, margins=False)
        rows[0].accepted = passed
        rows[0].note = "confirmed" if passed else "missed on fresh random numbers"
        rows[1].note = "given sizes on the same fresh random numbers"
        done = Confirmed(sizes, x.point, self._base(x.point), check, given, passed, seed)
        self.confirmed.append(done)
        if passed:
            best = self.answer
            if best is None or self.cost(done.search) < self.cost(best.search):
                self.answer = done
                if self.on_answer is not None:
                    self.on_answer(done)
            self.say("confirmed", rows[0])
            return None
        self.say("missed", rows[0])
        self.misses += 1
        self.conf_k += 1
        self.seeds.append(seed)  # its hard cases now shape the search: the next check is fresh
        self.observed = Observed()  # per-part figures of one set of seeds only
        self.tabu.clear()
        note = "the same point on the search's seeds, the missed one joined"
        again = self._simulate("reseed", sizes, [sizes], notes=[note])[0]
        again.accepted = True
        for t in self.targets:  # a point that missed is never kept as it is
            want = self.need(again.ev, t)
            if check.mean(t.kpi) < t.value and again.ev.mean(t.kpi) >= want:
                self.margins[t.kpi] += again.ev.mean(t.kpi) - want + 1e-6
        again.meets = self.meets(again.ev)
        return again

    # --- the whole search --------------------------------------------------------------

    def run(self) -> Outcome:
        """Search and confirm; the outcome. A KeyboardInterrupt propagates; ``rows`` then
        holds the path so far and the last answer passed to ``on_answer`` stands."""
        given_row = self._simulate("given", None, [None])[0]
        given = given_row.ev
        self._init_slopes(given)
        self._ceiling(given)
        self._fit(given)
        self.say("given", given_row)
        x = self._keep(given_row, self._start(given_row))
        reason = "rounds"
        add_scale, remove_scale, idle = 1.0, 1.0, 0
        tried_points: set[int] = set()
        for _ in range(MAX_ROUNDS):
            self._flush()
            left = self._left()
            if left is not None and left < self.ev.eta(3 * len(self.seeds)):
                reason = "budget"
                break
            if self.misses >= MAX_CONFIRMATIONS:
                reason = "confirmations missed"
                break
            if not self.meets(x.ev):
                chosen, rows = self._add(x, add_scale)
                if chosen is None:
                    idle += 1
                    add_scale *= 2
                    if idle >= PATIENCE or not rows:
                        reason = "no move helps"
                        break
                    continue
                idle, add_scale, remove_scale = 0, 1.0, 1.0
                x = self._keep(x, chosen)
                self.tabu.clear()
                continue
            if self.answer is None and x.point not in tried_points:
                tried_points.add(x.point)
                missed = self._confirm(x)
                if missed is not None:
                    x, idle, add_scale, remove_scale = missed, 0, 1.0, 1.0
                    continue
            singles = idle >= 1 and remove_scale < 0.05
            chosen, rows, tried = self._remove(x, remove_scale, singles)
            self.tabu.update((i, int(self._sizes(x)[i])) for i in tried)
            if chosen is not None:
                idle = 0
                x = self._keep(x, chosen)
                remove_scale = min(1.0, remove_scale * 2)
                continue
            idle += 1
            remove_scale /= 4
            if rows and not (idle >= PATIENCE and tried):
                continue
            if x.point in tried_points:
                reason = "no move helps"
                break
            tried_points.add(x.point)
            missed = self._confirm(x)
            if missed is None:
                reason = "no move helps"
                break
            x, idle, add_scale, remove_scale = missed, 0, 1.0, 1.0
        if self.meets(x.ev) and x.point not in tried_points and reason != "confirmations missed":
            self._confirm(x)  # the best point found is checked, even past the budget
        self._flush()
        answer = self.answer
        if answer is None and self.confirmed:
            answer = self.confirmed[-1]
        return Outcome(
            answer,
            self.answer is not None,
            reason,
            self.rows,
            given,
            dict(self.margins),
            closest=x,
            seeds=tuple(self.seeds),
        )

    def _keep(self, old: Row, new: Row) -> Row:
        new.accepted = True
        if new is not old:
            self._learn(old.ev, new.ev)
        self.say("kept", new)
        return new
