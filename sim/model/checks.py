"""Warnings (not errors) about a scenario that is valid but probably not what was meant.

``validate`` prints them. Each says what it found and what it implies, in the planner's
units (money, containers a day), so that the user can judge.
"""

from __future__ import annotations

from sim.calendar import DAY
from sim.model.sizing import call_offs_of_week, lines_and_units_per_open_hour
from sim.model.world import calendar_of, catalogue_for, sizes_for
from sim.scenario import DemandEvent, Disruption, Scenario
from sim.units import format_duration

LOAD_WARNING = 0.9  # trucks loaded above this share of their capacity, on average


def scenario_warnings(scn: Scenario) -> list[str]:
    """Every warning about ``scn`` (an empty list when there is nothing to say)."""
    return size_warnings(scn) + capacity_warnings(scn) + prepare_warnings(scn) + time_warnings(scn)


def time_warnings(scn: Scenario) -> list[str]:
    """Disruptions and demand events that fall only in the warm-up change nothing measured;
    closed dates outside the run change nothing at all."""
    t0 = scn.run.warmup
    out = []
    items: list[tuple[str, DemandEvent | Disruption]]
    items = [(f"demand.events.{i}", e) for i, e in enumerate(scn.demand.events)]
    items += [(f"supply.disruptions.{i}", d) for i, d in enumerate(scn.supply.disruptions)]
    for path, x in items:
        if t0 > 0 and x.end <= t0:
            out.append(
                f"{path}: ends at {format_duration(x.end)}, within the warm-up "
                f"({format_duration(t0)}): it changes nothing measured"
            )
    days = scn.closed_days()
    outside = [d for d in days if not 0 <= d * DAY < scn.run_end]
    if outside:
        out.append(f"calendar.closed: {len(outside)} date(s) outside the run: they change nothing")
    return out


def prepare_warnings(scn: Scenario) -> list[str]:
    """``prepare`` acts only on bookings made ahead: without them it changes nothing."""
    ap = scn.demand.appointments
    if scn.supply.prepare and (ap is None or ap.per_day == 0 or not ap.ahead):
        return [
            "supply.prepare: no booking is made ahead (demand.appointments.booked_ahead), "
            "so every job's parts are ordered at reception and prepare changes nothing"
        ]
    return []


def size_warnings(scn: Scenario) -> list[str]:
    """A size given as one number applies to every stocked part, which for a catalogue of
    thousands is usually a mistake: say what stock it implies."""
    sup = scn.supply
    block = sup.policy_block
    sizes = sizes_for(scn)
    stocked = int(sizes["stocked"].sum())
    full = float(sizes["initial"] @ catalogue_for(scn).unit_cost)  # every loop full
    out = []
    for field, _, _ in block.SIZE_FIELDS:
        value = getattr(block, field)
        if not isinstance(value, int) or stocked < 2:
            continue
        what = f"{value} card(s)" if field == "cards" else f"{value} units"
        out.append(
            f"supply.{sup.policy}.{field}: {what} for every one of the {stocked:,} stocked "
            f"parts: {full:,.0f} {scn.economics.currency} of stock when every loop is full; "
            "a size for every part is usually a mistake (use auto, target_fill or catalogue)"
        )
    return out


def capacity_warnings(scn: Scenario) -> list[str]:
    """Trucks that cannot carry what the call-offs are expected to send (containers of the
    stocked parts, one container's room a line of the others): orders would pile up."""
    sup = scn.supply
    if sup.truck_capacity is None or sup.call_off.continuous:
        return []
    cal = calendar_of(scn)
    cat = catalogue_for(scn)
    sizes = sizes_for(scn)
    lines, units = lines_and_units_per_open_hour(scn, cat, cal)
    stocked = sizes["stocked"] == 1
    per_week = (
        cal.week_work
        / 60
        * (
            float((units[stocked] / cat.container_qty[stocked]).sum())
            + float(lines[~stocked].sum())
        )
    )
    room = sup.truck_capacity * len(call_offs_of_week(scn))
    if per_week <= LOAD_WARNING * room:
        return []
    return [
        f"supply.truck_capacity: about {per_week / 7:,.0f} containers a day to send, "
        f"{room / 7:,.0f} of room on the trucks: orders will pile up and stock drift "
        "(raise truck_capacity, or leave it out for trucks as big as the order)"
    ]
