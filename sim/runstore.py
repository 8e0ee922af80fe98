"""A batch's per-replication files: written at once and atomically, read back to resume.

Each finished (scenario, replication) becomes ``DIR/runs/NAME/rep-000007.json`` (scenario
hashes, KPIs, flow balance, scored months, the breakdown of ``breakdown.csv`` and the
per-part table of ``parts.csv`` when the model gave them, wall time) and, with
``--trace``, its trace tables as ``rep-000007.TABLE.parquet`` written before the JSON: a
JSON file means the replication is complete. ``--resume`` keeps the files whose run hash
matches the scenario as now resolved (the scenario hash without ``run.replications``, which
no replication depends on), so a changed scenario reruns and a larger ``--reps`` adds only
the new replications. The final tables are always built from these files, so a resumed
batch and an uninterrupted one give the same bytes.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.breakdownresults import BREAKDOWN_KEY, plain_breakdown
from sim.experiment import ScenarioRun
from sim.kpi import KPI_COLUMNS
from sim.model.records import RunResult
from sim.partsresults import PARTS_KEY, plain_parts
from sim.results import (
    MANIFEST,
    RESULT_FILES,
    RUNS_DIR,
    SCENARIOS_DIR,
    TRACE_TABLES,
    ResultsError,
    atomic_path,
    file_stem,
    trace_table,
    write_atomic,
)
from sim.scenario import Scenario

FORMAT_VERSION = 1


def run_hash(scenario: Scenario) -> str:
    """The scenario hash without ``run.replications``: what one replication depends on."""
    run = scenario.run.model_copy(update={"replications": 1})
    return scenario.model_copy(update={"run": run}).digest()


def rep_path(out: Path, scenario: str, replication: int, table: str | None = None) -> Path:
    """``runs/NAME/rep-000007.json``, or its trace table ``rep-000007.TABLE.parquet``."""
    tail = f".{table}.parquet" if table else ".json"
    return out / RUNS_DIR / file_stem(scenario) / f"rep-{replication:06d}{tail}"


def _trace_tables(result: RunResult) -> dict[str, pd.DataFrame]:
    return {table: trace_table(result, table) for table in TRACE_TABLES}


def write_rep(
    out: Path,
    scenario: Scenario,
    result: RunResult,
    seconds: float,
    *,
    trace: bool = False,
    worker: str = "",
) -> Path:
    """Write one finished replication (trace tables first, the JSON last); return the JSON."""
    path = rep_path(out, scenario.name, result.replication)
    path.parent.mkdir(parents=True, exist_ok=True)
    if trace:
        for table, frame in _trace_tables(result).items():
            with atomic_path(rep_path(out, scenario.name, result.replication, table)) as tmp:
                frame.to_parquet(tmp, index=False)
    record = {
        "format_version": FORMAT_VERSION,
        "scenario": scenario.name,
        "replication": result.replication,
        "hash": scenario.digest(),
        "run_hash": run_hash(scenario),
        "seed": scenario.run.seed,
        "kpis": {k: result.kpis[k] for k in KPI_COLUMNS},
        "flow": result.flow,
        "months": result.extra.get("months", []),
        "seconds": round(seconds, 6),
        "worker": worker,
        "trace": trace,
    }
    breakdown = result.extra.get(BREAKDOWN_KEY)
    if breakdown is not None:
        record[BREAKDOWN_KEY] = plain_breakdown(breakdown)
    parts = result.extra.get(PARTS_KEY)
    write_atomic(path, _record_text(record, None if parts is None else plain_parts(parts)))
    return path


def _record_text(record: dict[str, Any], parts: dict[str, list[Any]] | None) -> str:
    """The record as indented JSON; the parts table, if any, last, one line per column
    (one value per line would make a 2,000-part catalogue 24,000 lines)."""
    text = json.dumps(record, indent=1)
    if parts is None:
        return text + "\n"
    columns = ",\n".join(
        f"  {json.dumps(key)}: {json.dumps(values, separators=(', ', ': '))}"
        for key, values in parts.items()
    )
    return f'{text[:-2]},\n "{PARTS_KEY}": {{\n{columns}\n }}\n}}\n'


def _parts_of(record: dict[str, Any]) -> dict[str, list[Any]] | None:
    """The record's parts table; None when it has none (an older record) or it is malformed."""
    parts = record.get(PARTS_KEY)
    if not isinstance(parts, dict) or not all(isinstance(v, list) for v in parts.values()):
        return None
    return {str(k): list(v) for k, v in parts.items()}


def _breakdown_of(record: dict[str, Any]) -> dict[str, Any] | None:
    """The record's breakdown; None when it has none (an older record) or it is malformed."""
    try:
        return plain_breakdown(record[BREAKDOWN_KEY])
    except (KeyError, ValueError):
        return None


def _read_record(path: Path) -> dict[str, Any] | None:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def _usable(out: Path, scn: Scenario, rep: int, key: str, trace: bool) -> dict[str, Any] | None:
    """The record of a complete replication whose run hash is ``key``, else None."""
    record = _read_record(rep_path(out, scn.name, rep))
    if record is None or record.get("format_version") != FORMAT_VERSION:
        return None
    if record.get("scenario") != scn.name or record.get("replication") != rep:
        return None
    if record.get("run_hash") != key or not isinstance(record.get("kpis"), dict):
        return None
    if any(k not in record["kpis"] for k in KPI_COLUMNS):
        return None
    if PARTS_KEY in record and _parts_of(record) is None:
        return None  # a damaged parts table: run the replication again
    if BREAKDOWN_KEY in record and _breakdown_of(record) is None:
        return None  # the same for a damaged breakdown
    if trace and not (
        record.get("trace") is True
        and all(rep_path(out, scn.name, rep, t).is_file() for t in TRACE_TABLES)
    ):
        return None
    return record


