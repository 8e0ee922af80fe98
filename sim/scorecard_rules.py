"""The after-sales scorecard's rules as data, and the score of one month.

The rules (weights, the margin-rate item, the veto rules with their thresholds and
``veto_scope``) live in ``sim/data/scorecard_rules.yaml``; a scenario's ``scorecard`` block or
a sheet may name another rules file and override single keys inline. ``score_card`` applies
them to one month's targets and actuals. Nothing here knows about scenarios, pandas or files
other than rules files, so ``sim.scenario`` can validate a ``scorecard`` block with it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim import yamltext
from sim.inputfiles import InputFileError, read_text

DEFAULT_RULES_FILE = "scorecard_rules.yaml"
NonNeg = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Finite = Annotated[float, Field(allow_inf_nan=False)]


class RulesError(ValueError):
    """Bad scorecard rules; ``field`` is the dotted path inside the rules, ``str`` the message."""

    def __init__(self, field: str, message: str):
        self.field, self.message = field, message
        super().__init__(f"{field}: {message}" if field else message)


class StrictModel(BaseModel):
    """Unknown keys are errors; values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ItemRule(StrictModel):
    """How one item scores. Every key may be left out in an override; ``Rules`` checks the
    merged result (``weight`` is required there, ``score`` defaults to ``completion``)."""

    label: str | None = None
    weight: NonNeg | None = None
    score: Literal["completion", "rate"] | None = None
    rate_of: str | None = None
    rate_target: Positive | None = None


class VetoRule(StrictModel):
    """One veto rule (否决): a measure, a threshold, and what it zeroes when it fires."""

    label: str | None = None
    completion_of: str | None = None
    actual: str | None = None
    below: Finite | None = None
    at_or_above: Finite | None = None
    veto_scope: Literal["item", "card"] | None = None
    items: tuple[str, ...] | None = None
    enabled: bool | None = None

    @property
    def measure(self) -> str:
        """What the rule looks at, in words: ``revenue completion`` or ``on_time_rate``."""
        return f"{self.completion_of} completion" if self.completion_of else str(self.actual)

    @property
    def condition(self) -> str:
        """The firing condition, e.g. ``< 0.5`` or ``>= 0.002``."""
        return f"< {self.below:g}" if self.below is not None else f">= {self.at_or_above:g}"

    def fires(self, value: float) -> bool:
        """Whether the rule fires for a defined measure ``value``."""
        if self.below is not None:
            return value < self.below
        return self.at_or_above is not None and value >= self.at_or_above


class Rules(StrictModel):
    """A complete, consistent rule set: every item has a weight, every veto a measure, a
    threshold and a scope, and every name a rule refers to is an item."""

    items: dict[str, ItemRule] = Field(min_length=1)
    vetoes: dict[str, VetoRule] = {}

    @model_validator(mode="after")
    def _complete(self) -> Rules:
        for name, item in self.items.items():
            where = f"items.{name}"
            if item.weight is None:
                raise RulesError(f"{where}.weight", "required key is missing")
            if (item.score or "completion") == "rate":
                if item.rate_of is None or item.rate_target is None:
                    raise RulesError(where, "score: rate needs rate_of and rate_target")
                if item.rate_of not in self.items or item.rate_of == name:
                    raise RulesError(f"{where}.rate_of", f"{item.rate_of!r} is not another item")
            elif item.rate_of is not None or item.rate_target is not None:
                raise RulesError(where, "rate_of and rate_target need score: rate")
        for name, veto in self.vetoes.items():
            where = f"vetoes.{name}"
            if (veto.completion_of is None) == (veto.actual is None):
                raise RulesError(where, "give exactly one of completion_of and actual")
            if veto.completion_of is not None and veto.completion_of not in self.items:
                raise RulesError(f"{where}.completion_of", f"{veto.completion_of!r} is not an item")
            if (veto.below is None) == (veto.at_or_above is None):
                raise RulesError(where, "give exactly one of below and at_or_above")
            if veto.veto_scope is None:
                raise RulesError(f"{where}.veto_scope", "required key is missing (item or card)")
            if veto.veto_scope == "card" and veto.items is not None:
                raise RulesError(f"{where}.items", "only an item-scope veto names items")
            if veto.veto_scope == "item":
                if veto.items is None and veto.completion_of is None:
                    raise RulesError(
                        f"{where}.items", "an item-scope veto of an actual needs items"
                    )
                zeroed = veto.items if veto.items is not None else (str(veto.completion_of),)
                for item_name in zeroed:
                    if item_name not in self.items:
                        raise RulesError(f"{where}.items", f"{item_name!r} is not an item")
        return self

    def active_vetoes(self) -> dict[str, VetoRule]:
        """The veto rules that are switched on."""
        return {k: v for k, v in self.vetoes.items() if v.enabled is not False}

    def zeroes(self, veto: str) -> tuple[str, ...]:
        """The items an item-scope veto zeroes (empty for a card-scope veto)."""
        rule = self.vetoes[veto]
        if rule.veto_scope == "card":
            return ()
        return rule.items if rule.items is not None else (str(rule.completion_of),)

    def actual_names(self) -> tuple[str, ...]:
        """Every name an actual may have: the items, then the actuals the vetoes read."""
        extra = [v.actual for v in self.vetoes.values() if v.actual and v.actual not in self.items]
        return (*self.items, *dict.fromkeys(e for e in extra if e))

    def dump(self) -> dict[str, Any]:
        """The rules as plain YAML-ready data."""
        return self.model_dump(mode="json", exclude_none=True)


