"""What a run produces: the result object returned by ``simulate``.

Records are plain lists and counters filled in the event loop; frames are built once at the
end, and only when a trace is asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DEALERS_KEY = "dealers"  # a region's RunResult.extra: each dealer's RunResult by name
CENTRE_PARTS_KEY = "centre_parts"  # a region's RunResult.extra: the centre's per-part table


@dataclass
class RunResult:
    """One replication's KPI row, its flow balance and, with ``trace``, the raw tables.

    ``kpis`` maps every column of ``sim.kpi.KPI_COLUMNS`` to a float, or None where the
    KPI's denominator was zero. ``jobs`` and ``stock`` are pandas DataFrames (trace only).
    """

    scenario: str
    replication: int
    kpis: dict[str, float | None]
    flow: dict[str, float]
    jobs: Any = None
    stock: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class RunRecords:
    """Everything the KPI computation reads, gathered once when a run ends."""

    window: tuple[float, float]
    jobs: list[Any]  # sim.model.demand.Job, in arrival order
    job_labour_rate: list[float]  # per job type
    unit_price: Any  # numpy array per part
    unit_cost: Any
    labour_cost_per_hour: float
    working_minutes: float  # working time inside the window
    pool_size: list[int]
    pool_busy: list[float]  # busy unit-minutes of working time in the window
    space_pools: list[int]
    labour_pools: list[int]
    inventory_unit_minutes: float
    inventory_value_minutes: float
    units_out: int  # in the window: issued to jobs (shelf or straight from a delivery), returned
    deliveries: int
    emergency_orders: int
    parts: PartRecords
    issued_value: float = 0.0  # cost of the units issued to jobs in the window
    containers_delivered: int = 0
    returns: int = 0  # units sent back in the window
    per_delivery: float = 0.0  # truck cost
    per_container: float = 0.0
    emergency_cost: float = 0.0  # per emergency order
    holding_rate: float = 0.0  # yearly, share of stock value
    attached_sales: bool = True  # False: no job type sells attached products (all zero)
    # The breakdown by pool and job type (sim.kpi.breakdown_rows), lists by pool index:
    pool_names: list[str] = field(default_factory=list)
    pool_held: list[float] = field(default_factory=list)  # held unit-minutes, elapsed, in W
    pool_wait: list[float] = field(default_factory=list)  # minutes waited for it as first pool
    pool_waits: list[int] = field(default_factory=list)  # those takes, granted in W
    job_types: list[str] = field(default_factory=list)  # names, by job type index
    # economics.labour_cost: "worked" (labour worked on the jobs delivered) or "paid"
    labour_cost: str = "worked"
    paid_labour_units: int = 0  # units of the labour pools (paid: each costs every hour)
    month_working_minutes: list[float] = field(default_factory=list)  # per 30-day month


@dataclass
class PartRecords:
    """Per-part window statistics, lists in catalogue order (``sim.model.stock.PartStock``).

    ``sizes`` maps each ``parts.csv`` size column of the policy (``cards``, ``level``, or
    ``point`` and ``qty``) to the per-part sizes; ``None`` for a part not stocked.
    """

    part_no: list[str]
    stocked: list[bool]
    sizes: dict[str, list[int | None]]
    unit_cost: list[float]
    lines: list[int]
    requested: list[int]
    available: list[int]  # units available at the request (shelf or received for the job)
    short: list[int]  # order lines not completely filled at the request
    emergency: list[float]  # emergency orders, an order for k lines counting 1/k per line
    wait_minutes: list[float]  # job-minutes that waited for the part
    unit_minutes: list[float]  # unit-minutes on the shelf
