"""Back-test: fixed-seed runs give the stored results (tests/backtest/cases.py).

A failure lists every figure that moved. If the change was deliberate (random numbers
consumed differently, a model rule changed), regenerate with ``python -m
tests.backtest.regenerate`` in the same commit and say so in CHANGELOG.md; otherwise a speed
change has altered the answer.
"""

from __future__ import annotations

import json

import pytest

from tests.backtest.cases import CASES, STORED, differences, fingerprint


@pytest.mark.parametrize("case", CASES, ids=[c.key for c in CASES])
def test_results_match_stored(case) -> None:
    stored = json.loads((STORED / f"{case.key}.json").read_text())
    fresh = json.loads(json.dumps(fingerprint(case)))  # the same float round trip as stored
    diffs = differences(stored, fresh)
    assert not diffs, f"{case.key}: {len(diffs)} figures differ\n" + "\n".join(diffs[:30])
    for rep in fresh["replications"]:  # a trace never changes the answer
        if "kpis_traced" in rep:  # (a region keeps no trace)
            assert differences(rep["kpis"], rep["kpis_traced"]) == []


def test_differences_sees_a_moved_figure() -> None:
    a = {"kpis": {"x": 1.0, "n": 3}, "jobs": {"t": [2, 5.0]}}
    assert differences(a, json.loads(json.dumps(a))) == []
    assert differences(a, {"kpis": {"x": 1.0 + 1e-12, "n": 3}, "jobs": {"t": [2, 5.0]}}) == []
    moved = {"kpis": {"x": 1.0001, "n": 3}, "jobs": {"t": [3, 5.0]}}
    assert differences(a, moved) == [
        ".jobs.t[0]: stored 2, now 3",
        ".kpis.x: stored 1.0, now 1.0001",
    ]
    assert differences(a, {"kpis": {"x": None, "n": 3}, "jobs": {"t": [2, 5.0]}}) == [
        ".kpis.x: stored 1.0, now None"
    ]
