"""Running a batch: pending replications → executor → one file each → the results folder.

``run_batch`` holds the folder's lock throughout (``sim.outdir``), skips the replications
already in the folder (with ``resume``; damaged files are reported and run again), chunks
the rest into tasks, writes each finished replication at once (``sim.runstore``), records
the ones that raised, and finally builds every table from the replication files, so an
interrupted and resumed batch ends with the same files as an uninterrupted one.
``run_replications`` is the same loop without a folder, for pilot runs.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.batch import Batch
from sim.executors import (
    Executor,
    Outcome,
    chunk_size,
    make_tasks,
    sizes_first,
    split_tail,
)
from sim.experiment import ScenarioRun, Simulate, replications_frame, summarize
from sim.progress import Progress
from sim.regionresults import is_region_run, region_compare, region_frames
from sim.results import BatchOutputs, model_sizes, write_results
from sim.runstore import (
    Damaged,
    Record,
    Scan,
    damaged_line,
    hold_batch_out,
    prepare_batch_out,
    remove_stale_runs,
    scan_replications,
    store_record,
    stored_run,
    write_rep,
)
from sim.scenario_region import Simulated

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

ProgressFactory = Callable[[int, int], Progress]


@dataclass
class BatchReport:
    """What a batch produced: the runs read back, their tables, and what failed."""

    out: Path
    runs: list[ScenarioRun]
    summary: pd.DataFrame
    comparison: pd.DataFrame | None
    failures: list[dict[str, Any]]
    total: int
    reused: int
    ran: int = 0
    baseline: str | None = None
    workers: dict[str, int] = field(default_factory=dict)
    damaged: list[Damaged] = field(default_factory=list)


def _warn_stderr(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def _failure(outcome: Outcome, scenario: Simulated) -> dict[str, Any]:
    return {
        "scenario": outcome.scenario,
        "replication": outcome.replication,
        "hash": scenario.digest(),
        "error": outcome.error,
        "traceback": outcome.traceback,
        "worker": outcome.worker,
    }


def _pending(
    scenarios: Sequence[Simulated], skip: set[tuple[str, int]]
) -> list[tuple[Simulated, int]]:
    return [
        (scn, rep)
        for scn in scenarios
        for rep in range(scn.run.replications)
        if (scn.name, rep) not in skip
    ]


def _records_of(records: dict[tuple[str, int], Record], scn: Simulated) -> dict[int, Record]:
    """The records of ``scn``'s replications, by replication."""
    keys = ((scn.name, rep) for rep in range(scn.run.replications))
    return {key[1]: records[key] for key in keys if key in records}


def run_batch(
    batch: Batch,
    out: str | Path,
    executor: Executor,
    *,
    resume: bool = False,
    trace: bool = False,
    simulate: Simulate | None = None,
    progress: ProgressFactory | None = None,
    chunk: int | None = None,
    command: Sequence[str] = (),
    warn: Callable[[str], None] = _warn_stderr,
) -> BatchReport:
    """Run every replication of ``batch`` not yet in ``out`` and write the results folder.

    ``out`` is locked for the whole batch (FolderInUse, a ResultsError, if another run holds
    it; re-entrant for a caller that took the lock already). ``progress(total,
    already_done)`` makes the progress reporter. Failures do not stop the batch; they are in
    the report and in ``failures.json``. Damaged replication files found on ``resume`` are
    run again, named in one line through ``warn`` (stderr) and in the manifest.
    """
    with hold_batch_out(out, resume, batch.name):
        return _run_batch(
            batch, Path(out), executor, resume, trace, simulate, progress, chunk, command, warn
        )


