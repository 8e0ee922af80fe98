"""Policy studies for the notebooks: run a batch in memory, size kanban loops, score months.

The notebooks in ``notebooks/`` only call these functions and plot; everything that decides
a number lives here, where the tests can reach it. ``NOTEBOOK_SIZE=full`` runs a study at
the batch file's own replications and horizon; the default (``small``) runs a few short
replications, enough to show the method in under a minute.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.batch import Batch, load_batch
from sim.comparison import compare
from sim.experiment import ScenarioRun, replications_frame, summarize
from sim.reportdata import Sweep, find_sweep
from sim.scenario import Scenario, Scorecard
from sim.scenario_region import REGION_ROW, Region
from sim.scorecard import scorecard_summary, scorecards_frame

if TYPE_CHECKING:
    from sim.executors import ExecutorName

SIZES = ("small", "full")

# The folder that holds the ``sim`` package: the repository's root in a checkout or an
# editable install (``pip install -e .``), where ``scenarios/`` sits beside ``sim/``.
PACKAGE_ROOT = Path(__file__).resolve().parents[1]


def scenarios_dir() -> Path:
    """The repository's ``scenarios/`` folder, whatever the working directory.

    Looked for beside the ``sim`` package first (a checkout, ``pip install -e .``), then in
    the working directory and each of its parents (a non-editable install used from inside
    the checkout). A notebook started from any folder finds the same files.
    """
    cwd = Path.cwd().resolve()
    tried = []
    for root in (PACKAGE_ROOT, cwd, *cwd.parents):
        folder = root / "scenarios"
        if (folder / "batches").is_dir():
            return folder
        tried.append(str(folder))
    raise FileNotFoundError(
        "cannot find the repository's scenarios/ folder (with batches/ in it); looked at "
        f"{tried[0]} and in {cwd} and its parents. Install the package from its checkout "
        '(pip install -e ".[notebooks]") or start Jupyter inside the checkout.'
    )


def batch_file(name: str) -> Path:
    """``scenarios/batches/NAME`` (``.yaml`` added if missing), found by :func:`scenarios_dir`."""
    folder = scenarios_dir() / "batches"
    path = folder / (name if name.endswith((".yaml", ".yml")) else f"{name}.yaml")
    if not path.is_file():
        known = ", ".join(sorted(p.name for p in folder.glob("*.yaml")))
        raise FileNotFoundError(f"no batch file {path.name} in {folder}; there are: {known}")
    return path


def _scenario(run: ScenarioRun) -> Scenario:
    """A study's run is a single dealer's (a region's dealers are studied one by one)."""
    if not isinstance(run.scenario, Scenario):
        raise TypeError(f"{run.scenario.name!r} is a region: study its dealers' scenarios")
    return run.scenario


@dataclass(frozen=True)
class Size:
    """How big a study runs: replications and horizon (None: the batch file's own)."""

    name: str
    replications: int | None
    horizon: str | None
    executor: ExecutorName


def notebook_size(small: Size, full: Size | None = None) -> Size:
    """``small`` unless the environment says ``NOTEBOOK_SIZE=full``."""
    name = os.environ.get("NOTEBOOK_SIZE", "small").strip().lower() or "small"
    if name not in SIZES:
        raise ValueError(f"NOTEBOOK_SIZE={name!r}: choose one of {', '.join(SIZES)}")
    if name == "full":
        return full or Size("full", None, None, "local")
    return small


@dataclass
class Study:
    """A batch run in memory: its scenarios, runs, replications, summary and comparison."""

    batch: Batch
    runs: list[ScenarioRun]
    reps: pd.DataFrame
    summary: pd.DataFrame
    comparison: pd.DataFrame | None

    @property
    def scenarios(self) -> dict[str, Scenario]:
        """The scenarios by name, in batch order."""
        return {run.scenario.name: _scenario(run) for run in self.runs}

    def sweep(self) -> Sweep | None:
        """The swept parameter of the batch (see ``sim.reportdata.find_sweep``)."""
        return find_sweep({n: s.dump() for n, s in self.scenarios.items()})

    def breakdown(self) -> pd.DataFrame:
        """``breakdown.csv`` of the study: per scenario, pool and job type, each figure's mean
        and 95 % interval over replications (empty when the model gave no breakdown)."""
        from sim.breakdownresults import BREAKDOWN_COLUMNS, breakdown_table

        table = breakdown_table(self.runs)
        if table is None:
            return pd.DataFrame(columns=list(BREAKDOWN_COLUMNS))
        return pd.DataFrame(table[1], columns=table[0])

    def means(self, kpis: Sequence[str]) -> pd.DataFrame:
        """Scenarios x KPIs: the mean as ``KPI``, the 95 % bounds as ``KPI_low``, ``KPI_high``."""
        cols: dict[str, pd.Series] = {}
        for kpi in kpis:
            rows = self.summary[self.summary["kpi"] == kpi].set_index("scenario")
            cols[kpi] = rows["mean"]
            cols[f"{kpi}_low"] = rows["ci_low"]
            cols[f"{kpi}_high"] = rows["ci_high"]
        return pd.DataFrame(cols).reindex(list(self.scenarios))


def run_study(batch_file: str | Path, size: Size, overrides: Sequence[str] = ()) -> Study:
    """Expand ``batch_file`` and run every replication on the executor ``size`` names."""
    from sim.batchrun import run_replications
    from sim.executors import make_executor

    batch = load_batch(batch_file, overrides, horizon=size.horizon, replications=size.replications)
    with make_executor(size.executor) as executor:
        runs, failures = run_replications(batch.scenarios, executor)
    if failures:
        first = failures[0]
        raise RuntimeError(
            f"{len(failures)} replication(s) failed; {first.scenario} rep {first.replication}: "
            f"{first.error}"
        )
    reps = replications_frame(r for run in runs for r in run.results)
    comparison = compare(reps, batch.baseline) if batch.baseline else None
    return Study(batch, runs, reps, summarize(reps), comparison)


def significant_differences(comparison: pd.DataFrame, kpis: Sequence[str]) -> pd.DataFrame:
    """Rows of ``comparison`` for ``kpis`` whose 95 % interval excludes zero."""
    rows = comparison[comparison["kpi"].isin(kpis)]
    return rows[(rows["ci_low"] > 0) | (rows["ci_high"] < 0)].reset_index(drop=True)


# --- kanban sizing ----------------------------------------------------------------------------


def predicted_stock(scenario: Scenario) -> dict[str, float]:
    """The loop formula's prediction for a kanban scenario, the stocked parts together.

    Each stocked part's cards (as the model sizes them) go into the (R, nQ) result with
    Poisson unit demand (``sim.theory.kanban_loop``) over working hours, with the protection
    span split into review and lead as the sizing splits it; parts are weighted by demand
    for the fill rate (the shelf's: compare it with the KPI ``stocked_fill_rate``) and
    summed for stock. Parts ordered per job (``supply.stocking``) have no loop and are left
    out. The model's demand comes in job lines, so the prediction is an approximation the
    simulation checks.
    """
    from sim.model.sizing import protection_span
    from sim.model.world import calendar_of, catalogue_for, sizes_for
    from sim.theory import kanban_loop

    if scenario.supply.policy != "kanban":
        raise ValueError(
            f"{scenario.name}: the loop formula is for kanban, not {scenario.supply.policy}"
        )
    cal = calendar_of(scenario)
    cat = catalogue_for(scenario)
    sizes = sizes_for(scenario)
    span = protection_span(scenario, cal)
    r, lt = span.review, span.lead
    demand = np.asarray(sizes["demand_per_open_hour"], dtype=float)
    cards = np.asarray(sizes["cards"], dtype=int)
    stocked = np.asarray(sizes["stocked"], dtype=bool)
    fill = units = value = 0.0
    for i in np.flatnonzero((demand > 0) & stocked):
        res = kanban_loop(float(demand[i]), r, lt, int(cards[i]), int(cat.container_qty[i]))
        fill += demand[i] * res.fill_rate
        units += res.on_hand
        value += res.on_hand * float(cat.unit_cost[i])
    total = float(demand[stocked].sum())
    return {
        "cards": float(cards.sum()),
        "stocked_parts": float(stocked.sum()),
        "fill_rate": fill / total if total else math.nan,
        "on_hand_units": units,
        "on_hand_value": value,
    }


def cheapest_meeting(
    table: pd.DataFrame, target: float, kpi: str = "fill_rate", cost: str = "avg_inventory_value"
) -> str | None:
    """The scenario with the lowest ``cost`` whose ``kpi`` lower 95 % bound reaches ``target``.

    ``table`` is ``Study.means`` output (with ``KPI_low``). Requiring the lower bound, not the
    mean, keeps a sizing that only looks good by chance from being chosen. None if none does.
    """
    ok = table[table[f"{kpi}_low"] >= target]
    if ok.empty:
        return None
    return str(ok[cost].idxmin())


SIZING_KPIS = (
    "stocked_fill_rate",
    "fill_rate",
    "avg_inventory_value",
    "days_of_supply",
    "emergency_orders",
    "logistics_cost",
)


def sizing_table(study: Study, kpis: Sequence[str] = SIZING_KPIS) -> pd.DataFrame:
    """Per scenario: total cards, the loop formula's fill rate of the stocked parts and its
    stock value, and the simulated ``kpis`` (mean, ``KPI_low``, ``KPI_high``: the 95 %
    bounds). ``formula_fill_rate`` compares with ``stocked_fill_rate``; ``fill_rate`` (all
    units) equals it when every part is stocked."""
    sim_cols = study.means(kpis)
    rows = []
    for name, scn in study.scenarios.items():
        pred = predicted_stock(scn)
        rows.append(
            {
                "scenario": name,
                "cards": int(pred["cards"]),
                "formula_fill_rate": pred["fill_rate"],
                "formula_inventory_value": pred["on_hand_value"],
            }
        )
    return pd.DataFrame(rows).set_index("scenario").join(sim_cols)


def cards_per_part(study: Study, most: int = 4) -> pd.DataFrame:
    """Per kanban scenario: how many stocked parts have 1, 2, ... cards (``most`` or more in
    the last column), and how many parts are not stocked, as the model sized them."""
    from sim.model.world import sizes_for

    if most < 2:
        raise ValueError(f"most must be at least 2, not {most}")
    rows = {}
    for name, scn in study.scenarios.items():
        if scn.supply.policy != "kanban":
            raise ValueError(f"{name}: cards are for kanban, not {scn.supply.policy}")
        sizes = sizes_for(scn)
        stocked = np.asarray(sizes["stocked"], dtype=bool)
        cards = np.asarray(sizes["cards"])[stocked]
        row = {
            f"{k} card" + ("s" if k > 1 else ""): int((cards == k).sum()) for k in range(1, most)
        }
        row[f"{most}+ cards"] = int((cards >= most).sum())
        row["not stocked"] = int((~stocked).sum())
        rows[name] = row
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("scenario")


# --- scorecard risk ---------------------------------------------------------------------------


def with_vetoes(scenario: Scenario, vetoes: Mapping[str, Mapping[str, Any]]) -> Scenario:
    """``scenario`` with veto rules overridden (thresholds, scope), validated: the months
    simulated can be scored again under other rules without running again."""
    card = scenario.scorecard
    if card is None:
        raise ValueError(f"{scenario.name}: no scorecard block to score")
    data = card.model_dump(exclude_none=True)
    merged = {**data.get("vetoes", {})}
    for name, over in vetoes.items():
        merged[name] = {**merged.get(name, {}), **over}
    new = Scorecard.model_validate({**data, "vetoes": merged})
    return scenario.model_copy(update={"scorecard": new})


def month_scores(
    runs: Sequence[ScenarioRun], vetoes: Mapping[str, Mapping[str, Any]] | None = None
) -> pd.DataFrame:
    """Every replication-month of ``runs`` scored (``scorecards_frame``), under the scenarios'
    rules or with ``vetoes`` overridden."""
    frames = []
    for run in runs:
        scn = with_vetoes(_scenario(run), vetoes) if vetoes else _scenario(run)
        frames.append(scorecards_frame(run.results, scn))
    return pd.concat(frames, ignore_index=True)


def veto_risk(frame: pd.DataFrame) -> pd.DataFrame:
    """Per scenario: P(month vetoed) and P(each rule fires) with 95 % intervals, mean total."""
    summary = scorecard_summary(frame)
    keep = summary["measure"].isin(["total", "vetoed"]) | summary["measure"].str.startswith("veto_")
    return summary[keep].reset_index(drop=True)


def veto_curve(
    runs: Sequence[ScenarioRun],
    rule: str,
    thresholds: Sequence[float],
    key: str = "below",
    measure: str = "vetoed",
) -> pd.DataFrame:
    """P(month vetoed) per scenario as one rule's threshold moves: ``scenario, threshold,
    mean, ci_low, ci_high``. ``measure="veto_RULE"``: the share of months that rule alone
    vetoes (other rules, a comeback say, left out)."""
    rows = []
    for t in thresholds:
        summary = scorecard_summary(month_scores(runs, {rule: {key: float(t)}}))
        if measure not in set(summary["measure"]):
            raise ValueError(f"no scorecard measure {measure!r}")
        for _, r in summary[summary["measure"] == measure].iterrows():
            rows.append((r["scenario"], float(t), r["mean"], r["ci_low"], r["ci_high"]))
    return pd.DataFrame(rows, columns=["scenario", "threshold", "mean", "ci_low", "ci_high"])


def paired_vetoes(frame: pd.DataFrame, baseline: str, measure: str = "vetoed") -> pd.DataFrame:
    """P(month vetoed) of each scenario minus the baseline's, paired by replication (each
    replication's share of vetoed months), with the 95 % interval of the differences."""
    from sim.comparison import paired_difference

    flags = frame[measure].map(lambda v: math.nan if v is None or v != v else float(bool(v)))
    share = flags.groupby([frame["scenario"], frame["replication"]]).mean().unstack("scenario")
    if baseline not in share.columns:
        raise ValueError(f"baseline {baseline!r} is not among the scenarios")
    rows = []
    for name in share.columns:
        if name == baseline:
            continue
        d = paired_difference(share[name].tolist(), share[baseline].tolist())
        rows.append((name, baseline, d.baseline_mean, d.mean_diff, d.ci_low, d.ci_high, d.n))
    return pd.DataFrame(
        rows,
        columns=["scenario", "baseline", "baseline_mean", "mean_diff", "ci_low", "ci_high", "n"],
    )


# --- promise and capacity ---------------------------------------------------------------------


def promise_label(scenario: Scenario) -> str:
    """How ``scenario`` promises, in a planner's words: the rule and its buffer (``std``: the
    job's standard hours), e.g. ``workload + max(30 min, 0.4 std)``."""
    rule = scenario.workshop.promise
    buffer = f"{rule.buffer:g} min"
    if rule.buffer_share:
        buffer = f"max({buffer}, {rule.buffer_share:g} std)"
    return f"{rule.rule} + {buffer}"


PROMISE_KPIS = ("on_time_rate", "mean_promise_h", "mean_lead_time_h")


def promise_table(
    study: Study, job_type: str, pools: Sequence[str], capacity: str | None = None
) -> pd.DataFrame:
    """Per scenario: its promise rule (``promise``), the size of the pool ``capacity``, the
    on-time rate, promise and lead time over all jobs (mean, ``KPI_low``, ``KPI_high``), the
    same three and the wait for the first operation of ``job_type`` (``JOB_TYPE_KPI``), and
    the utilisation of ``pools`` (``POOL_utilization``), from the breakdown."""
    table = study.means(PROMISE_KPIS)
    names = list(study.scenarios)
    table.insert(0, "promise", [promise_label(s) for s in study.scenarios.values()])
    if capacity is not None:
        sizes = [s.resources.get(capacity) for s in study.scenarios.values()]
        if any(v is None for v in sizes):
            raise ValueError(f"no resource pool {capacity!r} in every scenario")
        table.insert(1, capacity, sizes)
    parts = study.breakdown()

    def pick(group: str, name: str, kpi: str) -> pd.Series:
        rows = parts[(parts["group"] == group) & (parts["name"] == name) & (parts["kpi"] == kpi)]
        if rows.empty:
            raise ValueError(f"the breakdown has no {group} {name!r} {kpi}")
        return rows.set_index("scenario")["mean"].reindex(names)

    for kpi in (*PROMISE_KPIS, "mean_wait_h"):
        table[f"{job_type}_{kpi}"] = pick("job_type", job_type, kpi)
    for pool in pools:
        table[f"{pool}_utilization"] = pick("pool", pool, "utilization")
    return table


# --- regions ----------------------------------------------------------------------------------

# KPIs per car received, added to every dealer row of a region study: dealers of different
# sizes compare on them (``parts_wait_h`` is job-hours over the window).
PER_CAR = {"parts_wait_h": "parts_wait_per_car_h"}


@dataclass
class RegionStudy:
    """A batch over a region run in memory: every dealer's replication rows and the centre's
    (``dealer`` ``region``), their summary (``scenario, dealer, kpi, mean, ci_low,
    ci_high...``), and paired differences dealer by dealer on demand."""

    batch: Batch
    runs: list[ScenarioRun]
    reps: pd.DataFrame
    summary: pd.DataFrame

    @property
    def scenarios(self) -> dict[str, Region]:
        """The regions by name, in batch order."""
        out = {}
        for run in self.runs:
            if not isinstance(run.scenario, Region):
                raise TypeError(f"{run.scenario.name!r} is a scenario, not a region")
            out[run.scenario.name] = run.scenario
        return out

    @property
    def dealers(self) -> list[str]:
        """The dealers' names, in the region's order."""
        return [d.name for d in next(iter(self.scenarios.values())).dealers]

    def means(self, kpis: Sequence[str], dealers: Sequence[str] | None = None) -> pd.DataFrame:
        """(scenario, dealer) x KPIs: the mean as ``KPI``, the 95 % bounds as ``KPI_low``,
        ``KPI_high``; ``dealers`` (default: every dealer) may name ``region``, the centre's
        row, for the centre's KPIs."""
        names = list(dealers) if dealers is not None else self.dealers
        index = pd.MultiIndex.from_product(
            [list(self.scenarios), names], names=["scenario", "dealer"]
        )
        cols = {}
        for kpi in kpis:
            rows = self.summary[self.summary["kpi"] == kpi]
            if rows.empty:
                raise ValueError(f"no KPI {kpi!r} in the study's summary")
            got = rows.set_index(["scenario", "dealer"]).reindex(index)
            cols[kpi], cols[f"{kpi}_low"], cols[f"{kpi}_high"] = (
                got["mean"],
                got["ci_low"],
                got["ci_high"],
            )
        return pd.DataFrame(cols, index=index)

    def paired(self, scenario: str, baseline: str, kpis: Sequence[str]) -> pd.DataFrame:
        """``scenario`` − ``baseline`` per dealer (and ``region``, for centre KPIs) and KPI,
        paired by replication: ``dealer, kpi, baseline_mean, mean_diff, ci_low, ci_high, n``
        (a KPI a dealer row does not have is left out)."""
        from sim.comparison import paired_difference

        rows = []
        for dealer, block in self.reps.groupby("dealer", sort=False):
            a = block[block["scenario"] == scenario].set_index("replication")
            b = block[block["scenario"] == baseline].set_index("replication")
            if a.empty or b.empty:
                raise ValueError(f"no replications of {scenario!r} or {baseline!r}")
            common = a.index.intersection(b.index).sort_values()
            for kpi in kpis:
                if a[kpi].isna().all():
                    continue
                d = paired_difference(a.loc[common, kpi].tolist(), b.loc[common, kpi].tolist())
                rows.append((dealer, kpi, d.baseline_mean, d.mean_diff, d.ci_low, d.ci_high, d.n))
        columns = ["dealer", "kpi", "baseline_mean", "mean_diff", "ci_low", "ci_high", "n"]
        return pd.DataFrame(rows, columns=columns)


def run_region_study(
    batch_file: str | Path,
    size: Size,
    overrides: Sequence[str] = (),
    only: Sequence[str] | None = None,
) -> RegionStudy:
    """Expand ``batch_file`` (its base a region), keep the scenarios ``only`` names (all by
    default), and run every replication on the executor ``size`` names; each dealer's rows
    get the ``PER_CAR`` KPIs."""
    from sim.batchrun import run_replications
    from sim.executors import make_executor
    from sim.experiment import summary_rows
    from sim.regionresults import region_frames

    batch = load_batch(batch_file, overrides, horizon=size.horizon, replications=size.replications)
    chosen = [s for s in batch.scenarios if only is None or s.name in only]
    if only is not None and len(chosen) != len(only):
        raise ValueError(f"the batch has no scenario {sorted(set(only) - set(batch.names))}")
    if not all(isinstance(s, Region) for s in chosen):
        raise TypeError(f"{batch.file.name}: its base is not a region (use run_study)")
    with make_executor(size.executor) as executor:
        runs, failures = run_replications(chosen, executor)
    if failures:
        first = failures[0]
        raise RuntimeError(
            f"{len(failures)} replication(s) failed; {first.scenario} rep {first.replication}: "
            f"{first.error}"
        )
    reps, summary = region_frames(runs)
    dealer = reps["dealer"] != REGION_ROW
    for kpi, per_car in PER_CAR.items():
        cars = reps["vehicles_received"].where(reps["vehicles_received"] > 0)
        reps[per_car] = (reps[kpi] / cars).where(dealer)
    columns = ["scenario", *reps.columns[2:]]
    keyed = [((s, d), *rest) for s, d, *rest in reps[dealer].itertuples(index=False, name=None)]
    extra = summary_rows(columns, keyed, list(PER_CAR.values()))
    more = pd.DataFrame(
        [(key[0], key[1], *rest) for key, *rest in extra], columns=list(summary.columns)
    )
    summary = pd.concat([summary, more], ignore_index=True).astype({"n": "int64"})
    return RegionStudy(batch, runs, reps, summary)
