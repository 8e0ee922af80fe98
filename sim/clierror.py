"""What every command-line module shares: the program's name and the bad-input error."""

from __future__ import annotations

PROG = "run_sim.py"


class CliError(ValueError):
    """Bad command-line input (exit 2); ``str(err)`` is the message."""
