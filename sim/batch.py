"""Batch files: a base scenario, named variants and sweeps, expanded into validated scenarios.

A batch file (README, "Batches") names a base scenario (relative to the batch file),
``variants`` with ``set:`` overrides, ``grid:`` (cartesian) and ``zip:`` (paired) sweeps
over dotted keys, a ``baseline`` and the replications and seed shared by every scenario.
The expanded set is variants × grid points × zip points, in that order. Every expanded
scenario is validated before anything runs; an error names the batch file, the scenario,
the field and where its value came from.
"""

from __future__ import annotations

import copy
import itertools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sim.loading import (
    ScenarioError,
    _pick_error,
    apply_set,
    load_raw,
    parse_set,
    read_yaml,
    validate_raw,
)
from sim.region import is_region_data, region_from_raw
from sim.scenario import MAX_NAME_LENGTH, Scenario
from sim.scenario_region import Region

NAME_RE = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9_-])?$")
# Names Windows keeps for devices, with or without an extension (``nul.txt`` too).
_DEVICE_NAME = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])$", re.IGNORECASE)
DEFAULT_MAX_SCENARIOS = 500
MAX_SCENARIOS = 10_000  # the largest max_scenarios a batch may set
RESERVED_KEYS = ("name", "extends")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Variant(_Strict):
    """One named variant: dotted keys and the values they take."""

    description: str | None = None
    set: dict[str, Any] = {}


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a scenario's files and folders on every filesystem, else None.

    Windows drops a trailing dot (``a.`` is ``a``), keeps device names (``CON``, ``nul.x``)
    and, like macOS, ignores case: only names that are the same file everywhere pass (two
    names differing only in case are refused where the batch is expanded).
    """
    if not NAME_RE.match(name):
        return (
            "must start with a letter or digit, end with a letter, a digit, '_' or '-', and "
            "hold only letters, digits, '.', '_' and '-'"
        )
    if len(name) > MAX_NAME_LENGTH:
        return f"is longer than {MAX_NAME_LENGTH} characters"
    if _DEVICE_NAME.match(name.split(".", 1)[0]):
        return "is a device name on Windows (CON, PRN, AUX, NUL, COM0-9, LPT0-9)"
    return None


def _check_sweep(v: dict[str, Any]) -> dict[str, Any]:
    for key, values in v.items():
        if not isinstance(values, list) or not values:
            raise ValueError(f"{key}: expected a non-empty list of values")
        for value in values:
            if not isinstance(value, str | int | float | bool):
                raise ValueError(
                    f"{key}: values must be strings, numbers or true/false, not "
                    f"{value!r}; to change several keys together use zip: or variants:"
                )
    return v


class BatchFile(_Strict):
    """The schema of a batch file; unknown keys are errors."""

    name: str | None = None
    description: str | None = None
    base: str = Field(min_length=1)
    baseline: str | None = None
    replications: int | None = Field(None, ge=1)
    seed: int | None = Field(None, ge=0)
    max_scenarios: int = Field(DEFAULT_MAX_SCENARIOS, ge=1, le=MAX_SCENARIOS)
    set: dict[str, Any] = {}
    variants: dict[str, Variant | None] = {}
    grid: dict[str, Any] = {}
    zip: dict[str, Any] = {}

    @field_validator("variants")
    @classmethod
    def _variant_names(cls, v: dict[str, Variant | None]) -> dict[str, Variant | None]:
        for name in v:
            problem = name_problem(str(name))
            if problem is not None:
                raise ValueError(f"variant name {name!r} {problem} (it names files)")
        return v

    @field_validator("grid")
    @classmethod
    def _grid(cls, v: dict[str, Any]) -> dict[str, Any]:
        return _check_sweep(v)

    @field_validator("zip")
    @classmethod
    def _zip(cls, v: dict[str, Any]) -> dict[str, Any]:
        _check_sweep(v)
        lengths = {k: len(vals) for k, vals in v.items()}
        if len(set(lengths.values())) > 1:
            shown = ", ".join(f"{k}: {n}" for k, n in lengths.items())
            raise ValueError(f"zip lists must have equal lengths ({shown})")
        return v

    def count(self) -> int:
        """How many scenarios the batch expands to."""
        n = max(1, len(self.variants)) * math.prod(len(v) for v in self.grid.values())
        return n * (len(next(iter(self.zip.values()))) if self.zip else 1)


@dataclass(frozen=True)
class Override:
    """One dotted key set to a value, and where the value came from (for error messages)."""

    key: str
    value: Any
    origin: str


@dataclass(frozen=True)
class Batch:
    """An expanded, validated batch: scenarios in batch order and the baseline's name."""

    file: Path
    name: str
    description: str | None
    base: Path
    baseline: str | None
    scenarios: tuple[Scenario | Region, ...]  # a region base gives regions
    overrides: Mapping[str, tuple[Override, ...]]

    @property
    def names(self) -> list[str]:
        """Scenario names in batch order."""
        return [s.name for s in self.scenarios]

    def settings(self, name: str) -> dict[str, Any]:
        """What scenario ``name`` sets on top of the base, key by key, in order."""
        return {o.key: o.value for o in self.overrides[name]}


