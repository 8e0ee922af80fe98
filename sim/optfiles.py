"""The files of ``optimize --out DIR``: the answer, the path of the search, read-back.

``DIR`` is a results folder (``sim.results``) of the answer's confirmation run (summary,
replications, parts, breakdown, the resolved scenario) with ``manifest.json`` carrying an
``optimize`` block, and beside it:

- ``sizes.csv``: the catalogue with the policy's size column filled in (every column of
  the original kept, ``category`` too);
- ``scenario.yaml``: the scenario reading its sizes from ``sizes.csv`` (``cards:
  catalogue``, ...), with the confirmation's seed and replications: ``run`` on it gives the
  confirmation's figures again;
- ``optimize.csv``: every point simulated, in order (the path of the search);
- ``optimize_parts.csv``: per part its class, the given and the optimised size, and both
  points' fill rate and stock on the confirmation's random numbers.

The answer's files are written together with SIGINT held back (``deferred_interrupt``),
each atomically and ``manifest.json`` last, so an interrupted search leaves the last
answer whole. Point catalogues live in ``DIR/points/`` while the search runs.
"""

from __future__ import annotations

import json
import shutil
import signal
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import yaml

import sim
from sim.experiment import ScenarioRun
from sim.results import (
    MANIFEST,
    RESULT_FILES,
    SCENARIOS_DIR,
    BatchOutputs,
    csv_text,
    git_info,
    write_atomic,
    write_results,
)

if TYPE_CHECKING:
    import pandas as pd

    from sim.opteval import Eval, Space
    from sim.optsearch import Confirmed, Row, Target

PATH_FILE = "optimize.csv"
SIZES_FILE = "sizes.csv"
SCENARIO_FILE = "scenario.yaml"
PARTS_FILE = "optimize_parts.csv"
WORK_DIR = "points"
OWN_FILES = (PATH_FILE, SIZES_FILE, SCENARIO_FILE, PARTS_FILE)
ABC_SHARES = (0.8, 0.95)  # A: the parts making 80 % of the demand's value, B: the next 15 %


@contextmanager
def deferred_interrupt() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) back for the block and raise it after, so files written
    together are never left half-replaced. Only the main thread can; elsewhere a no-op."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    old = signal.signal(signal.SIGINT, lambda signum, _frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)
    if caught:
        raise KeyboardInterrupt


def start_folder(out: Path, command: Sequence[str], block: Mapping[str, Any]) -> None:
    """Clear an earlier result from ``out`` and mark it as an optimisation in progress
    (a manifest without tables: ``report`` says the run is unfinished)."""
    out.mkdir(parents=True, exist_ok=True)
    for name in (*OWN_FILES, *RESULT_FILES):
        with suppress(FileNotFoundError):
            (out / name).unlink()
    for sub in (SCENARIOS_DIR, WORK_DIR):
        shutil.rmtree(out / sub, ignore_errors=True)
    write_manifest_block(out, command, block)


def write_manifest_block(out: Path, command: Sequence[str], block: Mapping[str, Any]) -> None:
    """A bare manifest with the ``optimize`` block (before any answer exists)."""
    manifest = {
        "format_version": 1,
        "package": {"name": "jit-workshop-sim", "version": sim.__version__},
        "git": git_info(),
        "command": list(command),
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "optimize": dict(block),
        "files": [MANIFEST],
    }
    write_atomic(out / MANIFEST, json.dumps(manifest, indent=2) + "\n")


def update_status(out: Path, **fields: Any) -> None:
    """Set fields of the manifest's ``optimize`` block (atomically)."""
    path = out / MANIFEST
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest.setdefault("optimize", {}).update(fields)
    write_atomic(path, json.dumps(manifest, indent=2) + "\n")


def interval_fields(ev: Eval, kpi: str) -> tuple[float, float, float]:
    ci = ev.interval(kpi)
    return ci.mean, ci.ci_low, ci.ci_high


