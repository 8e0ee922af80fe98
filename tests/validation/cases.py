"""The validation cases: the model reduced to queueing and inventory theory, and Little's law.

One table, shared by ``tests/validation`` (which asserts every check) and
``scripts/validation_report.py`` (which writes ``docs/validation.md`` and the fill-rate
figure). Each case is a scenario file of ``scenarios/`` (or the repository's
``scenarios/default.yaml``) with ``--set`` style overrides, a replication count and checks.

A check compares the mean over replications of a metric with a closed form from
``sim.theory`` or, for Little's law, with another metric of the same replications (paired
differences). It passes when ``|mean - theory| <= 3 standard errors + floor``; the floor
absorbs the tiny bias of finite runs where the standard error is very small.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from sim import theory as th
from sim.experiment import t_interval
from sim.loading import load_scenario
from sim.scenario import Scenario
from tests.validation.measure import measure, wait_within

HERE = Path(__file__).resolve().parent
SCENARIOS = HERE / "scenarios"
REPO = HERE.parent.parent
DEFAULT_SCENARIO = REPO / "scenarios" / "default.yaml"

DAY = 1440.0  # minutes
SIGMAS = 3.0  # the tolerance in standard errors of the mean over replications
RATE_FLOOR = 0.005  # absolute floors: rates and utilizations
HOURS_FLOOR = 0.01  # mean times in hours
UNITS_FLOOR = 0.02  # mean stock in units
DWELL_FLOOR = 0.02  # mean dwell in hours
LITTLE_BAYS_FLOOR = 0.05  # cars (about 0.5 % of L on the default dealer)
LITTLE_STOCK_FLOOR = 0.2  # units

# --- the reduced systems ------------------------------------------------------------------
# M/M/c: c = 2 bays, mu = 1/h (mean labour 1 h), promise buffer 1 h (scenarios/mmc*.yaml).
MMC_SERVERS, MMC_MU, MMC_BUFFER_H, MMC_HOURS = 2, 1.0, 1.0, 1.0
MMC_LOADS = {"0.75": 36.0, "0.9": 43.2}  # rho -> walk-ins per day (lambda = per_day / 24)
# M/M/8 (scenarios/mm8.yaml, the kernel benchmark): lambda 6/h, mu 1/h -> rho 0.75.
MM8_SERVERS, MM8_PER_DAY = 8, 144.0
# M/M/2 on a calendar with a lunch break (scenarios/mmc_breaks.yaml): 11 working hours a
# day, lambda 1.4 per working hour -> rho 0.7, compared in working time.
BREAKS_PER_DAY, BREAKS_WORKING_H = 15.4, 11.0
# The queue checks must tell a 15 % error in Wq: the tolerance of every Wq check is at most
# this share of Wq (replications are sized for about 10 %); its floor is at most 2 % of Wq.
WQ_RESOLUTION, WQ_FLOOR_SHARE = 0.15, 0.02
# M/M/c with rework (scenarios/mmc_rework.yaml): lambda 1.28/h, qc_fail 0.2 -> rho 0.8.
REWORK_PER_DAY, REWORK_FAIL = 30.72, 0.2
# Stock (scenarios/order_up_to.yaml, kanban.yaml): Poisson demand 1 unit/h, R = 4 h, L = 2 h.
STOCK_LAMBDA, STOCK_REVIEW_H, STOCK_LEAD_H = 1.0, 4.0, 2.0
RS_LEVELS = (3, 6, 9)  # S = 3: a stock-out in most review cycles (fill ~0.28)
# A lead time longer than the review interval: every review sees the last order on the road.
STOCK_LONG_LEAD_H, RS_LONG_LEAD_LEVEL = 6.0, 10
# (s, Q) reorder point with Q = 3 units (container 1): (point, lead time h) per case.
SQ_QTY, SQ_CASES = 3, ((4, STOCK_LEAD_H), (8, STOCK_LONG_LEAD_H))
RS_SWEEP = tuple(range(1, 13))  # the levels of the fill-rate figure
KANBAN_CONTAINER = 3  # container_qty of scenarios/kanban_part.csv
KANBAN_PERIODIC_CARDS, KANBAN_CONTINUOUS_CARDS = 3, 2
# The default dealer with a small, fast-moving generated catalogue (see the Little cases).
FAST_PARTS = (
    "parts.catalogue=null",
    "parts.generate.count=20",
    "parts.generate.zipf_s=0.5",
    "parts.generate.container_qty=[1, 2]",
)


@dataclass(frozen=True)
class Check:
    """One comparison of a simulated mean with theory (or with another metric, paired)."""

    metric: str  # a KPI column, or a derived metric of the case's measure
    label: str
    theory: float | None = None  # closed form
    reference: str | None = None  # or: another metric of the same replications (paired)
    floor: float = 0.0
    informational: bool = False  # shown in the report, never asserted (see the case note)
    # The check must resolve this relative error: tolerance <= resolution x |theory|.
    resolution: float | None = None


@dataclass(frozen=True)
class Case:
    """A scenario reduced to a theoretical case, and what to compare."""

    key: str
    group: str
    title: str
    file: Path
    overrides: tuple[str, ...]
    replications: int
    checks: tuple[Check, ...]
    # "kpis": the KPI row; "little": KPIs plus trace-derived metrics; "queue": KPIs plus the
    # wait measured in working time (tests/validation/measure.py, measure_queue)
    measure: str = "kpis"
    wait_points: tuple[float, ...] = ()  # "queue": P(Wq <= t) is measured at these t (h)
    margin_days: float = 0.0  # "little": simulated past the window so that W is complete
    note: str = ""

    def scenario(self, replications: int | None = None) -> Scenario:
        """The validated scenario of this case (horizon extended by the margin)."""
        scn = load_scenario(
            self.file, self.overrides, replications=replications or self.replications
        )
        if self.margin_days:
            run = scn.run.model_copy(update={"horizon": scn.run.horizon + self.margin_days * DAY})
            scn = scn.model_copy(update={"run": run})
        return scn


def _wq_check(q: th.MMc, metric: str = "mean_bay_wait_h", what: str = "") -> Check:
    """Wq, tight enough to tell a 15 % error (``WQ_RESOLUTION``)."""
    return Check(
        metric,
        f"mean wait in queue Wq (h){what}",
        q.mean_wait,
        floor=min(HOURS_FLOOR, WQ_FLOOR_SHARE * q.mean_wait),
        resolution=WQ_RESOLUTION,
    )


def wait_points(q: th.MMc) -> tuple[float, ...]:
    """Half, once and twice the mean wait of a waiting car, 1 / (c mu - lambda), in hours."""
    m = 1.0 / (q.servers * q.service_rate - q.arrival_rate)
    return (0.5 * m, m, 2 * m)


def _wait_law_checks(q: th.MMc, what: str = "") -> tuple[Check, ...]:
    """P(wait) (Erlang C) and P(Wq <= t) at the case's wait points: the law of the wait."""
    return (
        Check("p_wait", f"P(wait) = Erlang C{what}", q.p_wait, floor=RATE_FLOOR),
        *(
            Check(wait_within(t), f"P(Wq <= {t:.3g} h){what}", q.p_wait_within(t), floor=RATE_FLOOR)
            for t in wait_points(q)
        ),
    )


