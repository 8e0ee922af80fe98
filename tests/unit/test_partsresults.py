"""``parts.csv``: per-part means over replications, their sums against the KPIs, the file."""

from __future__ import annotations

import csv
import math
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from sim.experiment import ScenarioRun, replicate
from sim.model.records import RunResult
from sim.partsresults import parts_sum_mismatches, parts_table, plain_parts, scenario_parts
from sim.results import read_summary, write_results
from sim.scenario import Scenario
from tests.partsfake import parts_of, with_parts

HEADER = [
    "scenario",
    "part_no",
    "stocked",
    "cards",
    "lines",
    "units_requested",
    "fill_rate",
    "stockout_events",
    "parts_wait_h",
    "avg_inventory_units",
    "avg_inventory_value",
    "emergency_orders",
]


def with_policy(scn: Scenario, policy: str, name: str | None = None) -> Scenario:
    supply = scn.supply.model_copy(update={"policy": policy})
    return scn.model_copy(update={"supply": supply, "name": name or scn.name})


def result(scn: Scenario, rep: int, parts: dict[str, Any] | None) -> RunResult:
    res = RunResult(scn.name, rep, kpis={}, flow={})
    if parts is not None:
        res.extra["parts"] = parts
    return res


def scenario_run(scn: Scenario, *tables: dict[str, Any] | None) -> ScenarioRun:
    results = tuple(result(scn, rep, t) for rep, t in enumerate(tables))
    return ScenarioRun(scenario=scn, results=results, seconds=(0.0,) * len(results))


def two_parts(rep: int, **columns: list[Any]) -> dict[str, Any]:
    table: dict[str, Any] = {
        "part_no": ["A-1", "B-2"],
        "stocked": [True, False],
        "cards": [4, None],
        "lines": [3, 1],
        "units_requested": [5, 1],
        "fill_rate": [0.8, None],
        "stockout_events": [1, 1],
        "parts_wait_h": [2.0, 0.0],
        "avg_inventory_units": [3.25, 0.0],
        "avg_inventory_value": [65.0, 0.0],
        "emergency_orders": [0.5, 1.0],
    }
    table.update(columns)
    return table


def test_means_over_two_replications_are_exact(tiny_scenario: Scenario) -> None:
    run = scenario_run(
        tiny_scenario,
        two_parts(0),
        two_parts(
            1,
            stocked=[True, True],  # stocked and sizes: replication 0's
            cards=[9, 9],
            lines=[4, 2],
            units_requested=[6, 2],
            fill_rate=[0.5, 0.25],  # B-2: defined in replication 1 only
            stockout_events=[2, 0],
            parts_wait_h=[3.5, 1.25],
            avg_inventory_units=[3.75, 1.0],
            avg_inventory_value=[75.0, 20.0],
            emergency_orders=[1 / 3, 0.0],
        ),
    )
    columns, rows = parts_table([run])
    assert columns == HEADER
    assert rows == [
        ("tiny", "A-1", True, 4, 3.5, 5.5, 0.65, 1.5, 2.75, 3.5, 70.0, (0.5 + 1 / 3) / 2),
        ("tiny", "B-2", False, None, 1.5, 1.5, 0.25, 0.5, 0.625, 0.5, 10.0, 0.5),
    ]


def test_means_leave_out_none_and_nan(tiny_scenario: Scenario) -> None:
    run = scenario_run(
        tiny_scenario,
        two_parts(0, parts_wait_h=[math.nan, 0.1], fill_rate=[0.8, math.nan]),
        two_parts(1, parts_wait_h=[2.0, 0.2], fill_rate=[None, math.nan]),
        two_parts(2, parts_wait_h=[None, 0.3], fill_rate=[0.6, None]),
    )
    _, rows = parts_table([run])
    wait, fill = HEADER.index("parts_wait_h"), HEADER.index("fill_rate")
    assert (rows[0][wait], rows[0][fill]) == (2.0, 0.7)  # one and two defined values
    assert rows[1][wait] == 0.19999999999999998  # fsum: sum() / 3 is 0.20000000000000004
    assert rows[1][fill] is None  # NaN or None in every replication


