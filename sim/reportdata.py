"""Reading a results folder for the report: its tables, its scenarios, what a batch swept.

Everything is read as written by ``sim.results`` (and ``sim.scorecard`` for
``scorecards.csv``); optional files (comparison, scorecards, parts, breakdown, trace tables)
are None when absent. Resolved scenarios are read as plain YAML, not validated again: the
report must not need the parts catalogue the run read, and the YAML is exactly what was
simulated.
"""

from __future__ import annotations

import json
import math
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sim import yamltext
from sim.calendar import Calendar
from sim.inputfiles import InputFileError, read_text
from sim.labels import param_label
from sim.units import parse_clock, parse_duration

TRACE_TABLES = ("jobs", "stock", "pools", "trucks")
IGNORED_KEYS = ("name", "description", "run.replications")


class ReportError(ValueError):
    """The folder cannot be reported on; ``str(err)`` is the one-line message."""


@dataclass
class Folder:
    """The tables and scenarios of one results folder."""

    path: Path
    manifest: dict[str, Any]
    summary: pd.DataFrame
    replications: pd.DataFrame
    scenarios: dict[str, dict[str, Any]]
    sizes: dict[str, pd.DataFrame] = field(default_factory=dict)
    comparison: pd.DataFrame | None = None
    scorecards: pd.DataFrame | None = None
    parts: pd.DataFrame | None = None
    breakdown: pd.DataFrame | None = None
    traces: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        """Scenario names in the order of the summary."""
        return list(dict.fromkeys(self.summary["scenario"]))

    @property
    def baseline(self) -> str | None:
        """The batch's baseline, if any."""
        batch = self.manifest.get("batch") or {}
        return batch.get("baseline") if isinstance(batch, Mapping) else None

    @property
    def title(self) -> str:
        """The batch name, or the scenario name of a single run."""
        batch = self.manifest.get("batch") or {}
        if isinstance(batch, Mapping) and batch.get("name"):
            return f"batch {batch['name']}"
        return f"scenario {self.names[0]}" if len(self.names) == 1 else "results"

    def focus(self) -> str:
        """The scenario that single-scenario figures show: the baseline, else the first."""
        return self.baseline if self.baseline in self.names else self.names[0]

    def currency(self) -> str:
        """The currency of the first scenario (all share it in practice)."""
        scn = self.scenarios.get(self.focus()) or {}
        return str((scn.get("economics") or {}).get("currency", ""))


# The columns the report reads from each table, and those of them that hold numbers.
_COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "summary.csv": (
        ("scenario", "kpi", "mean", "std", "ci_low", "ci_high", "n"),
        ("mean", "std", "ci_low", "ci_high", "n"),
    ),
    "replications.csv": (("scenario", "replication"), ("replication",)),
    "comparison.csv": (
        ("scenario", "baseline", "kpi", "baseline_mean", "mean_diff", "ci_low", "ci_high", "n"),
        ("baseline_mean", "mean_diff", "ci_low", "ci_high", "n"),
    ),
    "parts.csv": (("scenario", "part_no"), ()),
    "breakdown.csv": (
        ("scenario", "group", "name", "kpi", "mean", "ci_low", "ci_high", "n"),
        ("mean", "ci_low", "ci_high", "n"),
    ),
    "sizes": (("part_no",), ()),
}
_DTYPES = {"scenario": str, "dealer": str, "kpi": str, "baseline": str, "part_no": str, "name": str}


