"""Order-up-to (R, S): at each call-off, if the inventory position is below S, order the
fewest whole containers that lift it to S or above."""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.model.policies.base import SizingContext
from sim.model.policies.review import Review
from sim.model.stock import PartStock


class OrderUpTo(Review):
    """(R, S) in whole containers."""

    name = "order_up_to"

    @classmethod
    def resolve_sizes(cls, cfg: Any, ctx: SizingContext) -> dict[str, np.ndarray]:
        """Auto: S = P, or with ``target_fill`` the fewest containers whose (R, S) fill
        reaches it."""
        c = ctx.container
        if cfg.level != "auto":
            auto = c  # unused
        elif cfg.target_fill is not None:
            auto = (ctx.fewest_for_fill(cfg.target_fill, c - 1, c, 0 * c + 1) + 1) * c
        else:
            auto = ctx.protection(cfg.safety) * c
        level = ctx.pick(cfg.level, "order_up_to", auto)
        return {"order_up_to": level, "initial": level}

    def review(self, part: PartStock) -> int:
        ip, c = part.position, part.container
        s = self.sizes["order_up_to"][part.idx]
        return -((ip - s) // c) if ip < s else 0  # ceil((s - ip) / c)

    def start_position(self, u: np.ndarray) -> np.ndarray:
        """S + U{0..C−1}: a review lifts the position to S or up to a container above."""
        c = np.asarray(self.sizes["container_qty"])
        return np.asarray(self.sizes["order_up_to"]) + np.floor(u * c).astype(np.int64)

    def order_containers(self, position: np.ndarray) -> np.ndarray:
        c = np.asarray(self.sizes["container_qty"])
        s = np.asarray(self.sizes["order_up_to"])
        return np.where(position < s, -((position - s) // c), 0)
