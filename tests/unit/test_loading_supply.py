"""One-line errors for the supply-reliability and labour-cost keys (issue 12), in the style
of ``test_loading.py``'s bad-input cases (same helpers)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.unit.test_loading import check_bad_case

BAD_CASES: dict[str, tuple[dict[str, Any], str, str]] = {
    "late probability above 1": (
        {"supply": {"reliability": {"late": {"probability": 1.5, "by": "1h"}}}},
        "supply.reliability.late.probability",
        "less than or equal to 1",
    ),
    "late probability below 0": (
        {"supply": {"reliability": {"late": {"probability": -0.1, "by": "1h"}}}},
        "supply.reliability.late.probability",
        "greater than or equal to 0",
    ),
    "negative late delay": (
        {
            "supply": {
                "reliability": {
                    "late": {
                        "probability": 0.1,
                        "by": {"dist": "uniform", "low": "-1h", "high": "1h"},
                    }
                }
            }
        },
        "supply.reliability.late.by",
        "must not be negative",
    ),
    "late without delay": (
        {"supply": {"reliability": {"late": {"probability": 0.1}}}},
        "supply.reliability.late.by",
        "required key is missing",
    ),
    "outages every 0": (
        {"supply": {"reliability": {"outages": {"every": "0d", "duration": "1d"}}}},
        "supply.reliability.outages.every",
        "every must be > 0 on average",
    ),
    "negative outage duration": (
        {"supply": {"reliability": {"outages": {"every": "30d", "duration": "-1d"}}}},
        "supply.reliability.outages.duration",
        "must not be negative",
    ),
    "unknown reliability key": (
        {"supply": {"reliability": {"strikes": {"probability": 0.1}}}},
        "supply.reliability.strikes",
        "unknown key",
    ),
    "unknown labour cost": (
        {"economics": {"labour_cost": "salaried"}},
        "economics.labour_cost",
        "'worked' or 'paid'",
    ),
}


@pytest.mark.parametrize("case", list(BAD_CASES))
def test_bad_input_names_the_field(tmp_path: Path, case: str) -> None:
    check_bad_case(tmp_path, *BAD_CASES[case])
