"""Named random streams: one independent generator per source of randomness.

``numpy.random.default_rng([stream_id(name), replication, seed])``: policy settings never
enter a seed, so replication *r* of two policies sees the same customers and jobs (common
random numbers), in any process and on any executor.
"""

from __future__ import annotations

import hashlib

import numpy as np


def stream_id(name: str) -> int:
    """A stable 63-bit integer for a stream name (sha256, never Python's ``hash()``)."""
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "big") >> 1


class Streams:
    """Lazily created named generators for one replication of one scenario.

    ``prefix`` names the streams of one dealer of a region (``"dealer_b/"``): every dealer
    draws its own customers and trucks. The first dealer's prefix is empty, so a region of
    one dealer draws exactly what the dealer's single run does.
    """

    def __init__(self, seed: int, replication: int, prefix: str = "") -> None:
        self.seed = int(seed)
        self.replication = int(replication)
        self.prefix = prefix
        self._rngs: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        rng = self._rngs.get(name)
        if rng is None:
            full = self.prefix + name
            rng = np.random.default_rng([stream_id(full), self.replication, self.seed])
            self._rngs[name] = rng
        return rng
