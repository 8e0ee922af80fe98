"""A lightweight driver for model generators: a SimPy process without the process event.

A job's flow and the arrival stream are generators that only ever wait on fresh events
which succeed (timeouts, granted pool requests, parts arrivals). Nothing waits on them,
interrupts them or fails them, so a full ``simpy.Process`` (an event of its own, scheduled
when the generator ends, and a general resume loop) is pure cost for them. The driver
resumes the generator from the callbacks of the event it yielded, exactly where a process
would: its ``_resume`` takes the place of the process's in the event's callbacks.
"""

from __future__ import annotations

from collections.abc import Generator

import simpy
from simpy.events import Initialize


class Driver:
    """Drives ``gen`` from now (``start``) or, like ``env.process``, from an initialisation
    event at the current instant (``deferred``)."""

    __slots__ = ("_send",)

    def __init__(self, gen: Generator[simpy.Event, None, None]) -> None:
        # Only the generator's send: a stored bound method of the driver itself would make
        # each driver a reference cycle, left for the cyclic collector to free.
        self._send = gen.send

    @classmethod
    def start(cls, gen: Generator[simpy.Event, None, None]) -> None:
        """Run ``gen`` to its first wait now (the caller knows nothing else is due now)."""
        try:
            first = next(gen)
        except StopIteration:
            return
        first.callbacks.append(cls(gen)._resume)  # type: ignore[union-attr]

    @classmethod
    def deferred(cls, env: simpy.Environment, gen: Generator[simpy.Event, None, None]) -> Driver:
        """Start ``gen`` when an initialisation event scheduled now is processed: the same
        urgent event, in the same place of the queue, as ``env.process(gen)`` schedules."""
        driver = cls(gen)
        Initialize(env, driver)  # type: ignore[arg-type]  # calls driver._resume
        return driver

    def _resume(self, _event: simpy.Event | None) -> None:
        try:
            nxt = self._send(None)
        except StopIteration:
            return
        nxt.callbacks.append(self._resume)  # type: ignore[union-attr]
