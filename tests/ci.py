"""Optional test dependencies: skipped on a developer's machine, required in CI.

A test that needs something outside the package (Dask, a browser) calls
:func:`skip_unless_ci` when it is missing: outside CI the test skips; with ``CI`` set to
``1``, ``true`` or ``yes`` it fails, because ``.ci/run`` installs the test extra and a
skipped test there would hide a broken install.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def in_ci() -> bool:
    """Whether the suite runs in CI (``CI=1``, ``true`` or ``yes``, any case)."""
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def skip_unless_ci(reason: str) -> NoReturn:
    """Skip the test for ``reason``, or fail it in CI."""
    if in_ci():
        pytest.fail(f"CI: {reason} (.ci/run installs the test extra)", pytrace=False)
    pytest.skip(f"{reason} (outside CI this test is optional)")
