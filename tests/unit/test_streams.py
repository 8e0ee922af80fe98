"""Named random streams: stable ids across processes, independent streams per name."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from sim.streams import Streams, stream_id

REPO = Path(__file__).resolve().parents[2]


def test_stream_id_is_the_first_63_bits_of_sha256() -> None:
    # sha256("") is the well-known e3b0c442 98fc1c14 9afbf4c8 ...: its first 8 bytes,
    # shifted right by one bit, are the id of the empty name.
    assert stream_id("") == 0xE3B0C44298FC1C14 >> 1
    for name in ("arrivals", "walk_ins.count", "job.maintenance.hours.0", "交车"):
        digest = hashlib.sha256(name.encode("utf-8")).digest()
        assert stream_id(name) == int.from_bytes(digest[:8], "big") >> 1
        assert 0 <= stream_id(name) < 2**63


def test_stream_ids_do_not_collide() -> None:
    names = [f"part.{i}" for i in range(20_000)] + ["a", "b", "ab", "ba"]
    assert len({stream_id(n) for n in names}) == len(names)


_CHILD = """
import json, sys
from sim.streams import Streams, stream_id
s = Streams(20261126, 3)
print(json.dumps({"id": stream_id("arrivals"), "draws": s["arrivals"].random(3).tolist()}))
"""


def test_same_ids_and_draws_in_another_process_with_another_hash_seed() -> None:
    here = Streams(20261126, 3)["arrivals"].random(3).tolist()
    for hash_seed in ("0", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(REPO)}
        out = subprocess.run(
            [sys.executable, "-c", _CHILD], capture_output=True, text=True, env=env, check=True
        )
        child = json.loads(out.stdout)
        assert child["id"] == stream_id("arrivals")
        assert child["draws"] == here


def test_generator_is_seeded_from_name_replication_and_seed() -> None:
    rng = Streams(99, 4)["lead_time"]
    expected = np.random.default_rng([stream_id("lead_time"), 4, 99])
    assert rng.random(5).tolist() == expected.random(5).tolist()


def test_same_name_same_numbers_and_cached() -> None:
    a, b = Streams(7, 0), Streams(7, 0)
    assert a["x"] is a["x"]
    assert a["x"].random(10).tolist() == b["x"].random(10).tolist()


def test_replications_and_seeds_give_different_numbers() -> None:
    base = Streams(7, 0)["x"].random(10).tolist()
    assert Streams(7, 1)["x"].random(10).tolist() != base
    assert Streams(8, 0)["x"].random(10).tolist() != base


def test_streams_are_independent_of_each_other_and_of_the_order_of_use() -> None:
    s1 = Streams(1, 0)
    a_first = s1["a"].random(1000)
    b_after = s1["b"].random(1000)
    s2 = Streams(1, 0)
    b_first = s2["b"].random(1000)
    a_after = s2["a"].random(1000)
    # Drawing from one stream never shifts another: common random numbers survive a
    # policy that draws more (or less) from some other stream.
    assert np.array_equal(a_first, a_after)
    assert np.array_equal(b_first, b_after)
    assert not np.array_equal(a_first, b_first)


def test_different_names_are_uncorrelated() -> None:
    s = Streams(20261126, 0)
    n = 20_000
    names = ["arrivals", "arrivals2", "job_type", "hours"]
    draws = np.array([s[name].random(n) for name in names])
    corr = np.corrcoef(draws)
    off_diagonal = corr[~np.eye(len(names), dtype=bool)]
    # Sample correlation of independent uniforms has sd 1 / sqrt(n) = 0.007.
    assert np.abs(off_diagonal).max() < 4 / np.sqrt(n)
