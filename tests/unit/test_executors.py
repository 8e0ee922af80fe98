"""Executors: chunking, failures caught per replication, identical results everywhere."""

from __future__ import annotations

import json
import os
import pickle
import time
from pathlib import Path

import numpy as np
import pytest

from sim.batch import load_batch
from sim.batchrun import run_batch, run_replications
from sim.executors import (
    MAX_CHUNK,
    DaskExecutor,
    LocalExecutor,
    SerialExecutor,
    Task,
    chunk_size,
    make_executor,
    make_tasks,
    run_task,
    sizes_first,
    split_tail,
)
from sim.launch import uses_local_workers
from sim.model.dealer import sizes_for
from sim.model.records import RunResult
from sim.scenario import Scenario

REPO = Path(__file__).resolve().parents[2]
TINY_BATCH = REPO / "tests" / "cli" / "fixtures" / "tiny_batch.yaml"


def explode_on_rep_one(scenario: Scenario, replication: int, trace: bool = False) -> RunResult:
    """The model, except that replication 1 raises (picklable: a module-level function)."""
    from sim.model.world import simulate

    if replication == 1:
        raise ZeroDivisionError("boom in replication 1")
    return simulate(scenario, replication, trace)


def mislabelled(scenario: Scenario, replication: int, trace: bool = False) -> RunResult:
    return RunResult("someone-else", replication, {}, {})


def test_chunk_size() -> None:
    assert chunk_size(0, 2) == 1
    assert chunk_size(10, 2) == 1  # few replications: one per task, every worker busy
    assert chunk_size(100, 2) == 3  # about 16 tasks per worker
    assert chunk_size(1000, 2) == 10
    assert chunk_size(10_000, 2) == MAX_CHUNK
    assert chunk_size(100, 0) == 6  # no slot count: treated as one


def test_make_tasks_never_mixes_scenarios(tiny_scenario: Scenario) -> None:
    other = tiny_scenario.model_copy(update={"name": "other"})
    pending = [(tiny_scenario, r) for r in range(5)] + [(other, r) for r in (0, 2, 3)]
    tasks = make_tasks(pending, 2, trace=True)
    got = [(t.scenario.name, t.replications, t.trace) for t in tasks]
    assert got == [
        ("tiny", (0, 1), True),
        ("tiny", (2,), True),
        ("tiny", (3, 4), True),
        ("other", (0, 2), True),
        ("other", (3,), True),
    ]
    sizes = [len(t.replications) for t in make_tasks([(tiny_scenario, r) for r in range(20)], 6)]
    assert sizes == [5, 5, 5, 5]  # four near-equal chunks, not 6 + 6 + 6 + 2
    assert make_tasks([], 3) == []


def test_split_tail_runs_the_last_replications_one_by_one(tiny_scenario: Scenario) -> None:
    other = tiny_scenario.model_copy(update={"name": "other"})
    pending = [(tiny_scenario, r) for r in range(6)] + [(other, r) for r in range(4)]
    tasks = make_tasks(pending, 3, trace=True)
    assert [len(t.replications) for t in tasks] == [3, 3, 2, 2]
    split = split_tail(tasks, 3)  # whole tasks from the end until three replications
    assert [(t.scenario.name, t.replications, t.trace) for t in split] == [
        ("tiny", (0, 1, 2), True),
        ("tiny", (3, 4, 5), True),
        ("other", (0,), True),
        ("other", (1,), True),
        ("other", (2,), True),
        ("other", (3,), True),
    ]
    assert split_tail(tasks, 0) == tasks
    assert [len(t.replications) for t in split_tail(tasks, 100)] == [1] * 10
    assert split_tail([], 4) == []


