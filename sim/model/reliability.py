"""Unreliable supply (``supply.reliability``): late trucks and random outages.

Each draws from streams of its own, so switching it on, or changing it, moves no draw of the
demand side nor of the trucks' lead times. A late truck's delay is known to nobody before
it arrives: its scheduled arrival stays departure + mean lead time (+ known delays). Random
outages are drawn for the whole run at the start and then act like ``outage`` disruptions,
but the workshop learns of one only when it starts (``sim.model.supply``).
"""

from __future__ import annotations

from collections.abc import Callable

from sim.distributions import uniform_sampler
from sim.scenario import LateTrucks, RandomOutages
from sim.streams import Streams

LATE_STREAM = "supply.late"  # one U(0, 1) per regular truck, in departure order
LATE_BY_STREAM = "supply.late_by"  # one delay per late truck
OUTAGE_EVERY_STREAM = "supply.outage_every"  # one gap per outage (and the one past the end)
OUTAGE_DURATION_STREAM = "supply.outage_duration"  # one duration per outage


def late_drawer(cfg: LateTrucks, streams: Streams) -> Callable[[], float]:
    """A function giving the next regular truck's extra delay in minutes (0: on time)."""
    uniform = uniform_sampler(streams[LATE_STREAM])
    by = cfg.by.sampler(streams[LATE_BY_STREAM])
    p = cfg.probability

    def late() -> float:
        return by() if uniform() < p else 0.0

    return late


def outage_intervals(cfg: RandomOutages, streams: Streams, end: float) -> list[tuple[float, float]]:
    """The run's random outages ``[(start, end)]``: starts ``every`` apart from time 0, the
    last one starting before ``end``."""
    every = cfg.every.sampler(streams[OUTAGE_EVERY_STREAM])
    duration = cfg.duration.sampler(streams[OUTAGE_DURATION_STREAM])
    out: list[tuple[float, float]] = []
    t = 0.0
    while True:
        t += every()
        if t >= end:
            return out
        out.append((t, t + duration()))
