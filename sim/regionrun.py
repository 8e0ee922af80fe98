"""``run REGION.yaml``: replicate a region, print each dealer's headline KPIs and the centre's,
and with ``--out`` write the results folder (``sim.regionresults`` builds its tables)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sim.clierror import CliError
from sim.experiment import Simulate, replicate
from sim.labels import Lang, kpi_label, tr
from sim.model.centre import CENTRE_KPIS
from sim.readout import HEADLINE_KPIS, format_row, shown
from sim.regionresults import region_replication_rows, region_summary_rows
from sim.scenario_region import REGION_ROW, Region
from sim.texttable import text_table
from sim.units import format_duration

PROG = "run_sim.py"


def heading(region: Region) -> str:
    """One line: the region, its dealers and its run."""
    run = region.run
    reps = f"{run.replications} replication{'s' if run.replications != 1 else ''}"
    centre = "an infinite centre" if region.centre.infinite else "a finite centre"
    return (
        f"region {region.name}: {len(region.dealers)} dealer(s) on {centre}, {reps}, "
        f"horizon {format_duration(run.horizon)} after warm-up {format_duration(run.warmup)}, "
        f"seed {run.seed}"
    )


def region_table(summary: Sequence[Sequence[Any]], region: Region, lang: Lang = "en") -> str:
    """Rows = headline KPIs then the centre's, columns = dealers (and the region): means."""
    currency = region.dealers[0].scenario.economics.currency
    means = {(str(r[1]), str(r[2])): r[3] for r in summary}
    kpis = [*HEADLINE_KPIS, *CENTRE_KPIS]
    who = [d.name for d in region.dealers] + [REGION_ROW]
    rows = []  # each KPI's means over the dealers, with shared decimals
    for k in kpis:
        values = [means.get((w, k)) for w in who]
        rows.append(format_row([None if v is None else shown(k, float(v)) for v in values]))
    columns = {w: [row[j] for row in rows] for j, w in enumerate(who)}
    names = [kpi_label(k, lang, currency) for k in kpis]
    return text_table(names, columns, index_name=tr("KPI", lang))


def run_region(
    region: Region,
    *,
    out: str | None = None,
    argv: Sequence[str] = (),
    simulate: Simulate | None = None,
    lang: Lang = "en",
) -> int:
    """Replicate ``region``, print its table and, with ``out``, write the results folder."""
    from sim.results import ResultsError, check_out_dir, write_results

    if out is not None:
        try:
            check_out_dir(out)
        except ResultsError as exc:
            raise CliError(str(exc)) from None
    started = datetime.now(UTC)
    run = replicate(region, simulate)
    summary = region_summary_rows(region_replication_rows([run]))
    if out is not None:
        write_results(out, [run], command=[PROG, *argv], started=started)
    print(heading(region))
    print(region_table(summary, region, lang))
    if out is not None:
        print(f"results: {out}")
    return 0


def refuse_trace() -> None:
    """``--trace`` keeps event tables of one dealer; a region has many."""
    print("note: --trace is not available for a region; running without it", file=sys.stderr)
