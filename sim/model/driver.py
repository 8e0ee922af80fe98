"""A lightweight driver for model generators: a SimPy process without the process event.

A job's flow is a generator that nothing waits on or interrupts, so a full ``simpy.Process``
(an initialisation event, an event of its own scheduled when the generator ends) is pure
cost for it. The driver resumes the generator from the callbacks of the event it yielded,
as ``Process._resume`` does, and with the same contract: the generator receives the
event's value (``x = yield store.get()``, ``yield a | b``), a failed event's exception is
thrown into it (a copy, as SimPy makes, whose ``__cause__`` is the original), and an event
already processed resumes it at once with its value. What differs: an exception the
generator does not handle propagates out of ``env.step`` (there is no process event to
fail), and ``env.active_process`` is None while it runs.

It constructs nothing of SimPy's internals and uses its public API (``callbacks``,
``defused``, ``value``), except in one place: the resume reads an event's outcome from its
``_ok`` and ``_value`` attributes, as ``Process._resume`` does (see there). The SimPy
versions it is tested with are pinned in ``pyproject.toml``, and ``tests/unit/test_driver.py``
compares it with ``simpy.Process`` on small processes.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, cast

import simpy

Flow = Generator[simpy.Event, Any, None]


class Driver:
    """Drives a generator started now, by :meth:`start`."""

    __slots__ = ("_gen", "_send")

    def __init__(self, gen: Flow) -> None:
        # The generator and its send, nothing of the driver itself: a stored bound method
        # of the driver would make each driver a reference cycle, left for the cyclic
        # collector to free.
        self._gen = gen
        self._send = gen.send

    @classmethod
    def start(cls, gen: Flow) -> None:
        """Run ``gen`` to its first wait now, synchronously.

        Unlike ``env.process(gen)``, which starts it from an urgent event at this instant,
        nothing else runs first: the caller knows nothing else is due now.
        """
        try:
            event = next(gen)
        except StopIteration:
            return
        driver = cls(gen)
        callbacks = event.callbacks
        if callbacks is None:  # already processed: resume with its value at once
            driver._resume(event)
        else:
            callbacks.append(driver._resume)

    def _resume(self, event: simpy.Event) -> None:
        """Resume the generator with ``event``'s outcome (``Process._resume``'s loop)."""
        while True:
            try:
                # ``_ok`` and ``_value``, not the public ``ok`` and ``value``: the state
                # ``Process._resume`` reads too (SimPy pinned to 4.1 in pyproject.toml);
                # the two property calls cost 1.6 % of a run's simulation, every resume.
                event = self._send(event._value) if event._ok else self._throw(event)
            except StopIteration:
                return
            try:
                callbacks = event.callbacks
            except AttributeError:
                raise RuntimeError(f"a driven generator yielded {event!r}, not an event") from None
            if callbacks is not None:
                callbacks.append(self._resume)
                return
            # an event already processed: loop, resuming with its outcome at once

    def _throw(self, event: simpy.Event) -> simpy.Event:
        """Throw ``event``'s failure into the generator, as a process does: the event is
        defused (handled here) and the generator gets a copy of the exception, whose
        ``__cause__`` is the original. Unhandled, the copy propagates to ``env.step``."""
        event.defused = True
        err = cast(BaseException, event.value)  # Event.fail accepts exceptions only
        exc = type(err)(*err.args)
        exc.__cause__ = err
        return self._gen.throw(exc)
