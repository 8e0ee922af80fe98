"""``{dist: NAME, ...}`` specifications and the block samplers bound to a named stream.

The field that holds a distribution decides the kind of its parameters: durations (strings
with a unit, stored as minutes), plain numbers, or integers. A bare value is a constant.
Samplers draw in blocks from their own stream, so per-draw cost is a list index.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from itertools import chain
from pathlib import Path
from typing import Any, ClassVar, Literal, TypeVar

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    GetJsonSchemaHandler,
    SerializationInfo,
    model_serializer,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from sim.inputfiles import InputFileError, read_csv
from sim.suggest import did_you_mean
from sim.units import duration_json_schema, format_duration, parse_duration

DistName = Literal[
    "constant",
    "exponential",
    "uniform",
    "uniform_int",
    "triangular",
    "normal",
    "lognormal",
    "gamma",
    "empirical",
]

PARAMS: dict[str, tuple[str, ...]] = {
    "constant": ("value",),
    "exponential": ("mean",),
    "uniform": ("low", "high"),
    "uniform_int": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "normal": ("mean", "sd"),
    "lognormal": ("mean", "cv"),
    "gamma": ("mean", "cv"),
    "empirical": (),
}
# Parameters that are always plain numbers, whatever the field's kind.
_DIMENSIONLESS = {"cv"}
BLOCK = 128
INTEGER_DISTS = ("constant", "uniform_int", "empirical")


def _plain(value: Any) -> float:
    """A finite plain number (YAML int or float); anything else is a ValueError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{value!r} is not a number")
    if not math.isfinite(value):
        raise ValueError(f"{value!r} is not a finite number")
    return float(value)


def _value_schema(kind: str, signed: bool) -> dict[str, Any]:
    """The JSON Schema of one value of a distribution as a file gives it."""
    if kind == "duration":
        return duration_json_schema(signed=signed)
    schema: dict[str, Any] = {"type": "integer" if kind == "int" else "number"}
    return schema if signed else {**schema, "minimum": 0}


def distribution_json_schema(kind: str, signed: bool, names: tuple[str, ...]) -> dict[str, Any]:
    """The JSON Schema of a distribution as a scenario file gives it: a constant value, or
    ``{dist: NAME, ...}`` with exactly the parameters of NAME (``sim.schema``)."""
    value = _value_schema(kind, signed)
    param = {**value}
    param.pop("minimum", None)  # a normal's mean may lie below 0; the model checks support
    positive = {"type": "number", "exclusiveMinimum": 0}
    branches: list[dict[str, Any]] = [{**value, "description": "a constant"}]
    for name in names:
        props: dict[str, Any] = {"dist": {"const": name}}
        for key in PARAMS[name]:
            props[key] = positive if key in _DIMENSIONLESS else param
        branch: dict[str, Any] = {
            "type": "object",
            "title": name,
            "properties": props,
            "required": ["dist", *PARAMS[name]],
            "additionalProperties": False,
        }
        if name == "empirical":
            props["values"] = {"type": "array", "items": param, "minItems": 1}
            props["file"] = {"type": "string", "description": "a CSV file, relative to this one"}
            props["column"] = {"type": "string"}
            branch["oneOf"] = [{"required": ["values"]}, {"required": ["file", "column"]}]
        branches.append(branch)
    return {"anyOf": branches}


