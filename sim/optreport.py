"""The report's section for an ``optimize`` folder (a manifest with an ``optimize`` block):
what was asked, the answer beside the given sizes, the path of the search and the stock by
part class, each figure with its reading; empty for any other folder."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from sim import labels
from sim.labels import Lang, tr
from sim.optfiles import read_parts, read_path
from sim.optplots import class_figure, class_table, path_figure
from sim.reportdata import Folder
from sim.reportfigures import _try
from sim.reporthtml import esc, fmt, note, table

CHANGED_PARTS = 10  # rows of the table of the parts whose stock changed most


def _figures(values: Mapping[str, Any], kpi: str) -> list[float]:
    got = values.get(kpi) or [math.nan] * 3
    return [float(v) if v is not None else math.nan for v in got]


def _answer_table(block: Mapping[str, Any], currency: str, lang: Lang) -> str:
    kpis = list(dict.fromkeys([str(block["objective"]), *block.get("targets", {})]))
    rows = []
    for kpi in kpis:
        cells = []
        for key in ("given", "answer", "answer_search"):
            mean, lo, hi = (
                v * (100 if kpi in labels.PERCENT else 1) for v in _figures(block.get(key, {}), kpi)
            )
            m, a, b = fmt([mean, lo, hi])
            cells.append(f"{m} <small>[{a}, {b}]</small>")
        rows.append([esc(labels.kpi_label(kpi, lang, currency)), *cells])
    sizes = block.get("size_total") or {}
    rows.append(
        [
            esc(tr("size total (cards or units)", lang)),
            f"{sizes.get('given', '')}",
            f"{sizes.get('answer', '')}",
            f"{sizes.get('answer', '')}",
        ]
    )
    header = [
        tr("KPI", lang),
        tr("given sizes, fresh random numbers", lang),
        tr("optimised, fresh random numbers", lang),
        tr("optimised, search seed", lang),
    ]
    return table(header, rows, raw=True)


def _changed_parts(parts: pd.DataFrame, currency: str, lang: Lang) -> str:
    rows = parts[parts["stocked"].astype(str).str.lower().isin(("true", "1", "1.0"))]
    rows = rows.assign(_d=rows["avg_inventory_value"] - rows["given_avg_inventory_value"])
    rows = rows[rows["size"] != rows["given_size"]]
    if rows.empty:
        return ""
    top = rows.reindex(rows["_d"].abs().sort_values(ascending=False, kind="stable").index)
    body = []
    for _, r in top.head(CHANGED_PARTS).iterrows():
        body.append(
            [
                esc(r["part_no"]),
                esc(r["class"]),
                f"{int(r['given_size'])} → {int(r['size'])}",
                *fmt([r["given_avg_inventory_value"], r["avg_inventory_value"], r["_d"]]),
                *fmt([r["given_fill_rate"] * 100, r["fill_rate"] * 100]),
            ]
        )
    header = [
        tr("part", lang),
        tr("class", lang),
        tr("size", lang),
        tr("stock, given ({cur})", lang).format(cur=currency),
        tr("stock, optimised ({cur})", lang).format(cur=currency),
        tr("change ({cur})", lang).format(cur=currency),
        tr("fill rate, given (%)", lang),
        tr("fill rate, optimised (%)", lang),
    ]
    head = tr("The {n} parts whose stock changed most ({m} sizes changed)", lang).format(
        n=min(CHANGED_PARTS, len(rows)), m=len(rows)
    )
    return f"<h3>{esc(head)}</h3>" + table(header, body, text=2)


def _path_reading(path: pd.DataFrame, block: Mapping[str, Any], currency: str, lang: Lang) -> str:
    objective = str(block["objective"])
    given, answer = (
        _figures(block.get("given", {}), objective),
        _figures(block.get("answer", {}), objective),
    )
    change = (answer[0] - given[0]) / abs(given[0]) * 100 if given[0] else math.nan
    return tr(
        "The search simulated {points} points in {steps} steps on the same random numbers "
        "and kept {kept}; the answer holds {answer} {cur} of {objective} against {given} "
        "{cur} with the given sizes ({change:+.1f} %), both on the confirmation's fresh "
        "random numbers.",
        lang,
    ).format(
        points=path["point"].nunique(),
        steps=int(path["step"].max()),
        kept=int(path["accepted"].astype(bool).sum()),
        answer=f"{answer[0]:,.0f}",
        given=f"{given[0]:,.0f}",
        cur=currency,
        objective=labels.kpi_name(objective, lang),
        change=change,
    )


def _class_reading(parts: pd.DataFrame, currency: str, lang: Lang) -> str:
    t = class_table(parts)
    delta = (t["value"] - t["given_value"]).to_numpy(dtype=float)
    most = t.iloc[int(np.argmin(delta))]
    filled = t.dropna(subset=["fill"]).reset_index(drop=True)
    if filled.empty:
        return ""
    fill = filled["fill"].to_numpy(dtype=float)
    lo, hi = filled.iloc[int(np.argmin(fill))], filled.iloc[int(np.argmax(fill))]
    return tr(
        "Stock changes most in {cls} ({delta} {cur}); in the answer the classes' fill rates "
        "run from {lo:.1f} % ({cls_lo}) to {hi:.1f} % ({cls_hi}): an aggregate target lets "
        "some classes carry more of the service than others.",
        lang,
    ).format(
        cls=esc(most["class"]),
        delta=f"{float(delta.min()):+,.0f}",
        cur=currency,
        lo=float(lo["fill"]) * 100,
        cls_lo=esc(lo["class"]),
        hi=float(hi["fill"]) * 100,
        cls_hi=esc(hi["class"]),
    )


def optimize_section(folder: Folder, lang: Lang = "en") -> str:
    """The section of an ``optimize`` folder ("" for any other)."""
    block = folder.manifest.get("optimize")
    if not isinstance(block, Mapping):
        return ""
    currency = folder.currency() or str(block.get("currency", ""))
    targets = {str(k): float(v) for k, v in (block.get("targets") or {}).items()}
    aims = ", ".join(
        f"{labels.kpi_label(k, lang, currency)} ≥ {v * 100:g}" for k, v in targets.items()
    )
    intro = tr(
        "Sizes ({size}) per part that meet every target ({aims}) at the least {objective}, "
        "found by simulation on seed {seed} with {reps} replications per point and checked "
        "on seed {check}. Status: {status}; the search stopped because: {stop}.",
        lang,
    ).format(
        size=esc(block.get("size", "")),
        aims=esc(aims),
        objective=esc(labels.kpi_name(str(block.get("objective", "")), lang)),
        seed=block.get("search_seed", ""),
        reps=block.get("replications", ""),
        check=block.get("confirmation_seed", ""),
        status=esc(block.get("status", "")),
        stop=esc(block.get("stop", "")),
    )
    parts = [f"<h2>{tr('Optimised sizes', lang)}</h2>", f"<p>{intro}</p>"]
    if "answer" in block:
        parts.append(_answer_table(block, currency, lang))
    figures: list[str] = []
    notes: list[str] = []
    path = read_path(folder.path)
    if path is not None and not path.empty:
        _try(
            figures,
            notes,
            lambda: path_figure(
                path, str(block["objective"]), targets, currency=currency, lang=lang
            ),
            tr("the path of the search", lang),
            _path_reading(path, block, currency, lang) if "answer" in block else "",
        )
    table_parts = read_parts(folder.path)
    if table_parts is not None and not table_parts.empty:
        _try(
            figures,
            notes,
            lambda: class_figure(table_parts, currency=currency, lang=lang),
            tr("stock and fill rate by part class", lang),
            _class_reading(table_parts, currency, lang),
        )
        parts += figures
        parts.append(_changed_parts(table_parts, currency, lang))
    else:
        parts += figures
    parts += [note(n) for n in notes]
    return "\n".join(p for p in parts if p)
