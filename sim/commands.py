"""The experiment commands of the command line: ``batch``, ``warmup`` and ``reps``.

Argument parsing and exit codes live in ``sim.cli``; these functions load and check the
input (raising ScenarioError or CliError, exit 2, before anything is written), run, print,
and return the exit code.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sim.batch import Batch, load_batch
from sim.clierror import PROG, CliError
from sim.labels import Lang, tr
from sim.loading import load_scenario, read_yaml
from sim.model.centre import CENTRE_KPIS
from sim.readout import HEADLINE_KPIS, clipped_note, headline, means_table
from sim.regionresults import by_dealer
from sim.scenario import Scenario
from sim.scenario_region import currency_of
from sim.units import format_duration

if TYPE_CHECKING:
    from sim.batchrun import BatchReport
    from sim.executors import Executor
    from sim.experiment import ScenarioRun, Simulate
    from sim.progress import Progress


def _executor(args: argparse.Namespace) -> Executor:
    """The executor the options ask for (CliError for a bad combination or no Dask)."""
    from sim.executors import ExecutorName, make_executor

    name: ExecutorName = args.executor or ("dask" if args.scheduler else "local")
    if args.scheduler and name != "dask":
        raise CliError(f"--scheduler needs --executor dask, not --executor {name}")
    if name == "serial" and args.workers not in (None, 1):
        raise CliError("--workers has no effect with --executor serial")
    if args.scheduler and args.workers is not None:
        raise CliError(
            "--workers sizes a local pool or LocalCluster; a running scheduler has its own"
        )
    if name == "dask":
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise CliError(
                "--executor dask needs dask.distributed: pip install 'jit-workshop-sim[dask]'"
            ) from None
    return make_executor(name, workers=args.workers, scheduler=args.scheduler)


executor_for = _executor  # the same for optimize (sim.optimize), which cli hands it


def _progress(desc: str) -> Callable[[int, int], Progress]:
    from sim.progress import Progress

    def make(total: int, initial: int) -> Progress:
        return Progress(total, initial=initial, desc=desc)

    return make


def _print_report(batch: Batch, report: BatchReport, lang: Lang = "en") -> None:
    first = batch.scenarios[0].run
    reps = sorted({s.run.replications for s in batch.scenarios})
    reps_text = "/".join(map(str, reps))
    print(
        f"batch {batch.name}: {len(batch.scenarios)} scenarios x {reps_text} replications, "
        f"horizon {format_duration(first.horizon)} after warm-up "
        f"{format_duration(first.warmup)}, seed {first.seed}"
    )
    if report.reused:
        print(f"reused {report.reused} of {report.total} replications already in the folder")
    print()
    currency = currency_of(batch.scenarios[0])
    summary, comparison, kpis = report.summary, report.comparison, HEADLINE_KPIS
    if "dealer" in summary.columns:  # regions: each dealer and the centre of each scenario
        summary, kpis = by_dealer(summary), (*HEADLINE_KPIS, *CENTRE_KPIS)
        comparison = None if comparison is None else by_dealer(comparison)
    print(tr("means (summary.csv has every KPI with its 95% interval):", lang))
    print(means_table(summary, kpis, lang=lang, currency=currency))
    note = clipped_note(list(summary.itertuples(index=False, name=None)), lang)
    if note:
        print(note)
    if comparison is not None and not comparison.empty:
        print()
        print(
            tr(
                "paired differences against {baseline} (scenario - baseline, over the same "
                "random numbers; comparison.csv has every KPI):",
                lang,
            ).format(baseline=report.baseline)
        )
        print(headline(comparison, kpis, lang=lang, currency=currency))
    print()
    print(f"results: {report.out}")


def _failure_line(report: BatchReport) -> str:
    by_scn: dict[str, list[str]] = {}
    for f in report.failures:
        by_scn.setdefault(f["scenario"], []).append(str(f["replication"]))
    where = "; ".join(f"{s} rep {', '.join(r)}" for s, r in by_scn.items())
    first = report.failures[0]["error"]
    n, total = len(report.failures), report.total
    return (
        f"{n} of {total} replications failed ({where}); first error: {first}; details in "
        f"{report.out / 'failures.json'}; batch --resume reruns only what is missing"
    )


def cmd_batch(args: argparse.Namespace, argv: Sequence[str], simulate: Simulate | None) -> int:
    """``batch BATCH.yaml``: expand, validate, run on an executor, write the folder."""
    from sim.results import ResultsError
    from sim.runstore import check_batch_out, hold_batch_out

    if "base" not in read_yaml(Path(args.batch)):  # ScenarioError: unreadable, not YAML
        raise CliError(
            f"{args.batch}: not a batch file (it has no base: key); "
            f"to replicate one scenario use: {PROG} run {args.batch}"
        )
    batch = load_batch(
        args.batch, args.overrides, horizon=args.horizon, replications=args.reps, seed=args.seed
    )
    out = Path(args.out) if args.out else Path("results") / batch.name
    try:
        check_batch_out(out, args.resume, batch.name)
    except ResultsError as exc:
        raise CliError(str(exc)) from None
    from sim.batchrun import run_batch

    try:
        with hold_batch_out(out, args.resume, batch.name), _executor(args) as executor:
            report = run_batch(
                batch,
                out,
                executor,
                resume=args.resume,
                trace=args.trace,
                simulate=simulate,
                progress=_progress(batch.name),
                chunk=args.chunk,
                command=[PROG, *argv],
            )
    except KeyboardInterrupt:
        print(
            f"error: interrupted; the replications finished so far are in {out}: "
            "continue with --resume",
            file=sys.stderr,
        )
        return 1
    _print_report(batch, report, args.lang)
    if report.failures:
        print(f"error: {_failure_line(report)}", file=sys.stderr)
        return 1
    return 0


def _pilot_runs(
    args: argparse.Namespace, scenario: Scenario, simulate: Simulate | None, trace: bool
) -> ScenarioRun:
    from sim.batchrun import run_replications

    with _executor(args) as executor:
        runs, failures = run_replications(
            [scenario], executor, trace=trace, simulate=simulate, progress=_progress("pilot")
        )
    if failures:
        f = failures[0]
        raise RuntimeError(
            f"{len(failures)} pilot replication(s) failed; replication {f.replication}: {f.error}"
        )
    return runs[0]


def _check_pilot_length(scn: Scenario, kpi: str, batch_size: int) -> None:
    """CliError, before any pilot runs, when the pilot run cannot give MSER its three
    batches: days on which ``kpi`` can be defined (open days; every day for
    ``jobs_delivered``, which counts 0 on a closed day) are fewer than 3 x ``batch_size``."""
    days = int(scn.run.horizon // 1440)
    if kpi == "jobs_delivered":
        usable, what = days, "days"
    else:
        week = set(scn.internal_days(scn.calendar.day_indices))
        closed = set(scn.closed_days())
        usable = sum(1 for d in range(days) if d % 7 in week and d not in closed)
        what = "open days"
    need = 3 * batch_size
    if usable < need:
        raise CliError(
            f"--horizon {format_duration(scn.run.horizon)}: {usable} {what}, but MSER with "
            f"--batch-size {batch_size} needs at least 3 batches of {batch_size} ({need} "
            f"{what}); lengthen --horizon or shorten --batch-size"
        )


def cmd_warmup(args: argparse.Namespace, simulate: Simulate | None) -> int:
    """``warmup SCENARIO.yaml``: MSER-5 on the daily KPI of pilot runs from an empty shop."""
    from sim.warmup import SERIES_KPIS, suggest_warmup

    if args.kpi not in SERIES_KPIS:
        raise CliError(f"--kpi {args.kpi}: no daily series; choose from {', '.join(SERIES_KPIS)}")
    scn = load_scenario(
        args.scenario,
        [*args.overrides, "run.warmup=0d"],
        horizon=args.horizon,
        replications=args.pilot_reps,
        seed=args.seed,
    )
    given = load_scenario(args.scenario, args.overrides).run.warmup
    days = int(scn.run.horizon // 1440)
    _check_pilot_length(scn, args.kpi, args.batch_size)
    run = _pilot_runs(args, scn, simulate, trace=True)
    try:
        sug = suggest_warmup([r.jobs for r in run.results], args.kpi, days, args.batch_size)
    except ValueError as exc:
        raise CliError(f"--horizon {format_duration(scn.run.horizon)}: {exc}") from None
    res = sug.result
    print(
        f"warm-up for {scn.name}: MSER-{res.batch_size} on {args.kpi} by day, "
        f"{len(run.results)} pilot replications of {format_duration(scn.run.horizon)} "
        f"from an empty workshop (seed {scn.run.seed})"
    )
    print(f"suggested run.warmup: {sug.warmup_days}d (the scenario has {format_duration(given)})")
    if not res.reliable:
        print(
            "warning: MSER is lower still in the second half of the pilot run, which was "
            "too short to show a steady state; try a longer --horizon"
        )
    print()
    size = res.batch_size
    print(f"batch  days      mean {args.kpi}   MSER")
    for b in range(len(sug.series) // size):
        lo, hi = sug.days[b * size], sug.days[(b + 1) * size - 1]
        mean = float(sug.series[b * size : (b + 1) * size].mean())
        stat = f"{res.statistic[b]:10.4g}" if b < len(res.statistic) else " " * 10
        mark = "  dropped" if b < res.batches else ""
        print(f"{b:5d}  {lo:3d}-{hi:<3d}  {mean:14.4g}  {stat}{mark}")
    return 0


def cmd_reps(args: argparse.Namespace, simulate: Simulate | None) -> int:
    """``reps SCENARIO.yaml``: replications needed for a target relative half-width."""
    import pandas as pd

    from sim.experiment import t_interval
    from sim.kpi import KPI_COLUMNS
    from sim.warmup import replications_needed

    kpis = args.kpi or list(KPI_COLUMNS)
    unknown = [k for k in kpis if k not in KPI_COLUMNS]
    if unknown:
        raise CliError(f"--kpi {unknown[0]}: not a KPI; choose from {', '.join(KPI_COLUMNS)}")
    scn = load_scenario(
        args.scenario, args.overrides, horizon=args.horizon, replications=args.pilot, seed=args.seed
    )
    run = _pilot_runs(args, scn, simulate, trace=False)
    n = len(run.results)
    pct = f"{args.target * 100:g}%"
    print(
        f"replications for a 95% half-width within {pct} of the mean, from {n} pilot "
        f"replications of {scn.name} (horizon {format_duration(scn.run.horizon)} after "
        f"warm-up {format_duration(scn.run.warmup)})"
    )
    rows = []
    for kpi in kpis:
        values = [r.kpis[kpi] for r in run.results]
        ci = t_interval(values)
        rel = (ci.ci_high - ci.mean) / abs(ci.mean) if ci.n >= 2 and ci.mean else math.nan
        need = replications_needed(values, args.target)
        rows.append(
            (
                kpi,
                f"{ci.mean:.4g}",
                f"{ci.std:.4g}",
                "" if math.isnan(rel) else f"{rel * 100:.2f}%",
                "n/a" if need is None else str(need),
            )
        )
    table = pd.DataFrame(
        rows, columns=["kpi", "mean", "std", f"half-width now (n={n})", "replications needed"]
    )
    print(table.to_string(index=False))
    return 0
