"""Every KPI column is checked by name in at least one hand-worked model test."""

from __future__ import annotations

from pathlib import Path

from sim.kpi import KPI_COLUMNS


def test_every_kpi_column_is_checked():
    here = Path(__file__).parent
    text = "".join(
        p.read_text(encoding="utf-8")
        for p in sorted(here.glob("test_model_*.py"))
        if p.name != Path(__file__).name
    )
    unchecked = [k for k in KPI_COLUMNS if f'"{k}"' not in text]
    assert not unchecked
