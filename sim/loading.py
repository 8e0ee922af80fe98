"""Reading scenario YAML: safe load, relative paths, ``extends`` deep-merge, ``--set``.

Every failure becomes a :class:`ScenarioError` whose one-line message names the file given
on the command line, the dotted path of the field, and the file the value came from when
that differs.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from pydantic import BaseModel, ValidationError

from sim import yamltext
from sim.catalogue import Catalogue, CatalogueError, catalogue_of, file_sha256
from sim.inputfiles import InputFileError, read_text
from sim.scenario import Scenario
from sim.suggest import closest, unknown_key_hint

Path_ = tuple[str, ...]
_CLOCK_LIKE = re.compile(r"^\s*\d{1,2}:\d{2}\s*$")


class ScenarioError(ValueError):
    """Bad scenario input; ``str(err)`` is the one-line message for the user."""

    def __init__(
        self, file: str | Path, field: str, message: str, origin: str | Path | None = None
    ):
        self.file, self.field, self.origin = str(file), field, origin
        self.message = message
        where = f"{file}: {field}" if field else f"{file}"
        shown = _shown_origin(file, origin)
        if shown is not None:
            where += f" (from {shown})"
        super().__init__(f"{where}: {message}")


def _shown_origin(file: str | Path, origin: str | Path | None) -> str | None:
    """How to name the file a value came from: None when it is ``file`` itself, else its path
    relative to ``file``'s folder (``--set`` and other pseudo-origins as they are)."""
    if origin is None:
        return None
    if not Path(origin).is_absolute():
        return None if str(origin) == str(file) else str(origin)
    top = Path(file).resolve()
    if Path(origin).resolve() == top:
        return None
    try:
        return os.path.relpath(origin, top.parent)
    except ValueError:  # another drive (Windows)
        return str(origin)


def read_yaml(path: Path, *, top: str | Path | None = None) -> dict[str, Any]:
    """Safely load one YAML mapping, or raise ScenarioError."""
    top = top or path
    try:
        text = read_text(path)
    except InputFileError as exc:
        raise ScenarioError(top, "", str(exc)) from None
    try:
        data = yamltext.safe_load(text)
    except yaml.YAMLError as exc:
        raise ScenarioError(top, "", yamltext.describe(exc), origin=path) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ScenarioError(top, "", "a scenario must be a YAML mapping", origin=path)
    return _unshared(data)


def is_batch_file(path: str | Path) -> bool:
    """Whether ``path`` reads as a batch file (a mapping with a ``base`` key)."""
    try:
        return "base" in read_yaml(Path(path))
    except ScenarioError:
        return False


