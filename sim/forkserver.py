"""The local workers' fork server: started as early as the command allows.

Local worker processes fork from a server process that has imported the model and the task
runner once (``PRELOAD``), so a worker starts in milliseconds and never inherits the
command's threads. The server's own start costs about half a second of imports; started
first thing (``sim.launch``), it spends them while the command imports its libraries and
reads the scenario. This module imports nothing of the simulator, so that starting the
server costs nothing else.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.context import BaseContext

PRELOAD = ["sim.preload"]  # the model, the task runner, the records; then gc.freeze()


def mp_context() -> BaseContext:
    """forkserver where available (workers fork from a server that has imported
    ``PRELOAD``, and never inherit this process's threads), else spawn."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        return ctx
    return multiprocessing.get_context("spawn")


def prestart_local_workers() -> None:
    """Start the fork server now, so that it imports the model while this process is still
    busy with its own imports and checks; a no-op where there is none, or once started."""
    if mp_context().get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()
