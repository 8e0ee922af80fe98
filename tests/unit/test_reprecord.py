"""A replication's record as its worker builds it: the very text ``json.dumps`` gives with
the checksum in front, the record that text holds, and the RunResult it reads back to."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim.kpi import KPI_COLUMNS
from sim.model.world import simulate
from sim.region import region_from_raw
from sim.repcheck import CHECKSUM_KEY, checksum_problem
from sim.reprecord import result_of_record, sealed_record
from sim.scenario import Scenario
from tests.breakdownfake import with_breakdown
from tests.partsfake import with_parts
from tests.regionfiles import REPO, small_region


def plain_text(text: str) -> str:
    """The record's text built the plain way: parsed, then dumped with the checksum first
    (the parts table, if any, one line per column, as the files lay it out)."""
    record = json.loads(text)
    if "dealers" in record:
        return json.dumps(record, separators=(",", ":")) + "\n"
    parts = record.pop("parts", None)
    body = json.dumps(record, indent=1)
    if parts is None:
        return body + "\n"
    columns = ",\n".join(
        f"  {json.dumps(k)}: {json.dumps(v, separators=(', ', ': '))}" for k, v in parts.items()
    )
    return f'{body[:-2]},\n "parts": {{\n{columns}\n }}\n}}\n'


@pytest.mark.parametrize("extras", ["none", "parts", "breakdown"])
def test_sealed_text_is_the_record_with_its_checksum_first(
    tiny_scenario: Scenario, fake_sim, extras: str
) -> None:
    sim_fn = {"none": fake_sim, "parts": with_parts(fake_sim)}.get(extras, with_breakdown(fake_sim))
    result = sim_fn(tiny_scenario, 1)
    text, record = sealed_record(tiny_scenario, result, 0.5, worker="w:7")
    assert next(iter(json.loads(text))) == CHECKSUM_KEY
    assert json.dumps(record) == json.dumps(json.loads(text))  # NaN: compared as text
    assert (extras == "parts") == ("parts" in record)
    assert (extras == "breakdown") == ("breakdown" in record)
    assert checksum_problem(record) is None
    assert text == plain_text(text)
    again = result_of_record(tiny_scenario, 1, record)
    assert [again.kpis[k] for k in KPI_COLUMNS] == pytest.approx(
        [result.kpis[k] for k in KPI_COLUMNS], nan_ok=True
    )


def test_a_region_record_is_one_line_with_every_dealer(tmp_path: Path) -> None:
    region = region_from_raw(
        small_region(horizon="2d", warmup="1d"), file=tmp_path / "r.yaml", base=REPO
    )
    result = simulate(region, 0)
    text, record = sealed_record(region, result, 1.0)
    assert text.count("\n") == 1 and text == plain_text(text)
    assert checksum_problem(record) is None
    again = result_of_record(region, 0, record)
    assert set(again.extra["dealers"]) == {"north", "south"}
    assert again.extra["dealers"]["south"].kpis == pytest.approx(
        result.extra["dealers"]["south"].kpis, nan_ok=True
    )


def test_a_value_a_resume_would_refuse_is_never_sealed(tiny_scenario: Scenario, fake_sim) -> None:
    result = fake_sim(tiny_scenario, 0)
    result.kpis["on_time_rate"] = "late"
    with pytest.raises(ValueError, match="cannot be stored"):
        sealed_record(tiny_scenario, result, 0.1)
