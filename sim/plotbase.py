"""What every figure module shares: colours, the KPI axis label, plain tick numbers, the
checks on input tables, and ``figure_png``.

Figures are built without pyplot (``matplotlib.figure.Figure``), so nothing touches global
state, switches a notebook's backend or needs a display: ``savefig`` renders through Agg.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from sim import labels
from sim.labels import Lang

LATE = "#c0392b"  # late, worse, out of stock
OK = "#2c7fb8"  # on time, the data itself
GOOD = "#238b45"  # better, received
TRADE = "#e08214"  # better on one axis, worse on the other
NEUTRAL = "0.55"  # no difference the replications can tell


def kpi_label(kpi: str, currency: str = "CNY", lang: Lang = "en") -> str:
    """The axis label of a KPI, with its unit (``sim.labels``)."""
    return labels.kpi_label(kpi, lang, currency)


def plain_numbers(axis: Axis, ticks: int = 6) -> None:
    """Tick labels as plain numbers with thousands separators (no ``1e6`` offset)."""
    axis.set_major_locator(MaxNLocator(ticks))
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.10g}"))


_plain_numbers = plain_numbers  # the name sim.studyplots imports


def scale(kpi: str) -> float:
    """100 for a rate (stored as a fraction, drawn in %), else 1."""
    return 100.0 if kpi in labels.PERCENT else 1.0


def need(frame: pd.DataFrame | None, what: str, columns: Sequence[str]) -> pd.DataFrame:
    """``frame`` if it has rows and ``columns``; ValueError saying what is missing."""
    if frame is None or frame.empty:
        raise ValueError(f"{what}: no rows to plot")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what}: missing column(s) {', '.join(missing)}")
    return frame


_need = need


def pick(frame: pd.DataFrame, scenario: str | None, what: str) -> tuple[pd.DataFrame, str | None]:
    """The rows of one scenario (default: the first) when the frame has several."""
    if "scenario" not in frame.columns:
        return frame, scenario
    name = scenario if scenario is not None else str(frame["scenario"].iloc[0])
    rows = frame[frame["scenario"] == name]
    if rows.empty:
        raise ValueError(f"{what}: no rows for scenario {name!r}")
    return rows, name


def figure_png(fig: Figure, dpi: int = 110) -> bytes:
    """The figure as PNG bytes, Chinese text drawn with a CJK font (``sim.fonts``)."""
    from sim.fonts import render_png

    return render_png(fig, dpi)
