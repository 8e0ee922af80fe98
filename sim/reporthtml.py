"""The HTML pieces of the report: its style sheet, escaped text, tables, embedded figures
with their captions, and notes."""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence

import pandas as pd
from matplotlib.figure import Figure

from sim import labels
from sim.labels import Lang
from sim.plotbase import figure_png

STYLE = """
body { font-family: "Report CJK", system-ui, -apple-system, "Segoe UI", "Noto Sans", sans-serif;
       margin: 2em auto; max-width: 1150px; padding: 0 1em; color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { margin-top: 2em; border-bottom: 1px solid #ccc; }
.meta { color: #666; font-size: 0.9em; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: 0.86em; margin: 0.6em 0; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: right; vertical-align: top; }
th { background: #f3f3f3; } td.t, th.t { text-align: left; }
tr:nth-child(even) td { background: #fafafa; }
td small { color: #777; white-space: nowrap; }
b.sig { color: #b03020; }
figure { margin: 1.2em 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.9em; max-width: 60em; }
.note { color: #8a5a00; background: #fff7e0; padding: 0.4em 0.8em; border-left: 3px solid #e0a800; }
"""


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def fmt(values: Sequence[float]) -> list[str]:
    from sim.readout import format_row  # the KPI table's number format, shared with the CLI

    return format_row([float(v) for v in values])


def table(
    header: Sequence[str], rows: Sequence[Sequence[str]], raw: bool = False, text: int = 1
) -> str:
    """An HTML table; the first ``text`` columns and any ``description`` are left-aligned."""
    left = [i < text or h == "description" for i, h in enumerate(header)]
    head = "".join(
        f'<th class="{"t" if left[i] else ""}">{esc(h)}</th>' for i, h in enumerate(header)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="{"t" if left[i] else ""}">{c if raw else esc(c)}</td>'
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f'<div class="scroll"><table><tr>{head}</tr>{body}</table></div>'


def img(fig: Figure, alt: str, caption: str) -> str:
    data = base64.b64encode(figure_png(fig)).decode("ascii")
    fig.clear()
    return (
        f'<figure><img alt="{esc(alt)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{caption}</figcaption></figure>"
    )


def note(text: str) -> str:
    return f'<p class="note">{text}</p>'


def shown(kpi: str, values: pd.Series) -> list[float]:
    """Values as the tables show them: rates in per cent."""
    k = 100.0 if kpi in labels.PERCENT else 1.0
    return [float(v) * k for v in values]


def interval_rows(
    summary: pd.DataFrame,
    kpis: Sequence[str],
    names: Sequence[str],
    lang: Lang = "en",
    currency: str = "CNY",
) -> list[list[str]]:
    """One row per KPI of ``summary.csv`` (its label and id), one cell per scenario of
    ``names``: the mean and, below it, the 95 % interval (or ``n``); raw HTML cells."""
    cells: dict[tuple[str, str], str] = {}
    for kpi in kpis:
        block = summary[summary["kpi"] == kpi].set_index("scenario").reindex(list(names))
        means = fmt(shown(kpi, block["mean"]))
        lows = fmt(shown(kpi, block["ci_low"]))
        highs = fmt(shown(kpi, block["ci_high"]))
        for i, name in enumerate(names):
            n = block["n"].iloc[i]
            if not means[i]:
                cells[(kpi, name)] = "" if pd.isna(n) else f"<small>undefined (n={int(n)})</small>"
            elif lows[i]:
                cells[(kpi, name)] = f"{means[i]}<br><small>[{lows[i]}, {highs[i]}]</small>"
            else:
                cells[(kpi, name)] = f"{means[i]}<br><small>n={int(n)}</small>"
    return [
        [
            f"{esc(labels.kpi_label(kpi, lang, currency))}<br><small><code>{esc(kpi)}</code>"
            "</small>",
            *(cells[(kpi, n)] for n in names),
        ]
        for kpi in kpis
    ]
