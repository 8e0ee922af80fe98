"""``run REGION.yaml`` and batches over a region: the results folder's region contract."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml

from sim.kpi import KPI_COLUMNS
from sim.model.centre import CENTRE_KPIS
from tests.cli.helpers import run_sim
from tests.regionfiles import small_region


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def region(tmp_path: Path) -> Path:
    """Two small dealers on a finite centre, a few days: fast."""
    data = small_region(horizon="6d")
    path = tmp_path / "region.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_run_writes_dealer_rows_and_region_rows(region: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    got = run_sim("run", region, "--out", out)
    assert got.returncode == 0, got.stderr
    assert "north" in got.stdout and "south" in got.stdout and "region" in got.stdout
    reps = rows(out / "replications.csv")
    header = list(reps[0])
    assert header[:3] == ["scenario", "dealer", "replication"]
    assert header[3:] == [*KPI_COLUMNS, *CENTRE_KPIS]
    assert [(r["dealer"], r["replication"]) for r in reps] == [
        (d, str(k)) for k in (0, 1) for d in ("north", "south", "region")
    ]
    for r in reps:
        assert r["scenario"] == "tiny-region"
        filled = {k for k, v in r.items() if v != "" and k not in header[:3]}
        if r["dealer"] == "region":
            assert "centre_avg_inventory_value" in filled and filled <= set(CENTRE_KPIS)
        else:
            assert not filled & set(CENTRE_KPIS)
            assert "on_time_rate" in filled
    summary = rows(out / "summary.csv")
    assert {(r["dealer"], r["kpi"]) for r in summary} >= {
        ("north", "on_time_rate"),
        ("south", "fill_rate"),
        ("region", "centre_fill_rate"),
        ("region", "centre_backorders"),
    }
    parts = rows(out / "parts.csv")
    dealers = {r["dealer"] for r in parts}
    assert dealers == {"north", "south", "centre"}
    centre = [r for r in parts if r["dealer"] == "centre"]
    north = [r for r in parts if r["dealer"] == "north"]
    assert len(centre) == len(north)  # the same catalogue: the centre holds every part
    assert all(r["level"] != "" for r in centre)
    assert {r["dealer"] for r in rows(out / "flow.csv")} == {"north", "south", "region"}


def test_the_written_region_reruns_to_the_same_numbers(region: Path, tmp_path: Path) -> None:
    first, again = tmp_path / "a", tmp_path / "b"
    assert run_sim("run", region, "--out", first).returncode == 0
    written = first / "scenarios" / "tiny-region.yaml"
    got = run_sim("run", written, "--out", again)
    assert got.returncode == 0, got.stderr
    a = (first / "replications.csv").read_bytes()
    assert a == (again / "replications.csv").read_bytes()


def test_set_reaches_a_dealer_from_the_command_line(region: Path, tmp_path: Path) -> None:
    base, more = tmp_path / "base", tmp_path / "more"
    assert run_sim("run", region, "--out", base).returncode == 0
    got = run_sim("run", region, "--out", more, "--set", "dealers.south.demand.walk_ins.per_day=12")
    assert got.returncode == 0, got.stderr

    def arrived(folder: Path, dealer: str) -> int:
        flow = [r for r in rows(folder / "flow.csv") if r["dealer"] == dealer]
        return sum(int(r["jobs_arrived"]) for r in flow)

    assert arrived(more, "south") > arrived(base, "south")
    assert arrived(more, "north") == arrived(base, "north")  # its own customers


def test_a_batch_over_a_region_pairs_dealer_by_dealer(region: Path, tmp_path: Path) -> None:
    batch = tmp_path / "batch.yaml"
    batch.write_text(
        yaml.safe_dump(
            {
                "name": "centre-study",
                "base": str(region),
                "baseline": "ample",
                "variants": {
                    "ample": {"set": {"centre.stock.target_fill": 0.99}},
                    "short": {"set": {"centre.stock.level": 1}},
                    "south_4h": {"set": {"dealers.south.supply.call_off.every": "4h"}},
                },
            }
        ),
        encoding="utf-8",
    )
    serial, local = tmp_path / "serial", tmp_path / "local"
    got = run_sim("batch", batch, "--out", serial)
    assert got.returncode == 0, got.stderr
    assert "short/region" in got.stdout
    got = run_sim("batch", batch, "--out", local, "--executor", "local", "--workers", "2")
    assert got.returncode == 0, got.stderr
    assert (serial / "replications.csv").read_bytes() == (local / "replications.csv").read_bytes()
    dask = tmp_path / "dask"
    got = run_sim("batch", batch, "--out", dask, "--executor", "dask", "--workers", "2")
    assert got.returncode == 0, got.stderr
    assert (serial / "replications.csv").read_bytes() == (dask / "replications.csv").read_bytes()
    comparison = rows(serial / "comparison.csv")
    assert list(comparison[0])[:3] == ["scenario", "dealer", "baseline"]
    fill = {
        r["dealer"]: float(r["mean_diff"])
        for r in comparison
        if r["scenario"] == "short" and r["kpi"] in ("centre_fill_rate", "fill_rate")
    }
    assert fill["region"] < -0.2  # a centre with one unit of each part fills little
    assert fill["north"] < 0 and fill["south"] < 0
    again = run_sim("batch", batch, "--out", serial, "--resume")
    assert again.returncode == 0, again.stderr
    assert "reused 6 of 6" in again.stdout
    assert (serial / "replications.csv").read_bytes() == (local / "replications.csv").read_bytes()


def test_a_bad_dealer_key_is_one_line_exit_2(region: Path, tmp_path: Path) -> None:
    got = run_sim("run", region, "--set", "dealers.east.resources.qc=2")
    assert got.returncode == 2
    lines = got.stderr.strip().splitlines()
    assert len(lines) == 1 and "dealers.NAME" in lines[0] and "north" in lines[0], lines


def test_validate_reads_a_region_and_single_dealer_commands_refuse_it(
    region: Path,
) -> None:
    got = run_sim("validate", region)
    assert got.returncode == 0, got.stderr
    assert got.stdout.startswith("ok: region tiny-region: 2 dealers (north, south), finite")
    for command in (["warmup"], ["optimize", "--target", "fill_rate=0.9"]):
        got = run_sim(*command, region)
        assert got.returncode == 2
        lines = got.stderr.strip().splitlines()
        assert len(lines) == 1 and "is a region file" in lines[0], lines