# --- loading and overriding ---------------------------------------------------------------


def _dotted(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc)


def _first_error(exc: ValidationError) -> RulesError:
    err = exc.errors()[0]
    ctx_err = (err.get("ctx") or {}).get("error")
    if isinstance(ctx_err, RulesError):
        return ctx_err
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        msg = "unknown key"
    elif err["type"] == "missing":
        msg = "required key is missing"
    return RulesError(_dotted(err["loc"]), msg)


def rules_from_data(data: Any) -> Rules:
    """Validate a rules mapping; RulesError names the dotted field."""
    if not isinstance(data, Mapping):
        raise RulesError("", "scorecard rules must be a YAML mapping with items: and vetoes:")
    try:
        return Rules.model_validate(data)
    except ValidationError as exc:
        raise _first_error(exc) from None


def _read_rules_text(text: str, name: str) -> Rules:
    try:
        data = yamltext.safe_load(text)
    except yaml.YAMLError as exc:
        raise RulesError("", f"rules file {name}: {yamltext.describe(exc)}") from None
    try:
        return rules_from_data(data)
    except RulesError as exc:
        raise RulesError(exc.field, f"{exc.message} (in rules file {name})") from None


def default_rules() -> Rules:
    """The seed's rules, shipped with the package (``sim/data/scorecard_rules.yaml``)."""
    text = resources.files("sim").joinpath("data", DEFAULT_RULES_FILE).read_text("utf-8")
    return _read_rules_text(text, DEFAULT_RULES_FILE)


def load_rules(path: str | Path) -> Rules:
    """A complete rules file; RulesError (field ``rules``) if it cannot be read or is bad."""
    try:
        text = read_text(path)
    except InputFileError as exc:
        raise RulesError("rules", str(exc)) from None
    try:
        return _read_rules_text(text, str(path))
    except RulesError as exc:
        message = f"{exc.field}: {exc.message}" if exc.field else exc.message
        raise RulesError("rules", message) from None


def rules_data(path: str | Path | None) -> dict[str, Any]:
    """The content of a rules file (or the default rules) as plain data, for hashing."""
    return (load_rules(path) if path is not None else default_rules()).dump()


def merge_rules(
    base: Rules,
    items: Mapping[str, ItemRule] | None = None,
    vetoes: Mapping[str, VetoRule] | None = None,
) -> Rules:
    """``base`` with inline overrides: each given key of an item or veto replaces the base's,
    a new name adds a rule (then it must be complete)."""

    def merged(base_map: Mapping[str, BaseModel], over: Mapping[str, BaseModel] | None) -> dict:
        out = {k: v.model_dump(exclude_none=True) for k, v in base_map.items()}
        for name, patch in (over or {}).items():
            out[name] = {**out.get(name, {}), **patch.model_dump(exclude_unset=True)}
        return out

    data = {"items": merged(base.items, items), "vetoes": merged(base.vetoes, vetoes)}
    return rules_from_data(data)


def check_targets(rules: Rules, targets: Mapping[str, float]) -> None:
    """RulesError (field ``targets.NAME``) for a target that is not an item of ``rules``."""
    for name in targets:
        if name not in rules.items:
            raise RulesError(
                f"targets.{name}", f"not a scorecard item (items: {', '.join(rules.items)})"
            )