def _queue_checks(q: th.MMc) -> tuple[Check, ...]:
    """Wq, both utilizations, W and the law of the wait of an M/M/c case."""
    return (
        _wq_check(q),
        Check("bay_utilization", "bay utilization rho", q.utilization, floor=RATE_FLOOR),
        Check(
            "technician_utilization", "mechanic utilization rho", q.utilization, floor=RATE_FLOOR
        ),
        Check(
            "mean_lead_time_h",
            "mean time in system W (h)",
            q.mean_time_in_system,
            floor=HOURS_FLOOR,
        ),
        *_wait_law_checks(q),
    )


def _on_time_exp(q: th.MMc) -> Check:
    """On time with exponential hours: the wait in queue within the promise buffer."""
    return Check(
        "on_time_rate",
        f"on time = P(Wq <= buffer {MMC_BUFFER_H:g} h)",
        th.mmc_on_time_exponential_hours(q, MMC_BUFFER_H),
        floor=RATE_FLOOR,
    )


def _mmc_cases() -> list[Case]:
    cases = []
    for rho, per_day in MMC_LOADS.items():
        q = th.MMc(MMC_SERVERS, per_day / 24, MMC_MU)
        slow = rho == "0.9"
        run = (
            ("run.horizon=150d", "run.warmup=10d") if slow else ("run.horizon=60d", "run.warmup=5d")
        )
        variants = (
            ("exp", "exponential standard hours, efficiency 1", "mmc.yaml", _on_time_exp(q)),
            (
                "const",
                "constant 1 h standard hours, exponential efficiency",
                "mmc_const_hours.yaml",
                Check(
                    "on_time_rate",
                    f"on time = P(W <= {MMC_HOURS:g} h + buffer {MMC_BUFFER_H:g} h)",
                    th.mmc_on_time_constant_hours(q, MMC_HOURS, MMC_BUFFER_H),
                    floor=RATE_FLOOR,
                ),
            ),
        )
        for hours, what, file, on_time in variants:
            cases.append(
                Case(
                    key=f"mmc_{hours}_hours_rho{rho}",
                    group="M/M/c",
                    title=f"M/M/2, rho = {rho}: {what}",
                    file=SCENARIOS / file,
                    overrides=(f"demand.walk_ins.per_day={per_day}", *run),
                    # sized for a Wq tolerance of about 10 % of Wq (WQ_RESOLUTION)
                    replications=60,
                    checks=(*_queue_checks(q), on_time),
                    measure="queue",
                    wait_points=wait_points(q),
                )
            )
    return cases


