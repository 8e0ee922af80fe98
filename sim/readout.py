"""What the terminal prints for a planner: KPI tables with names and units, and a short
answer per scenario against the baseline.

Rates (stored as fractions in the CSV files) are shown in per cent and their changes in
percentage points; money carries the scenario's currency. ``lang`` picks English or the
seed's Chinese terms (``sim.labels``); the CSV files never change with it.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from sim import labels
from sim.experiment import was_clipped
from sim.labels import Lang, tr
from sim.texttable import text_table

if TYPE_CHECKING:
    import pandas as pd

# The answer a planner wants first: service, time, stock, trucks, cost.
HEADLINE_KPIS: tuple[str, ...] = (
    "on_time_rate",
    "fill_rate",
    "mean_lead_time_h",
    "avg_inventory_value",
    "deliveries",
    "emergency_orders",
    "logistics_cost",
)


def shown(kpi: str, value: float) -> float:
    """A KPI value as shown: a rate in per cent, anything else as it is."""
    return value * 100.0 if kpi in labels.PERCENT else value


def format_row(values: Sequence[float | None]) -> list[str]:
    """Numbers of one table row with shared decimals: about four significant digits.

    Sharing the decimals keeps a KPI's mean and interval bounds aligned and comparable.
    """
    finite = [abs(v) for v in values if v is not None and math.isfinite(v)]
    size = max(finite, default=0.0)
    if finite and size < 1e15 and all(v.is_integer() for v in finite):
        spec = ",.0f"  # a count that did not vary, or an interval of whole numbers
    elif size >= 1e9 or 0 < size < 1e-3:
        spec = ".3e"
    elif size >= 1000:
        spec = ",.0f"
    else:
        spec = f".{4 - len(str(int(size)))}f" if size >= 1 else ".4f"
    return ["" if v is None or math.isnan(v) else format(v, spec) for v in values]


def clipped_note(rows: Sequence[Sequence[Any]], lang: Lang = "en") -> str:
    """One line naming the KPIs of summary ``rows`` (scenario, kpi, mean, std, ci_low,
    ci_high, n) whose interval was cut to what is possible; "" when none was."""
    cut = list(
        dict.fromkeys(str(r[1]) for r in rows if was_clipped(str(r[1]), r[2], r[3], int(r[6])))
    )
    if not cut:
        return ""
    names = ", ".join(labels.kpi_name(k, lang) for k in cut)
    text = tr(
        "Intervals cut to what is possible (a rate within 0-100 %, counts and money "
        "received not below 0): {names}.",
        lang,
    ).format(names=names)
    return textwrap.fill(text, 100) if lang == "en" else text


def kpi_table(rows: Sequence[Sequence[Any]], lang: Lang = "en", currency: str = "CNY") -> str:
    """The summary rows of one scenario as a text table: one row per KPI, named with its
    unit, the mean and the 95 % interval in that unit; a line under it names the
    intervals cut to what is possible."""
    cells = [format_row([shown(str(r[1]), v) for v in (r[2], r[4], r[5])]) for r in rows]
    columns: dict[str, Sequence[object]] = {
        tr("mean", lang): [c[0] for c in cells],
        tr("95% CI low", lang): [c[1] for c in cells],
        tr("95% CI high", lang): [c[2] for c in cells],
        "n": [int(r[6]) for r in rows],
    }
    names = [labels.kpi_label(str(r[1]), lang, currency) for r in rows]
    table = text_table(names, columns, index_name=tr("KPI", lang))
    note = clipped_note(rows, lang)
    return f"{table}\n{note}" if note else table


def means_table(
    summary: pd.DataFrame,
    kpis: Sequence[str] = HEADLINE_KPIS,
    lang: Lang = "en",
    currency: str = "CNY",
) -> str:
    """Rows = KPIs (named, with units), columns = scenarios: the mean of each."""
    rows = summary[summary["kpi"].isin(kpis)]
    table = rows.pivot(index="kpi", columns="scenario", values="mean")
    names = list(dict.fromkeys(summary["scenario"]))
    present = [k for k in kpis if k in table.index]
    table = table.reindex(index=present, columns=names)
    means = table.to_numpy(dtype=float)  # a row per KPI of ``present``
    cells = [format_row([shown(k, float(v)) for v in means[i]]) for i, k in enumerate(present)]
    columns = {str(name): [row[j] for row in cells] for j, name in enumerate(names)}
    return text_table(
        [labels.kpi_label(k, lang, currency) for k in present], columns, index_name=tr("KPI", lang)
    )


def _signed(text: str) -> str:
    return text if text.startswith("-") or not text else "+" + text


def _change(
    kpi: str, diff: float, low: float, high: float, base: float, lang: Lang, currency: str
) -> tuple[str, str]:
    """A difference and its interval in the KPI's unit (percentage points for rates), with
    the change relative to the baseline's mean beside anything that is not a rate."""
    if kpi in labels.PERCENT:  # points to one decimal: finer is noise at these sizes
        d, lo, hi = (f"{v * 100:.1f}" for v in (diff, low, high))
        return tr("{d} points", lang).format(d=_signed(d)), f"[{lo}, {hi}]"
    d, lo, hi = format_row([diff, low, high])
    interval = f"[{lo}, {hi}]"
    text = f"{_signed(d)} {labels.unit(kpi, lang, currency)}".strip()
    if base and math.isfinite(base):
        text += f" ({diff / abs(base) * 100:+.1f} %)"
    return text, interval


