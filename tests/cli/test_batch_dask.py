"""A real Dask cluster on 127.0.0.1: ``dask scheduler``, two ``dask worker``, ``--scheduler``.

The scheduler and workers are separate processes started here, as a user would start them;
ports are chosen free at run time, every wait is bounded, and everything is stopped in a
``finally``. Workers import the simulator from this checkout through PYTHONPATH.

Without Dask (``distributed`` or the ``dask`` command) the test skips, except in CI
(``CI=true``), where it fails: the test extra installs Dask, and a skip there would hide it.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from sim import cli
from tests.ci import skip_unless_ci

REPO = Path(__file__).resolve().parents[2]
TINY_BATCH = Path(__file__).resolve().parent / "fixtures" / "tiny_batch.yaml"
CSVS = ("replications.csv", "summary.csv", "comparison.csv", "flow.csv")
START_TIMEOUT_S = 60


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def dask_command() -> list[str]:
    try:
        import distributed  # noqa: F401
    except ImportError:
        skip_unless_ci("distributed is not installed")
    beside = Path(sys.executable).parent / "dask"
    found = str(beside) if beside.is_file() else shutil.which("dask")
    if found is None:
        skip_unless_ci("the dask command is not installed")
    return [found]


def wait_for_port(port: int, proc: subprocess.Popen[bytes], deadline: float) -> None:
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the scheduler exited at start"
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.settimeout(0.5)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"the scheduler did not listen on {port} in {START_TIMEOUT_S} s")


def wait_for_workers(address: str, n: int, deadline: float) -> None:
    from distributed import Client

    with Client(address, timeout=f"{START_TIMEOUT_S}s") as client:
        client.wait_for_workers(n, timeout=max(1.0, deadline - time.monotonic()))


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


def test_batch_on_a_real_scheduler_and_two_workers(tmp_path: Path) -> None:
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    dask = dask_command()
    logs = tmp_path / "logs"
    logs.mkdir()
    procs: list[subprocess.Popen[bytes]] = []

    def start(args: list[str], log: str) -> subprocess.Popen[bytes]:
        with (logs / log).open("wb") as fh:
            proc = subprocess.Popen(
                [*dask, *args], stdout=fh, stderr=subprocess.STDOUT, cwd=tmp_path, env=env
            )
        procs.append(proc)
        return proc

    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        scheduler = start(
            ["scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            "scheduler.log",
        )
        wait_for_port(port, scheduler, deadline)
        for i in range(2):
            start(
                [
                    "worker",
                    address,
                    "--host",
                    "127.0.0.1",
                    "--nthreads",
                    "1",
                    "--no-nanny",
                    "--no-dashboard",
                    "--local-directory",
                    str(tmp_path / f"w{i}"),
                    "--name",
                    f"w{i}",
                ],
                f"worker{i}.log",
            )
        wait_for_workers(address, 2, deadline)

        out = tmp_path / "dask"
        done = subprocess.run(
            [
                sys.executable,
                str(REPO / "run_sim.py"),
                "batch",
                str(TINY_BATCH),
                "--horizon",
                "2d",
                "--executor",
                "dask",
                "--scheduler",
                address,
                "--out",
                str(out),
            ],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
            timeout=180,
        )
        assert done.returncode == 0, done.stderr
        assert "paired differences against two_h" in done.stdout
    finally:
        for proc in reversed(procs):
            stop(proc)

    manifest = (out / "manifest.json").read_text()
    assert f'"scheduler": "{address}"' in manifest
    assert '"slots": 2' in manifest
    assert len(json.loads(manifest)["workers"]) == 2  # both workers ran replications
    serial = tmp_path / "serial"
    args = ["batch", str(TINY_BATCH), "--horizon", "2d", "--executor", "serial"]
    assert cli.main([*args, "--out", str(serial)]) == 0
    for name in CSVS:
        assert (out / name).read_bytes() == (serial / name).read_bytes(), name
