"""``run_sim.py validate FILE --set ...`` and the one-line "did you mean" error, as a user
runs them (subprocesses)."""

from __future__ import annotations

from pathlib import Path

from tests.cli.helpers import run_sim
from tests.cli.test_cli_errors import assert_one_line_error

FIXTURES = Path(__file__).resolve().parent / "fixtures"
VALID = FIXTURES / "valid.yaml"
BATCH = FIXTURES / "tiny_batch.yaml"


def _hash(stdout: str) -> str:
    assert stdout.startswith("ok: tiny (")
    return stdout.strip().removeprefix("ok: tiny (").removesuffix(")")


def test_validate_applies_set_and_run_options() -> None:
    plain = run_sim("validate", VALID)
    assert plain.returncode == 0, plain.stderr
    changed = run_sim("validate", VALID, "--set", "supply.call_off.every=4h", "--reps", "3")
    assert changed.returncode == 0, changed.stderr
    assert _hash(changed.stdout) != _hash(plain.stdout)
    again = run_sim("validate", VALID, "--set", "supply.call_off.every=2h")  # the file's value
    assert _hash(again.stdout) == _hash(plain.stdout)


def test_validate_set_errors_name_the_override() -> None:
    done = run_sim("validate", VALID, "--set", "demand.walk_ins.per_day=-1")
    line = assert_one_line_error(done, f"{VALID}: demand.walk_ins.per_day (from --set): ")
    assert "greater than or equal to 0" in line


def test_unknown_key_suggests_the_closest_one() -> None:
    done = run_sim("validate", VALID, "--set", "supply.calloff.every=4h")
    line = assert_one_line_error(done)
    assert line == (
        f"error: {VALID}: supply.calloff (from --set): unknown key; did you mean 'call_off'?"
    )
    done = run_sim("run", VALID, "--set", "supply.colour=red")
    assert assert_one_line_error(done).endswith("supply.colour (from --set): unknown key")


def test_validate_batch_with_set() -> None:
    done = run_sim("validate", BATCH, "--set", "supply.truck_capacity=20", "--reps", "2")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok: batch tiny_batch: 3 scenarios (one_h, two_h, daily)")
    bad = run_sim("validate", BATCH, "--set", "supply.truck_capacity=0")
    assert_one_line_error(bad, "scenario one_h: supply.truck_capacity", "--set")
    varied = run_sim("validate", BATCH, "--set", "supply.call_off.every=3h")
    assert_one_line_error(varied, "which the batch varies")
