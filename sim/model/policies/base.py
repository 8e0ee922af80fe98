"""The interface every replenishment policy implements, and what sizing gives it.

A policy has two faces. Before a run, ``resolve_sizes`` turns its config block (``auto``,
``catalogue`` or a number) into per-part sizes, the ``initial`` stock among them. During a
run, one instance per replication hears every request for a part (``on_request``) and, at
each call-off, says what to order (``orders``); ``pending_units`` tells the emergency rule
what the next call-off will send. Orders leave through the ``Orders`` protocol, which the
supply side implements, so policies never import it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

import numpy as np

from sim.model.stock import PartStock


class Orders(Protocol):
    """What a policy may ask of the supply side."""

    continuous: bool

    def order(self, idx: int, containers: int) -> None:
        """Put ``containers`` of part ``idx`` on order (sent by the next truck)."""

    def dispatch(self) -> None:
        """Send what is on order now (continuous call-off)."""


@dataclass(frozen=True)
class SizingContext:
    """What the auto formula knows about every part (arrays in catalogue order).

    ``demand``: expected units per working hour; ``span``: the protection span in working
    hours; ``container``: units per container; ``catalogue``: the catalogue's size columns.
    """

    demand: np.ndarray
    span: float
    container: np.ndarray
    catalogue: Mapping[str, np.ndarray]

    def pick(self, spec: str | int, column: str, auto: np.ndarray) -> np.ndarray:
        """Sizes for ``spec``: the auto array, the catalogue column, or one number for all."""
        if spec == "auto":
            return auto
        if spec == "catalogue":
            col = self.catalogue.get(column)
            if col is None or np.isnan(col).any():
                raise ValueError(f"the catalogue needs a {column} value for every part")
            return col.astype(np.int64)
        return np.full(len(self.demand), int(spec), dtype=np.int64)

    def auto_containers(self, safety: float) -> np.ndarray:
        """N = max(1, ceil(D·T·(1+safety)/C)): containers covering the span with safety."""
        n = np.ceil(np.round(self.demand * self.span * (1 + safety) / self.container, 9))
        return np.maximum(1, n).astype(np.int64)


class Policy:
    """One replenishment rule for the parts it serves, for one replication."""

    name: ClassVar[str]

    def __init__(
        self,
        out: Orders,
        cfg: Any,
        sizes: Mapping[str, list[int]],
        parts: Sequence[PartStock],
    ) -> None:
        self.out = out
        self.cfg = cfg
        self.sizes = sizes  # per-part lists, by part index
        self.parts = parts

    @classmethod
    def resolve_sizes(cls, cfg: Any, ctx: SizingContext) -> dict[str, np.ndarray]:
        """Per-part sizes of this policy (``initial``: the stock at time 0 among them)."""
        raise NotImplementedError

    def attach(self, part: PartStock) -> None:
        """Wire a part to this policy at the start of a run (default: nothing to wire)."""

    def on_request(self, part: PartStock, units: int) -> None:
        """A job asked for ``units`` of ``part`` (issued or backordered)."""
        raise NotImplementedError

    def orders(self) -> list[tuple[int, int]]:
        """At a call-off: ``(part index, containers)`` to order; the policy forgets them."""
        raise NotImplementedError

    def emergency_placed(self, part: PartStock, units: int) -> None:
        """An emergency order brings ``units`` of ``part`` (default: nothing to adjust)."""
