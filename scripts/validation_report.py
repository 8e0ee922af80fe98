"""Run the validation cases and write docs/validation.md and docs/validation_fill_rate.png.

The cases (scenarios, replications, checks, tolerances) are those of
``tests/validation/cases.py``, the same the test suite asserts. Everything is seeded, so
rerunning reproduces both files exactly (wall times go to the terminal, not the files).

    python scripts/validation_report.py [--out-dir docs]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from sim import theory as th  # noqa: E402
from tests.validation.cases import (  # noqa: E402
    BREAKS_WORKING_H,
    CASES,
    DEFAULT_SCENARIO,
    DWELL_FLOOR,
    FAST_PARTS,
    HOURS_FLOOR,
    KANBAN_CONTAINER,
    LITTLE_BAYS_FLOOR,
    LITTLE_MARGIN_DAYS,
    LITTLE_NOTE,
    LITTLE_STOCK_FLOOR,
    MMC_BUFFER_H,
    MMC_HOURS,
    RATE_FLOOR,
    REWORK_FAIL,
    RS_LEVELS,
    RS_SWEEP,
    SIGMAS,
    SQ_QTY,
    STOCK_LAMBDA,
    STOCK_LEAD_H,
    STOCK_LONG_LEAD_H,
    STOCK_REVIEW_H,
    UNITS_FLOOR,
    WQ_FLOOR_SHARE,
    WQ_RESOLUTION,
    Case,
    CaseResult,
    rs_case,
    run_case,
)

FIGURE = "validation_fill_rate.png"

GROUP_TEXT = {
    "M/M/c": (
        "Reduction (`tests/validation/scenarios/mmc.yaml`, `mmc_const_hours.yaml`): round the "
        "clock (open 00:00, close 24:00, every day, no breaks), walk-ins only with no profile "
        "(a Poisson count per day spread uniformly over it: a homogeneous Poisson process, "
        "lambda = per_day / 24 per hour), one job type on `bays` and `mechanics` (c = 2 each, "
        "taken together: one pool of c servers), zero "
        "reception, QC and delivery times, no parts, no rework. Labour is exponential with "
        "mean 1 h either way: exponential standard hours with efficiency 1, or constant 1 h "
        "standard hours times an exponential efficiency of mean 1. Theory: Erlang C, "
        "Wq = C / (c mu - lambda), W = Wq + 1/mu, rho = lambda / (c mu). On time: with "
        f"efficiency 1 the promise is reception end + labour + buffer ({MMC_BUFFER_H:g} h), so a "
        "job is on time iff Wq <= buffer, P = 1 - C exp(-(c mu - lambda) t); with constant "
        f"hours the promise is reception end + {MMC_HOURS:g} h + buffer, so on time iff the "
        "time in system Wq + S <= 1 h + buffer (the convolution of the Wq law with Exp(mu)). "
        "The law of the wait is checked besides its mean, from the jobs (the wait from "
        "reception end to the start of the operation): P(wait) = C, and P(Wq <= t) = 1 - C "
        "exp(-(c mu - lambda) t) at t = 0.5, 1 and 2 times 1 / (c mu - lambda), the mean wait "
        "of a car that waits. Replications are sized so that the tolerance on Wq is about "
        f"10 % of Wq, and the test asserts at most {WQ_RESOLUTION * 100:g} % (the floor there "
        f"is at most {WQ_FLOOR_SHARE * 100:g} % of Wq): a model whose mean wait is "
        f"{WQ_RESOLUTION * 100:g} % off would fall outside it."
    ),
    "M/M/c in working time": (
        "Reduction (`mmc_breaks.yaml`): as M/M/c with exponential standard hours, but the "
        "workshop is open 07:00-19:00 with a lunch break 12:00-13:00, every day "
        f"({BREAKS_WORKING_H:g} working hours a day). The walk-ins' profile gives the break no "
        "share and each open period a share equal to its length, so in working time the "
        f"arrivals are a Poisson process of lambda = per_day / {BREAKS_WORKING_H:g} per hour. "
        "Labour pauses at the break and overnight and keeps its bay and mechanic; nothing is "
        "granted while closed. Measured in working time (the calendar's working minutes "
        "between two stamps), the workshop is then exactly an M/M/c queue: the wait from "
        "reception end to the start of the operation (`working_wait_h`, its law `p_wait` and "
        "`wait_within_*`), arrival to delivery end (`working_time_in_system_h`) and the "
        "utilizations, which count working time. The promise is set in working time, so a "
        "job is on time iff its wait in working time is at most the buffer."
    ),
    "M/M/c with rework": (
        "Reduction (`mmc_rework.yaml`): as M/M/c, with `qc_fail` p = "
        f"{REWORK_FAIL:g} and QC taking no time, so a failed car re-joins the back of the bay "
        "queue with a fresh exponential labour draw (Bernoulli feedback). Theory (Jackson): "
        "the bays behave as M/M/c at the pass rate lambda / (1 - p); a new car's first wait is "
        "that queue's Wq (PASTA), utilization lambda / ((1 - p) c mu), and the mean time from "
        "arrival to the last pass is W_pass / (1 - p) (Little)."
    ),
    "(R, S) order-up-to": (
        "Reduction (`order_up_to.yaml`): one part (`one_part.csv`: container 1, weight 1), "
        "one line of one unit per car, bays far more than needed and zero reception, so every "
        "car requests its unit on arrival: Poisson demand, lambda = 1 unit/h. Call-offs every "
        f"R = {STOCK_REVIEW_H:g} h round the clock (first 00:00, last 20:00), constant lead time "
        f"L = {STOCK_LEAD_H:g} h, unlimited trucks, no emergency orders, full backorders (a "
        "short car waits in its bay). Theory (Axsäter 2015, 5.2): the net inventory u after an "
        "order's arrival is S - D(L + u), u uniform on [0, R); fill rate = P(D(L + u) <= S - "
        "1) averaged over u (PASTA), on hand = E[(S - D(L + u))^+]; mean dwell = on hand / "
        "lambda (Little; a unit passed straight to a backorder dwells 0); backorders = "
        "E[(D(L + u) - S)^+], simulated as `parts_wait_h` / horizon (each waiting car waits "
        "for one unit); a truck leaves at a call-off iff a unit was requested since the last "
        "one, P = 1 - exp(-lambda R). The formula holds for any constant lead time: with "
        f"L = {STOCK_LONG_LEAD_H:g} h, longer than R, every review finds the last order still "
        "on the road and must count it in the inventory position."
    ),
    "(s, Q) reorder point": (
        "Reduction (`order_up_to.yaml` with `supply.policy: reorder_point`): as (R, S), "
        "reviewed at the same call-offs; a review at position IP <= s orders the fewest lots "
        f"of Q = {SQ_QTY} units that lift it above s. The position after each review is uniform "
        "on s+1..s+Q (the periodic (R, s, nQ) policy with unit Poisson demand), so every "
        "measure is the (R, S) one averaged over S = s+1..s+Q, as for the kanban loop. A truck "
        "leaves at a call-off iff the position fell to s or below since the last one: P = 1 - "
        "mean_j P(D(R) <= Q - 1 - j). One case has a lead time longer than R, so reviews see "
        "stock on order."
    ),
    "Kanban loop": (
        "Reduction (`kanban.yaml`): as (R, S), with the part in containers of C = "
        f"{KANBAN_CONTAINER} (`kanban_part.csv`), N cards, `release: on_request`. A card goes "
        "back each time C units have been requested since the container was opened, so the "
        "inventory position after each call-off is uniform on r+1..r+Q with r = (N-1) C, "
        "Q = C: the (R, nQ) policy, whose measures are the (R, S) ones averaged over S = r+1.."
        "r+Q (Axsäter 5.3.2). `every: continuous` sends each card at once: the continuous "
        "(r, Q) policy, the same formula with R = 0. A truck leaves at a call-off iff a card "
        "was released since the last one: with j units requested from the open container at "
        "the call-off, uniform on 0..C-1, P = 1 - mean_j P(D(R) <= C - 1 - j)."
    ),
    "Little's law": LITTLE_NOTE,
}

LIMITS = (
    "- **Line-side stock on the default catalogue.** Little's law L = lambda W is a "
    "long-run (stationary) result. The 2,000-part catalogue of `scenarios/default.yaml` is "
    "mostly slow movers: a part with a few units of demand a month and a full loop of "
    "containers on the shelf at time 0 does not turn over once in warm-up + horizon, so "
    "the shelf holds ~13,000 units that are never issued in the window, while "
    "`mean_dwell_h` averages only over the units that are. The row is shown for "
    "information (a factor ~10); the same law on the same dealer with a small fast-moving "
    "catalogue (`"
    + " ".join(f"--set {s}" for s in FAST_PARTS)
    + "`) is tested instead, and holds.\n"
    "- **Cutting W at the end of the window.** Measured naively over the same window, "
    "lambda W for the bays is ~2 % below L (z ~ 8): jobs started before the window hold "
    "bays inside it (counted in L, not in lambda W) while the tails of jobs started near the "
    "end are cut off (the run stops). The Little cases therefore simulate "
    f"{LITTLE_MARGIN_DAYS:g} days past the window so that W is complete; the check that no "
    "job started in the window still holds a bay at the end is part of the case.\n"
    "- **Working-time calendars.** With opening hours, labour pauses overnight and at "
    "breaks; in elapsed time no closed form applies (the default dealer is checked with "
    "Little's law only). Measured in working time, a calendar whose arrivals fall only in "
    "working time, spread in proportion to it, is an M/M/c queue again, and is checked so "
    "(the case with a lunch break); arrivals during breaks or with a day profile are not."
)


def fmt(x: float) -> str:
    """A number for the tables: 4 decimals, or 4 significant digits when large."""
    if math.isnan(x):
        return "n/a"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 100:
        return f"{x:.2f}"
    return f"{x:.4f}"


def case_table(res: CaseResult) -> list[str]:
    """The markdown lines of one case."""
    case: Case = res.case
    reps = case.replications
    sc = ", ".join(f"`--set {o}`" for o in case.overrides) or "none"
    file = case.file.relative_to(REPO).as_posix()
    lines = [
        f"### {case.title}",
        "",
        f"`{file}`; overrides: {sc}; seed {res.seed}, replications 0..{reps - 1} ({reps}).",
        "",
    ]
    if case.note:
        lines += [case.note, ""]
    lines += [
        "| check | KPI / metric | theory | simulated mean | 95 % interval | diff | tolerance "
        "| result |",
        "|---|---|---:|---:|---|---:|---:|---|",
    ]
    for c in res.checks:
        ref = f" vs `{c.check.reference}`" if c.check.reference else ""
        verdict = "pass" if c.passed else "fail"
        if c.check.informational:
            verdict = f"{verdict} (information only, not asserted)"
        lines.append(
            f"| {c.check.label} | `{c.check.metric}`{ref} | {fmt(c.theory)} | {fmt(c.mean)} "
            f"| {fmt(c.ci_low)} .. {fmt(c.ci_high)} | {c.diff:+.4g} | {c.tolerance:.3g} "
            f"| {verdict} |"
        )
    return [*lines, ""]


def sweep(results: dict[str, CaseResult], progress) -> list[tuple[int, CaseResult]]:
    """The (R, S) case over every level of RS_SWEEP (reusing the validation runs)."""
    out = []
    for level in RS_SWEEP:
        case = rs_case(level)
        res = results.get(case.key) or run_case(case, progress)
        out.append((level, res))
    return out


def figure(points: list[tuple[int, CaseResult]], path: Path) -> None:
    """Simulated vs theoretical fill rate across S, with 95 % intervals."""
    levels = [s for s, _ in points]
    fill = [next(c for c in r.checks if c.check.metric == "fill_rate") for _, r in points]
    fig, ax = plt.subplots(figsize=(7.5, 4.8), dpi=120)
    ax.plot(
        levels,
        [th.order_up_to(STOCK_LAMBDA, STOCK_REVIEW_H, STOCK_LEAD_H, s).fill_rate for s in levels],
        "-",
        color="tab:blue",
        lw=1.5,
        label="theory: (R, S), Poisson demand, constant lead time",
        zorder=1,
    )
    means = [c.mean for c in fill]
    ax.errorbar(
        levels,
        means,
        yerr=[
            [m - c.ci_low for m, c in zip(means, fill, strict=True)],
            [c.ci_high - m for m, c in zip(means, fill, strict=True)],
        ],
        fmt="o",
        color="tab:red",
        ms=5,
        capsize=4,
        label=f"simulation: mean and 95 % interval ({fill[0].n} replications)",
        zorder=2,
    )
    for s in RS_LEVELS:
        ax.axvline(s, color="0.85", lw=0.8, zorder=0)
    ax.set_xlabel("order-up-to level S (units)")
    ax.set_ylabel("fill rate (units issued from stock at the request)")
    ax.set_title(
        f"(R, S) fill rate: simulation vs theory\n"
        f"lambda = {STOCK_LAMBDA:g} unit/h, R = {STOCK_REVIEW_H:g} h, L = {STOCK_LEAD_H:g} h "
        "(grey lines: the levels in the test suite)",
        fontsize=10,
    )
    ax.set_xticks(levels)
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)


def document(results: list[CaseResult], points: list[tuple[int, CaseResult]]) -> str:
    """The whole of docs/validation.md."""
    n_checks = sum(1 for r in results for c in r.checks if not c.check.informational)
    n_pass = sum(1 for r in results for c in r.checks if not c.check.informational and c.passed)
    out = [
        "# Validation against theory",
        "",
        "<!-- generated by scripts/validation_report.py, do not edit -->",
        "_Generated by `scripts/validation_report.py`; do not edit. Rerun "
        "`python scripts/validation_report.py` to reproduce this file and "
        f"`{FIGURE}` exactly (every run is seeded)._",
        "",
        "The model is reduced, by scenario settings only, to systems with closed-form answers "
        "(`sim/theory.py`), and the mean of each KPI over independent replications is "
        "compared with theory. The cases, scenarios and tolerances are defined once in "
        "`tests/validation/cases.py`; `pytest` (marker `validation`) asserts the same checks.",
        "",
        f"- A check passes when |simulated mean − theory| ≤ {SIGMAS:g} standard errors of the "
        f"mean over replications + a small absolute floor ({RATE_FLOOR:g} for rates, "
        f"{HOURS_FLOOR:g} h for mean times, {DWELL_FLOOR:g} h for mean dwell, {UNITS_FLOOR:g} "
        f"units for stock; for Little's law {LITTLE_BAYS_FLOOR:g} cars and "
        f"{LITTLE_STOCK_FLOOR:g} units), the floor covering the small bias of finite runs. "
        "For Little's law both sides come from the same replications and the test is on "
        "their paired differences (the 'theory' column then shows the mean of lambda W).",
        "- The 95 % interval is the Student-t interval of the replication means.",
        "- Each replication simulates warm-up + horizon and reports over the window after "
        "the warm-up; replication r of a case uses the random streams of (seed, r) "
        "(`sim/streams.py`); seeds and replication numbers are listed with each case.",
        "- Times are in hours; the model's clock is in minutes.",
        "",
        f"**{n_pass} of {n_checks} asserted checks pass.**",
        "",
        "## Summary",
        "",
        "| case | checks | result |",
        "|---|---:|---|",
    ]
    for r in results:
        asserted = [c for c in r.checks if not c.check.informational]
        ok = sum(c.passed for c in asserted)
        info = len(r.checks) - len(asserted)
        extra = f" (+{info} for information)" if info else ""
        verdict = "pass" if ok == len(asserted) else "**fail**"
        out.append(f"| {r.case.title} | {ok}/{len(asserted)}{extra} | {verdict} |")
    out.append("")
    group = None
    for r in results:
        if r.case.group != group:
            group = r.case.group
            out += [f"## {group}", "", GROUP_TEXT[group], ""]
        out += case_table(r)
    out += [
        "## Fill rate across S",
        "",
        f"![(R, S) fill rate, simulation vs theory]({FIGURE})",
        "",
        "| S | theory | simulated mean | 95 % interval | within tolerance |",
        "|---:|---:|---:|---|---|",
    ]
    for level, r in points:
        c = next(c for c in r.checks if c.check.metric == "fill_rate")
        out.append(
            f"| {level} | {fmt(c.theory)} | {fmt(c.mean)} | {fmt(c.ci_low)} .. "
            f"{fmt(c.ci_high)} | {'yes' if c.passed else 'no'} |"
        )
    out += [
        "",
        f"Seed {points[0][1].seed}, replications 0..{points[0][1].case.replications - 1} at "
        "every level: the same demand at each level (common random numbers), so the levels' "
        "errors are correlated and the points tend to sit on the same side of the curve.",
        "",
        "## Where the model cannot match theory",
        "",
        LIMITS,
        "",
        f"Default scenario: `{DEFAULT_SCENARIO.relative_to(REPO).as_posix()}`.",
        "",
    ]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Run every case, then write the document and the figure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=REPO / "docs")
    args = parser.parse_args(argv)

    def progress(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    start = time.perf_counter()
    results = [run_case(case, progress) for case in CASES]
    by_key = {r.case.key: r for r in results}
    points = sweep(by_key, progress)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    figure(points, args.out_dir / FIGURE)
    (args.out_dir / "validation.md").write_text(document(results, points), encoding="utf-8")
    failed = [
        f"{r.case.key}: {c.describe()}"
        for r in results
        for c in r.checks
        if not c.check.informational and not c.passed
    ]
    progress(
        f"wrote {args.out_dir / 'validation.md'} and {FIGURE} in "
        f"{time.perf_counter() - start:.0f} s"
    )
    for line in failed:
        progress(f"FAIL {line}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