def test_each_scenario_asks_its_first_task_for_the_sizes(tiny_scenario: Scenario) -> None:
    other = tiny_scenario.model_copy(update={"name": "other"})
    pending = [(tiny_scenario, r) for r in range(6)] + [(other, r) for r in range(4)]
    tasks = make_tasks(pending, 3, record=True, sizes=True)
    assert [(t.scenario.name, t.sizes, t.record) for t in tasks] == [
        ("tiny", True, True),
        ("tiny", False, True),
        ("other", True, True),
        ("other", False, True),
    ]
    split = split_tail(tasks, 4)  # one replication each: the first still asks, alone
    assert [(t.replications, t.sizes) for t in split[2:]] == [
        ((0,), True),
        ((1,), False),
        ((2,), False),
        ((3,), False),
    ]


def test_a_record_task_returns_the_file_text_and_the_sizes(
    tiny_scenario: Scenario, fake_sim
) -> None:
    outcomes = run_task(Task(tiny_scenario, (0, 1), record=True, sizes=True), fake_sim)
    assert [o.result for o in outcomes] == [None, None]
    for o in outcomes:
        assert o.stored is not None
        text, record = o.stored
        assert json.loads(text)["replication"] == o.replication == record["replication"]
        assert record["worker"] == o.worker and record["seconds"] == round(o.seconds, 6)
    assert outcomes[0].sizes is not None and outcomes[1].sizes is None
    want = sizes_for(tiny_scenario)
    assert set(outcomes[0].sizes) == set(want)
    assert all(np.array_equal(outcomes[0].sizes[k], want[k], equal_nan=True) for k in want)
    plain = run_task(Task(tiny_scenario, (0,)), fake_sim)[0]
    assert plain.stored is None and plain.result is not None and plain.sizes is None


def test_sizes_first_puts_each_scenario_s_first_task_ahead(tiny_scenario: Scenario) -> None:
    other = tiny_scenario.model_copy(update={"name": "other"})
    pending = [(tiny_scenario, r) for r in range(6)] + [(other, r) for r in range(4)]
    tasks = sizes_first(make_tasks(pending, 2, sizes=True))
    assert [(t.scenario.name, t.replications) for t in tasks] == [
        ("tiny", (0, 1)),
        ("other", (0, 1)),
        ("tiny", (2, 3)),
        ("tiny", (4, 5)),
        ("other", (2, 3)),
    ]


def primed(scenario: Scenario, replication: int, trace: bool = False) -> RunResult:
    """Whether this process knew the scenario's sizes before the replication (slowly)."""
    from sim.model import sizing

    known = sizing._sizing_key(scenario) in sizing._CACHE
    time.sleep(0.05)
    return RunResult(scenario.name, replication, {"primed": float(known)}, {})


def test_a_worker_takes_the_sizes_another_worker_resolved(tiny_scenario: Scenario) -> None:
    scn = tiny_scenario.model_copy(
        update={
            "name": "primed",
            "run": tiny_scenario.run.model_copy(
                update={"seed": 987_654}  # a sizing key no other test resolves in this process
            ),
        }
    )
    want = sizes_for(scn)
    tasks = sizes_first(make_tasks([(scn, r) for r in range(16)], 1, sizes=True))
    with LocalExecutor(2) as executor:
        outcomes = [o for batch in executor.run(tasks, primed) for o in batch]
    assert len({o.worker for o in outcomes}) == 2
    by_rep = {o.replication: o for o in outcomes}
    assert by_rep[0].sizes is not None and all(
        np.array_equal(by_rep[0].sizes[k], want[k]) for k in want
    )
    assert by_rep[0].result is not None and by_rep[0].result.kpis["primed"] == 0.0
    late = [by_rep[r].result for r in range(10, 16)]  # submitted once rep 0's sizes were in
    assert all(r is not None and r.kpis["primed"] == 1.0 for r in late)