def _run_batch(
    batch: Batch,
    out: Path,
    executor: Executor,
    resume: bool,
    trace: bool,
    simulate: Simulate | None,
    progress: ProgressFactory | None,
    chunk: int | None,
    command: Sequence[str],
    warn: Callable[[str], None],
) -> BatchReport:
    started = datetime.now(UTC)
    path = prepare_batch_out(out, resume, batch.name)
    scenarios = batch.scenarios
    by_name = {scn.name: scn for scn in scenarios}
    scan = scan_replications(path, scenarios, trace) if resume else Scan()
    if scan.damaged:
        warn(damaged_line(path, scan.damaged))
    done = scan.done
    pending = _pending(scenarios, done)
    total = len(done) + len(pending)
    size = chunk or chunk_size(len(pending), executor.slots())
    tasks = make_tasks(pending, size, trace, record=True, sizes=True)
    if chunk is None:  # the workers' last tasks, one replication each: they finish together
        tasks = split_tail(tasks, size * executor.slots())
    tasks = sizes_first(tasks)  # each scenario's sizes searched once, by one worker
    failures: list[dict[str, Any]] = []
    records: dict[tuple[str, int], Record] = dict(scan.records)
    sizes: dict[str, Mapping[str, np.ndarray]] = {}  # as the workers resolved them
    reporter = progress(total, len(done)) if progress else None
    ran = 0
    try:
        results = executor.run(tasks, simulate)  # a pool's workers start on them now
        import pandas  # noqa: F401  (for the final tables, loaded meanwhile)

        for outcomes in results:
            for o in outcomes:
                scn = by_name[o.scenario]
                if o.sizes is not None:
                    sizes[o.scenario] = o.sizes
                if o.error is not None or (o.result is None and o.stored is None):
                    failures.append(_failure(o, scn))
                    continue
                try:
                    if o.stored is not None:  # built by the worker
                        record = store_record(path, o.scenario, o.replication, *o.stored)
                    elif o.result is not None:
                        record = write_rep(
                            path, scn, o.result, o.seconds, trace=trace, worker=o.worker
                        )
                except (ValueError, TypeError) as exc:
                    o.error, o.traceback = f"{type(exc).__name__}: {exc}", None
                    failures.append(_failure(o, scn))
                    continue
                records[(o.scenario, o.replication)] = record
                ran += 1
            if reporter:
                reporter.update(len(outcomes))
    finally:
        if reporter:
            reporter.close()

    stored = [stored_run(path, scn, _records_of(records, scn), trace) for scn in scenarios]
    runs = [s.run for s in stored]
    remove_stale_runs(path, [(r.scenario, r.replication) for run in runs for r in run.results])
    if runs and all(is_region_run(run) for run in runs):
        reps, summary = region_frames(runs)
        comparison = region_compare(reps, batch.baseline) if batch.baseline else None
    else:
        reps = replications_frame(r for run in runs for r in run.results)
        summary = summarize(reps)
        from sim.comparison import compare

        comparison = compare(reps, batch.baseline) if batch.baseline else None
    failures.sort(key=lambda f: (batch.names.index(f["scenario"]), f["replication"]))
    workers: dict[str, int] = {}
    for s in stored:
        for w in s.workers:
            workers[w] = workers.get(w, 0) + 1
    settings = {name: batch.settings(name) for name in batch.names}
    manifest = {
        "batch": {
            "file": str(batch.file),
            "name": batch.name,
            "description": batch.description,
            "base": str(batch.base),
            "baseline": batch.baseline,
            "replications_total": total,
            "replications_reused": len(done),
            "replications_run": ran,
            "replications_failed": len(failures),
            "replications_damaged": [
                {"file": d.path.relative_to(path).as_posix(), "problem": d.problem}
                for d in scan.damaged
            ],
            "chunk_size": size,
            **executor.describe(),
        },
        "workers": dict(sorted(workers.items())),
        "settings": json.loads(json.dumps(settings, default=str)),
    }
    write_results(
        path,
        runs,
        command=command,
        started=started,
        trace=trace,
        sizes=lambda scn: sizes.get(scn.name) or model_sizes(scn),  # reused: resolved here
        batch=BatchOutputs(comparison=comparison, failures=failures, manifest=manifest),
    )
    return BatchReport(
        out=path,
        runs=runs,
        summary=summary,
        comparison=comparison,
        failures=failures,
        total=total,
        reused=len(done),
        ran=ran,
        baseline=batch.baseline,
        workers=workers,
        damaged=scan.damaged,
    )


def run_replications(
    scenarios: Sequence[Simulated],
    executor: Executor,
    *,
    trace: bool = False,
    simulate: Simulate | None = None,
    progress: ProgressFactory | None = None,
) -> tuple[list[ScenarioRun], list[Outcome]]:
    """Every replication of ``scenarios`` in memory (no folder): runs in order, failures."""
    pending = _pending(scenarios, set())
    tasks = make_tasks(pending, chunk_size(len(pending), executor.slots()), trace)
    collected: dict[tuple[str, int], Outcome] = {}
    failures: list[Outcome] = []
    reporter = progress(len(pending), 0) if progress else None
    try:
        for outcomes in executor.run(tasks, simulate):
            for o in outcomes:
                if o.error is None and o.result is not None:
                    collected[(o.scenario, o.replication)] = o
                else:
                    failures.append(o)
            if reporter:
                reporter.update(len(outcomes))
    finally:
        if reporter:
            reporter.close()
    runs = []
    for scn in scenarios:
        keys = [(scn.name, r) for r in range(scn.run.replications)]
        got = [collected[k] for k in keys if k in collected]
        runs.append(
            ScenarioRun(
                scenario=scn,
                results=tuple(o.result for o in got if o.result is not None),
                seconds=tuple(o.seconds for o in got),
            )
        )
    return runs, failures
