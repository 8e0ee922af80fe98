"""One command per results folder: the lock on ``--out``, stale locks, and batch ownership."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from sim import cli
from sim.outdir import LOCK_FILE, FolderInUse, hold_folder
from sim.results import read_manifest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
VALID = FIXTURES / "valid.yaml"
TINY_BATCH = FIXTURES / "tiny_batch.yaml"
FAST = ("--executor", "serial", "--horizon", "2d")
ENV = {**os.environ, "PYTHONPATH": str(REPO)}
HOLD = (
    "import sys, time\n"
    "from sim.outdir import hold_folder\n"
    "with hold_folder(sys.argv[1]):\n"
    "    print('held', flush=True)\n"
    "    time.sleep(120)\n"
)


def batch(out: Path, *extra: str, file: Path = TINY_BATCH) -> int:
    return cli.main(["batch", str(file), "--out", str(out), *FAST, *extra])


def in_use(out: Path, pid: int) -> re.Pattern[str]:
    return re.compile(
        rf"error: {re.escape(str(out))} is in use by another run \(pid {pid} since "
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d\); wait for it or choose another --out\n"
    )


@pytest.fixture
def holder(tmp_path: Path):
    """Another process holding the lock on ``tmp_path / "out"`` until the test ends."""
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(out)], stdout=subprocess.PIPE, text=True, env=ENV
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline() == "held\n"
        yield out, proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)


def test_a_held_folder_is_refused_at_once(holder, capsys) -> None:
    out, proc = holder
    for argv in (
        ["batch", str(TINY_BATCH), "--out", str(out), *FAST],
        ["batch", str(TINY_BATCH), "--out", str(out), *FAST, "--resume"],
        ["run", str(VALID), "--out", str(out), "--reps", "1", "--horizon", "1d"],
        ["report", str(out)],  # it would read a folder still being written
    ):
        started = time.monotonic()
        assert cli.main(argv) == 2
        assert time.monotonic() - started < 5
        err = capsys.readouterr().err
        assert in_use(out, proc.pid).fullmatch(err), err
    assert [p.name for p in out.iterdir()] == [LOCK_FILE]  # nothing written


def test_a_killed_holder_does_not_block(holder, capsys) -> None:
    out, proc = holder
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert (out / LOCK_FILE).read_text()  # the file stays, with the dead holder in it
    assert batch(out) == 0
    assert read_manifest(out)["batch"]["replications_run"] == 9
    assert cli.main(["run", str(VALID), "--out", str(out), "--reps", "1"]) == 0


def test_the_same_batch_twice_at_once(tmp_path: Path) -> None:
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    args = [sys.executable, str(REPO / "run_sim.py"), "batch", str(TINY_BATCH), "--out"]
    slow = ["--executor", "serial", "--horizon", "28d", "--reps", "10"]
    first = subprocess.Popen(
        [*args, str(out), *slow], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV
    )
    try:
        deadline = time.monotonic() + 60
        while not (out / "runs").is_dir():  # the first one holds the folder
            assert first.poll() is None and time.monotonic() < deadline
            time.sleep(0.02)
        second = subprocess.run(
            [*args, str(out), *slow, "--resume"], capture_output=True, text=True, env=ENV
        )
        assert first.poll() is None, "the first batch ended too soon for this test"
        assert second.returncode == 2
        assert in_use(out, first.pid).fullmatch(second.stderr), second.stderr
        assert first.wait(timeout=120) == 0
    finally:
        if first.poll() is None:
            first.kill()
            first.wait(timeout=30)
    assert cli.main(["batch", str(TINY_BATCH), "--out", str(fresh), *slow]) == 0
    for name in ("replications.csv", "summary.csv", "comparison.csv"):
        assert (out / name).read_bytes() == (fresh / name).read_bytes(), name


def other_batch(tmp_path: Path) -> Path:
    path = tmp_path / "other.yaml"
    text = TINY_BATCH.read_text().replace("name: tiny_batch", "name: other_batch")
    path.write_text(text.replace("base: valid.yaml", f"base: {VALID}"))
    return path


def test_resume_of_another_batch_is_refused(tmp_path: Path, capsys) -> None:
    out, other = tmp_path / "out", other_batch(tmp_path)
    assert batch(out) == 0
    before = sorted(p.relative_to(out) for p in out.rglob("*.json"))
    capsys.readouterr()
    assert batch(out, "--resume", file=other) == 2
    err = capsys.readouterr().err
    assert err == (
        f"error: --out {out}: holds batch 'tiny_batch', not 'other_batch'; --resume "
        "continues only the same batch: choose another --out\n"
    )
    assert sorted(p.relative_to(out) for p in out.rglob("*.json")) == before

    (out / "manifest.json").unlink()  # unfinished: runs/batch.json still names the batch
    assert batch(out, "--resume", file=other) == 2
    assert "holds batch 'tiny_batch', not 'other_batch'" in capsys.readouterr().err
    assert batch(out, "--resume") == 0  # its own batch continues
    assert read_manifest(out)["batch"]["replications_reused"] == 9
    assert batch(out, file=other) == 0  # without --resume a finished folder is replaced
    assert read_manifest(out)["batch"]["name"] == "other_batch"


def test_lock_is_reentrant_in_a_thread_and_exclusive_across_threads(tmp_path: Path) -> None:
    out = tmp_path / "out"
    errors: list[BaseException] = []

    def other_thread() -> None:
        try:
            with hold_folder(out):
                pass
        except FolderInUse as exc:
            errors.append(exc)

    with hold_folder(out), hold_folder(out):  # the command line, then run_batch
        thread = threading.Thread(target=other_thread)
        thread.start()
        thread.join()
    assert len(errors) == 1 and f"(pid {os.getpid()} since" in str(errors[0])
    with hold_folder(out):  # released
        pass


def test_a_folder_the_lock_created_goes_when_nothing_was_written(tmp_path: Path) -> None:
    out = tmp_path / "new" / "out"
    with pytest.raises(RuntimeError), hold_folder(out):
        assert (out / LOCK_FILE).is_file()
        raise RuntimeError("the executor did not start")
    assert not out.exists()
    out.mkdir()
    with hold_folder(out):
        pass
    assert out.is_dir()  # one that existed stays
    shutil.rmtree(out)


def test_the_lock_file_alone_counts_as_empty(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / LOCK_FILE).write_text("{}")
    assert cli.main(["run", str(VALID), "--out", str(out), "--reps", "1", "--horizon", "1d"]) == 0
    (out / "manifest.json").unlink()
    for name in list(os.listdir(out)):
        if name != LOCK_FILE:
            path = out / name
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    assert batch(out) == 0


@pytest.mark.parametrize("command", ["run", "batch"])
def test_an_unusable_out_is_exit_2_before_anything_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    out = blocker / "sub"  # a folder cannot be made under a file
    source = VALID if command == "run" else TINY_BATCH
    extra = ["--executor", "serial"] if command == "batch" else []
    assert cli.main([command, str(source), "--horizon", "1d", "--out", str(out), *extra]) == 2
    captured = capsys.readouterr()
    assert re.fullmatch(rf"error: --out {re.escape(str(out))}: cannot be used: .+\n", captured.err)
    assert captured.out == ""  # refused before any replication ran
