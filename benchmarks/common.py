"""What every benchmark script shares: the machine line, timed subprocesses, README sections.

A script run with ``--write`` replaces its own section of ``benchmarks/README.md``, between
``<!-- NAME:start -->`` and ``<!-- NAME:end -->``, with the table it printed, so the figures
in the README are always a script's output, with the machine, versions and date.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "benchmarks" / "README.md"
PYTHON = sys.executable


def cpu_model() -> str:
    """The CPU's model name (Linux), or the platform's processor string."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_line(packages: Sequence[str] = ("simpy", "numpy")) -> str:
    """One line naming the machine, Python, the given packages' versions and today's date."""
    pkgs = ", ".join(f"{p} {version(p)}" for p in packages)
    return (
        f"{cpu_model()}, {os.cpu_count()} cores, {platform.system()} {platform.machine()}; "
        f"Python {platform.python_version()}, {pkgs}; {dt.date.today().isoformat()}"
    )


def load_average() -> float:
    """The one-minute load average (what else is running on the machine)."""
    return os.getloadavg()[0]


def bench_env() -> dict[str, str]:
    """The environment of timed subprocesses: this one, with Python's bytecode cache on.

    A user's Python writes ``__pycache__`` on the first import and reads it afterwards; an
    environment with ``PYTHONDONTWRITEBYTECODE`` set (as some sandboxes and CI images have)
    would instead compile the package from source at every start, about 0.1 s.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def timed(cmd: Sequence[str], cwd: Path = ROOT) -> float:
    """Wall seconds of one whole subprocess (its output discarded); raises if it fails."""
    t = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, env=bench_env())
    return time.perf_counter() - t


def peak_rss_mb(cmd: Sequence[str], cwd: Path = ROOT) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB) of a subprocess, by ``/usr/bin/time -v``."""
    t = time.perf_counter()
    proc = subprocess.run(
        ["/usr/bin/time", "-v", *cmd],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
        env=bench_env(),
    )
    wall = time.perf_counter() - t
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    if m is None:
        raise RuntimeError("/usr/bin/time -v printed no maximum resident set size")
    return wall, int(m.group(1)) / 1024


def write_section(name: str, text: str) -> None:
    """Replace the README section ``name`` (between its markers) with ``text``."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    readme = README.read_text()
    if start not in readme or end not in readme:
        raise SystemExit(f"error: {README.name} has no section markers for {name!r}")
    head, rest = readme.split(start, 1)
    _, tail = rest.split(end, 1)
    tmp = README.with_suffix(".md.tmp")
    tmp.write_text(f"{head}{start}\n{text.rstrip()}\n{end}{tail}")
    tmp.replace(README)
    print(f"wrote the {name} section of {README.relative_to(ROOT)}")
