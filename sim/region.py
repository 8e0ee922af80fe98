"""A region file -> a validated ``Region``: the centre and every dealer's scenario.

A region file names its dealers, each with a scenario file (or, as a results folder writes
it, the scenario inline) and its own ``set`` overrides; the region's ``run`` block replaces
every dealer's. ``--set`` reaches the region's keys (``centre.stock.review=12h``,
``run.horizon=60d``) and a dealer's (``dealers.dealer_a.supply.call_off.every=4h``, by the
dealer's name). Every failure is one ``ScenarioError`` line naming the region file and the
field; a dealer's own error names the dealer's file and field as well.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.loading import (
    ScenarioError,
    apply_set,
    load_raw,
    parse_set,
    read_yaml,
    resolve_paths,
    validate_raw,
)
from sim.scenario import Scenario
from sim.scenario_region import MAX_DEALERS, Region

REGION_KEYS = ("name", "description", "run", "centre", "dealers")
DEALER_KEYS = ("name", "scenario", "set")


def is_region_file(path: str | Path) -> bool:
    """Whether ``path`` reads as a region file (a mapping with a ``dealers`` key)."""
    try:
        return "dealers" in read_yaml(Path(path))
    except ScenarioError:
        return False


def is_region_data(data: Any) -> bool:
    """Whether a mapping is a region's (a batch's ``base`` may be one)."""
    return isinstance(data, dict) and "dealers" in data


def load_region(
    path: str | Path,
    overrides: Iterable[str] = (),
    *,
    horizon: str | None = None,
    replications: int | None = None,
    seed: int | None = None,
) -> Region:
    """Load a region file, apply ``--set`` and the run options, and validate it."""
    raw = read_yaml(Path(path))
    sets = []
    for item in overrides:
        try:
            sets.append(parse_set(item))
        except ValueError as exc:
            raise ScenarioError(path, "--set", str(exc).strip("'\"")) from None
    for key, value in (("horizon", horizon), ("replications", replications), ("seed", seed)):
        if value is not None:
            sets.append((f"run.{key}", value))
    return region_from_raw(raw, file=path, base=Path(path).resolve().parent, sets=sets)


def region_from_raw(
    raw: dict[str, Any],
    *,
    file: str | Path,
    base: Path,
    sets: Iterable[tuple[str, Any]] = (),
    where: str = "--set",
) -> Region:
    """Validate a region mapping whose relative scenario paths are against ``base``, with
    ``sets`` (dotted key, value) applied: a dealer's keys as ``dealers.NAME.key``.
    ``where`` names the sets in an error."""
    raw = copy.deepcopy(raw)
    unknown = [k for k in raw if k not in REGION_KEYS]
    if unknown:
        raise ScenarioError(
            file, str(unknown[0]), f"unknown key; a region has {_keys(REGION_KEYS)}"
        )
    dealers = raw.get("dealers")
    if not isinstance(dealers, list) or not dealers:
        raise ScenarioError(file, "dealers", "must be a list of at least one dealer")
    if len(dealers) > MAX_DEALERS:
        raise ScenarioError(file, "dealers", f"at most {MAX_DEALERS} dealers")
    names = [d.get("name") if isinstance(d, dict) else None for d in dealers]
    dealer_sets: dict[int, list[tuple[str, Any]]] = {}
    for key, value in sets:
        head, _, rest = key.partition(".")
        if head == "dealers":
            name, _, inner = rest.partition(".")
            if name in names and inner:
                dealer_sets.setdefault(names.index(name), []).append((inner, value))
                continue
            known = ", ".join(str(n) for n in names)
            raise ScenarioError(
                file, where, f"{key}: expected dealers.NAME.key with NAME one of {known}"
            )
        try:
            apply_set(raw, key, copy.deepcopy(value))
        except KeyError as exc:
            raise ScenarioError(file, where, str(exc).strip("'\"")) from None
    run = raw.get("run")
    if not isinstance(run, dict):
        raise ScenarioError(file, "run", "a region needs a run block (horizon at least)")
    scenarios = [
        _dealer(file, base, i, entry, run, dealer_sets.get(i, ()))
        for i, entry in enumerate(dealers)
    ]
    data = {k: v for k, v in raw.items() if k != "dealers"}
    data["dealers"] = [
        {"name": entry["name"], "scenario": scn}
        for entry, scn in zip(dealers, scenarios, strict=True)
    ]
    try:
        return Region.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        raise ScenarioError(file, loc, err["msg"].removeprefix("Value error, ")) from None


def _keys(keys: Iterable[str]) -> str:
    return ", ".join(keys)


def _dealer(
    file: str | Path,
    base: Path,
    i: int,
    entry: Any,
    run: dict[str, Any],
    extra_sets: Iterable[tuple[str, Any]],
) -> Scenario:
    """Dealer ``i``: its scenario with the region's run and its own overrides."""
    where = f"dealers.{i}"
    if not isinstance(entry, dict):
        raise ScenarioError(file, where, "must be a mapping with name and scenario")
    unknown = [k for k in entry if k not in DEALER_KEYS]
    if unknown:
        raise ScenarioError(
            file, f"{where}.{unknown[0]}", f"unknown key; a dealer has {_keys(DEALER_KEYS)}"
        )
    name = entry.get("name")
    if not isinstance(name, str) or not name:
        raise ScenarioError(file, f"{where}.name", "a dealer needs a name")
    source = entry.get("scenario")
    if isinstance(source, str):
        target = (base / source).resolve()
        if not target.is_file():
            raise ScenarioError(file, f"{where}.scenario", f"cannot read {source!r}: no such file")
        raw, origins = load_raw(target, top=file)
        shown: str | Path = target
    elif isinstance(source, dict):
        if "extends" in source:
            raise ScenarioError(file, f"{where}.scenario", "an inline scenario cannot extend")
        raw = copy.deepcopy(source)
        resolve_paths(raw, base)
        origins, shown = {}, file
    else:
        raise ScenarioError(file, f"{where}.scenario", "must be a scenario file name")
    sets = entry.get("set") or {}
    if not isinstance(sets, dict):
        raise ScenarioError(file, f"{where}.set", "must be a mapping of dotted.key: value")
    raw["run"] = copy.deepcopy(run)
    raw["name"] = name
    for key, value in [*sets.items(), *extra_sets]:
        try:
            apply_set(raw, str(key), copy.deepcopy(value))
        except KeyError as exc:
            raise ScenarioError(file, f"{where}.set", str(exc).strip("'\"")) from None
    try:
        return validate_raw(raw, file=shown, origins=origins)
    except ScenarioError as exc:
        raise ScenarioError(file, f"dealers.{name}", str(exc)) from None
