"""Real results folders for the report tests: a traced single run and a traced batch.

Both use the tiny fixture scenario with scorecard targets and a 60-day window (two scorecard
months), so the model, the results writer and the scorecard scoring all take part. While the
results writer does not write ``scorecards.csv`` yet, the builder adds it with
``sim.scorecard.scorecards_frame`` (for a batch from the scenarios replicated again in this
process: the batch's run store does not keep the month rows).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.batch import load_batch
from sim.batchrun import run_batch
from sim.executors import make_executor
from sim.experiment import ScenarioRun, replicate
from sim.loading import load_scenario
from sim.results import frame_csv, write_atomic, write_results
from sim.scorecard import scorecards_frame

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "cli" / "fixtures"
CARD = [
    "scorecard.targets.vehicles_received=280",
    "scorecard.targets.revenue=200000",
    "scorecard.targets.gross_margin=60000",
    "scorecard.vetoes.on_time.below=0.6",
]


def _add_scorecards(out: Path, runs: list[ScenarioRun]) -> None:
    if (out / "scorecards.csv").exists():
        return
    frames = [scorecards_frame(run.results, run.scenario) for run in runs]
    write_atomic(out / "scorecards.csv", frame_csv(pd.concat(frames, ignore_index=True)))


def single_folder(out: Path) -> Path:
    """``run --trace`` of the tiny scenario with scorecard targets, 3 replications of 60 days."""
    scn = load_scenario(FIXTURES / "valid.yaml", CARD, horizon="60d", replications=3)
    run = replicate(scn, trace=True)
    write_results(out, [run], trace=True, command=["run_sim.py", "run", "valid.yaml", "--trace"])
    _add_scorecards(out, [run])
    return out


def batch_folder(out: Path) -> Path:
    """The tiny batch (1 h, 2 h, daily call-off; baseline 2 h), traced, serial executor."""
    batch = load_batch(FIXTURES / "tiny_batch.yaml", CARD, horizon="60d", replications=3)
    with make_executor("serial") as executor:
        report = run_batch(batch, out, executor, trace=True, command=["run_sim.py", "batch"])
    if not (out / "scorecards.csv").exists():
        _add_scorecards(out, [replicate(run.scenario) for run in report.runs])
    return out