def _unshared(node: Any) -> Any:
    """A copy in which no mapping or list appears twice.

    YAML aliases (``*efficiency``) load as one shared object; without this, a ``--set`` on
    one use of an anchor would silently change every other use too.
    """
    if isinstance(node, dict):
        return {k: _unshared(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_unshared(v) for v in node]
    return node


def resolve_paths(data: dict[str, Any], base: Path) -> None:
    """Make ``parts.catalogue`` and empirical ``file`` paths absolute against ``base``."""
    parts = data.get("parts")
    if isinstance(parts, dict) and isinstance(parts.get("catalogue"), str):
        parts["catalogue"] = str((base / parts["catalogue"]).resolve())
    card = data.get("scorecard")
    if isinstance(card, dict) and isinstance(card.get("rules"), str):
        card["rules"] = str((base / card["rules"]).resolve())

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("dist") == "empirical" and isinstance(node.get("file"), str):
                node["file"] = str((base / node["file"]).resolve())
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(data)


def _flatten(node: Any, prefix: Path_ = ()) -> Iterable[Path_]:
    """The leaf paths of ``node``; a distribution given anew is one leaf (it replaces)."""
    if isinstance(node, dict) and node and not is_distribution(node):
        for k, v in node.items():
            yield from _flatten(v, (*prefix, str(k)))
    else:
        yield prefix


def is_distribution(node: Any) -> bool:
    """Whether ``node`` is a distribution given anew: a mapping with a ``dist`` name."""
    return isinstance(node, Mapping) and isinstance(node.get("dist"), str)


def deep_merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """``over`` merged onto ``base``: mappings merge key by key, anything else replaces.

    A distribution given anew (``{dist: constant, value: 30min}``) replaces the inherited
    one whole: merging it into, say, a triangular one would leave ``low`` and ``high``
    beside ``value``. A mapping without ``dist`` still merges (``{high: 3h}`` changes one
    parameter of the inherited distribution).
    """
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, Mapping) and isinstance(out.get(k), dict) and not is_distribution(v):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def load_raw(
    path: str | Path, *, top: str | Path | None = None, _seen: tuple[Path, ...] = ()
) -> tuple[dict[str, Any], dict[Path_, Path]]:
    """The merged raw mapping of a file and its ``extends`` chain, with each leaf's origin."""
    path = Path(path).resolve()
    top = top or path
    if path in _seen:
        raise ScenarioError(top, "extends", f"circular extends through {path}")
    data = read_yaml(path, top=top)
    resolve_paths(data, path.parent)
    origins: dict[Path_, Path] = {}
    merged: dict[str, Any] = {}
    parents = data.pop("extends", None)
    if parents is not None:
        if isinstance(parents, str):
            parents = [parents]
        if not isinstance(parents, list) or not all(isinstance(p, str) for p in parents):
            raise ScenarioError(top, "extends", "must be a file name or a list of them", path)
        for parent in parents:
            if not (path.parent / parent).exists():
                raise ScenarioError(top, "extends", f"cannot read {parent!r}: no such file", path)
            praw, porig = load_raw(path.parent / parent, top=top, _seen=(*_seen, path))
            merged = deep_merge(merged, praw)
            origins.update(porig)
    merged = deep_merge(merged, data)
    for p in _flatten(data):
        origins = {k: v for k, v in origins.items() if k[: len(p)] != p}
        origins[p] = path
    return merged, origins


def parse_set(item: str) -> tuple[str, Any]:
    """``"a.b.c=value"`` as (dotted key, YAML scalar value)."""
    key, sep, value = item.partition("=")
    if not sep or not key.strip():
        raise ValueError(f"{item!r}: expected dotted.key=value")
    if _CLOCK_LIKE.match(value):
        # YAML 1.1 would read 10:30 as the sexagesimal number 630; a clock time is meant.
        return key.strip(), value.strip()
    try:
        parsed = yamltext.safe_load(value) if value.strip() else ""
    except yamltext.YamlLimitError as exc:
        raise ValueError(f"the value of {key.strip()[:60]}: {yamltext.describe(exc)}") from None
    except yaml.YAMLError:
        parsed = value
    return key.strip(), parsed


def apply_set(data: dict[str, Any], dotted: str, value: Any) -> None:
    """Set ``dotted`` (keys and list indices) in ``data``, creating mappings as needed."""
    parts = dotted.split(".")
    node: Any = data
    for i, key in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(node, list):
            if not key.isdigit() or int(key) >= len(node):
                raise KeyError(f"{'.'.join(parts[: i + 1])}: no list item {key}")
            if last:
                node[int(key)] = value
            else:
                node = node[int(key)]
        elif isinstance(node, dict):
            if last:
                node[key] = value
            else:
                if node.get(key) is None:
                    node[key] = {}
                node = node[key]
        else:
            raise KeyError(f"{'.'.join(parts[:i])} is not a mapping")


def _origin(origins: dict[Path_, Path], loc: Path_) -> Path | None:
    for n in range(len(loc), 0, -1):
        if loc[:n] in origins:
            return origins[loc[:n]]
    below = {v for k, v in origins.items() if k[: len(loc)] == loc}
    return below.pop() if len(below) == 1 else None


