"""The command line as a user runs it: ``python run_sim.py ARGS`` in a subprocess."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RUN_SIM = REPO / "run_sim.py"


def run_sim(
    *args: str | Path,
    cwd: Path = REPO,
    timeout: float = 300,
    preexec_fn: Callable[[], object] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``run_sim.py`` with ``args`` in ``cwd``; capture its text output. ``preexec_fn``
    runs in the child before the program starts (a resource limit, say)."""
    return subprocess.run(
        [sys.executable, str(RUN_SIM), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
        preexec_fn=preexec_fn,
    )
