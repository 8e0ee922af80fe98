"""Hypothesis strategies for small, random but valid scenarios.

A strategy draws a :class:`ScenarioSpec`: the raw scenario mapping (as a YAML file would give
it) and, optionally, the rows of a tiny inline catalogue CSV. :func:`build` writes that CSV
into a folder (named by its content, so the per-process catalogue cache stays right) and
validates the mapping with ``sim.loading.validate_raw``, exactly as a loaded file would be.

Everything is kept small (a few days, a few dozen cars, at most 30 parts) so an example runs
in tens of milliseconds.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from sim.loading import validate_raw
from sim.scenario import DAY_NAMES, Scenario

SIZE_COLUMNS = ("cards", "order_up_to", "reorder_point", "order_qty")


@dataclass
class ScenarioSpec:
    """A raw scenario mapping plus the rows of its inline catalogue (None when generated)."""

    raw: dict[str, Any]
    catalogue_rows: list[dict[str, Any]] | None = None

    def __repr__(self) -> str:  # hypothesis prints this for a falsifying example
        rows = "" if self.catalogue_rows is None else f", catalogue_rows={self.catalogue_rows!r}"
        return f"ScenarioSpec(raw={self.raw!r}{rows})"


# -- small building blocks ------------------------------------------------------------------


def clock(minutes: int) -> str:
    """``"HH:MM"`` for minutes after midnight (``1440`` gives ``"24:00"``)."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def minutes(m: float) -> str:
    """A duration string in minutes."""
    return f"{m:g}min"


def _mins(lo: float, hi: float) -> st.SearchStrategy[float]:
    """Minutes on a 0.5-minute grid (exact in binary, readable in a failing example)."""
    return st.integers(int(lo * 2), int(hi * 2)).map(lambda k: k / 2)


@st.composite
def duration_dist(draw: st.DrawFn, hi: float, allow_zero: bool = True) -> Any:
    """A non-negative duration distribution with values mostly below ``hi`` minutes."""
    kind = draw(
        st.sampled_from(
            [
                "bare",
                "constant",
                "exponential",
                "triangular",
                "lognormal",
                "uniform",
                "normal",
                "gamma",
                "empirical",
            ]
        )
    )
    lo = 0.0 if allow_zero else 0.5
    if kind == "bare":
        return minutes(draw(_mins(lo, hi)))
    if kind == "constant":
        return {"dist": "constant", "value": minutes(draw(_mins(lo, hi)))}
    if kind in ("exponential", "lognormal", "gamma"):
        out: dict[str, Any] = {"dist": kind, "mean": minutes(draw(_mins(0.5, hi)))}
        if kind != "exponential":
            out["cv"] = draw(st.sampled_from([0.1, 0.3, 0.6, 1.0, 1.5]))
        return out
    if kind == "triangular":
        a, b, c = sorted(draw(st.lists(_mins(lo, hi), min_size=3, max_size=3)))
        return {"dist": "triangular", "low": minutes(a), "mode": minutes(b), "high": minutes(c)}
    if kind == "uniform":
        a, b = sorted(draw(st.lists(_mins(lo, hi), min_size=2, max_size=2)))
        return {"dist": "uniform", "low": minutes(a), "high": minutes(b)}
    if kind == "normal":
        mean = draw(_mins(lo, hi))
        sd = draw(_mins(0, hi / 2))
        return {"dist": "normal", "mean": minutes(mean), "sd": minutes(sd)}
    values = draw(st.lists(_mins(lo, hi), min_size=1, max_size=4))
    return {"dist": "empirical", "values": [minutes(v) for v in values]}


@st.composite
def int_dist(draw: st.DrawFn, lo: int, hi: int) -> Any:
    """An integer distribution on ``[lo, hi]`` (constant, bare or uniform_int)."""
    kind = draw(st.sampled_from(["bare", "constant", "uniform_int"]))
    if kind == "bare":
        return draw(st.integers(lo, hi))
    if kind == "constant":
        return {"dist": "constant", "value": draw(st.integers(lo, hi))}
    a, b = sorted(draw(st.lists(st.integers(lo, hi), min_size=2, max_size=2)))
    return {"dist": "uniform_int", "low": a, "high": b}


