"""A batch's per-replication files: written at once and atomically, read back to resume.

Each finished (scenario, replication) becomes ``DIR/runs/NAME/rep-000007.json`` (scenario
hashes, KPIs, flow balance, scored months, the breakdown of ``breakdown.csv`` and the
per-part table of ``parts.csv`` when the model gave them, wall time) and, with
``--trace``, its trace tables as ``rep-000007.TABLE.parquet`` written before the JSON: a
JSON file means the replication is complete. ``--resume`` keeps the files whose run hash
matches the scenario as now resolved (the scenario hash without ``run.replications``, which
no replication depends on), so a changed scenario reruns and a larger ``--reps`` adds only
the new replications. The final tables are always built from these files' records (parsed
from the very text written, or read back on resume), so a resumed batch and an
uninterrupted one give the same bytes. The text itself is built by
:func:`sim.reprecord.sealed_record`, in the worker that ran the replication.

Each file carries a checksum of its content (``sim.repcheck``); a file that cannot be
parsed, whose checksum is missing (format 1, before checksums) or does not match, or whose
values are not what the model writes is *damaged*: :func:`scan_replications` reports it and
the batch runs it again. ``runs/batch.json`` names the batch that owns the folder, so that
``--resume`` of another batch is refused even before the first manifest.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.experiment import ScenarioRun
from sim.model.records import RunResult
from sim.outdir import hold_folder, is_empty
from sim.repcheck import TRACE_CHECKSUMS_KEY, checksum_problem, file_digest, values_problem
from sim.reprecord import FORMAT_VERSION, result_of_record, run_hash, sealed_record
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
from sim.scenario_region import Simulated

if TYPE_CHECKING:  # pandas only for trace tables: a batch's workers start before it loads
    import pandas as pd

BATCH_MARK = "batch.json"  # runs/batch.json: the batch that owns the folder

Record = dict[str, Any]


def rep_path(out: Path, scenario: str, replication: int, table: str | None = None) -> Path:
    """``runs/NAME/rep-000007.json``, or its trace table ``rep-000007.TABLE.parquet``."""
    tail = f".{table}.parquet" if table else ".json"
    return out / RUNS_DIR / file_stem(scenario) / f"rep-{replication:06d}{tail}"


def _trace_tables(result: RunResult) -> dict[str, pd.DataFrame]:
    return {table: trace_table(result, table) for table in TRACE_TABLES}


def write_rep(
    out: Path,
    scenario: Simulated,
    result: RunResult,
    seconds: float,
    *,
    trace: bool = False,
    worker: str = "",
) -> Record:
    """Write one finished replication (trace tables first, the JSON last); return its
    record as read back from the text written."""
    tables = {}
    if trace:
        for table, frame in _trace_tables(result).items():
            table_path = rep_path(out, scenario.name, result.replication, table)
            table_path.parent.mkdir(parents=True, exist_ok=True)
            with atomic_path(table_path) as tmp:
                frame.to_parquet(tmp, index=False)
            tables[table] = file_digest(table_path)
    text, record = sealed_record(
        scenario, result, seconds, worker=worker, trace=trace, trace_checksums=tables
    )
    return store_record(out, scenario.name, result.replication, text, record)


def store_record(out: Path, scenario: str, replication: int, text: str, record: Record) -> Record:
    """Write a replication file whose text, and the record it holds, were built by
    :func:`sim.reprecord.sealed_record` (in the worker that ran it); return the record."""
    path = rep_path(out, scenario, replication)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text)
    return record


@dataclass(frozen=True)
class Damaged:
    """A replication file that cannot be trusted, and why; the batch runs it again."""

    path: Path
    problem: str


class _DamagedRecord(Exception):
    """Raised inside :func:`_inspect` with the problem as its message."""


def _read_record(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise _DamagedRecord("not UTF-8 text") from None
    except OSError as exc:
        raise _DamagedRecord(f"unreadable ({exc.strerror or exc})") from None
    try:
        record = json.loads(text)
    except (ValueError, RecursionError):
        raise _DamagedRecord("not valid JSON (cut short?)") from None
    if not isinstance(record, dict):
        raise _DamagedRecord("not a JSON object")
    return record


def _check(
    record: dict[str, Any], out: Path, scn: Simulated, rep: int, key: str, trace: bool
) -> bool:
    """Whether ``record`` is a reusable replication: False for one of another scenario
    version (or without the trace asked for), which reruns as a matter of course; raises
    _DamagedRecord for damage."""
    if record.get("run_hash") != key:
        return False  # the scenario changed since (or the file was altered there)
    version = record.get("format_version")
    if version == 1:
        raise _DamagedRecord("no checksum (written before format 2)")
    if version != FORMAT_VERSION:
        raise _DamagedRecord(f"unknown format_version {json.dumps(version)[:20]}")
    problem = checksum_problem(record)
    if problem is None and (record.get("scenario"), record.get("replication")) != (scn.name, rep):
        problem = "holds another replication"
    problem = problem or values_problem(record)
    if problem:
        raise _DamagedRecord(problem)
    if not trace:
        return True
    if record.get("trace") is not True:
        return False  # written without --trace
    digests = record.get(TRACE_CHECKSUMS_KEY)
    for table in TRACE_TABLES:
        path = rep_path(out, scn.name, rep, table)
        if not path.is_file():
            raise _DamagedRecord(f"trace table {path.name} is missing")
        if not isinstance(digests, dict) or digests.get(table) != file_digest(path):
            raise _DamagedRecord(f"trace table {path.name} does not match its checksum")
    return True


def _inspect(
    out: Path, scn: Simulated, rep: int, key: str, trace: bool
) -> tuple[dict[str, Any] | None, Damaged | None]:
    """The record of a complete, trustworthy replication whose run hash is ``key`` (else
    None), and the damage found, if any."""
    path = rep_path(out, scn.name, rep)
    if not path.is_file():
        return None, None
    try:
        record = _read_record(path)
        return (record if _check(record, out, scn, rep, key, trace) else None), None
    except _DamagedRecord as exc:
        return None, Damaged(path, str(exc))


@dataclass
class Scan:
    """What :func:`scan_replications` found: the reusable replications (and their records)
    and the damaged files."""

    done: set[tuple[str, int]] = field(default_factory=set)
    damaged: list[Damaged] = field(default_factory=list)
    records: dict[tuple[str, int], Record] = field(default_factory=dict)


def scan_replications(out: Path, scenarios: Sequence[Simulated], trace: bool = False) -> Scan:
    """The (scenario, replication) pairs in ``out`` that may be reused (run hash matches,
    checksum and values sound; with ``trace`` its trace tables too), and the damaged files."""
    scan = Scan()
    for scn in scenarios:
        key = run_hash(scn)
        for rep in range(scn.run.replications):
            record, damaged = _inspect(out, scn, rep, key, trace)
            if record is not None:
                scan.done.add((scn.name, rep))
                scan.records[(scn.name, rep)] = record
            if damaged is not None:
                scan.damaged.append(damaged)
    return scan


def done_replications(
    out: Path, scenarios: Sequence[Simulated], trace: bool = False
) -> set[tuple[str, int]]:
    """(scenario, replication) pairs already in ``out`` that may be reused
    (:func:`scan_replications`)."""
    return scan_replications(out, scenarios, trace).done


def damaged_line(out: Path, damaged: Sequence[Damaged], most: int = 20) -> str:
    """One line naming the damaged files (relative to ``out``) and what is wrong with each;
    past ``most`` files, how many more (the manifest lists them all)."""
    files = "; ".join(f"{_relative(d.path, out)} ({d.problem})" for d in damaged[:most])
    n = len(damaged)
    more = f"; and {n - most} more (all in {MANIFEST})" if n > most else ""
    return f"{n} replication file{'s' if n != 1 else ''} damaged, run again: {files}{more}"


def _relative(path: Path, out: Path) -> str:
    try:
        return path.relative_to(out).as_posix()
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class Stored:
    """The replications of one scenario read back from the folder, in order."""

    run: ScenarioRun
    workers: tuple[str, ...]


def load_scenario_run(out: Path, scenario: Simulated, trace: bool = False) -> Stored:
    """The stored replications of ``scenario`` with a matching run hash, in order."""
    key = run_hash(scenario)
    records = {}
    for rep in range(scenario.run.replications):
        record, _ = _inspect(out, scenario, rep, key, trace)
        if record is not None:
            records[rep] = record
    return stored_run(out, scenario, records, trace)


def stored_run(
    out: Path, scenario: Simulated, records: dict[int, Record], trace: bool = False
) -> Stored:
    """The replications of ``scenario`` from their checked records (by replication), in
    order; with ``trace``, their trace tables read from ``out``."""
    if trace:
        import pandas as pd
    results, seconds, workers = [], [], []
    for rep in sorted(records):
        record = records[rep]
        res = result_of_record(scenario, rep, record)
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


def check_batch_out(out: str | Path, resume: bool, batch: str | None = None) -> Path:
    """Raise ResultsError unless a batch (named ``batch``) may write to ``out``.

    Usable: an absent or empty folder; an earlier results folder (it has a manifest); with
    ``resume``, also an unfinished batch (``runs/`` without a manifest). Anything else is
    someone else's folder and is refused, and so is ``resume`` into a folder that the
    manifest or ``runs/batch.json`` gives to another batch.
    """
    path = Path(out)
    if path.exists() and not path.is_dir():
        raise ResultsError(f"--out {out}: exists and is not a folder")
    if not path.is_dir() or is_empty(path):
        return path
    if not (path / MANIFEST).is_file() and not (path / RUNS_DIR).is_dir():
        raise ResultsError(
            f"--out {out}: folder is not empty and holds no results ({MANIFEST}); "
            "choose another folder"
        )
    if not (path / MANIFEST).is_file() and not resume:
        raise ResultsError(
            f"--out {out}: holds an unfinished batch ({RUNS_DIR}/ without {MANIFEST}); "
            "continue it with --resume, or choose another folder"
        )
    owner = folder_batch(path)
    if resume and batch is not None and owner is not None and owner != batch:
        raise ResultsError(
            f"--out {out}: holds batch {owner!r}, not {batch!r}; --resume continues only "
            "the same batch: choose another --out"
        )
    return path


def folder_batch(path: Path) -> str | None:
    """The name of the batch whose results ``path`` holds: from the manifest of a finished
    folder, else from ``runs/batch.json``; None when neither says (a ``run --out`` folder,
    or one from before ``runs/batch.json``)."""
    if (path / MANIFEST).is_file():
        source, pick = path / MANIFEST, lambda d: (d.get("batch") or {}).get("name")
    else:
        source, pick = path / RUNS_DIR / BATCH_MARK, lambda d: d.get("name")
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
        name = pick(data)
    except (OSError, ValueError, AttributeError):
        return None
    return name if isinstance(name, str) else None


def hold_batch_out(
    out: str | Path, resume: bool, batch: str | None = None
) -> AbstractContextManager[Path | None]:
    """Hold the exclusive lock on ``out`` for a batch (``sim.outdir.hold_folder``), checked
    by :func:`check_batch_out` before and once locked; FolderInUse if another run has it."""
    return hold_folder(out, lambda path: check_batch_out(path, resume, batch))


def _remove_temp_files(root: Path) -> None:
    """Temporary files of writes cut short (a killed batch leaves them behind)."""
    if root.is_dir():
        for tmp in root.rglob(".*.tmp"):
            with suppress(FileNotFoundError):
                tmp.unlink()


def prepare_batch_out(out: str | Path, resume: bool, batch: str | None = None) -> Path:
    """Make ``out`` ready for the batch ``batch`` (after :func:`check_batch_out` accepted it).

    The manifest goes first, so that a folder in the middle of a batch never claims to be
    complete. Without ``resume`` an earlier results folder is cleared; with it, the
    replication files stay to be reused. ``runs/batch.json`` then names the batch.
    """
    path = check_batch_out(out, resume, batch)
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
    if batch is not None:
        write_atomic(path / RUNS_DIR / BATCH_MARK, json.dumps({"name": batch}) + "\n")
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
            if folder.name != BATCH_MARK:
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
