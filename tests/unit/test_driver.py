"""The generator driver behaves like a SimPy process; simulate leaves the collector as found.

Each process below runs twice, under the driver and as a plain ``simpy.Process``, and must
see the same values at the same times: what an event sends, a failure thrown in.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Generator

import pytest
import simpy

from sim.model.driver import Driver
from sim.model.world import collector_paused


def _both(make: Callable[[simpy.Environment, list], Generator]) -> tuple[list, list]:
    """The log of ``make``'s generator run by the driver, and by a plain SimPy process.

    The generator is started before the run in both, so it is the first to act at time 0.
    """
    logs = []
    for driven in (True, False):
        env = simpy.Environment()
        log: list = []
        gen = make(env, log)
        if driven:
            Driver.start(gen)
        else:
            env.process(gen)
        env.run()
        logs.append(log)
    return logs[0], logs[1]


def test_store_get_sends_the_item() -> None:
    def make(env: simpy.Environment, log: list) -> Generator:
        store = simpy.Store(env)

        def producer() -> Generator:
            for item in ("bolt", "filter"):
                yield env.timeout(1)
                yield store.put(item)

        env.process(producer())

        def consumer() -> Generator:
            for _ in range(2):
                item = yield store.get()
                log.append((env.now, item))

        return consumer()

    driven, plain = _both(make)
    assert driven == plain == [(1, "bolt"), (2, "filter")]


def test_condition_sends_its_value() -> None:
    def make(env: simpy.Environment, log: list) -> Generator:
        def gen() -> Generator:
            a, b = env.timeout(1, value="a"), env.timeout(2, value="b")
            got = yield a | b
            log.append((env.now, a in got, b in got, got[a]))
            got = yield a & b
            log.append((env.now, got[a], got[b]))
            t = yield env.timeout(3, value=7)
            log.append((env.now, t))

        return gen()

    driven, plain = _both(make)
    assert driven == plain == [(1, True, False, "a"), (2, "a", "b"), (5, 7)]


def test_an_event_already_processed_resumes_at_once_with_its_value() -> None:
    def make(env: simpy.Environment, log: list) -> Generator:
        def gen() -> Generator:
            done = env.timeout(1, value="early")
            yield env.timeout(2)
            log.append((env.now, (yield done)))  # processed at 1: resumes now, at 2

        return gen()

    driven, plain = _both(make)
    assert driven == plain == [(2, "early")]


def _failing(env: simpy.Environment, at: float) -> simpy.Event:
    ev = env.event()

    def fail(_ev: simpy.Event) -> None:
        ev.fail(KeyError("part 42"))

    env.timeout(at).callbacks.append(fail)
    return ev


def test_a_failure_is_thrown_in_and_can_be_handled() -> None:
    def make(env: simpy.Environment, log: list) -> Generator:
        def gen() -> Generator:
            try:
                yield _failing(env, 1)
                log.append("not reached")
            except KeyError as exc:
                log.append((env.now, type(exc), exc.args, type(exc.__cause__)))
            yield env.timeout(1)
            log.append((env.now, "went on"))

        return gen()

    driven, plain = _both(make)
    assert driven == plain == [(1, KeyError, ("part 42",), KeyError), (2, "went on")]


def test_an_unhandled_failure_stops_the_run() -> None:
    for driven in (True, False):
        env = simpy.Environment()
        log: list = []

        def gen(env: simpy.Environment = env, log: list = log) -> Generator:
            yield _failing(env, 1)
            log.append("resumed")  # never: the failure is raised at the yield
            yield env.timeout(1)

        if driven:
            Driver.start(gen())
        else:
            env.process(gen())
        with pytest.raises(KeyError, match="part 42"):
            env.run()
        assert env.now == 1 and log == [], driven


def test_a_yield_that_is_not_an_event_is_an_error() -> None:
    env = simpy.Environment()

    def gen() -> Generator:
        yield env.timeout(1)
        yield 5

    Driver.start(gen())
    with pytest.raises(RuntimeError, match="not an event"):
        env.run()


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


def test_the_event_state_the_driver_reads_is_simpys() -> None:
    """The driver reads ``_ok`` and ``_value`` (as ``Process._resume`` does): they must say
    what the public ``ok`` and ``value`` say (a SimPy outside the pinned versions may not)."""
    env = simpy.Environment()
    done, failed = env.event().succeed("v"), env.event()
    failed.fail(KeyError("k"))
    failed.defused = True
    assert (done._ok, done._value) == (done.ok, done.value) == (True, "v")
    assert (failed._ok, failed._value) == (failed.ok, failed.value)
    assert failed.ok is False
    env.run()
