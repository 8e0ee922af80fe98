"""Non-stock parts: nothing on the shelf; each job's units are ordered for that job.

The order is placed when the job is known (reception end, or the booking with
``supply.prepare``), leaves with the next regular call-off (one container's room per line),
travels ``supply.stocking.lead_time`` (or rides the regular truck), and waits beside the line
for its job. Units of a job that no longer needs them (the car never came, or an emergency
order served it) go back with the first truck after that is known (``returns``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sim.model.policies.base import Policy, SizingContext
from sim.model.stock import PartStock


class SpecialOrder:
    """One job's order line for a non-stock part."""

    __slots__ = ("arrival", "cancelled", "idx", "job", "state", "units")

    def __init__(self, job: Any, idx: int, units: int) -> None:
        self.job = job
        self.idx = idx
        self.units = units
        self.state = "queued"  # queued (waits for a call-off), road, arrived
        self.arrival = math.inf  # scheduled arrival once on the road
        self.cancelled = False  # the job no longer needs it: the units go back


class NonStock(Policy):
    """Ordered per job; no loop, no review."""

    name = "non_stock"

    @classmethod
    def resolve_sizes(cls, cfg: Any, ctx: SizingContext) -> dict[str, np.ndarray]:
        return {"initial": np.zeros(len(ctx.demand), dtype=np.int64)}

    def on_request(self, part: PartStock, units: int) -> None:
        """The job's units were ordered when the job became known: nothing to do."""

    def orders(self) -> list[tuple[int, int]]:
        return []

    def start_position(self, u: np.ndarray) -> np.ndarray:
        return np.zeros(len(u), dtype=np.int64)

    def order_containers(self, position: np.ndarray) -> np.ndarray:
        return np.zeros(len(position), dtype=np.int64)