def path_table(
    rows: Sequence[Row], targets: Sequence[Target], objective: str, size_name: str
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """``optimize.csv``: one row per simulated point, in order."""
    kpis = [objective, *[t.kpi for t in targets if t.kpi != objective]]
    columns = ["step", "phase", "point", "seed", "moves", f"{size_name}_total"]
    for k in kpis:
        columns += [f"{k}_mean", f"{k}_ci_low", f"{k}_ci_high"]
    columns += ["meets_targets", "accepted", "note"]
    table = []
    for r in rows:
        cells: list[Any] = [r.step, r.phase, r.point, r.seed, r.moves, r.total]
        for k in kpis:
            cells += interval_fields(r.ev, k)
        cells += [r.meets, r.accepted, r.note]
        table.append(tuple(cells))
    return columns, table


def write_path(
    out: Path, rows: Sequence[Row], targets: Sequence[Target], objective: str, size: str
) -> None:
    """``optimize.csv``, atomically."""
    write_atomic(out / PATH_FILE, csv_text(*path_table(rows, targets, objective, size)))


def part_classes(space: Space) -> list[str]:
    """Each part's class: the catalogue's ``category`` when it has one, else A/B/C by the
    share of the expected demand's value (A: the parts making the first 80 %)."""
    cats = space.table.column("category")
    if any(c.strip() for c in cats):
        return [c.strip() or "-" for c in cats]
    value = space.expected * space.unit_cost
    order = np.argsort(-value, kind="stable")
    share = np.cumsum(value[order]) / max(float(value.sum()), 1e-12)
    out = [""] * len(value)
    for rank, i in enumerate(order.tolist()):
        before = share[rank - 1] if rank else 0.0
        out[i] = "A" if before < ABC_SHARES[0] else "B" if before < ABC_SHARES[1] else "C"
    return out


def parts_table(space: Space, done: Confirmed) -> tuple[list[str], list[tuple[Any, ...]]]:
    """``optimize_parts.csv``: what changed per part, both points on the fresh numbers."""
    classes = part_classes(space)
    cols = [
        "part_no",
        "class",
        "stocked",
        "unit_cost",
        "container_qty",
        "demand_per_open_hour",
        "units_requested",
        "given_size",
        "size",
        "given_fill_rate",
        "fill_rate",
        "given_avg_inventory_value",
        "avg_inventory_value",
    ]
    rows = []
    for i, part in enumerate(space.part_no):
        stocked = bool(space.stocked[i])
        rows.append(
            (
                part,
                classes[i],
                stocked,
                float(space.unit_cost[i]),
                int(space.container[i]),
                float(space.demand[i]),
                float(done.check.stats.units[i]),
                int(space.given[i]) if stocked else None,
                int(done.sizes[i]) if stocked else None,
                float(done.given.fill[i]),
                float(done.check.fill[i]),
                float(done.given.inventory_value[i]),
                float(done.check.inventory_value[i]),
            )
        )
    return cols, rows


def scenario_yaml(space: Space, done: Confirmed, search_seed: int) -> str:
    """``scenario.yaml``: the answer as a scenario file that runs as it is."""
    data = space.with_catalogue(Path(SIZES_FILE), "", "x").dump()
    data["name"] = f"{space.base.name}-optimized"
    data["parts"] = {"catalogue": SIZES_FILE}
    data["run"]["seed"] = done.seed
    data["run"]["replications"] = space.reps
    field = f"supply.{space.rule.policy}.{space.rule.field}"
    head = (
        f"# {space.base.name} with the sizes found by run_sim.py optimize: {field}\n"
        f"# per part, from {SIZES_FILE} (the catalogue with a {space.rule.column} column).\n"
        f"# The search ran on seed {search_seed}; run.seed {done.seed} is the confirmation's,\n"
        "# so running this file gives the confirmation's figures (summary.csv) again.\n"
    )
    return head + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def write_answer(
    out: Path,
    space: Space,
    done: Confirmed,
    block: Mapping[str, Any],
    command: Sequence[str],
    started: datetime,
    search_seed: int,
) -> None:
    """Write the answer's files (all or, on Ctrl-C, none of the new ones replace the old).

    The confirmation was simulated reading ``points/SHA.csv``; ``sizes.csv`` has the same
    bytes, so the scenario written (and ``scenario.yaml`` loaded again) has the same hash.
    """
    from sim.loading import load_scenario

    text = space.catalogue_text(done.sizes)
    answer = done.check.results[0].scenario
    with deferred_interrupt():
        write_atomic(out / SIZES_FILE, text)
        import hashlib

        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        run = space.base.run.model_copy(update={"seed": done.seed, "replications": space.reps})
        scn = space.with_catalogue((out / SIZES_FILE).resolve(), sha, answer, run)
        yaml_text = scenario_yaml(space, done, search_seed)
        write_atomic(out / SCENARIO_FILE, yaml_text)
        again = load_scenario(out / SCENARIO_FILE)
        if again.digest() != scn.digest():
            raise RuntimeError(f"{out / SCENARIO_FILE} does not load as the scenario simulated")
        write_atomic(out / PARTS_FILE, csv_text(*parts_table(space, done)))
        run_ = ScenarioRun(scn, tuple(done.check.results), tuple(0.0 for _ in done.check.results))
        write_results(
            out,
            [run_],
            command=command,
            started=started,
            batch=BatchOutputs(manifest={"optimize": dict(block)}),
        )


def clear_work(out: Path) -> None:
    """Remove the point catalogues of the search."""
    shutil.rmtree(out / WORK_DIR, ignore_errors=True)


def read_path(folder: Path) -> pd.DataFrame | None:
    """``optimize.csv`` of a folder, or None."""
    import pandas as pd

    path = folder / PATH_FILE
    return pd.read_csv(path) if path.is_file() else None


def read_parts(folder: Path) -> pd.DataFrame | None:
    """``optimize_parts.csv`` of a folder, or None."""
    import pandas as pd

    path = folder / PARTS_FILE
    return pd.read_csv(path, dtype={"part_no": str, "class": str}) if path.is_file() else None
