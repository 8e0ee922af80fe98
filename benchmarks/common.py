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
import shutil
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


def instructions(cmd: Sequence[str], cwd: Path = ROOT) -> int:
    """Machine instructions a command executes (valgrind cachegrind's ``I refs``).

    Address randomisation and the hash seed are fixed, and NumPy's BLAS runs one thread:
    its idle threads spin, and on a busy machine their spinning added up to 10 % to a count
    (a one-day run gave 2.31 and 2.54 billion); with one thread a count repeats to within
    a few thousand instructions.
    """
    if shutil.which("valgrind") is None:
        raise SystemExit("error: counting instructions needs valgrind (apt install valgrind)")
    env = {**bench_env(), "PYTHONHASHSEED": "0"}
    env.update({k: "1" for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")})
    wrap = ["setarch", platform.machine(), "-R"] if shutil.which("setarch") else []
    proc = subprocess.run(
        [*wrap, "valgrind", "--tool=cachegrind", "--cache-sim=no",
         "--cachegrind-out-file=/dev/null", *cmd],
        cwd=cwd, env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    m = re.search(r"I\s+refs:\s+([\d,]+)", proc.stderr)
    if m is None:
        raise RuntimeError("valgrind printed no instruction count")
    return int(m.group(1).replace(",", ""))


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
