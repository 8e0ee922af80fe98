"""Executors: where (scenario, chunk of replications) tasks run, behind one interface.

``serial`` runs tasks in this process, ``local`` in a pool of worker processes
(``concurrent.futures``), ``dask`` on a ``dask.distributed`` cluster: an existing scheduler,
or a LocalCluster started for the run. Each task carries a validated, picklable Scenario
and a few replication indices, so scheduling overhead is paid once per chunk; the parts
catalogue is cached per worker process. Every replication is caught on its own: a task
that raises yields an :class:`Outcome` with the error and traceback, and the others go on.
Results come back in completion order; callers put them in order (the results are pure, so
the order in which they finish changes nothing).
"""

from __future__ import annotations

import itertools
import logging
import math
import os
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

from sim.forkserver import mp_context, prestart_local_workers
from sim.model.records import RunResult
from sim.reprecord import sealed_record
from sim.scenario_region import Simulated

if TYPE_CHECKING:
    import numpy as np

    from sim.experiment import Simulate

Outcomes = Iterator[list["Outcome"]]
ExecutorName = Literal["serial", "local", "dask"]
EXECUTORS: tuple[ExecutorName, ...] = ("serial", "local", "dask")
TASKS_PER_SLOT = 16
MAX_CHUNK = 10
DASK_CONNECT_TIMEOUT_S = 20
DASK_WORKER_WAIT_S = 60


class ExecutorError(RuntimeError):
    """An executor cannot start (no Dask, unreachable scheduler, no workers)."""


@dataclass(frozen=True)
class Task:
    """Replications ``replications`` of ``scenario``, with or without trace tables.

    With ``record``, each replication comes back as the text of its replication file and
    the record that text holds (:func:`sim.reprecord.sealed_record`, built where it ran)
    instead of its RunResult: the batch's parent then only writes it. Not with ``trace``
    (the trace tables' files and checksums are written by the parent). With ``sizes``, the
    first outcome also carries the scenario's resolved per-part sizes (for its
    ``sizes.csv``; the model remembers them per process, so they cost a copy).
    ``known_sizes``: those sizes as another worker resolved them, taken as this process's
    (``sim.model.sizing.remember_sizes``) instead of being searched for again.
    """

    scenario: Simulated
    replications: tuple[int, ...]
    trace: bool = False
    record: bool = False
    sizes: bool = False
    known_sizes: dict[str, np.ndarray] | None = None


@dataclass
class Outcome:
    """One replication's result (or, for a ``record`` task, ``stored``: its file's text and
    record), or the error it raised (``error`` is then set).

    ``sizes``: the scenario's per-part sizes as the model resolved them, on the first
    outcome of a task that asked for them (``Task.sizes``), unless they could not be.
    """

    scenario: str
    replication: int
    result: RunResult | None
    seconds: float
    error: str | None = None
    traceback: str | None = None
    worker: str = ""
    stored: tuple[str, dict[str, Any]] | None = None  # file text, record it holds
    sizes: dict[str, np.ndarray] | None = None


def _model_simulate() -> Simulate:
    from sim.model.world import simulate

    return simulate


def _remember_sizes(scenario: Simulated, sizes: dict[str, np.ndarray]) -> None:
    from sim.model.sizing import remember_sizes
    from sim.scenario import Scenario

    if isinstance(scenario, Scenario):
        remember_sizes(scenario, sizes)


def _model_sizes(scenario: Simulated) -> dict[str, np.ndarray] | None:
    """A single dealer's resolved per-part sizes, or None (a region, or they cannot be
    resolved: whoever needs them then tries again and reports why)."""
    from sim.model.dealer import sizes_for
    from sim.scenario import Scenario

    if not isinstance(scenario, Scenario):
        return None
    try:
        return sizes_for(scenario)
    except Exception:
        return None


def _where() -> str:
    return f"{os.uname().nodename}:{os.getpid()}" if hasattr(os, "uname") else str(os.getpid())


def run_task(task: Task, simulate: Simulate | None = None) -> list[Outcome]:
    """Run every replication of ``task``; never raises for a replication's own failure."""
    sim_fn = simulate if simulate is not None else _model_simulate()
    if task.known_sizes is not None:
        _remember_sizes(task.scenario, task.known_sizes)
    where = _where()
    out = []
    name = task.scenario.name
    for rep in task.replications:
        start = time.perf_counter()
        try:
            result = sim_fn(task.scenario, rep, trace=task.trace)
            if result.scenario != name or result.replication != rep:
                raise RuntimeError(
                    f"simulate({name!r}, {rep}) returned the result of "
                    f"({result.scenario!r}, {result.replication})"
                )
            seconds = time.perf_counter() - start
            if task.record and not task.trace:
                text, record = sealed_record(task.scenario, result, seconds, worker=where)
                out.append(Outcome(name, rep, None, seconds, worker=where, stored=(text, record)))
                continue
        except Exception as exc:
            out.append(
                Outcome(
                    name,
                    rep,
                    None,
                    time.perf_counter() - start,
                    error=f"{type(exc).__name__}: {exc}",
                    traceback=traceback.format_exc(),
                    worker=where,
                )
            )
            continue
        out.append(Outcome(name, rep, result, seconds, worker=where))
    if task.sizes and out:
        out[0].sizes = _model_sizes(task.scenario)
    return out


