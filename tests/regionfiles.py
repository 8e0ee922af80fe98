"""Small regions for tests: two copies of a small dealer on a finite centre, fast to run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SMALL = REPO / "scenarios" / "small_dealer.yaml"


def small_region(
    name: str = "tiny-region",
    *,
    horizon: str = "5d",
    warmup: str = "2d",
    replications: int = 2,
    seed: int = 4,
    lead: str = "2d",
) -> dict[str, Any]:
    """Dealers ``north`` and ``south`` (fewer walk-ins), both the small dealer, on a centre
    sized for 90 % with a constant plant lead time."""
    return {
        "name": name,
        "run": {"horizon": horizon, "warmup": warmup, "replications": replications, "seed": seed},
        "centre": {
            "stock": {"review": "1d", "target_fill": 0.9},
            "supply_lead_time": {"dist": "constant", "value": lead},
        },
        "dealers": [
            {"name": "north", "scenario": str(SMALL)},
            {"name": "south", "scenario": str(SMALL), "set": {"demand.walk_ins.per_day": 4}},
        ],
    }
