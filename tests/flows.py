"""Which job's flow is running: lets test probes attribute pool calls to jobs.

The workshop drives most flows without a SimPy process (``sim.model.driver.Driver``), so
``env.active_process`` does not name the job; :class:`RunningJob` wraps the flows instead.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any


class RunningJob:
    """``job`` is the job whose flow is executing now, None between flows.

    Install it on a :class:`sim.model.world.World` before the run; it wraps (on that
    instance) ``workshop.flow``, which may already be wrapped by a probe.
    """

    def __init__(self, world: Any) -> None:
        self.job: Any = None
        inner = world.workshop.flow

        def flow(job: Any) -> Generator[Any, Any, None]:
            gen = inner(job)
            outer, self.job = self.job, job
            try:
                event = next(gen)
                while True:
                    self.job = outer
                    value = yield event
                    outer, self.job = self.job, job
                    event = gen.send(value)
            except StopIteration:
                pass
            finally:
                self.job = outer

        world.workshop.flow = flow
