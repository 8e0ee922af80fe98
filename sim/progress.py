"""Progress of long runs: a tqdm bar on a terminal, plain periodic lines otherwise.

Logs and CI capture stderr without a terminal; there a bar's carriage returns are noise, so
a line such as ``12/150 replications done, ETA 0:03:10`` is printed at most every
``interval`` seconds, and one last line when the work ends.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import timedelta
from typing import TextIO

PLAIN_INTERVAL_S = 10.0


def format_eta(seconds: float) -> str:
    """Seconds as H:MM:SS."""
    return str(timedelta(seconds=max(0, round(seconds))))


class Progress:
    """Counts finished replications of ``total`` (``initial`` of them done before the start).

    The ETA extrapolates the rate of this run's own work, so replications reused from an
    earlier run do not make it look faster than it is.
    """

    def __init__(
        self,
        total: int,
        *,
        initial: int = 0,
        desc: str = "",
        stream: TextIO | None = None,
        tty: bool | None = None,
        interval: float = PLAIN_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total, self.done, self.initial = total, initial, initial
        self.stream = stream if stream is not None else sys.stderr
        self.interval, self.clock = interval, clock
        self.started = self.last = clock()
        tty = self.stream.isatty() if tty is None else tty
        self._bar = None
        if tty:
            from tqdm import tqdm

            self._bar = tqdm(total=total, initial=initial, desc=desc, unit="rep", file=self.stream)

    def eta(self) -> float | None:
        """Seconds left at the rate so far, or None before the first replication."""
        ran = self.done - self.initial
        if ran <= 0:
            return None
        return (self.clock() - self.started) / ran * (self.total - self.done)

    def line(self) -> str:
        """The plain progress line."""
        eta = self.eta()
        tail = f", ETA {format_eta(eta)}" if eta is not None and self.done < self.total else ""
        return f"{self.done}/{self.total} replications done{tail}"

    def update(self, n: int = 1) -> None:
        """``n`` more replications finished."""
        self.done += n
        if self._bar is not None:
            self._bar.update(n)
            return
        now = self.clock()
        if now - self.last >= self.interval and self.done < self.total:
            self.last = now
            print(self.line(), file=self.stream, flush=True)

    def close(self) -> None:
        """End the bar, or print the closing line with the elapsed time."""
        if self._bar is not None:
            self._bar.close()
            return
        took = format_eta(self.clock() - self.started)
        print(f"{self.done}/{self.total} replications done in {took}", file=self.stream, flush=True)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