def failed(task: Task, exc: BaseException) -> list[Outcome]:
    """Every replication of ``task`` as failed with ``exc`` (the task itself could not run)."""
    text = "".join(traceback.format_exception(exc))
    error = f"{type(exc).__name__}: {exc}"
    return [Outcome(task.scenario.name, r, None, 0.0, error, text) for r in task.replications]


def chunk_size(replications: int, slots: int) -> int:
    """Replications per task: about ``TASKS_PER_SLOT`` tasks per slot, at most ``MAX_CHUNK``.

    Many small tasks keep every worker busy to the end; a chunk of several replications
    amortises the per-task cost (pickling the scenario, a round trip to the pool) when
    replications are short.
    """
    if replications <= 0:
        return 1
    return max(1, min(MAX_CHUNK, replications // (max(1, slots) * TASKS_PER_SLOT)))


def make_tasks(
    pending: Sequence[tuple[Simulated, int]],
    size: int,
    trace: bool = False,
    record: bool = False,
    sizes: bool = False,
) -> list[Task]:
    """Group pending (scenario, replication) pairs into tasks of one scenario each.

    A scenario's m replications make ceil(m / size) tasks of near-equal length (at most
    ``size``), so no short remainder task is left for the end. ``record`` and ``sizes`` are
    set on the tasks (``sizes`` on each scenario's first task only).
    """
    groups: list[tuple[Simulated, list[int]]] = []
    for scn, rep in pending:
        if groups and groups[-1][0] is scn:
            groups[-1][1].append(rep)
        else:
            groups.append((scn, [rep]))
    tasks: list[Task] = []
    for scn, reps in groups:
        k = math.ceil(len(reps) / max(1, size))
        bounds = [round(i * len(reps) / k) for i in range(k + 1)]
        first = len(tasks)
        tasks += [Task(scn, tuple(reps[a:b]), trace, record) for a, b in itertools.pairwise(bounds)]
        if sizes:
            tasks[first] = replace(tasks[first], sizes=True)
    return tasks


def sizes_first(tasks: Sequence[Task]) -> list[Task]:
    """``tasks`` with each scenario's first task (the one asked for the scenario's sizes)
    moved to the front, in order, the others after them in order. Workers then resolve
    different scenarios' sizes side by side, and the later tasks of a scenario can carry
    them (``LocalExecutor.run``). The order changes no result."""
    return [t for t in tasks if t.sizes] + [t for t in tasks if not t.sizes]


def split_tail(tasks: Sequence[Task], replications: int) -> list[Task]:
    """``tasks`` with the last ones, holding at least ``replications`` replications, split
    into tasks of one replication each (same order).

    At the end of a run the workers run out of tasks one by one; with a single replication
    per task there, the last one to finish waits for at most one replication of another,
    not for a whole chunk.
    """
    head = list(tasks)
    tail: list[Task] = []
    while head and len(tail) < replications:
        task = head.pop()
        tail[:0] = [
            replace(task, replications=(rep,), sizes=task.sizes and i == 0)
            for i, rep in enumerate(task.replications)
        ]
    return head + tail


def default_workers() -> int:
    """The cores this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


class Executor:
    """Runs tasks and yields each task's outcomes as it finishes."""

    name: str = "serial"

    def slots(self) -> int:
        """How many tasks run at once."""
        return 1

    def run(self, tasks: Sequence[Task], simulate: Simulate | None = None) -> Outcomes:
        """Yield the outcomes of each task, in completion order."""
        for task in tasks:
            yield run_task(task, simulate)

    def describe(self) -> dict[str, Any]:
        """What the manifest records about the executor."""
        return {"executor": self.name, "slots": self.slots()}

    def close(self) -> None:
        """Release workers and connections."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SerialExecutor(Executor):
    """Tasks one after another in this process."""


class LocalExecutor(Executor):
    """A pool of ``workers`` processes on this machine."""

    name = "local"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or default_workers()
        self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=mp_context())
        prestart_local_workers()

    def slots(self) -> int:
        return self.workers

    def run(self, tasks: Sequence[Task], simulate: Simulate | None = None) -> Outcomes:
        """Submit the first tasks at once (the workers start on them before the caller asks
        for the first outcome), the others as tasks finish; yield outcomes as they come.

        At most two tasks per worker wait in the pool, so that a task submitted later can
        carry its scenario's sizes as an earlier task's worker resolved them
        (``Task.known_sizes``): each scenario's search then runs in one worker, not in all.
        """
        queue = deque(tasks)
        futures: dict[Future[list[Outcome]], Task] = {}
        known: dict[str, dict[str, np.ndarray]] = {}

        def submit() -> None:
            task = queue.popleft()
            sizes = known.get(task.scenario.name)
            if sizes is not None and task.known_sizes is None and not task.sizes:
                task = replace(task, known_sizes=sizes)
            futures[self._pool.submit(run_task, task, simulate)] = task

        while queue and len(futures) < 2 * self.workers:
            submit()
        return self._outcomes(futures, queue, known, submit)

    def _outcomes(
        self,
        futures: dict[Future[list[Outcome]], Task],
        queue: deque[Task],
        known: dict[str, dict[str, np.ndarray]],
        submit: Callable[[], None],
    ) -> Outcomes:
        while futures:
            done, _ = wait(futures, return_when=FIRST_COMPLETED)
            for fut in done:
                task = futures.pop(fut)
                try:
                    outcomes = fut.result()
                except Exception as exc:  # a worker died, or the task could not be pickled
                    outcomes = failed(task, exc)
                for o in outcomes:
                    if o.sizes is not None:
                        known[o.scenario] = o.sizes
                while queue and len(futures) < 2 * self.workers:
                    submit()
                yield outcomes

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _probe() -> str:
    """Run on each Dask worker: the package version it imports."""
    import sim

    return sim.__version__


class DaskExecutor(Executor):
    """A ``dask.distributed`` cluster: ``scheduler`` (an address), or a LocalCluster."""

    name = "dask"

    def __init__(
        self, scheduler: str | None = None, workers: int | None = None, processes: bool = True
    ) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise ExecutorError(
                "--executor dask needs dask.distributed: pip install 'jit-workshop-sim[dask]'"
            ) from None
        self.scheduler = scheduler
        self._cluster = None
        if scheduler:
            try:
                self._client = Client(scheduler, timeout=f"{DASK_CONNECT_TIMEOUT_S}s")
            except (OSError, TimeoutError) as exc:
                raise ExecutorError(f"--scheduler {scheduler}: cannot connect ({exc})") from None
        else:
            self._cluster = LocalCluster(
                n_workers=workers or default_workers(),
                threads_per_worker=1,
                processes=processes,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            self._client = Client(self._cluster)
        try:
            self._client.wait_for_workers(1, timeout=DASK_WORKER_WAIT_S)
        except TimeoutError:
            self.close()
            raise ExecutorError(
                f"--scheduler {scheduler}: no worker connected within {DASK_WORKER_WAIT_S} s"
            ) from None
        try:
            self._client.run(_probe)
        except Exception as exc:
            self.close()
            raise ExecutorError(
                f"a Dask worker cannot import the simulator ({type(exc).__name__}: {exc}); "
                "install the package on every worker"
            ) from None

    def slots(self) -> int:
        return max(1, sum(self._client.nthreads().values()))

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "scheduler": self.scheduler or "LocalCluster"}

    def run(self, tasks: Sequence[Task], simulate: Simulate | None = None) -> Outcomes:
        """Submit every task at once, then yield their outcomes as they finish."""
        if not tasks:
            return iter(())
        futures = self._client.map(run_task, tasks, simulate=simulate, pure=False)
        return self._outcomes(futures, tasks)

    def _outcomes(self, futures: list[Any], tasks: Sequence[Task]) -> Outcomes:
        from distributed import as_completed

        task_of = dict(zip((f.key for f in futures), tasks, strict=True))
        for fut in as_completed(futures):
            try:
                yield fut.result()
            except Exception as exc:  # e.g. KilledWorker, or the worker cannot unpickle
                yield failed(task_of[fut.key], exc)
            finally:
                fut.release()

    def close(self) -> None:
        client, cluster = getattr(self, "_client", None), self._cluster
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()


def make_executor(
    name: ExecutorName, *, workers: int | None = None, scheduler: str | None = None
) -> Executor:
    """The executor called ``name`` (``scheduler`` only for dask)."""
    if name == "serial":
        return SerialExecutor()
    if name == "local":
        return LocalExecutor(workers)
    if name == "dask":
        return DaskExecutor(scheduler, workers)
    raise ValueError(f"unknown executor {name!r}; choose from {', '.join(EXECUTORS)}")
