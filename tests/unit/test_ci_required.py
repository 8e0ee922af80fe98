"""Optional test dependencies skip on a developer's machine and fail in CI (tests/ci.py)."""

from __future__ import annotations

import multiprocessing.spawn  # noqa: F401  (before sys.executable is patched below)
import sys

import pytest

from tests.ci import in_ci, skip_unless_ci
from tests.cli import test_batch_dask


@pytest.mark.parametrize(
    ("value", "ci"),
    [("true", True), ("TRUE", True), ("1", True), ("yes", True), ("", False), ("false", False)],
)
def test_in_ci(monkeypatch: pytest.MonkeyPatch, value: str, ci: bool) -> None:
    monkeypatch.setenv("CI", value)
    assert in_ci() is ci


def test_skip_unless_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="optional"):
        skip_unless_ci("no such thing")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI: no such thing"):
        skip_unless_ci("no such thing")


def test_the_dask_test_fails_in_ci_without_dask(monkeypatch: pytest.MonkeyPatch) -> None:
    # distributed made unimportable: the real-cluster test skips, or fails under CI=true.
    monkeypatch.setitem(sys.modules, "distributed", None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="distributed is not installed"):
        test_batch_dask.dask_command()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="distributed is not installed"):
        test_batch_dask.dask_command()


def test_the_dask_test_fails_in_ci_without_the_dask_command(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    # No `dask` beside the interpreter nor on PATH. multiprocessing reads sys.executable
    # once, when first imported: imported above, it keeps the real one, so the process
    # pools of later tests in this process still start.
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="the dask command is not installed"):
        test_batch_dask.dask_command()