def test_fill_rate_undefined_in_every_replication_is_empty(tiny_scenario: Scenario) -> None:
    run = scenario_run(tiny_scenario, two_parts(0), two_parts(1), two_parts(2))
    _, rows = parts_table([run])
    assert rows[1][HEADER.index("fill_rate")] is None
    assert rows[0][HEADER.index("fill_rate")] == pytest.approx(0.8)


def test_no_parts_table_no_rows(tiny_scenario: Scenario) -> None:
    assert parts_table([scenario_run(tiny_scenario, None, None)]) is None
    # a scenario whose replications do not all have the table gets no rows
    assert scenario_parts(scenario_run(tiny_scenario, two_parts(0), None)) is None
    other = tiny_scenario.model_copy(update={"name": "other"})
    _, rows = parts_table(
        [scenario_run(tiny_scenario, two_parts(0), None), scenario_run(other, two_parts(0))]
    )
    assert [r[:2] for r in rows] == [("other", "A-1"), ("other", "B-2")]


def test_policies_share_one_table(tiny_scenario: Scenario) -> None:
    runs = [
        scenario_run(with_policy(tiny_scenario, policy, name), parts_of(policy, 0))
        for policy, name in (("reorder_point", "rop"), ("kanban", "kan"), ("order_up_to", "out"))
    ]
    columns, rows = parts_table(runs)
    assert columns[:7] == ["scenario", "part_no", "stocked", "cards", "level", "point", "qty"]
    by_key = {(r[0], r[1]): dict(zip(columns, r, strict=True)) for r in rows}
    assert [r[0] for r in rows] == ["rop"] * 4 + ["kan"] * 4 + ["out"] * 4  # run order
    assert [r[1] for r in rows[:4]] == ["P1", "P2", "P3", "P4"]  # catalogue order
    rop = by_key[("rop", "P1")]
    assert (rop["cards"], rop["level"], rop["point"], rop["qty"]) == (None, None, 4, 6)
    assert by_key[("kan", "P2")]["cards"] == 2 and by_key[("kan", "P2")]["level"] is None
    assert by_key[("out", "P4")]["level"] is None  # not stocked


def test_size_columns_follow_the_policy_block(tiny_scenario: Scenario) -> None:
    """A policy whose config block declares its size fields (``SIZE_FIELDS``: field, catalogue
    column, least value) gets those columns, after the known ones."""
    block = SimpleNamespace(SIZE_FIELDS=(("low", "min_level", 0), ("high", "max_level", 1)))
    min_max = SimpleNamespace(
        name="mm", supply=SimpleNamespace(policy="min_max", policy_block=block)
    )
    table = two_parts(0)
    del table["cards"]
    table.update(high=[8, None], low=[2, None])  # in another order than the block's
    runs = [
        scenario_run(with_policy(tiny_scenario, "kanban", "kan"), two_parts(0)),
        ScenarioRun(scenario=min_max, results=(result(min_max, 0, table),), seconds=(0.0,)),
    ]
    columns, rows = parts_table(runs)
    assert columns[2:6] == ["stocked", "cards", "low", "high"]
    assert rows[2][:6] == ("mm", "A-1", True, None, 2, 8)
    with pytest.raises(ValueError, match=r"expected \['low', 'high'\]"):
        parts_table([ScenarioRun(min_max, (result(min_max, 0, two_parts(0)),), (0.0,))])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.pop("parts_wait_h"), "lacks column"),
        (lambda t: t.update(level=t.pop("cards")), r"size column\(s\) \['level'\], expected"),
        (lambda t: t.update(lines=[1]), "differ in length"),
        (lambda t: t.update(part_no=["A-1", "A-1"]), "repeats a part_no"),
        (lambda t: t.update(colour=[1, 2]), r"\['cards', 'colour'\], expected \['cards'\]"),
    ],
)
def test_bad_tables_are_refused(tiny_scenario: Scenario, change, message: str) -> None:
    table = two_parts(1)
    change(table)
    with pytest.raises(ValueError, match=message):
        parts_table([scenario_run(tiny_scenario, two_parts(0), table)])


def test_replications_must_list_the_same_parts(tiny_scenario: Scenario) -> None:
    swapped = two_parts(1, part_no=["B-2", "A-1"])
    with pytest.raises(ValueError, match="other parts"):
        parts_table([scenario_run(tiny_scenario, two_parts(0), swapped)])


