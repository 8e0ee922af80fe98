"""Progress: plain periodic lines with an ETA off a terminal, a tqdm bar on one."""

from __future__ import annotations

import io

from sim.progress import Progress, format_eta


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_plain_lines_at_most_every_interval_with_eta() -> None:
    out, clock = io.StringIO(), Clock()
    p = Progress(150, stream=out, tty=False, interval=10.0, clock=clock)
    clock.now += 5
    p.update(3)  # too soon for a line
    assert out.getvalue() == ""
    clock.now += 5  # 10 s for 12 replications: 138 left take 115 s
    p.update(9)
    assert out.getvalue() == "12/150 replications done, ETA 0:01:55\n"
    clock.now += 1
    p.update(1)
    assert out.getvalue().count("\n") == 1
    clock.now += 190
    p.update(137)  # the last one: no periodic line, the closing line says it all
    p.close()
    assert out.getvalue().splitlines()[-1] == "150/150 replications done in 0:03:21"


def test_eta_counts_only_this_runs_work() -> None:
    out, clock = io.StringIO(), Clock()
    p = Progress(100, initial=90, stream=out, tty=False, interval=0.0, clock=clock)
    assert p.eta() is None
    clock.now += 4
    p.update(2)  # 2 new replications in 4 s, 8 left: 16 s (not 90 done in 4 s)
    assert out.getvalue() == "92/100 replications done, ETA 0:00:16\n"


def test_terminal_gets_a_bar() -> None:
    out = io.StringIO()
    with Progress(4, stream=out, tty=True, desc="tiny") as p:
        p.update(4)
    text = out.getvalue()
    assert "tiny" in text and "4/4" in text and "rep" in text
    assert "replications done" not in text


def test_format_eta() -> None:
    assert format_eta(0) == "0:00:00"
    assert format_eta(3725.4) == "1:02:05"
    assert format_eta(-3) == "0:00:00"
