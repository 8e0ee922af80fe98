"""The results folder (docs/architecture.md, "The results folder"), written atomically.

Every input is checked and every file's content prepared before the folder is created, so bad
input leaves nothing behind. Each file is written to a temporary name in its own folder and
moved into place with ``os.replace``; ``manifest.json`` comes last, so a folder with a
manifest is complete. The CSV files format numbers themselves (shortest exact repr, empty
cell for an undefined KPI), so identical runs give byte-identical files.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import platform
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import yaml

import sim
from sim.breakdownresults import breakdown_table
from sim.catalogue import catalogue_of, write_catalogue
from sim.experiment import (
    ID_COLUMNS,
    REPLICATION_COLUMNS,
    SUMMARY_COLUMNS,
    ScenarioRun,
    replication_rows,
    summary_rows,
)
from sim.kpi import KPI_COLUMNS
from sim.model.records import RunResult
from sim.outdir import ResultsError, hold_folder, is_empty
from sim.partsresults import parts_table
from sim.regionresults import (
    REGION_REPLICATION_COLUMNS,
    REGION_SUMMARY_COLUMNS,
    centre_parts_table,
    dealer_runs,
    is_region_run,
    region_replication_rows,
    region_summary_rows,
    with_dealer,
)
from sim.scenario import Scenario
from sim.scenario_region import REGION_ROW, Region
from sim.scorecard import scorecard_kpi_rows, scorecard_summary_table, scorecard_table
from sim.units import format_duration

if TYPE_CHECKING:
    import pandas as pd

MANIFEST = "manifest.json"
SCENARIOS_DIR = "scenarios"
RUNS_DIR = "runs"  # a batch's per-replication files (sim.runstore)
FORMAT_VERSION = 1
# Files a results folder may hold; those this run does not write are removed when a previous
# results folder is overwritten, so the folder never mixes two runs.
RESULT_FILES = (
    "replications.csv",
    "summary.csv",
    "flow.csv",
    "parts.csv",
    "breakdown.csv",
    "comparison.csv",
    "scorecards.csv",
    "failures.json",
    "jobs.parquet",
    "stock.parquet",
    "pools.parquet",
    "trucks.parquet",
    "report.html",
    "results.xlsx",
)
TRACE_TABLES = ("jobs", "stock", "pools", "trucks")
REGION_ID_COLUMNS = ("scenario", "dealer", "replication")
PACKAGE_DIR = Path(sim.__file__).resolve().parent

SizesFn = Callable[[Scenario], Mapping[str, np.ndarray] | None]
Writer = Callable[[Path], None]


# --- atomic files -------------------------------------------------------------------------


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` that replaces it when the block succeeds.

    The temporary file is removed if the block raises, so a failed write leaves the old file
    (or no file) in place, never half of a new one.
    """
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        with suppress(FileNotFoundError):
            tmp.unlink()
        raise


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` atomically (flushed to disk before the rename)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_path(path) as tmp, tmp.open("wb") as fh:
        fh.write(raw)
        fh.flush()
        os.fsync(fh.fileno())


# --- formatting ---------------------------------------------------------------------------


def format_cell(value: Any) -> str:
    """A CSV cell: empty for None/NaN, whole numbers without ``.0``, other floats exactly."""
    kind = type(value)
    if kind is str:
        return value
    if kind is float:  # the common cases first, at a type check each
        if value != value:
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)
    if kind is int:
        return str(value)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    x = float(value)
    if math.isnan(x):
        return ""
    if x.is_integer() and abs(x) < 2**53:
        return str(int(x))
    return repr(x)


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV text with a header, ``\\n`` line ends and cells from :func:`format_cell`."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([format_cell(v) for v in row])
    return buf.getvalue()


def frame_csv(frame: pd.DataFrame) -> str:
    """A DataFrame as :func:`csv_text`."""
    return csv_text(list(frame.columns), frame.itertuples(index=False, name=None))


def file_stem(name: str) -> str:
    """A file-name-safe form of a scenario name (letters, digits, ``.``, ``_``, ``-``)."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._")
    return stem or "scenario"


# --- environment --------------------------------------------------------------------------


def git_info(repo: Path = PACKAGE_DIR.parent) -> dict[str, Any] | None:
    """The commit and dirty flag of the checkout holding the package, or None outside git."""

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "-C", str(repo), *args], capture_output=True, text=True, timeout=10, check=True
        )
        return done.stdout.strip()

    try:
        if Path(git("rev-parse", "--show-toplevel")).resolve() != repo.resolve():
            return None
    except (OSError, subprocess.SubprocessError):
        return None
    try:
        commit: str | None = git("rev-parse", "--verify", "HEAD")
    except (OSError, subprocess.SubprocessError):
        commit = None  # a repository without commits
    try:
        dirty: bool | None = bool(git("status", "--porcelain", "--untracked-files=no"))
    except (OSError, subprocess.SubprocessError):
        dirty = None
    return {"commit": commit, "dirty": dirty}


def model_sizes(scenario: Scenario) -> Mapping[str, np.ndarray]:
    """Per-part policy sizes resolved by the model."""
    from sim.model.world import sizes_for

    return sizes_for(scenario)


# --- the folder ---------------------------------------------------------------------------


def check_out_dir(out: str | Path) -> Path:
    """Raise ResultsError unless ``out`` is absent, empty, or an earlier results folder.

    The lock file (``sim.outdir``) does not count: a folder holding only it is empty.
    """
    path = Path(out)
    if path.exists() and not path.is_dir():
        raise ResultsError(f"--out {out}: exists and is not a folder")
    if (path / RUNS_DIR).is_dir() and not (path / MANIFEST).is_file():
        raise ResultsError(
            f"--out {out}: holds an unfinished batch ({RUNS_DIR}/ without {MANIFEST}); "
            "continue it with batch --resume, or choose another folder"
        )
    if path.is_dir() and not is_empty(path) and not (path / MANIFEST).is_file():
        raise ResultsError(
            f"--out {out}: folder is not empty and holds no results ({MANIFEST}); "
            "choose another folder"
        )
    return path


def hold_out_dir(out: str | Path | None) -> AbstractContextManager[Path | None]:
    """Hold ``out`` for ``run --out`` (:func:`sim.outdir.hold_folder` with
    :func:`check_out_dir`): checked, locked, checked again; nothing for None."""
    return hold_folder(out, check_out_dir)


@dataclass
class _Plan:
    """The files to write, by path relative to the folder: bytes/text or a path writer."""

    files: dict[str, str | bytes | Writer] = field(default_factory=dict)

    def add(self, rel: str, content: str | bytes | Writer) -> None:
        if rel in self.files:
            raise ValueError(f"two outputs would both be written to {rel}")
        self.files[rel] = content


def trace_table(result: RunResult, table: str) -> pd.DataFrame:
    """One trace table of a result (jobs and stock are attributes, the others in ``extra``)."""
    import pandas as pd

    frame = getattr(result, table, None)
    if frame is None:
        frame = result.extra.get(table)
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(
            f"trace asked for, but result ({result.scenario!r}, {result.replication}) "
            f"has no {table} table"
        )
    return frame


def _trace_writer(runs: Sequence[ScenarioRun], table: str) -> Writer:
    import pandas as pd

    frames = []
    for run in runs:
        for res in run.results:
            frame = trace_table(res, table).assign(
                scenario=res.scenario, replication=res.replication
            )
            rest = [c for c in frame.columns if c not in ID_COLUMNS]
            frames.append(frame[[*ID_COLUMNS, *rest]])
    if not frames:
        raise ValueError(f"trace asked for, but no replication produced a {table} table")
    merged = pd.concat(frames, ignore_index=True)
    return lambda path: merged.to_parquet(path, index=False)


Table = tuple[list[str], list[tuple[Any, ...]]]  # column names and rows


def _union(tables: Sequence[Table]) -> Table:
    """The tables one under the other: columns in order of first appearance, a cell a table
    lacks is None (an empty cell)."""
    columns = list(dict.fromkeys(c for cols, _ in tables for c in cols))
    rows = []
    for cols, part in tables:
        if cols == columns:
            rows.extend(part)
            continue
        at = [cols.index(c) if c in cols else None for c in columns]
        rows.extend(tuple(None if i is None else row[i] for i in at) for row in part)
    return columns, rows


def _scorecards(runs: Sequence[ScenarioRun]) -> Table | None:
    """Every scored replication-month of the runs whose scenario has scorecard targets."""
    scored = [
        scorecard_table(run.results, run.scenario)
        for run in runs
        if run.scenario.scorecard is not None and run.scenario.scorecard.targets
    ]
    if not scored:
        return None
    tables = [t for t in scored if t[1]]
    return _union(tables) if tables else scored[0]


def _flow_table(runs: Sequence[ScenarioRun]) -> Table:
    """The flow balance of every replication (warm-up included): jobs and parts conserved."""
    tables = [
        ([*ID_COLUMNS, *res.flow], [(res.scenario, res.replication, *res.flow.values())])
        for run in runs
        for res in run.results
    ]
    return _union(tables)


def _sizes_writer(scenario: Scenario, sizes: Mapping[str, np.ndarray]) -> Writer:
    parts = scenario.parts
    cat = catalogue_of(parts.catalogue, parts.catalogue_sha256, parts.generate, scenario.run.seed)
    extra = {k: np.asarray(v) for k, v in sizes.items()}
    for key, arr in extra.items():
        if arr.shape != (len(cat),):
            raise ValueError(
                f"resolved size {key!r} of {scenario.name!r} has shape {arr.shape}, "
                f"expected ({len(cat)},)"
            )
    return lambda path: write_catalogue(cat, path, extra)


def _scenario_yaml(scenario: Scenario | Region, sizes_file: str | None) -> str:
    head = f"# Resolved scenario {scenario.name!r}, exactly as simulated.\n"
    head += f"# sha256 {scenario.digest()}\n"
    if sizes_file:
        head += f"# Per-part policy sizes: {sizes_file}\n"
    body = yaml.safe_dump(scenario.dump(), sort_keys=False, allow_unicode=True, width=100)
    return head + body


@dataclass(frozen=True)
class BatchOutputs:
    """What a batch adds to the folder: the paired comparison, failures, manifest fields."""

    comparison: pd.DataFrame | None = None
    failures: Sequence[Mapping[str, Any]] = ()
    manifest: Mapping[str, Any] = field(default_factory=dict)


def _plan_tables(plan: _Plan, runs: Sequence[ScenarioRun]) -> None:
    """The tables of single scenarios' runs."""
    rep_rows = replication_rows(res for run in runs for res in run.results)
    plan.add("replications.csv", csv_text(REPLICATION_COLUMNS, rep_rows))
    summary = summary_rows(REPLICATION_COLUMNS, rep_rows, KPI_COLUMNS)
    cards = _scorecards(runs)
    if cards is not None:
        plan.add("scorecards.csv", csv_text(*cards))
        summary += scorecard_kpi_rows(scorecard_summary_table(*cards))
    plan.add("summary.csv", csv_text(SUMMARY_COLUMNS, summary))
    plan.add("flow.csv", csv_text(*_flow_table(runs)))
    parts = parts_table(runs)
    if parts is not None:
        plan.add("parts.csv", csv_text(*parts))
    breakdown = breakdown_table(runs)
    if breakdown is not None:
        plan.add("breakdown.csv", csv_text(*breakdown))


def _plan_regions(plan: _Plan, runs: Sequence[ScenarioRun]) -> None:
    """The tables of regions' runs: every per-dealer table with a ``dealer`` column, the
    centre's KPIs as ``region`` rows, its parts as ``centre`` rows (``sim.regionresults``)."""
    rep_rows = region_replication_rows(runs)
    plan.add("replications.csv", csv_text(REGION_REPLICATION_COLUMNS, rep_rows))
    summary = region_summary_rows(rep_rows)
    per_dealer = [(run.scenario.name, dealer_runs(run)) for run in runs]

    def joined(build: Callable[[Sequence[ScenarioRun]], Table | None]) -> Table | None:
        tables = []
        for region, dealers in per_dealer:
            for dealer in dealers:
                table = build([dealer])
                if table is not None and table[1]:
                    tables.append(with_dealer(region, table))
        return _union(tables) if tables else None

    cards = joined(_scorecards)
    if cards is not None:
        plan.add("scorecards.csv", csv_text(*cards))
        for region, dealers in per_dealer:
            for dealer in dealers:
                table = _scorecards([dealer])
                if table is not None and table[1]:
                    rows = scorecard_kpi_rows(scorecard_summary_table(*table))
                    summary += [(region, *row) for row in rows]
    plan.add("summary.csv", csv_text(REGION_SUMMARY_COLUMNS, summary))
    flows = joined(_flow_table)
    centre_flow = [
        (
            [*REGION_ID_COLUMNS, *res.flow],
            [(run.scenario.name, REGION_ROW, res.replication, *res.flow.values())],
        )
        for run in runs
        for res in run.results
    ]
    assert flows is not None
    plan.add("flow.csv", csv_text(*_union([flows, *centre_flow])))
    parts = [t for t in (joined(parts_table), centre_parts_table(runs)) if t is not None]
    if parts:
        plan.add("parts.csv", csv_text(*_union(parts)))
    breakdown = joined(breakdown_table)
    if breakdown is not None:
        plan.add("breakdown.csv", csv_text(*breakdown))


def _plan(
    runs: Sequence[ScenarioRun],
    *,
    command: Sequence[str],
    started: datetime,
    trace: bool,
    sizes: SizesFn | None,
    batch: BatchOutputs | None = None,
) -> tuple[_Plan, dict[str, Any]]:
    """Check the runs and prepare every file's content; the manifest is returned apart."""
    if not runs:
        raise ValueError("no scenario runs to write")
    names = [run.scenario.name for run in runs]
    if len(set(names)) != len(names):
        raise ValueError(f"scenario names repeat: {names}")
    stems = [file_stem(n) for n in names]
    if len(set(stems)) != len(stems):
        raise ValueError(f"scenario names {names} give the same file name")
    for run in runs:
        reps = [res.replication for res in run.results]
        if len(set(reps)) != len(reps) or any(r.scenario != run.scenario.name for r in run.results):
            raise ValueError(f"results of {run.scenario.name!r} are inconsistent: {reps}")

    plan = _Plan()
    regions = [is_region_run(run) for run in runs]
    if any(regions):
        if not all(regions):
            raise ValueError("regions and single scenarios cannot share a results folder")
        _plan_regions(plan, runs)
    else:
        _plan_tables(plan, runs)
    if batch is not None and batch.comparison is not None:
        plan.add("comparison.csv", frame_csv(batch.comparison))
    if batch is not None and batch.failures:
        plan.add("failures.json", json.dumps(list(batch.failures), indent=2) + "\n")
    if trace and any(run.results for run in runs):
        for table in TRACE_TABLES:
            plan.add(f"{table}.parquet", _trace_writer(runs, table))

    entries = []
    for run, stem in zip(runs, stems, strict=True):
        scn = run.scenario
        resolved = sizes(scn) if sizes is not None and isinstance(scn, Scenario) else None
        sizes_file = f"{stem}.sizes.csv" if resolved else None
        if resolved and sizes_file and isinstance(scn, Scenario):
            plan.add(f"{SCENARIOS_DIR}/{sizes_file}", _sizes_writer(scn, resolved))
        plan.add(f"{SCENARIOS_DIR}/{stem}.yaml", _scenario_yaml(scn, sizes_file))
        entries.append(
            {
                "name": scn.name,
                "file": f"{SCENARIOS_DIR}/{stem}.yaml",
                "sizes_file": f"{SCENARIOS_DIR}/{sizes_file}" if sizes_file else None,
                "hash": scn.digest(),
                "seed": scn.run.seed,
                "replications": [res.replication for res in run.results],
                "horizon": format_duration(scn.run.horizon),
                "warmup": format_duration(scn.run.warmup),
                "seconds": round(sum(run.seconds), 6),
                "replication_seconds": [round(s, 6) for s in run.seconds],
            }
        )
    finished = datetime.now(UTC)
    manifest = {
        "format_version": FORMAT_VERSION,
        "package": {"name": "jit-workshop-sim", "version": sim.__version__},
        "git": git_info(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "command": list(command),
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "wall_seconds": round((finished - started).total_seconds(), 3),
        "trace": trace,
        **(dict(batch.manifest) if batch is not None else {}),
        "scenarios": entries,
        "files": sorted([*plan.files, MANIFEST]),
    }
    return plan, manifest


def _remove_stale(out: Path, keep: set[str], keep_runs: bool = False) -> None:
    if not keep_runs and (out / RUNS_DIR).is_dir():
        shutil.rmtree(out / RUNS_DIR)
    for name in RESULT_FILES:
        if name not in keep:
            with suppress(FileNotFoundError):
                (out / name).unlink()
    for path in (out / SCENARIOS_DIR).iterdir():
        rel = f"{SCENARIOS_DIR}/{path.name}"
        if path.is_file() and rel not in keep and path.suffix in (".yaml", ".csv"):
            path.unlink()


def write_results(
    out: str | Path,
    runs: Sequence[ScenarioRun],
    *,
    command: Sequence[str] = (),
    started: datetime | None = None,
    trace: bool = False,
    sizes: SizesFn | None = model_sizes,
    batch: BatchOutputs | None = None,
) -> Path:
    """Write the results folder ``out`` for ``runs``; return its path.

    ``sizes`` gives a scenario's resolved per-part policy sizes for ``NAME.sizes.csv`` (None
    or an empty mapping: no sizes file). Raises ResultsError or ValueError, having written
    nothing, when ``out`` or the runs are unusable. Files of an earlier results folder at
    ``out`` that this run does not produce are removed. With ``batch``, ``out`` is a batch's
    folder (prepared by ``sim.runstore``) and its ``runs/`` stay.
    """
    path = Path(out) if batch is not None else check_out_dir(out)
    started = started or datetime.now(UTC)
    plan, manifest = _plan(
        runs, command=command, started=started, trace=trace, sizes=sizes, batch=batch
    )
    (path / SCENARIOS_DIR).mkdir(parents=True, exist_ok=True)
    for rel, content in plan.files.items():
        target = path / rel
        if callable(content):
            with atomic_path(target) as tmp:
                content(tmp)
        else:
            write_atomic(target, content)
    _remove_stale(path, set(plan.files), keep_runs=batch is not None)
    write_atomic(path / MANIFEST, json.dumps(manifest, indent=2) + "\n")
    return path


# --- reading back -------------------------------------------------------------------------


def read_manifest(out: str | Path) -> dict[str, Any]:
    """The manifest of a results folder."""
    return json.loads((Path(out) / MANIFEST).read_text(encoding="utf-8"))


def read_replications(out: str | Path) -> pd.DataFrame:
    """``replications.csv`` with empty cells as NaN and KPI columns as floats."""
    import pandas as pd

    frame = pd.read_csv(Path(out) / "replications.csv", dtype={"scenario": str})
    return frame.astype({k: "float64" for k in KPI_COLUMNS if k in frame.columns})


def read_summary(out: str | Path) -> pd.DataFrame:
    """``summary.csv`` with empty cells as NaN."""
    import pandas as pd

    frame = pd.read_csv(Path(out) / "summary.csv", dtype={"scenario": str, "kpi": str})
    return frame[list(SUMMARY_COLUMNS)]
