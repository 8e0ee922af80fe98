"""What the terminal prints: KPI tables with names and units, and the answer per scenario."""

from __future__ import annotations

import pandas as pd

from sim import readout
from sim.experiment import t_interval
from sim.texttable import width


def summary_row(kpi: str, values: list[float]) -> tuple:
    ci = t_interval(values)
    return ("s", kpi, ci.mean, ci.std, ci.ci_low, ci.ci_high, ci.n)


def test_kpi_table_in_chinese_with_rates_in_per_cent_and_clipping_said() -> None:
    rows = [
        summary_row("on_time_rate", [0.88, 0.90, 0.86]),
        summary_row("fill_rate", [0.999, 0.97, 1.0]),  # t-interval above 1: cut
        summary_row("avg_inventory_value", [360_000.0, 365_000.0, 362_000.0]),
    ]
    rows[1] = (*rows[1][:5], min(rows[1][5], 1.0), rows[1][6])
    text = readout.kpi_table(rows, "zh", "CNY")
    lines = text.splitlines()
    assert lines[2].startswith("承诺时间修复率 (%)") and "88.00" in lines[2]
    assert lines[4].startswith("库存金额 (CNY)") and "362,333" in lines[4]
    assert "100.0" in lines[3]  # the fill rate's upper bound, cut at 100 %
    assert len({width(line) for line in lines[:5]}) == 1  # aligned in terminal columns
    assert "配件满足率 (按数量)" in lines[-1] and "承诺时间修复率" not in lines[-1]
    english = readout.kpi_table(rows[:1], "en")
    assert "on time against promise (%)" in english and "Intervals cut" not in english


def test_means_table_scales_rates_and_shares_decimals_per_kpi() -> None:
    summary = pd.DataFrame(
        [
            ("a", "on_time_rate", 0.8812),
            ("b", "on_time_rate", 0.9),
            ("a", "deliveries", 150.0),
            ("b", "deliveries", 30.0),
        ],
        columns=["scenario", "kpi", "mean"],
    )
    text = readout.means_table(summary, ["on_time_rate", "deliveries"])
    lines = text.splitlines()
    assert lines[0].split() == ["a", "b"]
    assert lines[2].split()[-2:] == ["88.12", "90.00"]
    assert lines[3].startswith("regular deliveries (trucks)") and lines[3].split()[-2:] == [
        "150",
        "30",
    ]


def test_headline_says_the_change_in_units_and_whether_it_is_real() -> None:
    comparison = pd.DataFrame(
        [
            ("b", "a", "on_time_rate", 0.88, -0.012, -0.02, -0.004),
            ("b", "a", "avg_inventory_value", 364_000.0, 18_200.0, 17_000.0, 19_400.0),
            ("b", "a", "emergency_orders", 6.0, 0.4, -0.1, 0.9),
        ],
        columns=["scenario", "baseline", "kpi", "baseline_mean", "mean_diff", "ci_low", "ci_high"],
    )
    text = readout.headline(comparison)
    lines = text.splitlines()
    assert lines[0] == "b against a:"
    on_time = next(line for line in lines if line.startswith("on time against promise"))
    assert "-1.2 points" in on_time and "[-2.0, -0.4]" in on_time and on_time.endswith("yes")
    stock = next(line for line in lines if line.startswith("line-side stock value"))
    assert "+18,200 CNY (+5.0 %)" in stock and stock.endswith("yes")
    orders = next(line for line in lines if line.startswith("emergency orders"))
    assert orders.endswith("no")  # the interval holds 0: within the noise
    zh = readout.headline(comparison, lang="zh")
    assert "库存金额" in zh and "承诺时间修复率" in zh