def efficiency_dist() -> st.SearchStrategy[Any]:
    """Efficiency factors around 1 (> 1 is slower)."""
    return st.sampled_from(
        [
            1.0,
            0.8,
            1.3,
            {"dist": "lognormal", "mean": 1.0, "cv": 0.25},
            {"dist": "uniform", "low": 0.7, "high": 1.4},
            {"dist": "triangular", "low": 0.8, "mode": 1.0, "high": 1.6},
            {"dist": "gamma", "mean": 1.1, "cv": 0.3},
        ]
    )


# -- blocks of a scenario -------------------------------------------------------------------


@st.composite
def open_days(draw: st.DrawFn) -> list[str]:
    """A non-empty set of opening days; usually one of the first days of the run is open."""
    days = set(draw(st.lists(st.sampled_from(DAY_NAMES), min_size=1, max_size=7, unique=True)))
    if draw(st.integers(0, 4)):
        days.add(draw(st.sampled_from(DAY_NAMES[:2])))
    return [d for d in DAY_NAMES if d in days]


@st.composite
def calendars(draw: st.DrawFn) -> dict[str, Any]:
    """Round the clock, or opening hours with 0-2 breaks and possibly closed days."""
    if draw(st.booleans()):
        if draw(st.booleans()):
            return {"open": "00:00", "close": "24:00", "days": "all"}
        # Round the clock on some days only: working time runs across midnight between them.
        return {"open": "00:00", "close": "24:00", "days": draw(open_days())}
    open_ = draw(st.integers(0, 40)) * 15  # 00:00 .. 10:00
    close = draw(st.integers(open_ // 15 + 16, 96)) * 15  # at least 4 h open, up to 24:00
    breaks: list[list[str]] = []
    n_breaks = draw(st.integers(0, 2))
    if n_breaks:
        cuts = sorted(
            draw(
                st.lists(
                    st.integers(open_ // 15 + 1, close // 15 - 1),
                    min_size=2 * n_breaks,
                    max_size=2 * n_breaks,
                    unique=True,
                )
            )
        )
        breaks = [[clock(cuts[2 * i] * 15), clock(cuts[2 * i + 1] * 15)] for i in range(n_breaks)]
    out: dict[str, Any] = {"open": clock(open_), "close": clock(close), "breaks": breaks}
    if draw(st.booleans()):
        out["days"] = draw(open_days())
    return out


def _open_close(cal: dict[str, Any]) -> tuple[int, int]:
    def m(s: str) -> int:
        h, mm = s.split(":")
        return int(h) * 60 + int(mm)

    return m(cal["open"]), m(cal["close"])


@st.composite
def demands(draw: st.DrawFn, cal: dict[str, Any], pools: list[str]) -> dict[str, Any]:
    """Walk-ins and/or appointments, and 1-3 job types routed over ``pools``."""
    open_, close = _open_close(cal)
    out: dict[str, Any] = {}
    if draw(st.booleans()):
        wi: dict[str, Any] = {"per_day": draw(st.sampled_from([4.5, 0.5, 3, 8, 12, 0]))}
        if draw(st.booleans()):
            keys = draw(
                st.lists(
                    st.integers(open_ // 15, close // 15 - 1), min_size=1, max_size=3, unique=True
                )
            )
            weights = draw(st.lists(st.integers(1, 4), min_size=len(keys), max_size=len(keys)))
            total = sum(weights)
            wi["profile"] = {clock(k * 15): w / total for k, w in zip(keys, weights, strict=True)}
        out["walk_ins"] = wi
    if draw(st.booleans()) or "walk_ins" not in out:
        slot = draw(st.sampled_from([15, 30, 60]))
        ap: dict[str, Any] = {
            "per_day": draw(st.sampled_from([5.4, 1, 3, 7, 10, 0])),
            "slot": minutes(slot),
            "no_show": draw(st.sampled_from([0.0, 0.1, 0.5])),
            "cancel_after": minutes(draw(st.sampled_from([30, 120, 30, 120, 10]))),
        }
        late = draw(
            st.sampled_from(
                [
                    None,
                    "0min",
                    "-5min",
                    "20min",
                    {"dist": "normal", "mean": "0min", "sd": "10min"},
                    {"dist": "uniform", "low": "-20min", "high": "40min"},
                ]
            )
        )
        if late is not None:
            ap["lateness"] = late
        if draw(st.booleans()):
            ap["booked_ahead"] = draw(
                st.sampled_from(["2h", "1d", {"dist": "uniform", "low": "1d", "high": "3d"}])
            )
        out["appointments"] = ap

    n_types = draw(st.integers(1, 3))
    weights = draw(st.lists(st.integers(0, 4), min_size=n_types, max_size=n_types))
    if sum(weights) == 0:
        weights[0] = 1
    total = sum(weights)
    types: dict[str, Any] = {}
    for t in range(n_types):
        n_ops = draw(st.integers(1, 2))
        job_level = n_ops == 1 and draw(st.booleans())
        route = []
        for k in range(n_ops):
            uses = draw(st.lists(st.sampled_from(pools), min_size=1, max_size=2, unique=True))
            op: dict[str, Any] = {"op": f"op{k}", "uses": uses}
            if not job_level:
                op["standard_hours"] = draw(duration_dist(180))
                if draw(st.booleans()):
                    op["efficiency"] = draw(efficiency_dist())
            route.append(op)
        jt: dict[str, Any] = {
            "share": weights[t] / total,
            "route": route,
            "parts": {"lines": draw(int_dist(0, 3))},
            "labour_rate": draw(st.sampled_from([0, 100, 160])),
            "qc_fail": draw(st.sampled_from([0.0, 0.1, 0.4])),
            "comeback": draw(st.sampled_from([0.0, 0.05, 0.5])),
        }
        if draw(st.booleans()):
            jt["parts"]["qty"] = draw(int_dist(1, 3))
        if draw(st.booleans()):
            jt["rework_share"] = draw(st.sampled_from([0.25, 0.5, 1.0]))
        if job_level:
            jt["standard_hours"] = draw(duration_dist(180))
            if draw(st.booleans()):
                jt["efficiency"] = draw(efficiency_dist())
        types[f"t{t}"] = jt
    out["job_types"] = types
    return out


@st.composite
def catalogue_rows(draw: st.DrawFn, type_names: list[str]) -> list[dict[str, Any]]:
    """1-8 parts; part 0 serves every job type with a positive weight so every type is served."""
    n = draw(st.integers(1, 8))
    with_types = draw(st.booleans())
    rows = []
    for i in range(n):
        cost = draw(st.sampled_from([0, 1.5, 20, 300]))
        row: dict[str, Any] = {
            "part_no": f"Q{(i * 7919) % 1000:03d}",  # not in index order: tie-breaks use part_no
            "unit_cost": cost,
            "unit_price": cost * draw(st.sampled_from([1, 1.3])),
            "container_qty": draw(st.integers(1, 5)),
            "weight": draw(st.sampled_from([1, 2.5, 10]))
            if i == 0
            else draw(st.sampled_from([0, 0.5, 1, 3])),
        }
        if with_types:
            row["job_types"] = (
                ""
                if i == 0
                else ";".join(draw(st.lists(st.sampled_from(type_names), max_size=2, unique=True)))
            )
        for col in SIZE_COLUMNS:
            row[col] = draw(st.integers(0 if col == "reorder_point" else 1, 6))
        rows.append(row)
    return rows


@st.composite
def size_spec(draw: st.DrawFn, csv_catalogue: bool, lo: int = 1) -> Any:
    """``auto``, a small int, or ``catalogue`` (only when the catalogue has the columns)."""
    options: list[Any] = ["auto", draw(st.integers(lo, 6))]
    if csv_catalogue:
        options.append("catalogue")
    return draw(st.sampled_from(options))


@st.composite
def supplies(draw: st.DrawFn, csv_catalogue: bool, span_h: int) -> dict[str, Any]:
    """Any supply policy, call-off, truck capacity, emergency orders and disruptions."""
    policy = draw(st.sampled_from(["kanban", "order_up_to", "reorder_point"]))
    out: dict[str, Any] = {"policy": policy, "lead_time": draw(duration_dist(240))}
    if draw(st.booleans()):
        out["call_off"] = {"every": "continuous"}
    else:
        every = draw(st.sampled_from([30, 60, 120, 240, 1440]))
        first = draw(st.integers(0, 22 * 4)) * 15
        last = draw(st.integers(first // 15, 23 * 4 + 3)) * 15
        co: dict[str, Any] = {"every": minutes(every), "first": clock(first), "last": clock(last)}
        if draw(st.booleans()):
            co["days"] = draw(
                st.lists(st.sampled_from(DAY_NAMES), min_size=1, max_size=7, unique=True)
            )
        out["call_off"] = co
    if draw(st.booleans()):
        out["truck_capacity"] = draw(st.integers(1, 4))
    safety = draw(st.sampled_from([0.0, 0.2, 1.0]))
    if policy == "kanban":
        out["kanban"] = {
            "cards": draw(size_spec(csv_catalogue)),
            "safety": safety,
            "release": draw(st.sampled_from(["on_request", "on_empty"])),
        }
    elif policy == "order_up_to":
        out["order_up_to"] = {"level": draw(size_spec(csv_catalogue)), "safety": safety}
    else:
        out["reorder_point"] = {
            "point": draw(size_spec(csv_catalogue, lo=0)),
            "qty": draw(size_spec(csv_catalogue)),
            "safety": safety,
        }
    if draw(st.integers(0, 2)):
        out["emergency"] = {
            "enabled": draw(st.integers(0, 3)) > 0,
            "lead_time": draw(st.sampled_from(["0min", "30min", "4h"])),
            "cost": draw(st.sampled_from([0, 80])),
        }
    if draw(st.booleans()):  # some parts ordered per job (none, few or all stocked)
        stocking: dict[str, Any] = {
            "rule": "auto",
            "min_lines_per_month": draw(st.sampled_from([0.5, 5, 50, 1e9])),
        }
        if draw(st.booleans()):
            stocking["lead_time"] = draw(st.sampled_from(["30min", "1d"]))
        out["stocking"] = stocking
        out["prepare"] = draw(st.booleans())
    if draw(st.integers(0, 3)) == 0:
        out["start_stock"] = "full"
    if draw(st.integers(0, 3)) == 0:
        dis = []
        for _ in range(draw(st.integers(1, 2))):
            start = draw(st.integers(0, span_h - 1))
            end = draw(st.integers(start + 1, span_h + 12))
            d: dict[str, Any] = {
                "kind": draw(st.sampled_from(["outage", "delay"])),
                "start": f"{start}h",
                "end": f"{end}h",
            }
            if d["kind"] == "delay":
                d["delay"] = draw(st.sampled_from(["30min", "6h"]))
            dis.append(d)
        out["disruptions"] = dis
    return out


def promises(draw: st.DrawFn, parts_eta: bool | None = None) -> dict[str, Any]:
    """Any promise rule, buffer and share (``parts_eta`` drawn unless given)."""
    out: dict[str, Any] = {
        "buffer": minutes(draw(st.sampled_from([0, 30, 90]))),
        "parts_eta": draw(st.booleans()) if parts_eta is None else parts_eta,
    }
    if draw(st.booleans()):
        out["rule"] = draw(st.sampled_from(["fixed", "workload"]))
    if draw(st.booleans()):
        out["buffer_share"] = draw(st.sampled_from([0.0, 0.25, 1.0]))
    return out


@st.composite
def scenarios(draw: st.DrawFn) -> ScenarioSpec:
    """A whole small scenario (raw mapping + optional inline catalogue)."""
    warmup_d = draw(st.sampled_from([0, 0, 1, 2]))
    horizon_d = draw(st.integers(1, 4))
    cal = draw(calendars())
    n_pools = draw(st.integers(1, 3))
    pools = [f"pool{i}" for i in range(n_pools)]
    resources = {
        "advisors": draw(st.integers(1, 2)),
        "qc": draw(st.integers(1, 2)),
        **{p: draw(st.integers(1, 3)) for p in pools},
    }
    demand = draw(demands(cal, pools))
    csv_catalogue = draw(st.booleans())
    rows = None
    if csv_catalogue:
        rows = draw(catalogue_rows(list(demand["job_types"])))
        parts: dict[str, Any] = {"catalogue": "<inline>"}
    else:
        parts = {
            "generate": {
                "count": draw(st.integers(1, 30)),
                "zipf_s": draw(st.sampled_from([0.0, 1.0, 1.5])),
                "container_qty": draw(
                    st.lists(st.integers(1, 6), min_size=1, max_size=3, unique=True)
                ),
            }
        }
    workshop = {
        "reception": draw(duration_dist(30)),
        "qc": draw(duration_dist(20)),
        "delivery": draw(duration_dist(20)),
        "promise": promises(draw),
        "stockout": draw(st.sampled_from(["wait_in_bay", "park"])),
    }
    raw = {
        "name": "prop",
        "run": {
            "horizon": f"{horizon_d}d",
            "warmup": f"{warmup_d}d",
            "replications": 1,
            "seed": draw(st.integers(0, 2**31)),
        },
        "calendar": cal,
        "resources": resources,
        "demand": demand,
        "workshop": workshop,
        "parts": parts,
        "supply": draw(supplies(csv_catalogue, 24 * (warmup_d + horizon_d))),
        "economics": {"labour_cost_per_hour": draw(st.sampled_from([0, 55]))},
    }
    if draw(st.booleans()):
        _calendar_time(draw, raw, warmup_d + horizon_d)
    return ScenarioSpec(raw=raw, catalogue_rows=rows)


DATES = ["2027-03-01", "2027-03-03", "2027-03-06", "2027-03-07"]  # Mon, Wed, Sat, Sun


def _calendar_time(draw: st.DrawFn, raw: dict[str, Any], days: int) -> None:
    """Calendar time keys: a start date, closed dates, day factors, demand events."""
    start = draw(st.sampled_from([None, *DATES]))
    if start is not None:
        raw["run"]["start"] = start
        closed = draw(st.sets(st.integers(0, days - 1), max_size=2))
        origin = dt.date.fromisoformat(start)
        raw["calendar"]["closed"] = [str(origin + dt.timedelta(days=d)) for d in sorted(closed)]
    dem = raw["demand"]
    if draw(st.booleans()):
        names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        dem["day_factors"] = draw(
            st.dictionaries(st.sampled_from(names), st.sampled_from([0.0, 0.5, 1.5, 2.0]))
        )
    events = []
    for k in range(draw(st.integers(0, 2))):
        a = draw(st.integers(0, days - 1))
        b = draw(st.integers(a + 1, days))
        events.append(
            {
                "name": f"ev{k}",
                "start": f"{a}d",
                "end": f"{b}d",
                "job_type": draw(st.sampled_from(sorted(dem["job_types"]))),
                "extra_per_day": draw(st.sampled_from([0, 1.5, 4, 8])),
                "booked_share": draw(st.sampled_from([0.0, 0.5, 1.0])),
            }
        )
    if events:
        dem["events"] = events


# -- building -------------------------------------------------------------------------------


def catalogue_csv(rows: list[dict[str, Any]]) -> str:
    """The CSV text of catalogue rows."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def materialize(spec: ScenarioSpec, folder: Path) -> dict[str, Any]:
    """The raw mapping with its inline catalogue written to ``folder`` (by content hash)."""
    raw = copy.deepcopy(spec.raw)
    if spec.catalogue_rows is not None:
        text = catalogue_csv(spec.catalogue_rows)
        path = folder / f"cat_{hashlib.sha256(text.encode()).hexdigest()[:20]}.csv"
        if not path.exists():
            tmp = path.with_suffix(".tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(path)
        raw["parts"] = {"catalogue": str(path)}
    return raw


def build(spec: ScenarioSpec, folder: Path) -> Scenario:
    """Validate a drawn spec into a Scenario (a drawn spec is always valid)."""
    return validate_raw(materialize(spec, folder), file=folder / "prop.yaml")


@st.composite
def tight_scenarios(draw: st.DrawFn) -> ScenarioSpec:
    """A scenario under stress: busy days, every job needs parts, minimal stock, slow and
    narrow supply, so stock-outs, backorders, emergency orders and queues are the rule."""
    spec = draw(scenarios())
    raw = spec.raw
    demand = raw["demand"]
    demand["walk_ins"] = {"per_day": draw(st.sampled_from([10, 16, 24]))}
    for jt in demand["job_types"].values():
        jt["parts"]["lines"] = {"dist": "uniform_int", "low": 1, "high": 3}
    sup = raw["supply"]
    sup["lead_time"] = draw(st.sampled_from(["3h", "8h", {"dist": "exponential", "mean": "5h"}]))
    sup["truck_capacity"] = draw(st.sampled_from([1, 2]))
    sup["emergency"] = {
        "enabled": draw(st.booleans()),
        "lead_time": draw(st.sampled_from(["1h", "6h"])),
        "cost": 80,
    }
    if sup["policy"] == "kanban":
        sup["kanban"] = {
            "cards": draw(st.sampled_from([1, "auto"])),
            "safety": 0.0,
            "release": draw(st.sampled_from(["on_request", "on_empty"])),
        }
    elif sup["policy"] == "order_up_to":
        sup["order_up_to"] = {"level": draw(st.integers(1, 2)), "safety": 0.0}
    else:
        sup["reorder_point"] = {"point": 0, "qty": 1, "safety": 0.0}
    return spec


def any_scenarios() -> st.SearchStrategy[ScenarioSpec]:
    """Ordinary and stressed scenarios."""
    return st.one_of(scenarios(), tight_scenarios())
