"""The weighted part picker: each pick is the part whose cumulative weight share first
exceeds one uniform of its stream, block after block."""

from __future__ import annotations

from bisect import bisect_right

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.distributions import BLOCK
from sim.model.demand import part_picker


@settings(max_examples=60, deadline=None)
@given(
    weights=st.lists(st.integers(0, 50), min_size=1, max_size=40).filter(lambda w: sum(w) > 0),
    seed=st.integers(0, 2**32 - 1),
)
def test_picks_are_the_bisection_of_the_streams_uniforms(weights: list[int], seed: int) -> None:
    w = np.array(weights, dtype=float)
    elig = np.arange(100, 100 + len(w), dtype=np.int64)  # part numbers, not positions
    pick = part_picker(np.random.default_rng(seed), elig, w)
    picks = [pick() for _ in range(2 * BLOCK + 7)]  # across block boundaries
    cum = (np.cumsum(w) / w.sum()).tolist()
    u = np.random.default_rng(seed).random(3 * BLOCK).tolist()
    expect = [int(elig[min(bisect_right(cum, x), len(w) - 1)]) for x in u[: len(picks)]]
    assert picks == expect
    assert all(w[p - 100] > 0 for p in picks)  # a part of zero weight is never drawn


def test_pick_frequencies_follow_the_weights() -> None:
    w = np.array([1.0, 0.0, 3.0, 6.0])
    pick = part_picker(np.random.default_rng(7), np.arange(4, dtype=np.int64), w)
    n = 40_000
    counts = np.bincount([pick() for _ in range(n)], minlength=4)
    p = w / w.sum()
    se = np.sqrt(n * p * (1 - p))
    assert np.all(np.abs(counts - n * p) <= 3 * se + 1e-9)
