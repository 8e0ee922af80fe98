"""Kanban: N cards of one container each per part; a used container's card goes back to the
supplier at the next call-off.

With ``release: on_request`` (default) a card is released each time the units requested since
the container was opened reach C, issued or backordered: the (R, nQ) policy with
r = (N−1)·C, Q = C. With ``release: on_empty`` a card is released only when a container
physically empties (a closed loop that orders later in a shortage).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from sim.model.policies.base import Orders, Policy, SizingContext
from sim.model.stock import PartStock
from sim.scenario import Kanban as KanbanConfig


class Kanban(Policy):
    """Card releases by consumption, sent at the next call-off."""

    name = "kanban"

    def __init__(
        self,
        out: Orders,
        cfg: KanbanConfig,
        sizes: Mapping[str, list[int]],
        parts: Sequence[PartStock],
    ) -> None:
        super().__init__(out, cfg, sizes, parts)
        self.on_request_release = cfg.release == "on_request"
        self.released: dict[int, int] = {}  # cards released, not yet called off

    @classmethod
    def resolve_sizes(cls, cfg: Any, ctx: SizingContext) -> dict[str, np.ndarray]:
        """Auto: N = P/C + 1 (the reorder point (N−1)·C must itself cover the span, as a
        card returns only when its container is used up), or with ``target_fill`` the
        fewest cards whose (R, nQ) fill reaches it."""
        c = ctx.container
        if cfg.cards != "auto":
            auto = c  # unused
        elif cfg.target_fill is not None:
            auto = ctx.fewest_for_fill(cfg.target_fill, 0 * c, c, c) + 1
        else:
            auto = ctx.protection(cfg.safety) + 1
        cards = np.maximum(1, ctx.pick(cfg.cards, "cards", auto))
        return {"cards": cards, "initial": cards * c}

    def attach(self, part: PartStock) -> None:
        if not self.on_request_release:
            part.on_card_release = self.release

    def on_request(self, part: PartStock, units: int) -> None:
        if self.on_request_release:
            part.requested_since += units
            c = part.container
            if part.requested_since >= c:
                n = part.requested_since // c
                part.requested_since -= n * c
                self.release(part, n)

    def release(self, part: PartStock, n: int) -> None:
        """``n`` cards released: sent at the next call-off (or at once when continuous)."""
        if self.out.continuous:
            self.out.order(part.idx, n)
            self.out.dispatch()
        else:
            self.released[part.idx] = self.released.get(part.idx, 0) + n

    def orders(self) -> list[tuple[int, int]]:
        out = list(self.released.items())
        self.released.clear()
        return out

    def start_position(self, u: np.ndarray) -> np.ndarray:
        """(N−1)·C + U{1..C}: the units requested since the open container's card went out
        are uniform on 0..C−1."""
        c = np.asarray(self.sizes["container_qty"])
        return (np.asarray(self.sizes["cards"]) - 1) * c + 1 + np.floor(u * c).astype(np.int64)

    def order_containers(self, position: np.ndarray) -> np.ndarray:
        c = np.asarray(self.sizes["container_qty"])
        r = (np.asarray(self.sizes["cards"]) - 1) * c
        return np.where(position <= r, (r - position) // c + 1, 0)

    def start_pending(self, part: PartStock, containers: int, position: int) -> None:
        if containers:
            self.released[part.idx] = containers
        if self.on_request_release:
            full = self.sizes["cards"][part.idx] * part.container
            part.requested_since = full - position - containers * part.container

    def pending_units(self, part: PartStock) -> int:
        return self.released.get(part.idx, 0) * part.container

    def emergency_placed(self, part: PartStock, units: int) -> None:
        if self.on_request_release:
            part.requested_since -= units  # the emergency units replace card releases
