"""The ``--out`` folder: the error for one that cannot be used, and the lock on it.

A command that writes a results folder (``run --out``, ``batch``) holds an exclusive lock on
it from before its first check of the folder to after its last write, so two commands never
write into one folder together: the second exits 2 at once, naming the process that holds
it. The lock is an OS-level lock (``filelock``: ``flock`` on POSIX, ``msvcrt`` on Windows) on
``DIR/.lock``: it dies with its process, so a killed run never blocks the next one. The file
stays behind; its content (pid, host, start time) is only what the message quotes, and a
folder holding nothing else counts as empty. A folder that the lock itself created and
that is still empty when the command ends (it failed before writing) is removed again.

This module imports nothing heavy, so the command line can catch ``ResultsError`` cheaply.
"""

from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from filelock import BaseFileLock

LOCK_FILE = ".lock"

# (folder, thread) pairs this process holds: the command line takes the lock before it
# starts an executor, and run_batch, which takes it too, then just goes on.
_HELD: set[tuple[Path, int]] = set()


class ResultsError(ValueError):
    """The output folder cannot be used; ``str(err)`` is the one-line message for the user."""


class FolderInUse(ResultsError):
    """Another process holds the folder's lock."""


def is_empty(path: Path) -> bool:
    """Whether the folder ``path`` holds nothing but (perhaps) the lock file."""
    return all(p.name == LOCK_FILE for p in path.iterdir())


def _holder(lock_path: Path) -> dict[str, Any]:
    """What the holder wrote into the lock file (empty if it has not yet, or it is garbled)."""
    try:
        info = json.loads(lock_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return info if isinstance(info, dict) else {}


def in_use_message(out: Path, info: dict[str, Any]) -> str:
    """``DIR is in use by another run (pid N since T); wait for it or choose another --out``."""
    who = []
    if info.get("pid") is not None:
        who.append(f"pid {info['pid']}")
        if info.get("host") and info["host"] != socket.gethostname():
            who.append(f"on {info['host']}")
    if info.get("since"):
        who.append(f"since {info['since']}")
    held = f" ({' '.join(who)})" if who else ""
    return f"{out} is in use by another run{held}; wait for it or choose another --out"


def _write_holder(lock_path: Path) -> None:
    """Our pid, host and start time into the lock file, in place: replacing the file would
    move the lock's inode away from the path that the next run locks."""
    info = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "since": datetime.now().astimezone().isoformat(timespec="seconds"),
    }
    with suppress(OSError):  # a platform that forbids writing a locked file: no details
        fd = os.open(lock_path, os.O_WRONLY)
        try:
            os.ftruncate(fd, 0)
            os.write(fd, (json.dumps(info) + "\n").encode("utf-8"))
        finally:
            os.close(fd)


def _acquire(path: Path) -> BaseFileLock:
    from filelock import FileLock, Timeout

    lock_path = path / LOCK_FILE
    try:
        path.mkdir(parents=True, exist_ok=True)
        lock = FileLock(lock_path, timeout=0, thread_local=False)
        lock.acquire()
    except Timeout:
        raise FolderInUse(in_use_message(path, _holder(lock_path))) from None
    except OSError as exc:  # before anything runs: exit 2, naming the option
        reason = exc.strerror or str(exc)
        raise ResultsError(f"--out {path}: cannot be used: {reason}") from None
    _write_holder(lock_path)
    return lock


@contextmanager
def hold_folder(
    out: str | Path | None, check: Callable[[Path], object] | None = None
) -> Iterator[Path | None]:
    """Hold the exclusive lock on the folder ``out`` for the block (nothing for None).

    ``check(path)`` (raising ResultsError for a folder that cannot be used) runs first, so
    that a refused folder gets no lock file, and again once the lock is held, when no other
    run can change the folder any more. Raises FolderInUse when another process (or thread)
    holds the lock; within one thread the lock is re-entrant.
    """
    if out is None:
        yield None
        return
    path = Path(out)
    if check is not None:
        check(path)
    key = (path.resolve(), threading.get_ident())
    if key in _HELD:
        yield path
        return
    created = not path.exists()
    lock = _acquire(path)
    _HELD.add(key)
    try:
        if check is not None:
            check(path)
        yield path
    finally:
        _HELD.discard(key)
        try:
            if created:
                _remove_if_empty(path)
        finally:
            lock.release()


def _remove_if_empty(path: Path) -> None:
    """Remove the folder and its lock file if it holds nothing else (the command failed
    before writing). The file goes while the lock is still held: filelock (>= 4) retries when
    the inode it locked has been unlinked, so a run waiting at this moment is not fooled."""
    with suppress(OSError):
        if is_empty(path):
            (path / LOCK_FILE).unlink(missing_ok=True)
            path.rmdir()