def test_plain_parts_turns_numpy_into_python() -> None:
    table = plain_parts(
        {
            "part_no": np.array(["A", "B"]),
            "stocked": np.array([True, False]),
            "cards": [np.int64(3), None],
            "parts_wait_h": np.array([0.1, 2.0]),
        }
    )
    assert table == {
        "part_no": ["A", "B"],
        "stocked": [True, False],
        "cards": [3, None],
        "parts_wait_h": [0.1, 2.0],
    }
    assert [type(v) for v in table["stocked"] + table["cards"][:1]] == [bool, bool, int]


# --- the file -------------------------------------------------------------------------------


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_parts_csv_text(tmp_path: Path, tiny_scenario: Scenario, fake_sim) -> None:
    run = replicate(tiny_scenario, with_parts(fake_sim))
    out = write_results(tmp_path / "out", [run], sizes=None)
    lines = (out / "parts.csv").read_text(encoding="utf-8").splitlines()
    assert lines == [
        ",".join(HEADER),
        "tiny,P1,True,3,10.5,12.5,0.875,1.5,4,4,40,0.5",
        "tiny,P2,True,2,4,5,1,0,0,2.5,25,0",
        "tiny,P3,True,1,0,0,,0,0,1.5,15,0",
        f"tiny,P4,False,,2,2,0,2,6.25,0,0,{math.fsum([1 / 3, 1 / 3 + 1]) / 2!r}",
    ]
    assert "parts.csv" in (out / "manifest.json").read_text()


def test_parts_csv_is_byte_identical(tmp_path: Path, tiny_scenario: Scenario, fake_sim) -> None:
    fake = with_parts(fake_sim)
    a = write_results(tmp_path / "a", [replicate(tiny_scenario, fake)], sizes=None)
    b = write_results(tmp_path / "b", [replicate(tiny_scenario, fake)], sizes=None)
    assert (a / "parts.csv").read_bytes() == (b / "parts.csv").read_bytes()


def test_no_parts_csv_without_a_parts_table(
    tmp_path: Path, tiny_scenario: Scenario, fake_sim
) -> None:
    out = tmp_path / "out"
    write_results(out, [replicate(tiny_scenario, with_parts(fake_sim))], sizes=None)
    assert (out / "parts.csv").is_file()
    write_results(out, [replicate(tiny_scenario, fake_sim)], sizes=None)  # an older model
    assert not (out / "parts.csv").exists()  # the earlier run's file is gone too


def test_part_sums_equal_the_summary_means(
    tmp_path: Path, tiny_scenario: Scenario, fake_sim
) -> None:
    scenarios = [
        with_policy(tiny_scenario, "kanban", "kan").model_copy(
            update={"run": tiny_scenario.run.model_copy(update={"replications": 3})}
        ),
        with_policy(tiny_scenario, "reorder_point", "rop"),
    ]
    runs = [replicate(scn, with_parts(fake_sim)) for scn in scenarios]
    for run in runs:
        for res in run.results:
            assert parts_sum_mismatches(res) == []
    out = write_results(tmp_path / "out", runs, sizes=None)
    summary = read_summary(out).set_index(["scenario", "kpi"])["mean"]
    rows = read_rows(out / "parts.csv")
    for name in ("kan", "rop"):
        for kpi in ("stockout_events", "emergency_orders"):
            total = math.fsum(float(r[kpi]) for r in rows if r["scenario"] == name)
            assert total == pytest.approx(summary[(name, kpi)], rel=1e-12, abs=1e-12)
    assert summary[("kan", "emergency_orders")] == pytest.approx(0.5 + 1 / 3 + 1)  # 3 reps


def test_sum_mismatch_is_reported(tiny_scenario: Scenario, fake_sim) -> None:
    res = with_parts(fake_sim)(tiny_scenario, 1)
    res.kpis["stockout_events"] = 99.0
    (message,) = parts_sum_mismatches(res)
    assert "stockout_events summed over parts is 4.0, the KPI is 99.0" in message
    res.kpis["stockout_events"] = None  # an undefined KPI is not compared
    assert parts_sum_mismatches(res) == []
    assert parts_sum_mismatches(fake_sim(tiny_scenario, 0)) == []  # no parts table
