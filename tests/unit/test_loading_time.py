"""Loading the time keys: run.start, calendar.closed, day factors, demand events, dates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sim.model.checks import scenario_warnings
from sim.model.sizing import expected_jobs_per_open_day
from tests.unit.test_loading import error_of, variant

EVENT = {"name": "recall", "start": "2d", "end": "5d", "job_type": "service", "extra_per_day": 4}


def _event(**change: Any) -> dict[str, Any]:
    return {"demand": {"events": [{**EVENT, **change}]}}


BAD: dict[str, tuple[dict[str, Any], str, str]] = {
    "bad start date": ({"run": {"start": "2027-02-30"}}, "run.start", "date"),
    "closed without start": (
        {"calendar": {"closed": ["2027-04-04"]}},
        "calendar.closed",
        "run.start",
    ),
    "bad closed date": (
        {"run": {"start": "2027-03-01"}, "calendar": {"closed": ["2027-13-04"]}},
        "calendar.closed.0",
        "month",
    ),
    "unknown weekday": (
        {"demand": {"day_factors": {"sat": 1.2, "fun": 2}}},
        "demand.day_factors",
        "'fun'",
    ),
    "negative factor": (
        {"demand": {"day_factors": {"sat": -1}}},
        "demand.day_factors.sat",
        "greater than or equal to 0",
    ),
    "event job type": (_event(job_type="paint"), "demand.events.0.job_type", "not a job type"),
    "booked share": (
        _event(booked_share=1.5),
        "demand.events.0.booked_share",
        "less than or equal to 1",
    ),
    "end before start": (_event(end="1d"), "demand.events.0", "end must be after start"),
    "event after the run": (
        _event(start="8d", end="9d"),
        "demand.events.0.start",
        "after the run ends",
    ),
    "event before the run": (
        _event(start="-3d", end="0d"),
        "demand.events.0.end",
        "before the run",
    ),
    "date without start": (_event(start="2027-03-03"), "demand.events.0.start", "needs run.start"),
    "bad event date": (
        {"run": {"start": "2027-03-01"}, **_event(end="2027-03-32")},
        "demand.events.0.end",
        "bad date",
    ),
    "event named twice": (
        {"demand": {"events": [EVENT, EVENT]}},
        "demand.events.1.name",
        "named twice",
    ),
    "disruption after the run": (
        {"supply": {"disruptions": [{"kind": "outage", "start": "10d", "end": "11d"}]}},
        "supply.disruptions.0.start",
        "after the run ends",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_time_keys_name_the_field(tmp_path: Path, case: str) -> None:
    change, field, text = BAD[case]
    err = error_of(variant(tmp_path, change))
    assert err.field == field, str(err)
    assert text in str(err)
    assert "\n" not in str(err)


def test_dates_become_durations_from_time_zero(tmp_path: Path) -> None:
    from sim.loading import load_scenario

    scn = load_scenario(
        variant(
            tmp_path,
            {
                "run": {"start": "2027-03-03"},  # a Wednesday
                "calendar": {"closed": ["2027-03-05"]},
                "demand": {"events": [{**EVENT, "start": "2027-03-04", "end": "2027-03-06"}]},
                "supply": {"disruptions": [{"kind": "outage", "start": "2027-03-05", "end": "3d"}]},
            },
            "ok.yaml",
        )
    )
    ev = scn.demand.events[0]
    assert (ev.start, ev.end) == (1440.0, 2 * 1440.0 + 1440.0)
    assert scn.supply.disruptions[0].start == 2 * 1440.0
    assert scn.weekday_offset == 2 and scn.closed_days() == (2,)


def test_warm_up_only_event_is_a_warning(tmp_path: Path) -> None:
    from sim.loading import load_scenario

    scn = load_scenario(variant(tmp_path, _event(start="0d", end="1d"), "ok.yaml"))
    assert any("demand.events.0" in w and "warm-up" in w for w in scenario_warnings(scn))
    scn = load_scenario(variant(tmp_path, _event(), "ok2.yaml"))
    assert not any("warm-up" in w for w in scenario_warnings(scn))


def test_expected_demand_averages_factors_and_events(tmp_path: Path) -> None:
    from sim.loading import load_scenario

    plain = load_scenario(variant(tmp_path, {}, "a.yaml"))
    assert expected_jobs_per_open_day(plain) == 10.0
    # 8 days (1d warm-up + 7d), every day open: Saturday (day 5) counts double.
    sat = load_scenario(variant(tmp_path, {"demand": {"day_factors": {"sat": 2}}}, "b.yaml"))
    assert expected_jobs_per_open_day(sat) == pytest.approx(10 * 9 / 8)
    # The event adds 4 cars on 3 of the 8 days.
    ev = load_scenario(variant(tmp_path, _event(), "c.yaml"))
    assert expected_jobs_per_open_day(ev) == pytest.approx(10 + 4 * 3 / 8)
