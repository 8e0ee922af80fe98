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
from sim.theory import fewest_for_fill


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

    ``demand``: expected units per working hour; ``span``: the protection span T in working
    hours, split into ``lead`` (until the first truck arrives) and ``review`` (the rest) for
    the formulas of ``sim.theory``; ``container``: units per container; ``catalogue``: the
    catalogue's size columns.
    """

    stocked: np.ndarray  # which parts are held on the shelf (the others get no loop)
    demand: np.ndarray
    span: float
    review: float
    lead: float
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

    def protection(self, safety: float) -> np.ndarray:
        """P/C = max(1, ceil(D·T·(1+safety)/C)): the containers that cover the span T with
        the safety margin (at least one, so every stocked part has a reorder point)."""
        n = np.ceil(np.round(self.demand * self.span * (1 + safety) / self.container, 9))
        return np.maximum(1, n).astype(np.int64)

    def fewest_for_fill(
        self, target: float, start: np.ndarray, step: np.ndarray, width: np.ndarray
    ) -> np.ndarray:
        """Per part, the least j >= 0 whose theoretical fill reaches ``target`` (see
        ``sim.theory.fewest_for_fill`` for the windows ``start``, ``step``, ``width``)."""
        out = np.zeros(len(self.demand), dtype=np.int64)
        for i in np.flatnonzero((self.demand > 0) & self.stocked).tolist():
            out[i] = fewest_for_fill(
                float(self.demand[i]),
                self.review,
                self.lead,
                target,
                start=int(start[i]),
                step=int(step[i]),
                width=int(width[i]),
            )
        return out


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

    def pending_units(self, part: PartStock) -> int:
        """Units of ``part`` the next call-off will order, as things stand now."""
        return 0

    # -- the start of a run: a random point of the cycle (sim.model.start) ---------------
    def start_position(self, u: np.ndarray) -> np.ndarray:
        """The inventory position just after a review, drawn from its stationary law by the
        uniforms ``u`` (one per part, catalogue order)."""
        raise NotImplementedError

    def order_containers(self, position: np.ndarray) -> np.ndarray:
        """Containers a review at inventory position ``position`` orders (per part)."""
        raise NotImplementedError

    def start_pending(self, part: PartStock, containers: int, position: int) -> None:
        """At time 0: what the ongoing review period has asked for so far (``containers``
        that the next call-off will send; ``position`` excludes them)."""
