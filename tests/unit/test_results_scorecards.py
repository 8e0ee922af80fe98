"""A run of a scenario with scorecard targets writes scorecards.csv and scorecard summary rows."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.experiment import replicate
from sim.loading import load_scenario
from sim.results import write_results

VALID = Path(__file__).resolve().parents[1] / "cli" / "fixtures" / "valid.yaml"
TARGETS = ["scorecard.targets.vehicles_received=250", "scorecard.targets.revenue=100000"]
# Card-level vetoes off, so item scores show (a simulated month is never 100 % on time).
NO_CARD_VETOES = [
    "scorecard.vetoes.on_time.enabled=false",
    "scorecard.vetoes.comeback.enabled=false",
]


def test_scorecards_written_one_row_per_replication_month(tmp_path: Path) -> None:
    # 65 days after warm-up: two full 30-day months per replication, the last 5 days dropped.
    scn = load_scenario(VALID, TARGETS + NO_CARD_VETOES, horizon="65d", replications=3)
    out = write_results(tmp_path / "out", [replicate(scn)])
    cards = pd.read_csv(out / "scorecards.csv")
    assert sorted(zip(cards["replication"], cards["month"], strict=True)) == [
        (r, m) for r in range(3) for m in range(2)
    ]
    # Intake is scored 15 x min(1, actual / 250) against the month's own arrivals (about
    # 300 a month at 10 walk-ins a day: full marks unless a month falls short), and the
    # total is out of the two weights scored, 15 + 10.
    expected = 15 * (cards["vehicles_received"] / 250).clip(upper=1)
    assert (cards["vehicles_received_score"] - expected).abs().max() < 1e-9
    assert (cards["max_total"] == 25).all()
    assert not cards["vetoed"].any()
    summary = pd.read_csv(out / "summary.csv")
    rows = summary[summary["kpi"] == "scorecard_vetoed"]
    assert len(rows) == 1 and int(rows["n"].iloc[0]) == 3
    assert 0 <= rows["mean"].iloc[0] <= 1


def test_no_full_month_gives_a_header_only_scorecards_file(tmp_path: Path) -> None:
    scn = load_scenario(VALID, TARGETS, horizon="20d", replications=2)
    out = write_results(tmp_path / "out", [replicate(scn)])
    cards = pd.read_csv(out / "scorecards.csv")
    assert len(cards) == 0 and "vetoed" in cards.columns
    assert not pd.read_csv(out / "summary.csv")["kpi"].str.startswith("scorecard_").any()


def test_scenario_without_targets_writes_no_scorecards(tmp_path: Path) -> None:
    scn = load_scenario(VALID, horizon="35d", replications=1)
    out = write_results(tmp_path / "out", [replicate(scn)])
    assert not (out / "scorecards.csv").exists()
