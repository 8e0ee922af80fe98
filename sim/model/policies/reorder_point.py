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
        """Auto: s = P and Q = C, or with ``target_fill`` the fewest containers s whose
        (s, Q) fill reaches it."""
        c = ctx.container
        q = ctx.pick(cfg.qty, "order_qty", c)
        qty = np.maximum(1, -(-q // c)).astype(np.int64) * c  # whole containers
        if cfg.point != "auto":
            auto = c  # unused
        elif cfg.target_fill is not None:
            auto = ctx.fewest_for_fill(cfg.target_fill, 0 * c, c, qty) * c
        else:
            auto = ctx.protection(cfg.safety) * c
        point = ctx.pick(cfg.point, "reorder_point", auto)
        return {"reorder_point": point, "order_qty": qty, "initial": point + qty}

    def review(self, part: PartStock) -> int:
        ip, c = part.position, part.container
        s, q = self.sizes["reorder_point"][part.idx], self.sizes["order_qty"][part.idx]
        return ((s - ip) // q + 1) * (q // c) if ip <= s else 0

    def start_position(self, u: np.ndarray) -> np.ndarray:
        """s + U{1..Q}: the position after a review of (s, nQ)."""
        q = np.asarray(self.sizes["order_qty"])
        return np.asarray(self.sizes["reorder_point"]) + 1 + np.floor(u * q).astype(np.int64)

    def order_containers(self, position: np.ndarray) -> np.ndarray:
        c = np.asarray(self.sizes["container_qty"])
        s, q = np.asarray(self.sizes["reorder_point"]), np.asarray(self.sizes["order_qty"])
        step = np.maximum(q, 1)  # a part ordered per job has Q = 0: it orders nothing here
        return np.where(position <= s, ((s - position) // step + 1) * (q // c), 0)
