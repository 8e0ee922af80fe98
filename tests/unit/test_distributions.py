"""Distribution specs: validation, sample moments against theory, truncation, round trips."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError

from sim.distributions import (
    BLOCK,
    DurationDist,
    IntDist,
    NumberDist,
    SignedDurationDist,
    uniform_sampler,
)

N = 200_000


def draw(dist: Any, n: int = N, seed: int = 12345) -> np.ndarray:
    """``n`` samples through the public one-at-a-time sampler."""
    sample = dist.sampler(np.random.default_rng(seed))
    return np.array([sample() for _ in range(n)])


def assert_mean_within_3_se(x: np.ndarray, mean: float, sd: float) -> None:
    se = sd / math.sqrt(len(x))
    assert abs(x.mean() - mean) <= 3 * se, (x.mean(), mean, se)


# (class, spec, theoretical mean, theoretical sd), in model units (minutes for durations)
MOMENTS = [
    (DurationDist, {"dist": "exponential", "mean": "30min"}, 30.0, 30.0),
    (DurationDist, {"dist": "uniform", "low": "10min", "high": "20min"}, 15.0, 10 / math.sqrt(12)),
    (
        DurationDist,
        {"dist": "triangular", "low": "8min", "mode": "15min", "high": "30min"},
        (8 + 15 + 30) / 3,
        math.sqrt((8**2 + 15**2 + 30**2 - 8 * 15 - 8 * 30 - 15 * 30) / 18),
    ),
    (DurationDist, {"dist": "lognormal", "mean": "1h", "cv": 0.4}, 60.0, 24.0),
    (DurationDist, {"dist": "gamma", "mean": "2h", "cv": 0.5}, 120.0, 60.0),
    (SignedDurationDist, {"dist": "normal", "mean": "0min", "sd": "10min"}, 0.0, 10.0),
    (NumberDist, {"dist": "lognormal", "mean": 1.0, "cv": 0.25}, 1.0, 0.25),
    (NumberDist, {"dist": "gamma", "mean": 5.0, "cv": 1.5}, 5.0, 7.5),
    # discrete uniform on {3, 4, 5}: variance (n^2 - 1) / 12 with n = 3
    (IntDist, {"dist": "uniform_int", "low": 3, "high": 5}, 4.0, math.sqrt(8 / 12)),
    # values 1, 2, 2, 7: mean 3, variance (4 + 1 + 1 + 16) / 4
    (NumberDist, {"dist": "empirical", "values": [1, 2, 2, 7]}, 3.0, math.sqrt(22 / 4)),
]


@pytest.mark.parametrize(("cls", "spec", "mean", "sd"), MOMENTS, ids=lambda v: str(v)[:40])
def test_sample_mean_within_three_standard_errors(
    cls: type, spec: dict[str, Any], mean: float, sd: float
) -> None:
    dist = cls.model_validate(spec)
    x = draw(dist)
    assert_mean_within_3_se(x, mean, sd)
    assert dist.mean_value() == pytest.approx(mean)


@pytest.mark.parametrize(
    ("cls", "spec", "cv"),
    [
        (DurationDist, {"dist": "lognormal", "mean": "1h", "cv": 0.4}, 0.4),
        (NumberDist, {"dist": "lognormal", "mean": 1.0, "cv": 0.25}, 0.25),
        (DurationDist, {"dist": "gamma", "mean": "4h", "cv": 0.5}, 0.5),
        (NumberDist, {"dist": "gamma", "mean": 3.0, "cv": 1.0}, 1.0),
    ],
)
def test_lognormal_and_gamma_take_mean_and_cv_of_the_variable(
    cls: type, spec: dict[str, Any], cv: float
) -> None:
    x = draw(cls.model_validate(spec))
    assert x.min() > 0
    assert x.std() / x.mean() == pytest.approx(cv, rel=0.03)


def test_uniform_int_is_inclusive_and_integral() -> None:
    x = draw(IntDist.model_validate({"dist": "uniform_int", "low": 3, "high": 5}), n=30_000)
    assert set(np.unique(x)) == {3.0, 4.0, 5.0}
    for k in (3, 4, 5):
        assert (x == k).mean() == pytest.approx(1 / 3, abs=0.015)


def test_empirical_draws_each_value_by_its_frequency() -> None:
    x = draw(NumberDist.model_validate({"dist": "empirical", "values": [1, 2, 2, 7]}), n=40_000)
    assert set(np.unique(x)) == {1.0, 2.0, 7.0}
    assert (x == 2).mean() == pytest.approx(0.5, abs=0.01)
    assert (x == 7).mean() == pytest.approx(0.25, abs=0.01)


def test_normal_is_redrawn_until_non_negative() -> None:
    dist = DurationDist.model_validate({"dist": "normal", "mean": "5min", "sd": "10min"})
    x = draw(dist)
    assert x.min() >= 0
    # Mean of N(5, 10) truncated at 0, by hand: alpha = -0.5, phi(alpha) = 0.35207,
    # 1 - Phi(alpha) = 0.69146, so 5 + 10 * 0.35207 / 0.69146 = 10.0917.
    assert dist.mean_value() == pytest.approx(10.0917, abs=1e-3)
    # Variance of the truncated normal: sd^2 (1 + alpha*lambda - lambda^2), lambda = 0.50917.
    lam = 0.50917
    sd_trunc = 10 * math.sqrt(1 + (-0.5) * lam - lam**2)
    assert_mean_within_3_se(x, dist.mean_value(), sd_trunc)


def test_truncated_normal_mean_matches_scipy() -> None:
    stats = pytest.importorskip("scipy.stats")
    for mean, sd in [(0.0, 1.0), (5.0, 10.0), (-20.0, 10.0), (60.0, 5.0)]:
        dist = NumberDist.model_validate({"dist": "normal", "mean": mean, "sd": sd})
        expected = stats.truncnorm.mean((0 - mean) / sd, math.inf, loc=mean, scale=sd)
        assert dist.mean_value() == pytest.approx(expected, rel=1e-9)
    # half-normal: sqrt(2 / pi)
    half = NumberDist.model_validate({"dist": "normal", "mean": 0.0, "sd": 1.0})
    assert half.mean_value() == pytest.approx(math.sqrt(2 / math.pi))


def test_signed_normal_is_not_truncated() -> None:
    dist = SignedDurationDist.model_validate({"dist": "normal", "mean": "-5min", "sd": "10min"})
    x = draw(dist, n=50_000)
    assert x.min() < 0
    assert dist.mean_value() == -5.0
    assert_mean_within_3_se(x, -5.0, 10.0)


def test_normal_with_zero_sd_is_its_mean() -> None:
    dist = DurationDist.model_validate({"dist": "normal", "mean": "12min", "sd": "0min"})
    assert set(draw(dist, n=500)) == {12.0}
    assert dist.mean_value() == 12.0


@pytest.mark.parametrize(
    ("cls", "raw", "value"),
    [
        (DurationDist, "15min", 15.0),
        (DurationDist, "4h", 240.0),
        (DurationDist, {"dist": "constant", "value": "2h"}, 120.0),
        (NumberDist, 1.0, 1.0),
        (NumberDist, 3, 3.0),
        (IntDist, 2, 2.0),
        (SignedDurationDist, "-5min", -5.0),
    ],
)
def test_constants(cls: type, raw: Any, value: float) -> None:
    dist = cls.model_validate(raw)
    assert dist.dist == "constant"
    assert dist.mean_value() == value
    assert set(draw(dist, n=2 * BLOCK + 3)) == {value}


def test_degenerate_triangular_is_constant() -> None:
    dist = DurationDist.model_validate(
        {"dist": "triangular", "low": "10min", "mode": "10min", "high": "10min"}
    )
    assert set(draw(dist, n=300)) == {10.0}


def test_empirical_from_file(tmp_path: Path) -> None:
    csv = tmp_path / "times.csv"
    csv.write_text("job,minutes,factor\na,10min,1.5\nb,20min,2.5\nc,1h,0.5\n", encoding="utf-8")
    dur = DurationDist.model_validate({"dist": "empirical", "file": str(csv), "column": "minutes"})
    assert dur.values == (10.0, 20.0, 60.0)
    assert dur.mean_value() == pytest.approx(30.0)
    num = NumberDist.model_validate({"dist": "empirical", "file": str(csv), "column": "factor"})
    assert num.values == (1.5, 2.5, 0.5)
    assert set(draw(num, n=1000)) == {0.5, 1.5, 2.5}


def test_empirical_file_errors(tmp_path: Path) -> None:
    csv = tmp_path / "times.csv"
    csv.write_text("minutes\n10min\nsoon\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="row 3"):
        DurationDist.model_validate({"dist": "empirical", "file": str(csv), "column": "minutes"})
    with pytest.raises(ValidationError, match="no column 'hours'"):
        DurationDist.model_validate({"dist": "empirical", "file": str(csv), "column": "hours"})
    with pytest.raises(ValidationError, match="cannot read"):
        DurationDist.model_validate(
            {"dist": "empirical", "file": str(tmp_path / "none.csv"), "column": "minutes"}
        )


ROUND_TRIP = [
    (DurationDist, "15min"),
    (DurationDist, {"dist": "exponential", "mean": "30min"}),
    (DurationDist, {"dist": "uniform", "low": "10s", "high": "2.5h"}),
    (DurationDist, {"dist": "triangular", "low": "30min", "mode": "45min", "high": "90min"}),
    (DurationDist, {"dist": "lognormal", "mean": "2.8h", "cv": 0.4}),
    (DurationDist, {"dist": "gamma", "mean": "1d", "cv": 0.7}),
    (DurationDist, {"dist": "normal", "mean": "20min", "sd": "7s"}),
    (DurationDist, {"dist": "empirical", "values": ["10min", "1h", "1.5d"]}),
    (SignedDurationDist, {"dist": "normal", "mean": "-2min", "sd": "10min"}),
    (NumberDist, {"dist": "lognormal", "mean": 1.0, "cv": 0.25}),
    (NumberDist, {"dist": "uniform", "low": 0.12, "high": 0.45}),
    (NumberDist, {"dist": "empirical", "values": [0.9, 1.0, 1.3]}),
    (IntDist, {"dist": "uniform_int", "low": 3, "high": 5}),
    (IntDist, 0),
]


@pytest.mark.parametrize(("cls", "raw"), ROUND_TRIP, ids=lambda v: str(v)[:40])
def test_dump_then_validate_gives_the_same_distribution(cls: type, raw: Any) -> None:
    dist = cls.model_validate(raw)
    dumped = dist.model_dump(mode="json")
    again = cls.model_validate(dumped)
    assert again == dist
    assert again.model_dump(mode="json") == dumped


def test_dump_uses_units_and_integers() -> None:
    dur = DurationDist.model_validate({"dist": "lognormal", "mean": "1h", "cv": 0.4})
    assert dur.model_dump(mode="json") == {"dist": "lognormal", "mean": "1h", "cv": 0.4}
    assert DurationDist.model_validate("90min").model_dump(mode="json") == "90min"
    lines = IntDist.model_validate({"dist": "uniform_int", "low": 3, "high": 5})
    assert lines.model_dump(mode="json") == {"dist": "uniform_int", "low": 3, "high": 5}


def test_file_empirical_round_trips_through_its_file(tmp_path: Path) -> None:
    csv = tmp_path / "t.csv"
    csv.write_text("m\n5min\n15min\n", encoding="utf-8")
    dist = DurationDist.model_validate({"dist": "empirical", "file": str(csv), "column": "m"})
    dumped = dist.model_dump(mode="json")
    assert dumped == {"dist": "empirical", "file": str(csv), "column": "m"}
    assert DurationDist.model_validate(dumped) == dist


@pytest.mark.parametrize(
    ("cls", "raw", "message"),
    [
        (DurationDist, 45, "needs a unit"),
        (DurationDist, {"dist": "lognormal", "mean": 1, "cv": 0.4}, "needs a unit"),
        (DurationDist, {"dist": "weibull", "mean": "1h"}, "unknown dist"),
        (DurationDist, {"mean": "1h"}, "needs 'dist'"),
        (DurationDist, {"dist": "lognormal", "mean": "1h"}, "needs 'cv'"),
        (DurationDist, {"dist": "exponential", "mean": "1h", "sd": "1h"}, "not 'sd'"),
        (
            DurationDist,
            {"dist": "triangular", "low": "9min", "mode": "8min", "high": "30min"},
            "low <= mode",
        ),
        (DurationDist, {"dist": "uniform", "low": "9min", "high": "8min"}, "low <= high"),
        (DurationDist, {"dist": "lognormal", "mean": "1h", "cv": 0}, "cv > 0"),
        (DurationDist, {"dist": "exponential", "mean": "0min"}, "mean > 0"),
        (DurationDist, "-5min", "negative"),
        (NumberDist, {"dist": "uniform", "low": -1.0, "high": 1.0}, "must not be negative"),
        (NumberDist, {"dist": "empirical", "values": [1, -2]}, "must not be negative"),
        (NumberDist, {"dist": "normal", "mean": 1.0, "sd": -1.0}, "sd >= 0"),
        # redrawing N(-40, 10) until >= 0 would practically never end
        (NumberDist, {"dist": "normal", "mean": -40.0, "sd": 10.0}, "mean >= -3 sd"),
        (NumberDist, "fast", "not a number"),
        (NumberDist, None, "not a number"),
        (NumberDist, float("nan"), "finite"),
        (NumberDist, {"dist": "lognormal", "mean": 1.0, "cv": None}, "not a number"),
        (IntDist, 2.5, "whole number"),
        (IntDist, float("inf"), "finite"),
        (NumberDist, {"dist": "empirical", "values": []}, "at least one value"),
        (NumberDist, {"dist": "empirical", "values": [1], "file": "x.csv"}, "either values"),
        (NumberDist, {"dist": "empirical"}, "values, or file and column"),
    ],
)
def test_invalid_specs_are_refused(cls: type, raw: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        cls.model_validate(raw)


def test_samples_are_reproducible_and_come_in_blocks() -> None:
    dist = DurationDist.model_validate({"dist": "lognormal", "mean": "1h", "cv": 0.4})
    a = draw(dist, n=3 * BLOCK, seed=7)
    b = draw(dist, n=3 * BLOCK, seed=7)
    assert np.array_equal(a, b)
    drawer = dist.block_drawer(np.random.default_rng(7))
    blocks = drawer() + drawer() + drawer()
    assert np.array_equal(a, np.array(blocks))
    assert not np.array_equal(a, draw(dist, n=3 * BLOCK, seed=8))


def test_uniform_sampler() -> None:
    u = uniform_sampler(np.random.default_rng(3))
    x = np.array([u() for _ in range(N)])
    assert x.min() >= 0 and x.max() < 1
    assert_mean_within_3_se(x, 0.5, math.sqrt(1 / 12))
