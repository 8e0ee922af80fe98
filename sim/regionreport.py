"""The report of a region's results folder (``run REGION.yaml --out DIR``): the overview of
each region and, for ``sim.report``, each dealer's view of the folder.

A region's tables carry a ``dealer`` column after ``scenario`` (``sim.regionresults``): the
dealers' rows, the centre-wide KPIs as rows of dealer ``region`` and the centre's parts as
``parts.csv`` rows of dealer ``centre``. ``dealer_view`` gives one dealer's rows as a folder
of one scenario named by the dealer, its scenario the dealer's from the resolved region, so
that ``sim.report`` builds the dealer's section with the code of a single run's report. The
overview holds the centre's KPIs with their intervals, the dealers' headline KPIs side by
side, a figure of on-time and fill with intervals, and the centre's parts most often short.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import pandas as pd

from sim.labels import Lang, tr
from sim.plots_batch import side_by_side_figure
from sim.readout import HEADLINE_KPIS
from sim.regionresults import CENTRE_PART_MEANS
from sim.reportdata import Folder, ReportError
from sim.reporthtml import esc, fmt, img, interval_rows, note, shown, table
from sim.scenario_region import CENTRE_ROW, REGION_ROW

DEALER = "dealer"
# The tables of a region's folder that have the dealer column, by their Folder field.
DEALER_TABLES = {
    "summary": "summary.csv",
    "replications": "replications.csv",
    "parts": "parts.csv",
    "breakdown": "breakdown.csv",
    "scorecards": "scorecards.csv",
}
FIGURE_KPIS = ("on_time_rate", "fill_rate")
SHORT_PARTS = 10  # rows of the centre's "parts most often short" table
CENTRE_PART_COLUMNS = ("level", "unit_cost", *CENTRE_PART_MEANS)
CENTRE_PART_HEADINGS = {
    "level": "order-up-to level (units)",
    "unit_cost": "unit cost",
    "lines": "order lines",
    "units_ordered": "units ordered",
    "fill_rate": "fill rate (%)",
    "lines_short": "lines short",
    "avg_on_hand": "mean on hand (units)",
    "avg_backorders": "mean owed (units)",
    "emergency_units": "emergency units",
    "express_units": "express units from the plant",
}


def _is_region_yaml(scn: dict[str, Any]) -> bool:
    return isinstance(scn.get("dealers"), list) and "centre" in scn


def _check_region_yaml(folder: Folder, region: str) -> None:
    """ReportError naming the file and the field unless the resolved region has the shape
    the report reads: ``run`` and ``centre`` mappings, ``dealers`` a list of mappings each
    with a ``name`` and a ``scenario`` mapping."""
    scn = folder.scenarios[region]
    files = [e.get("file") for e in folder.manifest.get("scenarios", []) if e.get("name") == region]
    where = folder.path / str(files[0] if files else "scenarios")
    for key in ("run", "centre"):
        if scn.get(key) is not None and not isinstance(scn[key], dict):
            raise ReportError(f"{where}: {key}: must be a mapping")
    for i, d in enumerate(scn["dealers"]):
        if not isinstance(d, dict):
            raise ReportError(f"{where}: dealers.{i}: must be a mapping")
        if not isinstance(d.get("name"), str):
            raise ReportError(f"{where}: dealers.{i}.name: must be a string")
        if d.get("scenario") is not None and not isinstance(d["scenario"], dict):
            raise ReportError(f"{where}: dealers.{i}.scenario: must be a mapping")


def region_names(folder: Folder) -> list[str]:
    """The regions of the folder, in the summary's order; [] for a folder of scenarios.

    A region is a resolved scenario with ``dealers`` and ``centre``, or any scenario when
    ``summary.csv`` has a dealer column. ReportError (naming the file and the column) when a
    region's table lacks the dealer column, or when a folder of scenarios has a KPI twice
    for one scenario (a region's summary that lost its dealer column and its scenarios).
    """
    yaml_regions = [n for n, s in folder.scenarios.items() if _is_region_yaml(s)]
    for name in yaml_regions:
        _check_region_yaml(folder, name)
    if not yaml_regions and DEALER not in folder.summary.columns:
        twice = folder.summary.duplicated(["scenario", "kpi"])
        if twice.any():
            row = folder.summary[twice].iloc[0]
            raise ReportError(
                f"{folder.path / 'summary.csv'}: KPI {row['kpi']} of scenario "
                f"{row['scenario']} is there twice (a region's summary without its dealer "
                "column?)"
            )
        return []
    for field, file in DEALER_TABLES.items():
        frame = getattr(folder, field)
        if frame is not None and DEALER not in frame.columns:
            raise ReportError(f"{folder.path / file}: lacks column(s) {DEALER}")
    return folder.names


def dealer_names(folder: Folder, region: str) -> list[str]:
    """The region's dealers: in the resolved region's order, else in the summary's."""
    scn = folder.scenarios.get(region) or {}
    listed = [str(d.get("name")) for d in scn.get("dealers") or [] if isinstance(d, dict)]
    rows = folder.summary[folder.summary["scenario"] == region]
    found = [str(d) for d in dict.fromkeys(rows[DEALER]) if str(d) != REGION_ROW]
    return [d for d in listed if d in found] + [d for d in found if d not in listed]


def _rows(frame: pd.DataFrame | None, region: str, who: str) -> pd.DataFrame | None:
    """The rows of one dealer (or ``region``, ``centre``) as a scenario named ``who``."""
    if frame is None:
        return None
    rows = frame[(frame["scenario"] == region) & (frame[DEALER].astype(str) == who)]
    return rows.drop(columns=DEALER).assign(scenario=who).reset_index(drop=True)


def _dealer_scenario(folder: Folder, region: str, dealer: str) -> dict[str, Any] | None:
    """The dealer's resolved scenario with the region's ``run`` block (which it shares)."""
    scn = folder.scenarios.get(region) or {}
    for d in scn.get("dealers") or []:
        if isinstance(d, dict) and str(d.get("name")) == dealer:
            own = d.get("scenario")
            if isinstance(own, dict):
                return {**own, "name": dealer, "run": scn.get("run") or {}}
    return None


def dealer_view(folder: Folder, region: str, dealer: str) -> Folder:
    """The folder as a single run of the dealer: its rows of every table, ``scenario`` the
    dealer's name, its scenario from the resolved region, no trace tables."""
    entries = [e for e in folder.manifest.get("scenarios", []) if e.get("name") == region]
    entry: dict[str, Any] = entries[0] if entries else {}
    manifest = {
        **{k: v for k, v in folder.manifest.items() if k not in ("batch", "settings", "optimize")},
        "scenarios": [{**entry, "name": dealer}],  # the region's run and hash
    }
    summary = _rows(folder.summary, region, dealer)
    replications = _rows(folder.replications, region, dealer)
    assert summary is not None and replications is not None
    parts = _rows(folder.parts, region, dealer)
    if parts is not None:  # the centre's columns, empty on a dealer's rows
        parts = parts.dropna(axis=1, how="all")
    scn = _dealer_scenario(folder, region, dealer)
    return replace(
        folder,
        manifest=manifest,
        summary=summary,
        replications=replications,
        scenarios={} if scn is None else {dealer: scn},
        sizes={},
        comparison=None,
        scorecards=_rows(folder.scorecards, region, dealer),
        parts=parts,
        breakdown=_rows(folder.breakdown, region, dealer),
        traces={},
    )


def dealer_anchor(region: str, dealer: str) -> str:
    """The id of a dealer's section (letters, digits, ``-`` and ``_`` only)."""
    return "dealer-" + re.sub(r"[^A-Za-z0-9_-]", "_", f"{region}-{dealer}")


def demote(section: str) -> str:
    """A section's headings one level down (h2 → h3 …), to sit under a dealer's heading."""
    return re.sub(r"<(/?)h([2-5])\b", lambda m: f"<{m[1]}h{int(m[2]) + 1}", section)


# --- the overview ---------------------------------------------------------------------------


def _flat(node: Any, prefix: str = "") -> list[tuple[str, str]]:
    if isinstance(node, dict):
        return [kv for k, v in node.items() for kv in _flat(v, f"{prefix}{k}.")]
    return [(prefix[:-1], "" if node is None else str(node))]


def _setup(folder: Folder, region: str, dealers: list[str], lang: Lang) -> str:
    """The region's run, its centre's settings and its dealers with links to their sections."""
    scn = folder.scenarios.get(region) or {}
    run = scn.get("run") or {}
    text = ""
    if scn.get("description"):
        text += f"<p>{esc(' '.join(str(scn['description']).split()))}</p>"
    reps = folder.summary[folder.summary["scenario"] == region]["n"].max()
    text += (
        "<p>"
        + tr(
            "{dealers} dealers on one parts centre; {reps} replications of {horizon} after a "
            "warm-up of {warmup}, seed {seed}. Every dealer orders its parts from the centre, "
            "which orders from the plant.",
            lang,
        ).format(
            dealers=len(dealers),
            reps="" if pd.isna(reps) else int(reps),
            horizon=esc(run.get("horizon", "")),
            warmup=esc(run.get("warmup", "0d")),
            seed=esc(run.get("seed", "")),
        )
        + "</p>"
    )
    centre = _flat(scn.get("centre") or {})
    if centre:
        text += table([tr("centre setting", lang), tr("value", lang)], centre, text=2)
    described = {
        str(d.get("name")): str((d.get("scenario") or {}).get("description") or "")
        for d in scn.get("dealers") or []
        if isinstance(d, dict)
    }
    rows = [
        [
            f'<a href="#{dealer_anchor(region, d)}">{esc(d)}</a>',
            esc(" ".join(described.get(d, "").split())),
        ]
        for d in dealers
    ]
    return text + table([tr("dealer", lang), tr("description", lang)], rows, raw=True, text=2)


def _centre_kpis(folder: Folder, region: str, lang: Lang, currency: str) -> str:
    centre = _rows(folder.summary, region, REGION_ROW)
    assert centre is not None
    if centre.empty:
        return note(tr("<code>summary.csv</code> has no rows of the centre.", lang))
    kpis = list(dict.fromkeys(centre["kpi"]))
    rows = interval_rows(centre, kpis, [REGION_ROW], lang, currency)
    head = [tr("KPI", lang), tr("mean and 95 % interval", lang)]
    return f"<h3>{tr('The parts centre', lang)}</h3>" + table(head, rows, raw=True)


def _dealer_summary(folder: Folder, region: str, dealers: list[str]) -> pd.DataFrame:
    rows = folder.summary[
        (folder.summary["scenario"] == region) & folder.summary[DEALER].astype(str).isin(dealers)
    ]
    return rows.assign(scenario=rows[DEALER].astype(str)).drop(columns=DEALER)


def _dealers_side_by_side(
    folder: Folder, region: str, dealers: list[str], lang: Lang, currency: str
) -> str:
    summary = _dealer_summary(folder, region, dealers)
    kpis = [k for k in HEADLINE_KPIS if (summary["kpi"] == k).any()]
    if not kpis:
        return ""
    rows = interval_rows(summary, kpis, dealers, lang, currency)
    text = f"<h3>{tr('The dealers side by side', lang)}</h3>" + table(
        [tr("KPI", lang), *dealers], rows, raw=True
    )
    try:
        fig = side_by_side_figure(
            summary,
            FIGURE_KPIS,
            currency=currency,
            title=tr("On time and fill rate of each dealer", lang),
            lang=lang,
        )
    except ValueError as exc:
        return text + note(esc(exc))
    return text + img(
        fig,
        tr("on time and fill rate of each dealer", lang),
        tr(
            "Each dot is a dealer's mean over replications, the bar its 95 % interval: "
            "dealers whose bars do not overlap differ by more than the replications' noise. "
            "The dealers share the centre, so one dealer's orders can leave another short.",
            lang,
        ),
    )


def _centre_parts(folder: Folder, region: str, lang: Lang, currency: str) -> str:
    """The centre's parts most often short (lines short, then units owed), from
    ``parts.csv``'s rows of dealer ``centre``."""
    title = f"<h3>{tr('Parts most often short at the centre', lang)}</h3>"
    parts = _rows(folder.parts, region, CENTRE_ROW)
    if parts is None or parts.empty:
        return title + note(tr("<code>parts.csv</code> has no rows of the centre.", lang))
    columns = [c for c in CENTRE_PART_COLUMNS if c in parts.columns]
    for col in columns:
        parts[col] = pd.to_numeric(parts[col], errors="coerce")
    keys = [c for c in ("lines_short", "avg_backorders") if c in columns]
    short = parts
    if keys:
        short = parts[(parts[keys].fillna(0) > 0).any(axis=1)]
        short = short.sort_values(keys, ascending=False, kind="stable")
    if short.empty:
        return title + (
            "<p>"
            + tr(
                "No dealer order line was short at the centre ({n} parts in its catalogue).",
                lang,
            ).format(n=f"{len(parts):,}")
            + "</p>"
        )
    top = short.head(SHORT_PARTS)
    cells = {c: fmt(shown(c, top[c])) for c in columns}
    rows = [[str(top["part_no"].iloc[i]), *(cells[c][i] for c in columns)] for i in range(len(top))]
    heads = [
        tr(CENTRE_PART_HEADINGS[c], lang) + (f" ({currency})" if c == "unit_cost" else "")
        for c in columns
    ]
    intro = tr(
        "The top {shown} of the {short} parts the centre was short of, of {n} in its "
        "catalogue: means over replications of the window, most lines short first, then "
        "most units owed to dealers. Every part is in <code>parts.csv</code> (dealer "
        "<code>centre</code>).",
        lang,
    ).format(shown=len(top), short=len(short), n=f"{len(parts):,}")
    return title + f"<p>{intro}</p>" + table([tr("part number", lang), *heads], rows)


def overview_section(folder: Folder, region: str, lang: Lang = "en") -> str:
    """The region's overview: its set-up, the centre's KPIs, the dealers side by side with
    their figure, and the centre's parts most often short."""
    dealers = dealer_names(folder, region)
    first = _dealer_scenario(folder, region, dealers[0]) if dealers else None
    currency = str(((first or {}).get("economics") or {}).get("currency") or "CNY")
    intro = tr(
        "Means over replications with, below each, the 95 % confidence interval (Student t); "
        "rates in per cent, times in hours, money in {currency}. Each dealer's own report "
        "follows the overview.",
        lang,
    ).format(currency=esc(currency))
    return (
        f"<h2>{tr('Region {region}', lang).format(region=esc(region))}</h2>"
        + _setup(folder, region, dealers, lang)
        + f"<p>{intro}</p>"
        + _centre_kpis(folder, region, lang, currency)
        + _dealers_side_by_side(folder, region, dealers, lang, currency)
        + _centre_parts(folder, region, lang, currency)
    )
