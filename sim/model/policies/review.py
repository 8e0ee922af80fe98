"""What the periodic-review policies share: parts requested since the last call-off are
reviewed at the next one (at once when the call-off is continuous)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sim.model.policies.base import Orders, Policy
from sim.model.stock import PartStock


class Review(Policy):
    """A policy that orders by looking at the inventory position of touched parts."""

    def __init__(
        self,
        out: Orders,
        cfg: Any,
        sizes: Mapping[str, list[int]],
        parts: Sequence[PartStock],
    ) -> None:
        super().__init__(out, cfg, sizes, parts)
        self.touched: set[int] = set()  # parts requested since the last review

    def review(self, part: PartStock) -> int:
        """Containers to order for ``part`` now."""
        raise NotImplementedError

    def on_request(self, part: PartStock, units: int) -> None:
        if self.out.continuous:
            self.out.order(part.idx, self.review(part))
            self.out.dispatch()
        else:
            self.touched.add(part.idx)

    def orders(self) -> list[tuple[int, int]]:
        touched = list(self.touched)
        self.touched.clear()
        parts = self.parts
        return [(idx, self.review(parts[idx])) for idx in touched]

    def pending_units(self, part: PartStock) -> int:
        if part.idx in self.touched:
            return self.review(part) * part.container
        return 0

    def start_pending(self, part: PartStock, containers: int, position: int) -> None:
        if containers:
            self.touched.add(part.idx)  # the next call-off reviews it