def _value_label(value: Any) -> str:
    text = str(value).lower() if isinstance(value, bool) else str(value)
    return re.sub(r"[^A-Za-z0-9.]+", "-", text).strip("-") or "x"


def _key_labels(keys: Sequence[str]) -> dict[str, str]:
    """Short labels for swept keys: the last dotted segment, or the whole key when two clash."""
    last = [k.rsplit(".", 1)[-1] for k in keys]
    return {k: (s if last.count(s) == 1 else k) for k, s in zip(keys, last, strict=True)}


def _overlap(a: str, b: str) -> bool:
    """Whether one dotted key is the other or lies inside it."""
    pa, pb = a.split("."), b.split(".")
    n = min(len(pa), len(pb))
    return pa[:n] == pb[:n]


def _sets(var: Variant | None) -> list[tuple[str, Any]]:
    return list(var.set.items()) if var is not None else []


def _points(spec: BatchFile) -> list[tuple[str, tuple[Override, ...]]]:
    """Every (scenario name, overrides) of the batch, in order: variants × grid × zip.

    Names join the variant name and ``label-value`` for each swept key with ``_``, e.g.
    ``call_off_2h_safety-0.1``: readable, stable, and safe as a file name.
    """
    variants = [
        (name, tuple(Override(k, v, f"variants.{name}.set") for k, v in _sets(var)))
        for name, var in spec.variants.items()
    ] or [("", ())]
    labels = _key_labels([*spec.grid, *spec.zip])
    combos = itertools.product(*spec.grid.values())
    grid = [list(zip(spec.grid, combo, strict=True)) for combo in combos]
    n_zip = len(next(iter(spec.zip.values()))) if spec.zip else 1
    zipped = [[(k, vals[i]) for k, vals in spec.zip.items()] for i in range(n_zip)]
    out = []
    for (vname, vsets), gpoint, zpoint in itertools.product(variants, grid, zipped):
        parts = [vname] if vname else []
        parts += [f"{labels[k]}-{_value_label(v)}" for k, v in (*gpoint, *zpoint)]
        sets = (
            *vsets,
            *(Override(k, v, f"grid.{k}") for k, v in gpoint),
            *(Override(k, v, f"zip.{k}") for k, v in zpoint),
        )
        out.append(("_".join(parts), sets))
    return out


def _check_keys(file: Path, spec: BatchFile, cli_sets: Sequence[tuple[str, Any]]) -> None:
    keys = [(k, "set") for k in spec.set]
    for name, var in spec.variants.items():
        keys += [(k, f"variants.{name}.set") for k, _ in _sets(var)]
    keys += [(k, "grid") for k in spec.grid] + [(k, "zip") for k in spec.zip]
    for key, where in keys:
        if any(not p.strip() for p in key.split(".")):
            raise ScenarioError(file, f"{where}.{key}", "expected a dotted key such as a.b.c")
        if key.split(".")[0] in RESERVED_KEYS:
            raise ScenarioError(file, f"{where}.{key}", "the batch names its scenarios itself")
    for a, b in itertools.combinations([*spec.grid, *spec.zip], 2):
        if _overlap(a, b):
            raise ScenarioError(file, "grid", f"keys {a!r} and {b!r} overlap; sweep each once")
    varied = [(k, w) for k, w in keys if w != "set"]
    for key, _ in cli_sets:
        for other, where in varied:
            if _overlap(key, other):
                raise ScenarioError(
                    file,
                    "--set",
                    f"{key} overlaps {other!r}, which the batch varies ({where}); a --set "
                    "applies to every scenario and would erase the difference",
                )


def _check_names(file: Path, names: Sequence[str], spec: BatchFile) -> None:
    """Every expanded scenario name names files on every filesystem, and no two are the same
    file there (``a`` and ``A``)."""
    swept = "grid" if spec.grid else "zip" if spec.zip else ""
    for name in names:
        problem = name_problem(name)
        if problem is not None:
            raise ScenarioError(file, swept, f"scenario name {name!r} {problem} (it names files)")
    first: dict[str, str] = {}
    for name in names:
        other = first.get(name.lower())
        if other is not None:
            text = (
                f"two scenarios would both be named {name!r}"
                if other == name
                else f"scenarios {other!r} and {name!r} differ only in case (they would share "
                "files on Windows and macOS)"
            )
            raise ScenarioError(file, "", text)
        first[name.lower()] = name


