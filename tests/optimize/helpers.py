"""What the optimiser's tests share: the tiny dealer, running the command in this process,
and a simulate that stops after a number of replications as Ctrl-C would."""

from __future__ import annotations

from pathlib import Path

from sim import cli
from sim.experiment import Simulate
from sim.model.records import RunResult
from sim.scenario import Scenario

HERE = Path(__file__).resolve().parent
TINY = HERE / "tiny.yaml"
SEED = 11  # run.seed of tiny.yaml: the search seed
REPS = 4  # run.replications of tiny.yaml


def optimize(out: Path, *args: str, simulate: Simulate | None = None, serial: bool = True) -> int:
    """``run_sim.py optimize tests/optimize/tiny.yaml --out OUT ARGS`` in this process."""
    executor = ["--executor", "serial"] if serial else []
    argv = ["optimize", str(TINY), "--out", str(out), *executor, *args]
    return cli.main(argv, simulate=simulate)


def interrupting(after: int) -> Simulate:
    """The model's simulate, raising KeyboardInterrupt (as Ctrl-C) at call ``after`` + 1."""
    from sim.model.world import simulate

    calls = 0

    def run(scenario: Scenario, replication: int, trace: bool = False) -> RunResult:
        nonlocal calls
        calls += 1
        if calls > after:
            raise KeyboardInterrupt
        return simulate(scenario, replication, trace)

    return run
