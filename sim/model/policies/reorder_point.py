"""Reorder point (s, Q): at each call-off, if the inventory position is at or below s, order
the fewest Q-lots that lift it above s; Q is a whole number of containers."""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.model.policies.base import SizingContext
from sim.model.policies.review import Review
from sim.model.stock import PartStock


class ReorderPoint(Review):
    """(s, nQ) reviewed at call-offs."""

    name = "reorder_point"

    @classmethod
    def resolve_sizes(cls, cfg: Any, ctx: SizingContext) -> dict[str, np.ndarray]:
        n = ctx.auto_containers(cfg.safety)
        c = ctx.container
        point = ctx.pick(cfg.point, "reorder_point", (n - 1) * c)
        q = ctx.pick(cfg.qty, "order_qty", c)
        qty = np.maximum(1, np.ceil(q / c)).astype(np.int64) * c  # whole containers
        return {"reorder_point": point, "order_qty": qty, "initial": point + qty}

    def review(self, part: PartStock) -> int:
        ip, c = part.position, part.container
        s, q = self.sizes["reorder_point"][part.idx], self.sizes["order_qty"][part.idx]
        return ((s - ip) // q + 1) * (q // c) if ip <= s else 0