def load_batch(
    path: str | Path,
    overrides: Iterable[str] = (),
    *,
    horizon: str | None = None,
    replications: int | None = None,
    seed: int | None = None,
) -> Batch:
    """Read a batch file, expand it and validate every scenario (ScenarioError if any fails).

    Overrides apply in this order: the batch's ``set``, ``replications`` and ``seed``; the
    variant's ``set``; the grid and zip values; then, for every scenario alike, ``--set``
    (``overrides``), ``--reps``, ``--seed`` and ``--horizon``.
    """
    file = Path(path)
    raw = read_yaml(file)
    try:
        spec = BatchFile.model_validate(raw)
    except ValidationError as exc:
        loc, msg = _pick_error(raw, exc.errors(), BatchFile)
        raise ScenarioError(file, ".".join(str(p) for p in loc), msg) from None
    cli_sets = []
    for item in overrides:
        try:
            cli_sets.append(parse_set(item))
        except ValueError as exc:
            raise ScenarioError(file, "--set", str(exc)) from None
    _check_keys(file, spec, cli_sets)
    if spec.count() > spec.max_scenarios:
        raise ScenarioError(
            file,
            "max_scenarios",
            f"the batch expands to {spec.count()} scenarios, more than max_scenarios "
            f"{spec.max_scenarios}; narrow the sweeps or raise max_scenarios in the batch file",
        )
    base = (file.resolve().parent / spec.base).resolve()
    if not base.is_file():
        raise ScenarioError(file, "base", f"cannot read {spec.base!r}: no such file")
    base_raw, base_origins = load_raw(base, top=file)
    points = _points(spec)
    if points == [("", ())]:
        name = re.sub(r"[^A-Za-z0-9._-]+", "_", str(base_raw.get("name") or base.stem))
        points = [(name.strip("._") or "base", ())]
    names = [name for name, _ in points]
    _check_names(file, names, spec)
    if spec.baseline is not None and spec.baseline not in names:
        shown = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
        raise ScenarioError(
            file, "baseline", f"{spec.baseline!r} is not a scenario of the batch ({shown})"
        )
    common = [Override(k, v, "set") for k, v in spec.set.items()]
    common += [
        Override(f"run.{key}", value, key)
        for key, value in (("replications", spec.replications), ("seed", spec.seed))
        if value is not None
    ]
    tail = [Override(k, v, "--set") for k, v in cli_sets]
    tail += [
        Override(f"run.{key}", value, flag)
        for key, value, flag in (
            ("replications", replications, "--reps"),
            ("seed", seed, "--seed"),
            ("horizon", horizon, "--horizon"),
        )
        if value is not None
    ]
    scenarios: list[Scenario | Region] = []
    steps_of = {}
    for name, sets in points:
        steps = (*common, *sets, *tail)
        if is_region_data(base_raw):
            scenarios.append(_expand_region(file, name, base_raw, base.parent, steps))
        else:
            scenarios.append(_expand(file, name, base_raw, base_origins, steps))
        steps_of[name] = steps
    return Batch(
        file=file,
        name=spec.name or file.stem,
        description=spec.description,
        base=base,
        baseline=spec.baseline,
        scenarios=tuple(scenarios),
        overrides=steps_of,
    )


def _expand_region(
    file: Path, name: str, base_raw: dict[str, Any], folder: Path, steps: Sequence[Override]
) -> Region:
    """A region base with ``steps`` applied (a dealer's keys as ``dealers.NAME.key``),
    named ``name``, validated."""
    raw = copy.deepcopy(base_raw)
    raw["name"] = name
    try:
        return region_from_raw(
            raw, file=file, base=folder, sets=[(s.key, s.value) for s in steps], where="set"
        )
    except ScenarioError as exc:
        field = f"scenario {name}: {exc.field}" if exc.field else f"scenario {name}"
        raise ScenarioError(file, field, exc.message, exc.origin) from None


def _expand(
    file: Path,
    name: str,
    base_raw: dict[str, Any],
    base_origins: dict[tuple[str, ...], Path],
    steps: Sequence[Override],
) -> Scenario:
    """The base with ``steps`` applied, named ``name``, validated."""
    raw = copy.deepcopy(base_raw)
    origins = dict(base_origins)
    raw["name"] = name
    for step in steps:
        try:
            apply_set(raw, step.key, copy.deepcopy(step.value))
        except KeyError as exc:
            raise ScenarioError(
                file, f"scenario {name}: {step.key}", str(exc).strip("'\""), step.origin
            ) from None
        where = tuple(step.key.split("."))
        origins = {k: v for k, v in origins.items() if k[: len(where)] != where}
        origins[where] = Path(step.origin)
    try:
        return validate_raw(raw, file=file, origins=origins)
    except ScenarioError as exc:
        field = f"scenario {name}: {exc.field}" if exc.field else f"scenario {name}"
        origin = exc.origin
        if origin is None and exc.field:
            # A block-level error (a validator of supply.call_off, say): name the overrides
            # inside the block, since the base alone was valid.
            hits = [s.origin for s in steps if _overlap(s.key, exc.field)]
            origin = ", ".join(dict.fromkeys(hits)) or None
        raise ScenarioError(file, field, exc.message, origin) from None
