"""The parts catalogue: read from CSV or generated (Zipf popularity), as column arrays.

A generated catalogue is seeded from ``run.seed`` and the ``parts.generate`` block only, so
it is the same in every replication and for every supply policy.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from sim.inputfiles import InputFileError, read_bytes, read_csv
from sim.scenario import MAX_UNITS, Generate
from sim.streams import stream_id

REQUIRED_COLUMNS = ("part_no", "unit_cost", "unit_price", "container_qty", "weight")
SIZE_COLUMNS = ("cards", "order_up_to", "reorder_point", "order_qty")
# ``stocked`` (stocking rule ``catalogue``): read into ``Catalogue.sizes`` as 1 / 0
FLAG_WORDS = {"true": 1.0, "yes": 1.0, "1": 1.0, "false": 0.0, "no": 0.0, "0": 0.0}


class CatalogueError(ValueError):
    """A catalogue file that cannot be used; the message names the row and column."""


@dataclass(frozen=True)
class Catalogue:
    """Parts as parallel arrays; ``job_types[i]`` is None when part i serves every type."""

    part_no: tuple[str, ...]
    unit_cost: np.ndarray
    unit_price: np.ndarray
    container_qty: np.ndarray
    weight: np.ndarray
    job_types: tuple[frozenset[str] | None, ...]
    sizes: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.part_no)


def file_sha256(path: str | Path) -> str:
    """sha256 of a file's bytes (InputFileError for a file that is no input file)."""
    return hashlib.sha256(read_bytes(path)).hexdigest()


def _number(row: dict[str, str], col: str, line: int, *, integer: bool = False) -> float:
    raw = (row.get(col) or "").strip()
    try:
        value = float(raw)
    except ValueError:
        raise CatalogueError(f"row {line}: {col} {raw[:40]!r} is not a number") from None
    if not 0 <= value < math.inf or (integer and value != int(value)):
        kind = "a whole number >= 0" if integer else "a number >= 0"
        raise CatalogueError(f"row {line}: {col} must be {kind}, not {raw[:40]!r}")
    if integer and value > MAX_UNITS:
        raise CatalogueError(f"row {line}: {col} must be at most {MAX_UNITS:,}, not {raw[:40]!r}")
    return value


def read_catalogue(path: str | Path) -> Catalogue:
    """Read and check a catalogue CSV (columns of ``REQUIRED_COLUMNS``, optional extras)."""
    try:
        header, rows = read_csv(path)
    except InputFileError as exc:
        raise CatalogueError(str(exc)) from None
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise CatalogueError(f"{str(path)!r} lacks column(s) {', '.join(missing)}")
    if not rows:
        raise CatalogueError(f"{str(path)!r} has no parts")
    seen: set[str] = set()
    cost, price, cont, weight, jts = [], [], [], [], []
    sizes: dict[str, list[float]] = {c: [] for c in SIZE_COLUMNS if c in header}
    stocked: list[float] | None = [] if "stocked" in header else None
    for line, row in enumerate(rows, start=2):
        try:
            part = (row["part_no"] or "").strip()
            if not part or part in seen:
                raise CatalogueError(f"row {line}: part_no {part!r} is empty or repeated")
            seen.add(part)
            cost.append(_number(row, "unit_cost", line))
            price.append(_number(row, "unit_price", line))
            c = _number(row, "container_qty", line, integer=True)
            if c < 1:
                raise CatalogueError(f"row {line}: container_qty must be >= 1")
            cont.append(c)
            weight.append(_number(row, "weight", line))
            jt = (row.get("job_types") or "").strip()
            jts.append(frozenset(s.strip() for s in jt.split(";") if s.strip()) or None)
            for col, out in sizes.items():
                raw = (row.get(col) or "").strip()
                out.append(_number(row, col, line, integer=True) if raw else np.nan)
            if stocked is not None:
                raw = (row.get("stocked") or "").strip().lower()
                if raw and raw not in FLAG_WORDS:
                    raise CatalogueError(f"row {line}: stocked must be true or false, not {raw!r}")
                stocked.append(FLAG_WORDS.get(raw, np.nan))
        except CatalogueError as exc:
            raise CatalogueError(f"{str(path)!r}, {exc}") from None
    if sum(weight) <= 0:
        raise CatalogueError(f"{str(path)!r}: weights must not all be 0")
    if stocked is not None:
        sizes["stocked"] = stocked
    return Catalogue(
        part_no=tuple(r["part_no"].strip() for r in rows),
        unit_cost=np.array(cost),
        unit_price=np.array(price),
        container_qty=np.array(cont, dtype=np.int64),
        weight=np.array(weight),
        job_types=tuple(jts),
        sizes={k: np.array(v) for k, v in sizes.items()},
    )


