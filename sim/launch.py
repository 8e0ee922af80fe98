"""The command's first step, before the command line and its libraries are imported.

A command that will run on local workers (``batch``, ``warmup``, ``reps``, ``optimize``
with neither ``--scheduler`` nor another ``--executor``) starts their fork server here, at
once (``sim.forkserver``): the server imports the model while this process imports the
command line, reads the files and checks them, so the workers are ready when the first
tasks are. The command line is not parsed yet, so its words are read directly
(:func:`uses_local_workers`); a wrong guess costs time only, since ``sim.cli`` starts the
server itself when it needs it.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence

from sim.forkserver import prestart_local_workers

WORKER_COMMANDS = frozenset({"batch", "warmup", "reps", "optimize"})


def uses_local_workers(argv: Sequence[str]) -> bool:
    """Whether the command line ``argv`` (without the program) will most likely run on
    local workers: a worker command with neither ``--scheduler`` nor an ``--executor``
    other than ``local``, and no ``--help``."""
    if not argv or argv[0] not in WORKER_COMMANDS:
        return False
    executor = None
    for i, word in enumerate(argv):
        if word in ("-h", "--help") or word.startswith("--scheduler"):
            return False
        if word == "--executor":
            executor = argv[i + 1] if i + 1 < len(argv) else None
        elif word.startswith("--executor="):
            executor = word.split("=", 1)[1]
    return executor in (None, "local")


def launch(argv: Sequence[str] | None = None) -> int:
    """``python run_sim.py`` and the ``run-sim`` command: the fork server first if the
    command will want it, then the command line (``sim.cli.main``); returns its exit code."""
    words = list(sys.argv[1:] if argv is None else argv)
    if uses_local_workers(words):
        prestart_local_workers()
    from sim.cli import main

    code = main(words)
    gc.freeze()  # the exiting interpreter then skips walking every object of the libraries
    return code