def done_replications(
    out: Path, scenarios: Sequence[Scenario], trace: bool = False
) -> set[tuple[str, int]]:
    """(scenario, replication) pairs already in ``out`` whose run hash matches.

    With ``trace`` a replication counts only if its trace tables are there too.
    """
    done = set()
    for scn in scenarios:
        key = run_hash(scn)
        for rep in range(scn.run.replications):
            if _usable(out, scn, rep, key, trace) is not None:
                done.add((scn.name, rep))
    return done


@dataclass(frozen=True)
class Stored:
    """The replications of one scenario read back from the folder, in order."""

    run: ScenarioRun
    workers: tuple[str, ...]


def load_scenario_run(out: Path, scenario: Scenario, trace: bool = False) -> Stored:
    """The stored replications of ``scenario`` with a matching run hash, in order."""
    key = run_hash(scenario)
    results, seconds, workers = [], [], []
    for rep in range(scenario.run.replications):
        record = _usable(out, scenario, rep, key, trace)
        if record is None:
            continue
        res = RunResult(scenario.name, rep, dict(record["kpis"]), dict(record["flow"]))
        res.extra["months"] = list(record.get("months", []))
        parts = _parts_of(record)
        if parts is not None:
            res.extra[PARTS_KEY] = parts
        breakdown = _breakdown_of(record)
        if breakdown is not None:
            res.extra[BREAKDOWN_KEY] = breakdown
        if trace:
            frames = {
                t: pd.read_parquet(rep_path(out, scenario.name, rep, t)) for t in TRACE_TABLES
            }
            res.jobs, res.stock = frames.pop("jobs"), frames.pop("stock")
            res.extra.update(frames)
        results.append(res)
        seconds.append(float(record.get("seconds", 0.0)))
        workers.append(str(record.get("worker", "")))
    run = ScenarioRun(scenario=scenario, results=tuple(results), seconds=tuple(seconds))
    return Stored(run=run, workers=tuple(workers))


# --- the folder ---------------------------------------------------------------------------


def check_batch_out(out: str | Path, resume: bool) -> Path:
    """Raise ResultsError unless a batch may write to ``out``.

    Usable: an absent or empty folder; an earlier results folder (it has a manifest); with
    ``resume``, also an unfinished batch (``runs/`` without a manifest). Anything else is
    someone else's folder and is refused.
    """
    path = Path(out)
    if path.exists() and not path.is_dir():
        raise ResultsError(f"--out {out}: exists and is not a folder")
    if not path.is_dir() or not any(path.iterdir()) or (path / MANIFEST).is_file():
        return path
    if (path / RUNS_DIR).is_dir():
        if resume:
            return path
        raise ResultsError(
            f"--out {out}: holds an unfinished batch ({RUNS_DIR}/ without {MANIFEST}); "
            "continue it with --resume, or choose another folder"
        )
    raise ResultsError(
        f"--out {out}: folder is not empty and holds no results ({MANIFEST}); choose another folder"
    )


def _remove_temp_files(root: Path) -> None:
    """Temporary files of writes cut short (a killed batch leaves them behind)."""
    if root.is_dir():
        for tmp in root.rglob(".*.tmp"):
            with suppress(FileNotFoundError):
                tmp.unlink()


def prepare_batch_out(out: str | Path, resume: bool) -> Path:
    """Make ``out`` ready for a batch (after :func:`check_batch_out` accepted it).

    The manifest goes first, so that a folder in the middle of a batch never claims to be
    complete. Without ``resume`` an earlier results folder is cleared; with it, the
    replication files stay to be reused.
    """
    path = check_batch_out(out, resume)
    path.mkdir(parents=True, exist_ok=True)
    with suppress(FileNotFoundError):
        (path / MANIFEST).unlink()
    if not resume:
        shutil.rmtree(path / RUNS_DIR, ignore_errors=True)
        for name in RESULT_FILES:
            with suppress(FileNotFoundError):
                (path / name).unlink()
        shutil.rmtree(path / SCENARIOS_DIR, ignore_errors=True)
    _remove_temp_files(path)
    (path / RUNS_DIR).mkdir(exist_ok=True)
    return path


def remove_stale_runs(out: Path, keep: Iterable[tuple[str, int]]) -> None:
    """Remove replication files that are not in ``keep`` (other scenarios, old hashes)."""
    wanted_by_dir: dict[str, set[str]] = {}
    for name, rep in keep:
        wanted_by_dir.setdefault(file_stem(name), set()).add(f"rep-{rep:06d}")
    root = out / RUNS_DIR
    if not root.is_dir():
        return
    for folder in root.iterdir():
        if not folder.is_dir():
            folder.unlink()
            continue
        stems = wanted_by_dir.get(folder.name)
        if stems is None:
            shutil.rmtree(folder)
            continue
        for path in folder.iterdir():
            if path.name.split(".", 1)[0] not in stems:
                path.unlink()
    _remove_temp_files(root)