@pytest.mark.parametrize(
    ("argv", "local"),
    [
        (["batch", "b.yaml"], True),
        (["batch", "b.yaml", "--executor", "local", "--workers", "2"], True),
        (["reps", "s.yaml", "--executor=local"], True),
        (["optimize", "s.yaml"], True),
        (["batch", "b.yaml", "--executor", "serial"], False),
        (["batch", "b.yaml", "--executor=dask"], False),
        (["batch", "b.yaml", "--scheduler", "tcp://h:8786"], False),
        (["batch", "--help"], False),
        (["run", "s.yaml"], False),
        ([], False),
    ],
)
def test_the_launcher_guesses_who_wants_local_workers(argv: list[str], local: bool) -> None:
    assert uses_local_workers(argv) is local


def test_scenarios_travel_by_pickle(tiny_scenario: Scenario) -> None:
    again = pickle.loads(pickle.dumps(tiny_scenario))
    assert again == tiny_scenario
    assert again.digest() == tiny_scenario.digest()


def test_run_task_catches_each_replication(tiny_scenario: Scenario) -> None:
    short = tiny_scenario.model_copy(
        update={"run": tiny_scenario.run.model_copy(update={"horizon": 1440.0})}
    )
    outcomes = run_task(Task(short, (0, 1, 2)), explode_on_rep_one)
    assert [(o.replication, o.error is None) for o in outcomes] == [
        (0, True),
        (1, False),
        (2, True),
    ]
    bad = outcomes[1]
    assert bad.error == "ZeroDivisionError: boom in replication 1"
    assert bad.traceback is not None and "explode_on_rep_one" in bad.traceback
    assert bad.result is None
    assert outcomes[0].result is not None and outcomes[0].result.replication == 0
    wrong = run_task(Task(short, (0,)), mislabelled)[0]
    assert wrong.error is not None and "returned the result of" in wrong.error


def test_serial_local_and_dask_give_identical_files(tmp_path: Path) -> None:
    batch = load_batch(TINY_BATCH, horizon="2d")
    folders = {}
    executors = {
        "serial": SerialExecutor(),
        "local": LocalExecutor(2),
        "dask": DaskExecutor(workers=2, processes=False),
    }
    for name, executor in executors.items():
        with executor:
            out = tmp_path / name
            report = run_batch(batch, out, executor, chunk=2 if name != "serial" else None)
            assert report.failures == [] and report.ran == 9
            folders[name] = out
    files = sorted(
        p.relative_to(folders["serial"]).as_posix() for p in folders["serial"].rglob("*.csv")
    )
    assert "parts.csv" in files and "scenarios/daily.sizes.csv" in files
    for file in files:  # sizes.csv: as each executor's workers resolved them
        serial = (folders["serial"] / file).read_bytes()
        assert (folders["local"] / file).read_bytes() == serial, file
        assert (folders["dask"] / file).read_bytes() == serial, file
    with SerialExecutor() as executor:  # every replication reused: sizes resolved here
        report = run_batch(batch, folders["local"], executor, resume=True)
        assert report.reused == 9 and report.ran == 0
    for file in files:
        assert (folders["local"] / file).read_bytes() == (folders["serial"] / file).read_bytes()


def test_local_executor_records_failures_and_goes_on(tiny_scenario: Scenario) -> None:
    short = tiny_scenario.model_copy(
        update={"run": tiny_scenario.run.model_copy(update={"horizon": 1440.0, "replications": 4})}
    )
    with LocalExecutor(2) as executor:
        runs, failures = run_replications([short], executor, simulate=explode_on_rep_one)
    assert [r.replication for r in runs[0].results] == [0, 2, 3]
    assert [(f.replication, f.error) for f in failures] == [
        (1, "ZeroDivisionError: boom in replication 1")
    ]
    assert int(failures[0].worker.split(":")[-1]) != os.getpid()  # it ran in a worker


def test_make_executor_names() -> None:
    assert isinstance(make_executor("serial"), SerialExecutor)
    with make_executor("local", workers=3) as local:
        assert local.slots() == 3
    with pytest.raises(ValueError, match="unknown executor"):
        make_executor("cloud")  # type: ignore[arg-type]
