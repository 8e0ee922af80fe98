"""The generator driver behaves like a SimPy process; simulate leaves the collector as found."""

from __future__ import annotations

import gc
from collections.abc import Callable, Generator

import simpy

from sim.model.driver import Driver
from sim.model.world import collector_paused


def _interleaving(start: Callable[[simpy.Environment, Generator], object]) -> list[tuple]:
    """Two walkers and a ticker stepping at shared instants; the log of who ran when."""
    env = simpy.Environment()
    log: list[tuple] = []

    def walker(name: str, steps: list[float]) -> Generator:
        for d in steps:
            log.append((env.now, name))
            yield env.timeout(d)
        log.append((env.now, name, "done"))

    def ticker() -> Generator:
        for _ in range(4):
            log.append((env.now, "tick"))
            yield env.timeout(1)

    env.process(ticker())
    start(env, walker("a", [1, 0, 1, 0.5]))
    env.process(walker("b", [0, 1, 1]))
    start(env, walker("c", [2, 0]))
    env.run()
    return log


def test_deferred_driver_runs_where_a_process_would() -> None:
    assert _interleaving(Driver.deferred) == _interleaving(lambda env, g: env.process(g))


def test_started_driver_runs_at_once() -> None:
    env = simpy.Environment()
    seen: list[float] = []

    def gen() -> Generator:
        seen.append(env.now)
        yield env.timeout(2)
        seen.append(env.now)

    Driver.start(gen())
    assert seen == [0]  # before the run: started synchronously
    env.run()
    assert seen == [0, 2] and env.now == 2  # no process event scheduled at the end


def test_simulate_pauses_the_collector_and_restores_it() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # a caller's choice is left as it was
    finally:
        gc.enable()
