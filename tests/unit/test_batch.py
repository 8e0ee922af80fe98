"""Batch files: expansion (variants × grid × zip), names, overrides, and every input error."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.batch import DEFAULT_MAX_SCENARIOS, load_batch
from sim.loading import ScenarioError, is_batch_file, load_scenario

REPO = Path(__file__).resolve().parents[2]
VALID = REPO / "tests" / "cli" / "fixtures" / "valid.yaml"
TINY_BATCH = REPO / "tests" / "cli" / "fixtures" / "tiny_batch.yaml"


def write_batch(tmp_path: Path, body: str, name: str = "b.yaml") -> Path:
    path = tmp_path / name
    path.write_text(f"base: {VALID}\n{body}", encoding="utf-8")
    return path


def error_of(path: Path, *overrides: str, **kw: object) -> str:
    with pytest.raises(ScenarioError) as info:
        load_batch(path, overrides, **kw)  # type: ignore[arg-type]
    message = str(info.value)
    assert message.startswith(f"{path}: "), message
    assert "\n" not in message
    return message


def test_variants_keep_their_order_names_and_overrides() -> None:
    batch = load_batch(TINY_BATCH)
    assert batch.names == ["one_h", "two_h", "daily"]
    assert batch.baseline == "two_h"
    one_h, two_h, daily = batch.scenarios
    assert one_h.supply.call_off.every == 60
    assert two_h.supply.call_off == load_scenario(VALID).supply.call_off
    assert daily.supply.call_off.times_of_day() == (18 * 60,)
    assert {s.run.replications for s in batch.scenarios} == {3}
    assert len({s.digest() for s in batch.scenarios}) == 3


def test_variant_without_overrides_is_the_base_renamed() -> None:
    batch = load_batch(TINY_BATCH)
    base = load_scenario(VALID, ["run.replications=3"])
    same = base.model_copy(update={"name": "two_h"})
    assert batch.scenarios[1] == same


def test_grid_is_cartesian_and_names_are_readable(tmp_path: Path) -> None:
    path = write_batch(
        tmp_path,
        "grid:\n  supply.call_off.every: [1h, 4h]\n  supply.kanban.safety: [0.1, 0.3, 0.5]\n",
    )
    batch = load_batch(path)
    assert batch.names == [
        "every-1h_safety-0.1",
        "every-1h_safety-0.3",
        "every-1h_safety-0.5",
        "every-4h_safety-0.1",
        "every-4h_safety-0.3",
        "every-4h_safety-0.5",
    ]
    got = [(s.supply.call_off.every, s.supply.kanban.safety) for s in batch.scenarios]
    assert got == [(60, 0.1), (60, 0.3), (60, 0.5), (240, 0.1), (240, 0.3), (240, 0.5)]


def test_zip_pairs_values_and_crosses_with_variants(tmp_path: Path) -> None:
    path = write_batch(
        tmp_path,
        "variants:\n  a: {set: {supply.kanban.safety: 0.0}}\n  b: {}\n"
        "zip:\n  supply.call_off.every: [2h, 1d]\n"
        '  supply.call_off.first: ["08:00", "18:00"]\n'
        '  supply.call_off.last: ["16:00", "18:00"]\n',
    )
    batch = load_batch(path)
    assert batch.names == [
        "a_every-2h_first-08-00_last-16-00",
        "a_every-1d_first-18-00_last-18-00",
        "b_every-2h_first-08-00_last-16-00",
        "b_every-1d_first-18-00_last-18-00",
    ]
    a_daily = batch.scenarios[1]
    assert a_daily.supply.kanban.safety == 0.0
    assert a_daily.supply.call_off.times_of_day() == (1080.0,)
    assert batch.scenarios[3].supply.kanban.safety == 0.2


def test_clashing_last_segments_use_whole_keys(tmp_path: Path) -> None:
    path = write_batch(
        tmp_path,
        "grid:\n  supply.kanban.safety: [0.1]\n  supply.order_up_to.safety: [0.3]\n",
    )
    assert load_batch(path).names == ["supply.kanban.safety-0.1_supply.order_up_to.safety-0.3"]


def test_batch_settings_then_command_line(tmp_path: Path) -> None:
    path = write_batch(
        tmp_path,
        "replications: 4\nseed: 11\nset: {supply.kanban.safety: 0.4}\n"
        "variants:\n  x: {set: {supply.kanban.safety: 0.1}}\n  y: {set: {run.replications: 6}}\n",
    )
    x, y = load_batch(path).scenarios
    assert (x.run.replications, x.run.seed, x.supply.kanban.safety) == (4, 11, 0.1)
    assert (y.run.replications, y.supply.kanban.safety) == (6, 0.4)
    x, y = load_batch(
        path, ["workshop.promise.buffer=1h"], horizon="3d", replications=2, seed=5
    ).scenarios
    for scn in (x, y):
        assert (scn.run.replications, scn.run.seed, scn.run.horizon) == (2, 5, 3 * 1440)
        assert scn.workshop.promise.buffer == 60


def test_no_variants_or_sweeps_is_the_base_alone(tmp_path: Path) -> None:
    batch = load_batch(write_batch(tmp_path, ""))
    assert batch.names == ["tiny"]
    assert batch.baseline is None


def test_shipped_batches_validate() -> None:
    batch = load_batch(REPO / "scenarios" / "batches" / "call_off_interval.yaml")
    assert batch.names == [
        "call_off_1h",
        "call_off_2h",
        "call_off_4h",
        "call_off_8h",
        "call_off_daily",
    ]
    assert batch.baseline == "call_off_2h"
    hours = [s.supply.call_off.every / 60 for s in batch.scenarios]
    assert hours == [1, 2, 4, 8, 24]
    assert batch.scenarios[-1].supply.call_off.times_of_day() == (18 * 60,)
    default = load_scenario(REPO / "scenarios" / "default.yaml")
    # the baseline is today's policy, with trucks as big as the order (the batch's `set`)
    baseline = batch.scenarios[1].supply
    assert baseline.truck_capacity is None
    assert baseline.model_copy(update={"truck_capacity": default.supply.truck_capacity}) == (
        default.supply
    )
    grid = load_batch(REPO / "scenarios" / "batches" / "call_off_kanban.yaml")
    assert len(grid.scenarios) == 15
    assert grid.baseline == "call_off_2h_safety-0.2"


def test_every_shipped_batch_validates() -> None:
    files = sorted((REPO / "scenarios" / "batches").glob("*.yaml"))
    assert len(files) >= 5
    for path in files:
        batch = load_batch(path)
        assert batch.scenarios, path.name
        assert batch.baseline is None or batch.baseline in batch.names, path.name


def test_promise_rules_batch() -> None:
    batch = load_batch(REPO / "scenarios" / "batches" / "promise_rules.yaml")
    assert batch.names == ["fixed_30min", "fixed_share", "workload"]
    assert batch.baseline == "fixed_30min"
    rules = [
        (s.workshop.promise.rule, s.workshop.promise.buffer, s.workshop.promise.buffer_share)
        for s in batch.scenarios
    ]
    assert rules == [("fixed", 30, 0), ("fixed", 30, 0.4), ("workload", 30, 0.4)]
    # the workload variant is the default dealer itself; the variants differ only in the
    # promise
    default = load_scenario(REPO / "scenarios" / "default.yaml")
    assert batch.scenarios[2].model_copy(update={"name": default.name}) == default
    for s in batch.scenarios:
        assert s.model_copy(update={"name": "x", "workshop": default.workshop}) == (
            default.model_copy(update={"name": "x"})
        )


def test_is_batch_file(tmp_path: Path) -> None:
    assert is_batch_file(TINY_BATCH)
    assert not is_batch_file(VALID)
    assert not is_batch_file(tmp_path / "missing.yaml")


# --- errors -------------------------------------------------------------------------------


def test_unknown_batch_key(tmp_path: Path) -> None:
    msg = error_of(write_batch(tmp_path, "replicatons: 3\n"))
    assert "replicatons: unknown key" in msg


def test_unknown_variant_key(tmp_path: Path) -> None:
    msg = error_of(write_batch(tmp_path, "variants:\n  a: {sett: {x: 1}}\n"))
    assert "variants.a.sett: unknown key" in msg


def test_bad_value_names_batch_scenario_field_and_variant(tmp_path: Path) -> None:
    path = write_batch(
        tmp_path,
        "variants:\n  ok: {}\n  broken: {set: {supply.call_off.every: 0h}}\n",
    )
    msg = error_of(path)
    assert "scenario broken: supply.call_off" in msg
    assert "(from variants.broken.set)" in msg
    assert "every must be > 0" in msg


def test_unknown_scenario_key_in_a_sweep(tmp_path: Path) -> None:
    msg = error_of(write_batch(tmp_path, "grid:\n  supply.kanban.colour: [red]\n"))
    assert "scenario colour-red: supply.kanban.colour" in msg
    assert "unknown key" in msg
    assert "(from grid.supply.kanban.colour)" in msg


def test_error_in_the_base_names_the_base_file(tmp_path: Path) -> None:
    base = tmp_path / "base.yaml"
    base.write_text(VALID.read_text().replace("per_day: 10", "per_day: -1"))
    path = tmp_path / "b.yaml"
    path.write_text("base: base.yaml\nvariants:\n  a: {}\n")
    msg = error_of(path)
    assert "scenario a: demand.walk_ins.per_day (from base.yaml)" in msg


def test_missing_base(tmp_path: Path) -> None:
    path = tmp_path / "b.yaml"
    path.write_text("base: nowhere.yaml\n")
    assert "base: cannot read 'nowhere.yaml'" in error_of(path)


def test_zip_lengths_must_match(tmp_path: Path) -> None:
    path = write_batch(tmp_path, "zip:\n  supply.kanban.safety: [0.1, 0.2]\n  run.seed: [1]\n")
    assert "zip lists must have equal lengths" in error_of(path)


def test_sweep_values_must_be_scalars(tmp_path: Path) -> None:
    path = write_batch(tmp_path, "grid:\n  supply.call_off: [{every: 1h}]\n")
    assert "to change several keys together use zip" in error_of(path)


def test_baseline_must_be_a_scenario(tmp_path: Path) -> None:
    path = write_batch(tmp_path, "baseline: c\nvariants:\n  a: {}\n  b: {}\n")
    assert "baseline: 'c' is not a scenario of the batch (a, b)" in error_of(path)


def test_scenario_cap(tmp_path: Path) -> None:
    path = write_batch(
        tmp_path,
        "max_scenarios: 5\ngrid:\n  supply.kanban.safety: [0.1, 0.2, 0.3]\n  run.seed: [1, 2]\n",
    )
    msg = error_of(path)
    assert "expands to 6 scenarios, more than max_scenarios 5" in msg
    big = ", ".join(str(i) for i in range(DEFAULT_MAX_SCENARIOS + 1))
    assert "max_scenarios 500" in error_of(write_batch(tmp_path, f"grid:\n  run.seed: [{big}]\n"))


def test_variant_names_must_be_file_safe(tmp_path: Path) -> None:
    assert "variant name 'a b'" in error_of(write_batch(tmp_path, "variants:\n  a b: {}\n"))


def test_names_may_not_collide(tmp_path: Path) -> None:
    path = write_batch(tmp_path, 'grid:\n  economics.currency: ["CNY A", "CNY-A"]\n')
    assert "would both be named 'currency-CNY-A'" in error_of(path)


def test_overlapping_sweeps_and_reserved_keys(tmp_path: Path) -> None:
    path = write_batch(
        tmp_path, "grid:\n  supply.call_off.every: [1h]\nzip:\n  supply.call_off: [x]\n"
    )
    assert "overlap" in error_of(path)
    assert "names its scenarios" in error_of(write_batch(tmp_path, "set: {name: x}\n"))


def test_command_line_set_may_not_erase_what_the_batch_varies() -> None:
    msg = error_of(TINY_BATCH, "supply.call_off.every=4h")
    assert "--set" in msg
    assert "supply.call_off.every" in msg
    assert "variants.one_h.set" in msg
    load_batch(TINY_BATCH, ["supply.kanban.safety=0.3"])  # a key nobody varies is fine


def test_bad_command_line_values_name_their_flag() -> None:
    assert "scenario one_h: run.horizon (from --horizon)" in error_of(TINY_BATCH, horizon="0d")
    assert "(from --reps)" in error_of(TINY_BATCH, replications=0)
    assert "--set" in error_of(TINY_BATCH, "supply.policy")