def _mm8_case() -> Case:
    """scenarios/mm8.yaml: the kernel benchmark's M/M/8 (benchmarks/bench_kernel.py)."""
    q = th.MMc(MM8_SERVERS, MM8_PER_DAY / 24, MMC_MU)
    return Case(
        key="mm8_rho0.75",
        group="M/M/c",
        title="M/M/8, rho = 0.75: the kernel benchmark's scenario (lambda = 6/h)",
        file=SCENARIOS / "mm8.yaml",
        overrides=(),
        replications=30,
        checks=(*_queue_checks(q), _on_time_exp(q)),
        measure="queue",
        wait_points=wait_points(q),
    )


def _breaks_case() -> Case:
    """scenarios/mmc_breaks.yaml: M/M/2 in working time on a calendar with a break."""
    q = th.MMc(MMC_SERVERS, BREAKS_PER_DAY / BREAKS_WORKING_H, MMC_MU)
    working = " (working time)"
    return Case(
        key="mmc_breaks_rho0.7",
        group="M/M/c in working time",
        title="M/M/2, rho = 0.7, open 07:00-19:00 with a lunch break, in working time",
        file=SCENARIOS / "mmc_breaks.yaml",
        overrides=(),
        replications=40,
        checks=(
            _wq_check(q, "working_wait_h", working),
            Check("bay_utilization", "bay utilization rho", q.utilization, floor=RATE_FLOOR),
            Check(
                "technician_utilization",
                "mechanic utilization rho",
                q.utilization,
                floor=RATE_FLOOR,
            ),
            Check(
                "working_time_in_system_h",
                "mean time in system W (h, working time)",
                q.mean_time_in_system,
                floor=HOURS_FLOOR,
            ),
            *_wait_law_checks(q, working),
            Check(
                "on_time_rate",
                f"on time = P(Wq <= buffer {MMC_BUFFER_H:g} h, working time)",
                th.mmc_on_time_exponential_hours(q, MMC_BUFFER_H),
                floor=RATE_FLOOR,
            ),
        ),
        measure="queue",
        wait_points=wait_points(q),
    )


def _rework_case() -> Case:
    w = th.MMcRework(MMC_SERVERS, REWORK_PER_DAY / 24, MMC_MU, REWORK_FAIL)
    return Case(
        key="mmc_rework",
        group="M/M/c with rework",
        title=f"M/M/2 with QC failure p = {REWORK_FAIL:g} (pass rate lambda/(1-p), rho = 0.8)",
        file=SCENARIOS / "mmc_rework.yaml",
        overrides=(),
        replications=20,
        checks=(
            Check("mean_bay_wait_h", "first-pass wait (h)", w.mean_first_wait, floor=HOURS_FLOOR),
            Check("bay_utilization", "bay utilization", w.utilization, floor=RATE_FLOOR),
            Check(
                "technician_utilization",
                "mechanic utilization",
                w.utilization,
                floor=RATE_FLOOR,
            ),
            Check(
                "mean_lead_time_h",
                "mean time arrival to last pass (h)",
                w.mean_time_in_system,
                floor=HOURS_FLOOR,
            ),
        ),
    )