def _draw(block: Callable[[], list[float]], n: int) -> list[float]:
    """Exactly ``n`` samples from a block drawer (blocks may be short, e.g. a redrawn normal)."""
    out: list[float] = []
    while len(out) < n:
        out.extend(block())
    return out[:n]


def generate_catalogue(gen: Generate, seed: int) -> Catalogue:
    """A synthetic catalogue: Zipf weights 1/rank^s, lognormal costs, margins, container sizes."""
    block = json.dumps(gen.model_dump(mode="json"), sort_keys=True)
    rng = np.random.default_rng([stream_id("catalogue"), int(seed), stream_id(block)])
    n = gen.count
    cost = np.array(_draw(gen.unit_cost.block_drawer(rng), n)).round(2)
    margin = np.array(_draw(gen.margin.block_drawer(rng), n))
    price = (cost * (1 + margin)).round(2)
    cont = rng.choice(np.array(gen.container_qty, dtype=np.int64), size=n)
    weight = 1.0 / np.arange(1, n + 1, dtype=float) ** gen.zipf_s
    return Catalogue(
        part_no=tuple(f"P{i:05d}" for i in range(1, n + 1)),
        unit_cost=cost,
        unit_price=price,
        container_qty=cont,
        weight=weight,
        job_types=(None,) * n,
        sizes={},
    )


@lru_cache(maxsize=8)
def _cached_file(path: str, sha: str | None) -> Catalogue:
    try:
        changed = sha is not None and file_sha256(path) != sha
    except InputFileError as exc:
        raise CatalogueError(str(exc)) from None
    if changed:
        raise CatalogueError(f"{path!r} changed since the scenario was loaded (sha256 differs)")
    return read_catalogue(path)


@lru_cache(maxsize=8)
def _cached_generated(gen_json: str, seed: int) -> Catalogue:
    return generate_catalogue(Generate.model_validate_json(gen_json), seed)


def catalogue_of(
    parts_catalogue: str | None, sha: str | None, gen: Generate | None, seed: int
) -> Catalogue:
    """The scenario's catalogue, cached per process (it never changes between replications)."""
    if parts_catalogue is not None:
        return _cached_file(parts_catalogue, sha)
    assert gen is not None
    return _cached_generated(gen.model_dump_json(), seed)


def write_catalogue(
    cat: Catalogue, path: str | Path, extra: dict[str, np.ndarray] | None = None
) -> None:
    """Write a catalogue (with optional extra columns such as resolved sizes) as CSV."""
    columns = {
        "part_no": cat.part_no,
        "unit_cost": cat.unit_cost.tolist(),
        "unit_price": cat.unit_price.tolist(),
        "container_qty": cat.container_qty.tolist(),
        "weight": cat.weight.tolist(),
        "job_types": [";".join(sorted(j)) if j else "" for j in cat.job_types],
    }
    for k, v in (extra or {}).items():
        columns[k] = v.tolist() if hasattr(v, "tolist") else list(v)
    with Path(path).open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(columns)
        w.writerows(zip(*columns.values(), strict=True))
