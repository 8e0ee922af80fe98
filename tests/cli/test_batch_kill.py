"""Crash safety: a batch killed with SIGKILL half-way and resumed ends as if never killed."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim import cli
from sim.results import read_manifest

REPO = Path(__file__).resolve().parents[2]
VALID = Path(__file__).resolve().parent / "fixtures" / "valid.yaml"
CSVS = ("replications.csv", "summary.csv", "comparison.csv", "flow.csv")
TOTAL = 3 * 16


def batch_file(tmp_path: Path) -> Path:
    path = tmp_path / "kill.yaml"
    path.write_text(
        f"base: {VALID}\nbaseline: b\nreplications: 16\n"
        "variants:\n  a: {set: {supply.call_off.every: 1h}}\n  b: {}\n"
        "  c: {set: {supply.call_off.every: 4h}}\n"
    )
    return path


def rep_files(out: Path) -> list[Path]:
    return list((out / "runs").glob("*/rep-*.json")) if (out / "runs").is_dir() else []


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_sigkill_half_way_then_resume_gives_the_uninterrupted_results(tmp_path: Path) -> None:
    path = batch_file(tmp_path)
    killed, whole = tmp_path / "killed", tmp_path / "whole"
    args = [sys.executable, str(REPO / "run_sim.py"), "batch", str(path), "--horizon", "28d"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [*args, "--out", str(killed), "--workers", "2", "--chunk", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=tmp_path,
        env=env,
        start_new_session=True,  # its worker processes too can be cleaned up below
    )
    try:
        deadline = time.monotonic() + 120
        while len(rep_files(killed)) < 8 and proc.poll() is None:
            assert time.monotonic() < deadline, "no replication file appeared in 120 s"
            time.sleep(0.02)
        assert proc.poll() is None, "the batch finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # workers left behind by the dead parent
    done_before = len(rep_files(killed))
    assert 8 <= done_before < TOTAL
    assert not (killed / "manifest.json").exists()  # never claims to be complete

    resumed = subprocess.run(
        [*args, "--out", str(killed), "--resume", "--workers", "2"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
    )
    assert resumed.returncode == 0, resumed.stderr
    batch_info = read_manifest(killed)["batch"]
    assert batch_info["replications_reused"] == done_before  # every file there is complete
    assert batch_info["replications_reused"] + batch_info["replications_run"] == TOTAL
    assert not list(killed.rglob("*.tmp"))

    assert cli.main(["batch", str(path), "--horizon", "28d", "--out", str(whole)]) == 0
    for name in CSVS:
        assert (killed / name).read_bytes() == (whole / name).read_bytes(), name