def p_truck(review: float, container: int) -> float:
    """P(a truck leaves at a call-off) with one unit per request: a card (or, for C = 1, an
    order) was released since the last call-off. Units requested since the open container
    started are uniform on 0..C-1 at a call-off, so P = 1 - mean_j P(D(R) <= C - 1 - j)."""
    m = STOCK_LAMBDA * review
    cdf = np.cumsum([math.exp(-m) * m**k / math.factorial(k) for k in range(container)])
    return 1.0 - float(np.mean(cdf))


def _stock_checks(r: th.StockResult, review: float, container: int) -> tuple[Check, ...]:
    checks = [
        Check("fill_rate", "fill rate", r.fill_rate, floor=RATE_FLOOR),
        Check(
            "parts_ready_rate",
            "parts ready (one unit a car: = fill)",
            r.fill_rate,
            floor=RATE_FLOOR,
        ),
        Check("avg_inventory_units", "average on hand (units)", r.on_hand, floor=UNITS_FLOOR),
        Check("avg_backorders", "average backorders (units)", r.backorders, floor=UNITS_FLOOR),
        Check("mean_dwell_h", "mean dwell = on hand / lambda (h)", r.mean_dwell, floor=DWELL_FLOOR),
    ]
    if review > 0:
        checks.append(
            Check(
                "trucks_per_call_off",
                "share of call-offs sending a truck",
                p_truck(review, container),
                floor=RATE_FLOOR,
            )
        )
    return tuple(checks)


def rs_case(level: int, lead: float = STOCK_LEAD_H) -> Case:
    """The (R, S) case at order-up-to level ``level`` (and lead time ``lead`` hours)."""
    r = th.order_up_to(STOCK_LAMBDA, STOCK_REVIEW_H, lead, level)
    long_lead = lead != STOCK_LEAD_H
    return Case(
        key=f"order_up_to_S{level}" + ("_long_lead" if long_lead else ""),
        group="(R, S) order-up-to",
        title=f"(R, S): R = 4 h, L = {lead:g} h, lambda = 1/h, S = {level}",
        file=SCENARIOS / "order_up_to.yaml",
        overrides=(f"supply.order_up_to.level={level}",)
        + ((f"supply.lead_time={lead:g}h",) if long_lead else ()),
        replications=20,
        checks=_stock_checks(r, STOCK_REVIEW_H, 1),
    )


def reorder_point_theory(point: int, qty: int, lead: float) -> th.StockResult:
    """(R, s, nQ) with unit Poisson demand: the position after each review is uniform on
    s+1 .. s+Q, so every measure is the (R, S) one averaged over S = s+1 .. s+Q."""
    results = [
        th.order_up_to(STOCK_LAMBDA, STOCK_REVIEW_H, lead, level)
        for level in range(point + 1, point + qty + 1)
    ]
    on_hand = sum(r.on_hand for r in results) / qty
    return th.StockResult(
        on_hand=on_hand,
        backorders=sum(r.backorders for r in results) / qty,
        fill_rate=sum(r.fill_rate for r in results) / qty,
        ready_rate=sum(r.ready_rate for r in results) / qty,
        cycle_service=sum(r.cycle_service for r in results) / qty,
        mean_dwell=on_hand / STOCK_LAMBDA,
    )


def _reorder_point_cases() -> list[Case]:
    cases = []
    for point, lead in SQ_CASES:
        long_lead = lead != STOCK_LEAD_H
        cases.append(
            Case(
                key=f"reorder_point_s{point}_Q{SQ_QTY}" + ("_long_lead" if long_lead else ""),
                group="(s, Q) reorder point",
                title=f"(s, Q): R = 4 h, L = {lead:g} h, lambda = 1/h, s = {point}, Q = {SQ_QTY}",
                file=SCENARIOS / "order_up_to.yaml",
                overrides=(
                    "supply.policy=reorder_point",
                    f"supply.reorder_point.point={point}",
                    f"supply.reorder_point.qty={SQ_QTY}",
                )
                + ((f"supply.lead_time={lead:g}h",) if long_lead else ()),
                replications=20,
                # a truck leaves iff the position fell to s or below: as a loop of Q units
                checks=_stock_checks(
                    reorder_point_theory(point, SQ_QTY, lead), STOCK_REVIEW_H, SQ_QTY
                ),
            )
        )
    return cases