@dataclass(frozen=True)
class Answer:
    """One KPI of a scenario against the baseline, as a planner reads it."""

    kpi: str
    name: str  # the KPI's name in the reader's language
    change: str  # in its unit: "+2,534 CNY (+0.7 %)", "-0.5 points"
    interval: str  # the 95 % interval of the paired difference, same unit
    real: bool  # the interval excludes zero


def answers(
    comparison: pd.DataFrame,
    kpis: Sequence[str] = HEADLINE_KPIS,
    lang: Lang = "en",
    currency: str = "CNY",
) -> dict[str, tuple[str, list[Answer]]]:
    """Per scenario of ``comparison`` (in its order): its baseline and the answer for each
    of ``kpis`` it has (rows without a difference are left out)."""
    out: dict[str, tuple[str, list[Answer]]] = {}
    for name, block in comparison.groupby("scenario", sort=False):
        rows = block.set_index("kpi")
        found = []
        for kpi in kpis:
            if kpi not in rows.index:
                continue
            r = cast("pd.Series", rows.loc[kpi])  # one row per KPI and scenario
            diff, lo, hi = float(r["mean_diff"]), float(r["ci_low"]), float(r["ci_high"])
            if math.isnan(diff):
                continue
            change, interval = _change(kpi, diff, lo, hi, float(r["baseline_mean"]), lang, currency)
            real = lo > 0 or hi < 0
            found.append(Answer(kpi, labels.kpi_name(kpi, lang), change, interval, real))
        if found:
            out[str(name)] = (str(block["baseline"].iloc[0]), found)
    return out


def headline(
    comparison: pd.DataFrame,
    kpis: Sequence[str] = HEADLINE_KPIS,
    lang: Lang = "en",
    currency: str = "CNY",
) -> str:
    """Per scenario, the short answer against the baseline as text (``answers``): each
    KPI's change in its unit (relative change for money and counts, points for rates), its
    95 % interval and whether the interval excludes zero ("yes": a real difference; "no":
    within the noise)."""
    blocks = []
    for name, (base, found) in answers(comparison, kpis, lang, currency).items():
        head = tr("{scenario} against {baseline}:", lang).format(scenario=name, baseline=base)
        table = text_table(
            [a.name for a in found],
            {
                tr("change", lang): [a.change for a in found],
                tr("95% interval", lang): [a.interval for a in found],
                tr("real difference", lang): [
                    tr("yes", lang) if a.real else tr("no", lang) for a in found
                ],
            },
            index_name="",
        )
        blocks.append(f"{head}\n{table}")
    return "\n\n".join(blocks)