# --- scoring ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemScore:
    """One scored item: target, actual, completion (actual / target), weight, score, veto.

    ``rate`` is the scored rate of a ``score: rate`` item (gross margin / revenue), else
    None. ``vetoed_by`` names the veto rules that zeroed the item; ``earned`` is the score
    before vetoes.
    """

    target: float
    actual: float
    completion: float
    weight: float
    score: float
    veto: bool
    vetoed_by: tuple[str, ...] = ()
    rate: float | None = None
    earned: float = math.nan


@dataclass(frozen=True)
class Card:
    """One month's scorecard: items with a target, each veto rule (None: not evaluated, its
    measure is missing), the total out of ``max_total`` (the weights scored), ``vetoed``."""

    items: dict[str, ItemScore]
    vetoes: dict[str, bool | None]
    total: float
    max_total: float
    vetoed: bool

    @property
    def total_before_vetoes(self) -> float:
        """The total the items earned had no veto fired."""
        return math.fsum(it.earned for it in self.items.values())

    def as_json(self) -> dict[str, Any]:
        """The contract's JSON shape (with the veto rules' flags added under ``vetoes``)."""
        keys = ("target", "actual", "completion", "weight", "score", "veto")
        items = {
            name: {k: _json_number(getattr(it, k)) for k in keys} for name, it in self.items.items()
        }
        return {
            "items": items,
            "total": self.total,
            "max_total": self.max_total,
            "vetoed": self.vetoed,
            "vetoes": dict(self.vetoes),
        }


def _json_number(v: Any) -> Any:
    return None if isinstance(v, float) and math.isnan(v) else v


def _value(v: float | None) -> float:
    """``v`` as a float; NaN when it is undefined (None)."""
    return math.nan if v is None else float(v)


def _ratio(num: float | None, den: float | None) -> float:
    n, d = _value(num), _value(den)
    if math.isnan(n) or math.isnan(d) or d == 0:
        return math.nan
    return n / d


def _clip01(x: float) -> float:
    return 0.0 if math.isnan(x) else min(1.0, max(0.0, x))


def score_card(
    rules: Rules, targets: Mapping[str, float], actuals: Mapping[str, float | None]
) -> Card:
    """Score one month. Items without a target are left out; a missing actual scores 0.

    An item scores weight x min(1, completion) (``completion``) or weight x min(1, rate /
    rate_target) (``rate``), never below 0. Each switched-on veto rule fires when its measure
    is defined and crosses its threshold: an item-scope veto zeroes its items, a card-scope
    veto every item. The month is vetoed when any rule fires.
    """
    check_targets(rules, targets)
    earned: dict[str, ItemScore] = {}
    for name, item in rules.items.items():
        if name not in targets:
            continue
        target = float(targets[name])
        actual = actuals.get(name)
        actual_f = _value(actual)
        completion = _ratio(actual_f, target)
        weight = float(item.weight or 0.0)
        rate: float | None = None
        if (item.score or "completion") == "rate":
            rate = _ratio(actual_f, actuals.get(str(item.rate_of)))
            points = weight * _clip01(rate / float(item.rate_target or 1.0))
        else:
            points = weight * _clip01(completion)
        earned[name] = ItemScore(
            target, actual_f, completion, weight, points, False, (), rate, earned=points
        )

    fired: dict[str, bool | None] = {}
    zeroed: dict[str, list[str]] = {name: [] for name in earned}
    for vname, rule in rules.active_vetoes().items():
        if rule.completion_of is not None:
            scored = earned.get(rule.completion_of)
            measure = scored.completion if scored is not None else math.nan
        else:
            value = actuals.get(str(rule.actual))
            measure = _value(value)
        if math.isnan(measure):
            fired[vname] = None
            continue
        fired[vname] = rule.fires(measure)
        if fired[vname]:
            hit = tuple(earned) if rule.veto_scope == "card" else rules.zeroes(vname)
            for name in hit:
                if name in zeroed:
                    zeroed[name].append(vname)

    items = {
        name: replace(it, score=0.0, veto=True, vetoed_by=tuple(zeroed[name]))
        if zeroed[name]
        else it
        for name, it in earned.items()
    }
    total = math.fsum(it.score for it in items.values())
    max_total = math.fsum(it.weight for it in items.values())
    return Card(items, fired, total, max_total, any(v for v in fired.values()))