def _regular(path: Path) -> None:
    """ReportError unless ``path`` is a regular file (a pipe or a device would hang)."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise ReportError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if not stat.S_ISREG(mode):
        raise ReportError(f"{path}: cannot read: not a regular file")


def _csv(path: Path, kind: str | None = None) -> pd.DataFrame:
    """A table of the folder with the columns the report reads (``_COLUMNS[kind]``)."""
    _regular(path)
    try:
        frame = pd.read_csv(path, dtype=_DTYPES)
    except (OSError, ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ReportError(f"{path}: cannot read: {exc}") from None
    required, numeric = _COLUMNS.get(kind or path.name, ((), ()))
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ReportError(f"{path}: lacks column(s) {', '.join(missing)}")
    for col in numeric:
        if not pd.api.types.is_numeric_dtype(frame[col]):
            raise ReportError(f"{path}: column {col} holds values that are not numbers")
    return frame


def _json_kind(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return "a string" if isinstance(value, str) else "a number"


def _check_manifest(manifest: Any, path: Path) -> dict[str, Any]:
    """The manifest, if it has the shape the report reads; ReportError naming the field."""
    if not isinstance(manifest, dict):
        raise ReportError(f"{path}: must be a JSON object, not {_json_kind(manifest)}")
    for key, kind in (("git", dict), ("package", dict), ("settings", dict), ("batch", dict)):
        value = manifest.get(key)
        if value is not None and not isinstance(value, kind):
            raise ReportError(f"{path}: {key}: must be an object, not {_json_kind(value)}")
    command = manifest.get("command")
    if command is not None and not isinstance(command, list):
        raise ReportError(f"{path}: command: must be a list, not {_json_kind(command)}")
    for name, value in (manifest.get("settings") or {}).items():
        if not isinstance(value, dict):
            raise ReportError(f"{path}: settings.{name}: must be an object")
    entries = manifest.get("scenarios", [])
    if not isinstance(entries, list):
        raise ReportError(f"{path}: scenarios: must be a list, not {_json_kind(entries)}")
    for i, entry in enumerate(entries):
        where = f"{path}: scenarios.{i}"
        if not isinstance(entry, dict):
            raise ReportError(f"{where}: must be an object, not {_json_kind(entry)}")
        if not isinstance(entry.get("name"), str):
            raise ReportError(f"{where}.name: must be a string")
        for key in ("file", "sizes_file"):
            if entry.get(key) is not None and not isinstance(entry[key], str):
                raise ReportError(f"{where}.{key}: must be a file name")
        if not isinstance(entry.get("replications", []), list):
            raise ReportError(f"{where}.replications: must be a list")
    return manifest


def _scenario_yaml(path: Path) -> dict[str, Any]:
    """A resolved scenario of the folder as plain data (a mapping), or ReportError."""
    try:
        data = yamltext.safe_load(read_text(path))
    except InputFileError as exc:
        raise ReportError(str(exc)) from None
    except yaml.YAMLError as exc:
        raise ReportError(f"{path}: {yamltext.describe(exc)}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ReportError(f"{path}: a resolved scenario must be a YAML mapping")
    return data


def read_folder(path: str | Path) -> Folder:
    """Read a results folder; ReportError when it is not one (no manifest, no summary) or
    a file the report reads is damaged (naming the file and the field or column)."""
    from sim.scorecard import read_scorecards

    root = Path(path)
    if not root.is_dir():
        raise ReportError(f"{path}: not a folder")
    manifest_path = root / "manifest.json"
    if not manifest_path.is_file():
        raise ReportError(f"{path}: not a results folder (no manifest.json)")
    try:
        manifest = json.loads(read_text(manifest_path))
    except InputFileError as exc:
        raise ReportError(str(exc)) from None
    except ValueError as exc:
        raise ReportError(f"{manifest_path}: unreadable: {exc}") from None
    manifest = _check_manifest(manifest, manifest_path)
    for name in ("summary.csv", "replications.csv"):
        if not (root / name).is_file():
            raise ReportError(f"{path}: {name} is missing (an unfinished run?)")
    folder = Folder(
        path=root,
        manifest=manifest,
        summary=_csv(root / "summary.csv"),
        replications=_csv(root / "replications.csv"),
        scenarios={},
    )
    if folder.summary.empty:
        raise ReportError(f"{root / 'summary.csv'}: no rows")
    for entry in manifest.get("scenarios", []):
        name = entry["name"]
        file = root / str(entry.get("file") or "")
        if name and file.is_file():
            folder.scenarios[name] = _scenario_yaml(file)
        sizes = entry.get("sizes_file")
        if name and sizes and (root / sizes).is_file():
            folder.sizes[name] = _csv(root / sizes, "sizes")
    if (root / "comparison.csv").is_file():
        folder.comparison = _csv(root / "comparison.csv")
    if (root / "scorecards.csv").is_file():
        _regular(root / "scorecards.csv")
        try:
            folder.scorecards = read_scorecards(root)
        except (OSError, ValueError) as exc:
            raise ReportError(f"{root / 'scorecards.csv'}: cannot read: {exc}") from None
    if (root / "parts.csv").is_file():
        folder.parts = _csv(root / "parts.csv")
    if (root / "breakdown.csv").is_file():
        folder.breakdown = _csv(root / "breakdown.csv")
    for table in TRACE_TABLES:
        file = root / f"{table}.parquet"
        if file.is_file():
            _regular(file)
            try:
                folder.traces[table] = pd.read_parquet(file)
            except (OSError, ValueError) as exc:
                raise ReportError(f"{file}: cannot read: {exc}") from None
    return folder


# --- scenario facts ---------------------------------------------------------------------------


def hours(value: Any) -> float:
    """A duration (``"7d"``, ``"90min"``) in hours; NaN when it is not one."""
    try:
        return parse_duration(value) / 60.0
    except (TypeError, ValueError):
        return math.nan


def window_h(scn: Mapping[str, Any]) -> tuple[float, float]:
    """The measurement window [warm-up, warm-up + horizon) in hours from the start."""
    run = scn.get("run") or {}
    start = hours(run.get("warmup", "0d"))
    start = 0.0 if math.isnan(start) else start
    return start, start + hours(run.get("horizon"))


def opening_h(scn: Mapping[str, Any]) -> tuple[float, float] | None:
    """Opening and closing clock time in hours, or None."""
    cal = scn.get("calendar") or {}
    try:
        return parse_clock(cal["open"]) / 60.0, parse_clock(cal["close"]) / 60.0
    except (KeyError, TypeError, ValueError):
        return None


def space_pools(scn: Mapping[str, Any]) -> list[str]:
    """The pools routes use as space (the first pool of each step): bays, booths."""
    out: list[str] = []
    for jt in ((scn.get("demand") or {}).get("job_types") or {}).values():
        for op in (jt or {}).get("route") or []:
            uses = (op or {}).get("uses") or []
            if uses and uses[0] not in out:
                out.append(str(uses[0]))
    return out


def busiest_parts(folder: Folder, scenario: str, count: int = 3) -> list[str]:
    """The parts with the highest expected demand (sizes file), else the most stock changes."""
    sizes = folder.sizes.get(scenario)
    if sizes is not None and "demand_per_open_hour" in sizes.columns:
        top = sizes.sort_values("demand_per_open_hour", ascending=False, kind="stable")
        return top["part_no"].astype(str).head(count).tolist()
    stock = folder.traces.get("stock")
    if stock is None or stock.empty:
        return []
    rows = stock[stock["scenario"] == scenario] if "scenario" in stock.columns else stock
    return rows["part_no"].astype(str).value_counts().head(count).index.tolist()


def waiting_parts(folder: Folder, scenario: str, count: int = 10) -> pd.DataFrame:
    """The ``count`` parts of ``scenario`` with the most job-hours waited for them
    (``parts.csv``), most first, ties in catalogue order; parts no job waited for are left
    out. Empty when the folder has no ``parts.csv``."""
    parts = folder.parts
    if parts is None or "parts_wait_h" not in parts.columns:
        return pd.DataFrame()
    rows = parts[(parts["scenario"] == scenario) & (parts["parts_wait_h"] > 0)]
    top = rows.sort_values("parts_wait_h", ascending=False, kind="stable")
    return top.head(count).reset_index(drop=True)


def breakdown_means(folder: Folder, scenario: str, group: str) -> pd.DataFrame:
    """The means of ``breakdown.csv`` for one scenario and group: one row per name (in the
    file's order), one column per kpi. Empty when the folder has no ``breakdown.csv``."""
    table = folder.breakdown
    if table is None:
        return pd.DataFrame()
    rows = table[(table["scenario"] == scenario) & (table["group"] == group)]
    if rows.empty:
        return pd.DataFrame()
    names = list(dict.fromkeys(rows["name"]))
    kpis = list(dict.fromkeys(rows["kpi"]))
    return rows.pivot(index="name", columns="kpi", values="mean").reindex(names)[kpis]


def bottleneck(folder: Folder, scenario: str) -> pd.Series | None:
    """The ``breakdown.csv`` utilisation row (mean, ci_low, ci_high, n) of the scenario's
    busiest pool, its name as the series name; None without a defined utilisation."""
    table = folder.breakdown
    if table is None:
        return None
    rows = table[
        (table["scenario"] == scenario)
        & (table["group"] == "pool")
        & (table["kpi"] == "utilization")
        & table["mean"].notna()
    ]
    if rows.empty:
        return None
    top = rows.iloc[int(rows["mean"].to_numpy(dtype=float).argmax())]  # the first of equals
    return top[["mean", "ci_low", "ci_high", "n"]].rename(str(top["name"]))


# --- what a batch swept -----------------------------------------------------------------------


def _flatten(node: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(node, Mapping):
        out: dict[str, Any] = {}
        for k, v in node.items():
            out.update(_flatten(v, f"{prefix}{k}."))
        return out
    return {prefix[:-1]: json.dumps(node, sort_keys=True) if isinstance(node, list) else node}


def _numeric(value: Any) -> float:
    if isinstance(value, bool):
        return math.nan
    if isinstance(value, int | float):
        return float(value)
    return hours(value)


@dataclass(frozen=True)
class Sweep:
    """The swept parameter (numeric: durations in hours) and an optional second one.

    ``table`` has ``scenario``, ``param`` (NaN for a value that is not a number), ``tick``
    (the value as a reader writes it: ``2 h``, ``1 d``, ``0.2``) and ``line``: the regime a
    point belongs to (the values of the other differing keys), points of one regime joined
    by a line; NaN for a point that shares its regime with no other numeric point, drawn
    alone.
    """

    param: str
    label: str
    table: pd.DataFrame  # scenario, param, tick, line[, group]
    group: str | None = None
    duration: bool = False  # the values are durations, in hours


def duration_text(h: float) -> str:
    """Hours as a reader writes them: ``30 min``, ``2 h``, ``1 d``."""
    if h < 1:
        return f"{h * 60:g} min"
    if h >= 24 and h % 24 == 0:
        return f"{h / 24:g} d"
    return f"{h:g} h"


def differing_keys(scenarios: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Dotted keys whose value differs between scenarios: key -> {scenario: value}."""
    flat = {name: _flatten(scn) for name, scn in scenarios.items()}
    keys = list(dict.fromkeys(k for f in flat.values() for k in f))
    out = {}
    for key in keys:
        if key in IGNORED_KEYS:
            continue
        values = {name: f.get(key) for name, f in flat.items()}
        if len({json.dumps(v, sort_keys=True, default=str) for v in values.values()}) > 1:
            out[key] = values
    return out


def find_sweep(scenarios: Mapping[str, Mapping[str, Any]]) -> Sweep | None:
    """The numeric key that draws the longest line across scenarios; None without one.

    Every other differing key defines a point's regime (``Sweep.table["line"]``): scenarios
    whose other keys agree are one regime, joined by a line along the swept key. A daily
    call-off at 18:00 differs in ``first``/``last`` from the hourly ones, so it stands
    alone instead of extending their line; so does a value that is not a number.
    """
    keys = differing_keys(scenarios)
    names = list(scenarios)
    best: tuple[tuple[int, int], str, dict[str, str]] | None = None
    for key, vals in keys.items():
        x = {n: _numeric(vals[n]) for n in names}
        if len({v for v in x.values() if not math.isnan(v)}) < 2:
            continue
        others = [k for k in keys if k != key and not _tied(vals, keys[k])]
        regime = {
            n: json.dumps([keys[k][n] for k in others], sort_keys=True, default=str) for n in names
        }
        sizes: dict[str, set[float]] = {}
        for n in names:
            if not math.isnan(x[n]):
                sizes.setdefault(regime[n], set()).add(x[n])
        longest = max(len(v) for v in sizes.values())
        score = (longest, len({v for v in x.values() if not math.isnan(v)}))
        if longest >= 2 and (best is None or score > best[0]):
            best = (score, key, regime)
    if best is None:
        return None
    _, param, regime = best
    values = keys[param]
    x = {n: _numeric(values[n]) for n in names}
    is_duration = any(isinstance(v, str) and not math.isnan(x[n]) for n, v in values.items())
    lines: dict[str, set[float]] = {}
    for n in names:
        if not math.isnan(x[n]):
            lines.setdefault(regime[n], set()).add(x[n])
    others = [k for k in keys if k != param and not _tied(values, keys[k])]
    # a line's name: the other keys that differ between the lines, as key = value
    joined = [r for r, xs in lines.items() if len(xs) >= 2]
    first = {r: next(n for n in names if regime[n] == r) for r in joined}
    naming = [
        k for k in others if len({json.dumps(keys[k][first[r]], default=str) for r in joined}) > 1
    ]

    def line_name(n: str) -> str | float:
        if math.isnan(x[n]) or regime[n] not in joined:
            return math.nan
        return "; ".join(f"{param_label(k)} = {_text(keys[k][n])}" for k in naming) or "all"

    def tick(n: str) -> str:
        if math.isnan(x[n]):
            return n if values[n] is None else _text(values[n])
        return duration_text(x[n]) if is_duration else f"{x[n]:g}"

    table = pd.DataFrame(
        {
            "scenario": names,
            param: [x[n] for n in names],
            "tick": [tick(n) for n in names],
            "line": [line_name(n) for n in names],
        }
    )
    return Sweep(
        param=param,
        label=param_label(param, duration=is_duration),
        table=table,
        duration=is_duration,
    )


def _tied(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Whether two keys' values determine each other across the scenarios (the body bays
    and the body technicians swept together): then the second is no separate regime."""
    pairs = {(json.dumps(a[n], default=str), json.dumps(b[n], default=str)) for n in a}
    return len(pairs) == len({p for p, _ in pairs}) == len({q for _, q in pairs})


def _text(value: Any) -> str:
    return str(value) if not isinstance(value, float) else f"{value:g}"


def calendar_of_yaml(scn: Mapping[str, Any]) -> Calendar | None:
    """The workshop calendar of a resolved scenario (minutes from time 0), built as the model
    builds it (``sim.model.world.calendar_of``): opening hours, breaks, opening days counted
    from ``run.start``'s weekday, closed dates shut. None when the block is unusable."""
    from sim.calendar import ClosedCalendar
    from sim.scenario import CalendarConfig

    try:
        cal = CalendarConfig.model_validate(scn.get("calendar") or {})
        start = (scn.get("run") or {}).get("start")
        day0 = date.fromisoformat(str(start)) if start else None
    except ValueError:
        return None
    shift = day0.weekday() if day0 else 0
    days = sorted((d - shift) % 7 for d in cal.day_indices)
    closed = sorted({(d - day0).days for d in cal.closed}) if day0 else []
    if closed:
        return ClosedCalendar(cal.open, cal.close, cal.breaks, days, closed)
    return Calendar(cal.open, cal.close, cal.breaks, days)
