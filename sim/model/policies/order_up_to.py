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
        auto = ctx.auto_containers(cfg.safety) * ctx.container
        level = ctx.pick(cfg.level, "order_up_to", auto)
        return {"order_up_to": level, "initial": level}

    def review(self, part: PartStock) -> int:
        ip, c = part.position, part.container
        s = self.sizes["order_up_to"][part.idx]
        return -((ip - s) // c) if ip < s else 0  # ceil((s - ip) / c)