def _message(err: Any) -> str:
    msg = err["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        msg = msg.removeprefix(prefix)
    if err["type"] == "extra_forbidden":
        return "unknown key"
    if err["type"] == "missing":
        return "required key is missing"
    if err["loc"] and err["loc"][-1] == "[key]":
        return (
            f"key {err['loc'][-2]!r} must be a string "
            "(quote clock times: YAML reads an unquoted 10:30 as the number 630)"
        )
    return msg


def _dotted(loc: Iterable[Any]) -> str:
    return ".".join(str(p) for p in loc)


def _data_loc(raw: Any, err: Any) -> tuple[tuple[Any, ...], bool]:
    """The part of a pydantic error location that names keys and indices of ``raw``.

    Pydantic inserts tags for union branches and validators (``literal['all']``,
    ``function-before[...]``, ``[key]``); they are dropped by following the data itself.
    Returns the location and whether any tag was dropped (the error is a union branch's).
    """
    node, out, dropped = raw, [], False
    loc = err["loc"]
    for i, p in enumerate(loc):
        if (isinstance(node, dict) and p in node) or (
            isinstance(node, list | tuple) and isinstance(p, int) and 0 <= p < len(node)
        ):
            out.append(p)
            node = node[p]
        elif i == len(loc) - 1 and err["type"] == "missing" and isinstance(node, dict):
            out.append(p)
        else:
            dropped = dropped or p != "[key]"
    return tuple(out), dropped


def _pick_error(
    raw: Any,
    errors: list[Any],
    model: type[BaseModel] | None = None,
    top_keys: Iterable[str] = (),
) -> tuple[tuple[Any, ...], str]:
    """The error to report (location in the data, message).

    For a union (``every: 2h | continuous``, ``cards: auto | int``) pydantic reports every
    branch and the first is usually "Input should be 'continuous'"; the deepest non-literal
    error at or below the same field says what is really wrong. With ``model`` (what
    ``raw`` was validated as), an unknown key names the closest known key at its place
    (``top_keys``: more keys accepted at the top level, such as ``extends``).
    """
    located = [(*_data_loc(raw, e), e) for e in errors]
    loc, union, err = located[0]
    if model is not None and err["type"] == "missing":
        # A misspelt required key is both missing and unknown: report the unknown one
        # that is close to it (``horizn`` -> "did you mean 'horizon'?").
        for other, _, e in located:
            if (
                e["type"] == "extra_forbidden"
                and other[:-1] == loc[:-1]
                and closest(str(other[-1]), [str(loc[-1])])
            ):
                loc, union, err = other, False, e
                break
    if not union:
        msg = _message(err)
        if model is not None and err["type"] == "extra_forbidden":
            msg += unknown_key_hint(model, loc, top_keys)
        return loc, msg
    same = [x for x in located if x[0][: len(loc)] == loc]
    best = max(same, key=lambda x: (len(x[0]), x[2]["type"] != "literal_error"))
    msg = _message(best[2])
    literal = next((x[2] for x in same if x[2]["type"] == "literal_error" and x[0] == loc), None)
    if best[0] == loc and literal is not None and best[2] is not literal:
        alt = _message(literal)
        msg += f" (or {alt[:1].lower()}{alt[1:]})"
    return best[0], msg


def validate_raw(
    raw: dict[str, Any], *, file: str | Path, origins: dict[Path_, Path] | None = None
) -> Scenario:
    """Validate a merged mapping into a Scenario (catalogue read and hashed)."""
    origins = origins or {}
    try:
        scn = Scenario.model_validate(raw)
    except ValidationError as exc:
        data_loc, msg = _pick_error(raw, exc.errors(), Scenario, ("extends",))
        loc = tuple(str(p) for p in data_loc)
        raise ScenarioError(file, _dotted(loc), msg, _origin(origins, loc)) from None
    for path, msg in scn.cross_check():
        loc = tuple(path.split("."))
        raise ScenarioError(file, path, msg, _origin(origins, loc))
    if scn.parts.catalogue is not None:
        try:
            sha = file_sha256(scn.parts.catalogue)
        except InputFileError as exc:
            raise ScenarioError(
                file, "parts.catalogue", str(exc), _origin(origins, ("parts", "catalogue"))
            ) from None
        given = scn.parts.catalogue_sha256
        if given is not None and given != sha:
            raise ScenarioError(
                file,
                "parts.catalogue_sha256",
                f"{scn.parts.catalogue!r} has sha256 {sha[:12]}…, not the {given[:12]}… "
                "the scenario was resolved with (the catalogue changed)",
                _origin(origins, ("parts", "catalogue_sha256")),
            )
        scn = scn.model_copy(
            update={"parts": scn.parts.model_copy(update={"catalogue_sha256": sha})}
        )
    where = "parts.catalogue" if scn.parts.catalogue is not None else "parts.generate"
    try:
        cat = catalogue_of(
            scn.parts.catalogue, scn.parts.catalogue_sha256, scn.parts.generate, scn.run.seed
        )
    except CatalogueError as exc:
        raise ScenarioError(
            file, where, str(exc), _origin(origins, tuple(where.split(".")))
        ) from None
    for name, jt in scn.demand.job_types.items():
        lines = jt.parts.lines
        if lines.dist == "constant" and lines.value == 0:
            continue
        usable = sum(
            w
            for w, types in zip(cat.weight, cat.job_types, strict=True)
            if types is None or name in types
        )
        if not usable > 0:
            path = f"demand.job_types.{name}.parts.lines"
            raise ScenarioError(
                file,
                path,
                f"job type {name!r} needs parts but no catalogue part with weight > 0 serves it "
                "(check the catalogue's job_types column)",
                _origin(origins, tuple(path.split("."))),
            )
    _check_catalogue_sizes(scn, cat, file, origins)
    return scn


def _check_catalogue_sizes(
    scn: Scenario, cat: Catalogue, file: str | Path, origins: dict[Path_, Path]
) -> None:
    """A policy size given as ``catalogue`` needs its column filled for every part."""
    block = scn.supply.policy_block
    if scn.supply.stocking.rule == "catalogue":
        values = cat.sizes.get("stocked")
        if values is None or bool(np.isnan(values).any()):
            path = "supply.stocking.rule"
            raise ScenarioError(
                file,
                path,
                "'catalogue' needs a stocked value (true or false) for every part",
                _origin(origins, tuple(path.split("."))),
            )
    for field, column, least in block.catalogue_columns():
        path = f"supply.{scn.supply.policy}.{field}"
        values = cat.sizes.get(column)
        if values is None or bool(np.isnan(values).any()):
            raise ScenarioError(
                file,
                path,
                f"'catalogue' needs a {column} value for every part in the catalogue",
                _origin(origins, tuple(path.split("."))),
            )
        if bool((values < least).any()):
            raise ScenarioError(file, path, f"catalogue column {column} must be >= {least}")


def load_scenario(
    path: str | Path,
    overrides: Iterable[str] = (),
    *,
    horizon: str | None = None,
    replications: int | None = None,
    seed: int | None = None,
) -> Scenario:
    """Load, merge, override and validate a scenario file."""
    raw, origins = load_raw(path, top=path)
    if "dealers" in raw and "calendar" not in raw:
        raise ScenarioError(
            path,
            "dealers",
            "is a region file; this command takes one dealer's scenario (a region runs with "
            "run, or as a batch's base)",
        )
    for item in overrides:
        try:
            key, value = parse_set(item)
            apply_set(raw, key, value)
        except (ValueError, KeyError) as exc:
            raise ScenarioError(path, "--set", str(exc).strip("'\"")) from None
        where = tuple(key.split("."))
        origins = {k: v for k, v in origins.items() if k[: len(where)] != where}
        origins[where] = Path("--set")
    run = raw.get("run")
    for key, value in (("horizon", horizon), ("replications", replications), ("seed", seed)):
        if value is not None:
            if not isinstance(run, dict):
                raw["run"] = run = {}
            run[key] = value
            origins[("run", key)] = Path(f"--{key if key != 'replications' else 'reps'}")
    return validate_raw(raw, file=path, origins=origins)