def _kanban_cases() -> list[Case]:
    c = KANBAN_CONTAINER
    periodic = th.kanban_loop(STOCK_LAMBDA, STOCK_REVIEW_H, STOCK_LEAD_H, KANBAN_PERIODIC_CARDS, c)
    continuous = th.kanban_loop(STOCK_LAMBDA, 0.0, STOCK_LEAD_H, KANBAN_CONTINUOUS_CARDS, c)
    n1, n2 = KANBAN_PERIODIC_CARDS, KANBAN_CONTINUOUS_CARDS
    return [
        Case(
            key="kanban_periodic",
            group="Kanban loop",
            title=f"kanban N = {n1}, C = {c}, call-off every 4 h: (R, nQ), r = {(n1 - 1) * c}",
            file=SCENARIOS / "kanban.yaml",
            overrides=(f"supply.kanban.cards={n1}",),
            replications=20,
            checks=_stock_checks(periodic, STOCK_REVIEW_H, c),
        ),
        Case(
            key="kanban_continuous",
            group="Kanban loop",
            title=f"kanban N = {n2}, C = {c}, call-off continuous: (r, Q), r = {(n2 - 1) * c}",
            file=SCENARIOS / "kanban.yaml",
            overrides=(f"supply.kanban.cards={n2}", "supply.call_off.every=continuous"),
            replications=20,
            checks=_stock_checks(continuous, 0.0, c),
        ),
    ]


LITTLE_MARGIN_DAYS = 7.0
LITTLE_NOTE = (
    "Bays: L is the time-average number of space-pool units held (pools trace "
    "`result.extra['pools']`, busy integrated over elapsed time in the window [warmup, "
    "warmup + horizon)); lambda is the rate of first-operation starts in that window (jobs "
    "trace) and W the mean elapsed time each of those jobs holds a space pool, all operations "
    "and reworks included. The jobs trace has no bay release time, so W is recorded by a "
    "probe on the pools' public take/release calls (a test checks that the probed run has "
    "the same KPIs, and that the probe's holds integrate to the pools trace exactly). The "
    "run goes on for a week past the window so that every job starting in it is seen "
    "to release its bays: cut at the window's end, W would miss the tails of the last "
    "jobs while L keeps the tails of jobs started before the window, a bias of about 2 %. "
    "Stock: L = avg_inventory_units, lambda = units requested by jobs whose first operation "
    "started in the KPI window / its length, W = mean_dwell_h (a unit passed straight to a "
    "backorder counts 0 and is in lambda), all over the run's KPI window."
)


def _little_cases() -> list[Case]:
    bays = Check("bays_L", "bays: L = lambda W", reference="bays_lambda_W", floor=LITTLE_BAYS_FLOOR)
    complete = Check(
        "bays_unfinished", "jobs started in the window still in a bay at the end", theory=0.0
    )
    stock = Check(
        "avg_inventory_units",
        "line-side stock: L = lambda W",
        reference="stock_lambda_W",
        floor=LITTLE_STOCK_FLOOR,
    )
    return [
        Case(
            key="little_default",
            group="Little's law",
            title="Little's law on scenarios/default.yaml",
            file=DEFAULT_SCENARIO,
            overrides=(),
            replications=10,
            checks=(bays, complete, replace(stock, informational=True)),
            measure="little",
            margin_days=LITTLE_MARGIN_DAYS,
            note=(
                "The stock check cannot hold on the default catalogue and is shown for "
                "information only: most of its 2,000 parts are slow movers whose initial "
                "loop (N containers on the shelf at time 0) is not used up within warm-up "
                "+ horizon (35 days), so the stock is not stationary and its units are "
                "mostly never issued in the window; mean_dwell_h averages only the units "
                "that were issued. The next case tests the law where it applies."
            ),
        ),
        Case(
            key="little_default_fast_parts",
            group="Little's law",
            title="Little's law on default.yaml with a small fast-moving catalogue",
            file=DEFAULT_SCENARIO,
            overrides=FAST_PARTS,
            replications=10,
            checks=(bays, complete, stock),
            measure="little",
            margin_days=LITTLE_MARGIN_DAYS,
            note=(
                "The closest case to default.yaml where line-side stock turns over many "
                "times in the window: the same dealer, with `parts.generate` of 20 parts "
                "(Zipf s = 0.5, containers of 1 or 2) instead of the 2,000-part CSV."
            ),
        ),
    ]


