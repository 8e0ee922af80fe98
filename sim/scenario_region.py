"""Pydantic models of a region: several dealers on one parts centre (docs/model.md, "A region").

A region file names its dealers' scenario files; ``sim.region`` reads them, gives each the
region's ``run`` block and its own ``set`` overrides, and builds a ``Region``: the centre's
settings and every dealer's validated ``Scenario``.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from sim.distributions import DurationDist
from sim.scenario import RunConfig, Scenario
from sim.scenario_base import MAX_NAME_LENGTH, PositiveDuration, Strict, Units

DEALER_NAME = r"^[A-Za-z0-9][A-Za-z0-9_-]*$"  # a dealer's name prefixes its --set keys
REGION_ROW = "region"  # the dealer column of the centre-wide rows of a region's results
CENTRE_ROW = "centre"  # the dealer column of the centre's rows of parts.csv
MAX_DEALERS = 1000  # docs/model.md, "Input limits"


class CentreStock(Strict):
    """The centre's stock policy: (R, S) per part, reviewed every ``review`` from time 0.

    ``level``: ``auto`` gives each part the least S whose theoretical fill of the dealers'
    expected orders reaches ``target_fill``; a number is every part's S in units.
    """

    policy: Literal["order_up_to"] = "order_up_to"
    review: PositiveDuration = 1440.0
    level: Literal["auto"] | Units = "auto"
    target_fill: Annotated[float, Field(gt=0, lt=1)] = 0.95


class CentreExpress(Strict):
    """Plant express (VOR) orders: a dealer's emergency order that the centre cannot fill
    goes on to the plant for what the centre lacks, arriving after ``lead_time``."""

    enabled: bool = True
    lead_time: PositiveDuration = 1440.0  # next-day air from the plant's parts depot (est.)


class CentreConfig(Strict):
    """The parts centre: its stock policy, the plant's lead time and express orders, or
    ``infinite``."""

    stock: CentreStock | None = None
    supply_lead_time: DurationDist | None = None
    express: CentreExpress = CentreExpress()
    infinite: bool = False

    @model_validator(mode="after")
    def _finite_needs(self) -> CentreConfig:
        if not self.infinite:
            missing = [k for k in ("stock", "supply_lead_time") if getattr(self, k) is None]
            if missing:
                raise ValueError(f"a finite centre needs {' and '.join(missing)}")
        return self


class RegionDealer(Strict):
    """One dealer of a region: its name and its resolved scenario."""

    name: str = Field(min_length=1, max_length=MAX_NAME_LENGTH, pattern=DEALER_NAME)
    scenario: Scenario


class Region(Strict):
    """A validated region: the run every dealer shares, the centre, the dealers."""

    name: str = Field(min_length=1, max_length=MAX_NAME_LENGTH)
    description: str | None = None
    run: RunConfig
    centre: CentreConfig
    dealers: tuple[RegionDealer, ...] = Field(min_length=1, max_length=MAX_DEALERS)

    @field_validator("dealers")
    @classmethod
    def _unique(cls, v: tuple[RegionDealer, ...]) -> tuple[RegionDealer, ...]:
        names = [d.name for d in v]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"dealer names repeat: {', '.join(twice)}")
        if REGION_ROW in names or CENTRE_ROW in names:
            raise ValueError(f"{REGION_ROW!r} and {CENTRE_ROW!r} name the region's own rows")
        return v

    @property
    def scorecard(self) -> None:
        """A region is scored dealer by dealer (each dealer's own targets), never as one."""
        return None

    @property
    def currency(self) -> str:
        """The money unit of the results: the first dealer's."""
        return self.dealers[0].scenario.economics.currency

    @property
    def run_end(self) -> float:
        """The end of the run, warm-up included (minutes)."""
        return self.run.warmup + self.run.horizon

    def dump(self) -> dict[str, Any]:
        """The region as plain YAML-ready data, each dealer's scenario inline (without its
        ``run``, which is the region's): a file ``run`` reads back as this same region."""
        data = self.model_dump(mode="json", exclude_none=True, exclude={"dealers"})
        data["dealers"] = [
            {"name": d.name, "scenario": _without_run(d.scenario.dump())} for d in self.dealers
        ]
        return data

    def digest(self) -> str:
        """sha256 of what is simulated: run, centre and every dealer's scenario by content
        (names of files left out, as a scenario's own digest does)."""
        data = self.model_dump(mode="json", exclude_none=True, exclude={"dealers", "description"})
        data["dealers"] = [[d.name, _content_digest(d.scenario)] for d in self.dealers]
        text = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _without_run(data: dict[str, Any]) -> dict[str, Any]:
    data.pop("run", None)
    return data


def _content_digest(scenario: Scenario) -> str:
    """The dealer's scenario by content, without its name, description and run (the
    region's run is hashed once)."""
    data = scenario.model_dump(mode="json", exclude_none=True, context={"by_content": True})
    for key in ("name", "description", "run"):
        data.pop(key, None)
    data["parts"].pop("catalogue", None)
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


Simulated = Scenario | Region  # what simulate() replicates: one dealer, or a region


def currency_of(model: Simulated) -> str:
    """The money unit of a scenario's or a region's results."""
    return model.currency if isinstance(model, Region) else model.economics.currency