class _Dist(BaseModel):
    """A validated distribution; numeric parameters are floats in model units (minutes)."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)
    kind: ClassVar[str] = "number"
    signed: ClassVar[bool] = False
    names: ClassVar[tuple[str, ...]] = tuple(PARAMS)  # the dists a file may name here

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """The input form (``sim.schema``), not the validated fields."""
        schema = distribution_json_schema(cls.kind, cls.signed, cls.names)
        how = f"A constant, or {{dist: NAME, ...}} with NAME one of {', '.join(cls.names)}."
        return {"title": cls.__name__, "description": f"{cls.__doc__} {how}", **schema}

    dist: DistName
    value: float | None = None
    mean: float | None = None
    cv: float | None = None
    sd: float | None = None
    low: float | None = None
    mode: float | None = None
    high: float | None = None
    values: tuple[float, ...] | None = None
    file: str | None = None
    column: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, raw: Any) -> Any:
        if isinstance(raw, _Dist):
            return raw
        if not isinstance(raw, dict):
            return {"dist": "constant", "value": cls._convert(raw)}
        if "dist" not in raw:
            raise ValueError("a distribution needs 'dist' (or give a constant value)")
        name = raw["dist"]
        if not isinstance(name, str) or name not in PARAMS:
            hint = did_you_mean(name, PARAMS) if isinstance(name, str) else ""
            raise ValueError(f"unknown dist {name!r}; one of {', '.join(PARAMS)}{hint}")
        out: dict[str, Any] = {"dist": name}
        allowed = set(PARAMS[name]) | (
            {"values", "file", "column"} if name == "empirical" else set()
        )
        for key in raw:
            if key != "dist" and key not in allowed:
                hint = did_you_mean(str(key), sorted(allowed))
                raise ValueError(f"{name} takes {', '.join(sorted(allowed))}; not {key!r}{hint}")
        for key in PARAMS[name]:
            if key not in raw:
                raise ValueError(f"{name} needs {key!r}")
            out[key] = _plain(raw[key]) if key in _DIMENSIONLESS else cls._convert(raw[key])
        if name == "empirical":
            out.update(cls._empirical(raw))
        return out

    @classmethod
    def _convert(cls, value: Any) -> float:
        if cls.kind == "duration" and not isinstance(value, bool):
            return parse_duration(value, signed=cls.signed)
        number = _plain(value)
        if cls.kind == "int" and number != int(number):
            raise ValueError(f"{value!r} is not a whole number")
        return number

    @classmethod
    def _empirical(cls, raw: dict[str, Any]) -> dict[str, Any]:
        if "values" in raw:
            if "file" in raw or "column" in raw:
                raise ValueError("empirical takes either values or file and column")
            values = raw["values"]
            if not isinstance(values, list):
                raise ValueError("empirical values must be a list")
            return {"values": tuple(cls._convert(v) for v in values)}
        if "file" not in raw or "column" not in raw:
            raise ValueError("empirical needs values, or file and column")
        if not isinstance(raw["file"], str) or not isinstance(raw["column"], str):
            raise ValueError("empirical file and column must be strings")
        path, col = Path(raw["file"]), raw["column"]
        try:
            header, rows = read_csv(path)
        except InputFileError as exc:
            raise ValueError(f"empirical file: {exc}") from None
        if not rows or col not in header:
            raise ValueError(f"empirical file {str(path)!r} has no column {col!r}")
        values = []
        for line, row in enumerate(rows, start=2):
            cell = (row.get(col) or "").strip()
            try:
                values.append(cls._convert(cell if cls.kind == "duration" else float(cell)))
            except ValueError as exc:
                raise ValueError(f"empirical file {str(path)!r}, row {line}: {exc}") from None
        return {"values": tuple(values), "file": str(path), "column": col}

    def _p(self, key: str) -> float:
        """Parameter ``key``, which the distribution has (ValueError for one it lacks)."""
        value = getattr(self, key)
        if value is None:
            raise ValueError(f"{self.dist} has no {key}")
        return float(value)

    def _values(self) -> tuple[float, ...]:
        """The values of an empirical distribution."""
        if self.values is None:
            raise ValueError(f"{self.dist} has no values")
        return self.values

    @model_validator(mode="after")
    def _check(self) -> _Dist:
        d = self.dist
        if d == "empirical" and not self.values:
            raise ValueError("empirical needs at least one value")
        if d in ("uniform", "uniform_int", "triangular") and not (
            self._p("low")
            <= (self._p("mode") if d == "triangular" else self._p("low"))
            <= self._p("high")
        ):
            raise ValueError(
                f"{d} needs low <= mode <= high" if d == "triangular" else f"{d} needs low <= high"
            )
        if d in ("exponential", "lognormal", "gamma") and not (self.mean or 0) > 0:
            raise ValueError(f"{d} needs mean > 0")
        if d in ("lognormal", "gamma") and not (self.cv or 0) > 0:
            raise ValueError(f"{d} needs cv > 0")
        if d == "normal" and self._p("sd") < 0:
            raise ValueError("normal needs sd >= 0")
        if d == "normal" and not self.signed and self._p("mean") < -3 * self._p("sd"):
            # Redrawn until >= 0: a mean far below 0 would (almost) never produce a value.
            raise ValueError("normal on a non-negative field needs mean >= -3 sd")
        if not self.signed and self.support_min() < 0 and d != "normal":
            raise ValueError(f"{d}: values must not be negative")
        return self

    def support_min(self) -> float:
        """The smallest value the distribution can produce (``-inf`` for the normal)."""
        d = self.dist
        if d == "constant":
            return self._p("value")
        if d in ("uniform", "uniform_int", "triangular"):
            return self._p("low")
        if d == "normal":
            return -math.inf
        if d == "empirical":
            return min(self._values())
        return 0.0

    def support_max(self) -> float:
        """The largest value the distribution can produce (``inf`` when unbounded)."""
        d = self.dist
        if d == "constant":
            return self._p("value")
        if d in ("uniform", "uniform_int", "triangular"):
            return self._p("high")
        if d == "empirical":
            return max(self._values())
        return math.inf

    @model_serializer
    def _dump(self, info: SerializationInfo) -> Any:
        conv = self._format
        by_content = bool(info.context and info.context.get("by_content"))
        if self.dist == "constant":
            return conv(self._p("value"))
        out: dict[str, Any] = {"dist": self.dist}
        for key in PARAMS[self.dist]:
            v = getattr(self, key)
            out[key] = v if key in _DIMENSIONLESS else conv(v)
        if self.dist == "empirical":
            if self.file and not by_content:
                out.update(file=self.file, column=self.column)
            else:
                out["values"] = [conv(v) for v in self._values()]
        return out

    def _format(self, v: float) -> Any:
        if self.kind == "duration":
            return format_duration(v)
        return int(v) if self.kind == "int" else v

    def mean_value(self) -> float:
        """The mean of the samples (of the variable truncated at 0 where redrawn)."""
        d = self.dist
        if d == "constant":
            return self._p("value")
        if d in ("exponential", "lognormal", "gamma"):
            return self._p("mean")
        if d in ("uniform", "uniform_int"):
            return (self._p("low") + self._p("high")) / 2
        if d == "triangular":
            return (self._p("low") + self._p("mode") + self._p("high")) / 3
        if d == "empirical":
            vals = [v for v in self._values() if self.signed or v >= 0]
            return sum(vals) / len(vals)
        # normal, redrawn until >= 0 unless signed
        mu, sd = self._p("mean"), self._p("sd")
        if self.signed or sd == 0:
            return mu
        alpha = -mu / sd
        pdf = math.exp(-alpha * alpha / 2) / math.sqrt(2 * math.pi)
        tail = 0.5 * math.erfc(alpha / math.sqrt(2))
        return mu + sd * pdf / tail

    def block_drawer(self, rng: np.random.Generator) -> Callable[[], list[float]]:
        """A function returning the next block of samples drawn from ``rng``."""
        d, n = self.dist, BLOCK
        if d == "constant":
            block = [self._p("value")] * n
            return lambda: block
        if d == "exponential":
            mean = self._p("mean")
            return lambda: rng.exponential(mean, n).tolist()
        if d == "uniform":
            low, high = self._p("low"), self._p("high")
            return lambda: rng.uniform(low, high, n).tolist()
        if d == "uniform_int":
            lo, hi = int(self._p("low")), int(self._p("high")) + 1
            return lambda: rng.integers(lo, hi, n).astype(float).tolist()
        if d == "triangular":
            low, mode, high = self._p("low"), self._p("mode"), self._p("high")
            if low == high:
                block = [low] * n
                return lambda: block
            return lambda: rng.triangular(low, mode, high, n).tolist()
        if d == "lognormal":
            s2 = math.log1p(self._p("cv") ** 2)
            mu, sigma = math.log(self._p("mean")) - s2 / 2, math.sqrt(s2)
            return lambda: rng.lognormal(mu, sigma, n).tolist()
        if d == "gamma":
            shape = 1.0 / self._p("cv") ** 2
            scale = self._p("mean") / shape
            return lambda: rng.gamma(shape, scale, n).tolist()
        if d == "empirical":
            arr = np.asarray(self._values(), dtype=float)
            return lambda: arr[rng.integers(0, len(arr), n)].tolist()
        mu, sd = self._p("mean"), self._p("sd")
        if self.signed:
            return lambda: rng.normal(mu, sd, n).tolist()

        def nonneg() -> list[float]:
            while True:
                x = rng.normal(mu, sd, n)
                kept = x[x >= 0]
                if len(kept):
                    return kept.tolist()

        return nonneg

    def sampler(self, rng: np.random.Generator) -> Sampler:
        """A fast callable drawing one sample at a time from blocks of ``rng``."""
        return block_sampler(self.block_drawer(rng))


class DurationDist(_Dist):
    """A non-negative duration distribution (parameters with units, stored in minutes)."""

    kind: ClassVar[str] = "duration"


class SignedDurationDist(_Dist):
    """A duration distribution that may be negative (appointment lateness)."""

    kind: ClassVar[str] = "duration"
    signed: ClassVar[bool] = True


class NumberDist(_Dist):
    """A non-negative plain-number distribution (efficiency factors, money)."""

    kind: ClassVar[str] = "number"


class IntDist(_Dist):
    """A non-negative integer distribution (parts lines, quantities)."""

    kind: ClassVar[str] = "int"
    names: ClassVar[tuple[str, ...]] = INTEGER_DISTS

    @model_validator(mode="after")
    def _integer(self) -> IntDist:
        if self.dist not in INTEGER_DISTS:
            raise ValueError(
                f"{self.dist} gives fractions; a count takes {', '.join(INTEGER_DISTS)}"
            )
        return self


T = TypeVar("T")

Sampler = Callable[[], float]
"""A callable returning one sample per call, drawn from blocks (see :func:`block_sampler`)."""


def block_sampler(draw: Callable[[], list[T]]) -> Callable[[], T]:
    """One sample per call from the blocks ``draw`` returns, a new block drawn only when the
    last is used up (so a stream is consumed exactly as block after block).

    The samples flow through a C-level iterator chain, so a call costs about as little as a
    Python call can.
    """
    return chain.from_iterable(iter(draw, None)).__next__


def uniform_sampler(rng: np.random.Generator) -> Sampler:
    """U(0, 1) draws in blocks, for Bernoulli trials and categorical choices."""
    return block_sampler(lambda: rng.random(BLOCK).tolist())