CASES: tuple[Case, ...] = (
    *_mmc_cases(),
    _mm8_case(),
    _breaks_case(),
    _rework_case(),
    *(rs_case(s) for s in RS_LEVELS),
    rs_case(RS_LONG_LEAD_LEVEL, STOCK_LONG_LEAD_H),
    *_reorder_point_cases(),
    *_kanban_cases(),
    *_little_cases(),
)
CASE_BY_KEY: dict[str, Case] = {c.key: c for c in CASES}


# --- results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckResult:
    """One check over the replications of its case."""

    check: Check
    theory: float  # the closed form, or the mean of the reference metric
    mean: float
    ci_low: float
    ci_high: float
    n: int
    diff: float  # mean - theory (mean of the paired differences for a reference)
    se: float  # standard error of ``diff``
    tolerance: float  # SIGMAS x se + floor

    @property
    def passed(self) -> bool:
        """Whether the simulated mean is within the tolerance of theory."""
        return abs(self.diff) <= self.tolerance

    def describe(self) -> str:
        """A one-line account, for assertion messages."""
        return (
            f"{self.check.label} [{self.check.metric}]: simulated {self.mean:.5g} "
            f"(95% CI {self.ci_low:.5g}..{self.ci_high:.5g}, n={self.n}) vs theory "
            f"{self.theory:.5g}; diff {self.diff:+.4g}, tolerance {self.tolerance:.3g} "
            f"({SIGMAS:g} SE {self.se:.3g} + floor {self.check.floor:g})"
        )


@dataclass(frozen=True)
class CaseResult:
    """A case run: its replications' metrics and every check."""

    case: Case
    seed: int
    rows: tuple[dict[str, float | None], ...]
    checks: tuple[CheckResult, ...]
    seconds: float


def _values(rows: tuple[dict[str, float | None], ...], metric: str) -> list[float]:
    out = []
    for r in rows:
        v = r.get(metric)
        if v is None or (isinstance(v, float) and math.isnan(v)):
            raise ValueError(f"metric {metric!r} is undefined in a replication")
        out.append(float(v))
    return out


def evaluate(check: Check, rows: tuple[dict[str, float | None], ...]) -> CheckResult:
    """Compare a check's metric over the replications with its theory or reference."""
    xs = np.array(_values(rows, check.metric))
    ci = t_interval(xs.tolist())
    if check.reference is not None:
        ref = np.array(_values(rows, check.reference))
        d = xs - ref
        theory = float(ref.mean())
    else:
        assert check.theory is not None
        d = xs - check.theory
        theory = check.theory
    n = len(d)
    se = float(np.std(d, ddof=1) / math.sqrt(n)) if n > 1 else math.inf
    return CheckResult(
        check=check,
        theory=theory,
        mean=ci.mean,
        ci_low=ci.ci_low,
        ci_high=ci.ci_high,
        n=n,
        diff=float(d.mean()),
        se=se,
        tolerance=SIGMAS * se + check.floor,
    )


def run_case(case: Case, progress: Callable[[str], None] | None = None) -> CaseResult:
    """Run every replication of a case (serially) and evaluate its checks."""
    scenario = case.scenario()
    start = time.perf_counter()
    rows = tuple(measure(case, scenario, rep) for rep in range(case.replications))
    seconds = time.perf_counter() - start
    if progress is not None:
        progress(f"{case.key}: {case.replications} replications in {seconds:.1f} s")
    return CaseResult(
        case=case,
        seed=scenario.run.seed,
        rows=rows,
        checks=tuple(evaluate(c, rows) for c in case.checks),
        seconds=seconds,
    )
