"""Replenishment policies: one class per rule, behind one interface (``base.Policy``).

A policy says how big each part's loop is (its sizes, from the catalogue, a number or the
auto formula), what a request for a part does (release a card, mark the part for review)
and what a call-off sends. ``POLICIES`` maps the scenario's ``supply.policy`` name to its
class, so a new rule is one new module here plus its config block in ``sim.scenario``.
"""

from __future__ import annotations

from sim.model.policies.base import Orders, Policy, SizingContext
from sim.model.policies.kanban import Kanban
from sim.model.policies.order_up_to import OrderUpTo
from sim.model.policies.reorder_point import ReorderPoint

POLICIES: dict[str, type[Policy]] = {
    Kanban.name: Kanban,
    OrderUpTo.name: OrderUpTo,
    ReorderPoint.name: ReorderPoint,
}

__all__ = ["POLICIES", "Kanban", "OrderUpTo", "Orders", "Policy", "ReorderPoint", "SizingContext"]
