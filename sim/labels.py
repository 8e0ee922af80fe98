"""What a planner reads in place of a KPI id: its name with its unit, in English or in the
seed's Chinese terms, and the range of values the KPI can take.

CSV columns never change with the language: labels are for printed tables, the report and
figures. ``kpi_label("on_time_rate", "zh")`` gives ``承诺时间修复率 (%)``; an id this module
does not know is shown as it is. ``KPI_RANGE`` bounds each KPI (a rate lies in [0, 1], a
count or a sum of money received is never negative) so that a confidence interval can be
clipped to what is possible (``clip_interval``). ``tr`` gives any other phrase of the
interface (titles, headings, sentences) in the reader's language.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, cast

Lang = Literal["en", "zh"]
LANGS: tuple[Lang, ...] = ("en", "zh")

# unit key -> (English, Chinese); "money" is the scenario's currency
UNITS: dict[str, tuple[str, str]] = {
    "%": ("%", "%"),
    "h": ("h", "小时"),
    "days": ("days", "天"),
    "cars": ("cars", "台"),
    "jobs": ("jobs", "单"),
    "units": ("units", "件"),
    "lines": ("lines", "行"),
    "trucks": ("trucks", "车次"),
    "orders": ("orders", "次"),
    "parts": ("part numbers", "种"),
}


@dataclass(frozen=True)
class Kpi:
    """One KPI's names, unit and possible range (None: unbounded on that side)."""

    en: str
    zh: str
    unit: str  # a key of UNITS, or "money"
    low: float | None = 0.0
    high: float | None = None


def _rate(en: str, zh: str) -> Kpi:
    return Kpi(en, zh, "%", 0.0, 1.0)


KPIS: dict[str, Kpi] = {
    "vehicles_received": Kpi("vehicles received", "接车台次", "cars"),
    "jobs_delivered": Kpi("jobs delivered", "出厂台次", "jobs"),
    "on_time_rate": _rate("on time against promise", "承诺时间修复率"),
    "mean_lead_time_h": Kpi("lead time, arrival to delivery", "在厂时间", "h"),
    "mean_bay_wait_h": Kpi("wait for a bay", "等工位时间", "h"),
    "bay_utilization": _rate("bay utilisation", "工位利用率"),
    "technician_utilization": _rate("technician utilisation", "技师利用率"),
    "comeback_rate": _rate("comeback rate", "返修率"),
    "revenue": Kpi("revenue", "维修产值", "money"),
    "gross_margin": Kpi("gross margin", "维修毛利", "money", None),
    "gross_margin_rate": Kpi("gross margin rate", "维修毛利率", "%", None, 1.0),
    "fill_rate": _rate("fill rate, units from stock at once", "配件满足率 (按数量)"),
    "parts_ready_rate": _rate("jobs with all parts at start", "配件满足率 (按工单)"),
    "stockout_events": Kpi("order lines short at request", "缺件行数", "lines"),
    "parts_wait_h": Kpi("job-hours waiting for parts", "缺件等待时间", "h"),
    "avg_inventory_units": Kpi("line-side stock", "库存数量", "units"),
    "avg_inventory_value": Kpi("line-side stock value", "库存金额", "money"),
    "mean_dwell_h": Kpi("time a unit waits beside the line", "在库时间", "h"),
    "deliveries": Kpi("regular deliveries", "到货车次", "trucks"),
    "emergency_orders": Kpi("emergency orders", "紧急订货", "orders"),
    "care_products": Kpi("care products sold", "养护品", "money"),
    "accessories": Kpi("accessories sold", "精品", "money"),
    "tyres": Kpi("tyres sold", "轮胎", "money"),
    "stocked_parts": Kpi("part numbers stocked", "库存品种数", "parts"),
    "stocked_fill_rate": _rate("fill rate of stocked parts", "库存件满足率"),
    "holding_cost": Kpi("cost of holding the stock", "库存持有成本", "money"),
    "transport_cost": Kpi("cost of regular trucks", "运输成本", "money"),
    "emergency_cost": Kpi("cost of emergency orders", "紧急订货成本", "money"),
    "logistics_cost": Kpi("logistics cost", "物流总成本", "money"),
    "days_of_supply": Kpi("days of supply", "库存天数", "days"),
    "returns": Kpi("parts sent back", "退货", "units"),
    "mean_promise_h": Kpi("promised lead time, arrival to promise", "承诺交车时间", "h"),
    # a region's centre (the region rows of replications.csv)
    "centre_fill_rate": _rate("centre fill rate, units set aside at once", "中心库满足率"),
    "centre_avg_inventory_value": Kpi("parts centre stock value", "中心库库存金额", "money"),
    "centre_backorders": Kpi("units the centre owes dealers", "中心库欠货数量", "units"),
    "centre_lines_short": Kpi("dealer order lines short at the centre", "中心库缺货行数", "lines"),
    "centre_plant_deliveries": Kpi("plant deliveries to the centre", "工厂到中心库车次", "trucks"),
    # breakdown.csv: per pool and per job type
    "utilization": _rate("utilisation", "利用率"),
    "occupancy": Kpi("occupancy", "占用", "units"),
    "mean_wait_h": Kpi("mean wait", "平均等待时间", "h"),
}
PERCENT = frozenset(k for k, v in KPIS.items() if v.unit == "%")


def unit(kpi: str, lang: Lang = "en", currency: str = "CNY") -> str:
    """The unit a KPI is shown in ("%" for rates, which are stored as fractions); "" if
    unknown."""
    info = KPIS.get(kpi)
    if info is None:
        return ""
    if info.unit == "money":
        return currency
    en, zh = UNITS[info.unit]
    return zh if lang == "zh" else en


def kpi_name(kpi: str, lang: Lang = "en") -> str:
    """The KPI's name without its unit; the id itself when unknown."""
    info = KPIS.get(kpi)
    if info is None:
        return kpi
    return info.zh if lang == "zh" else info.en


def kpi_label(kpi: str, lang: Lang = "en", currency: str = "CNY") -> str:
    """Name and unit: ``on time against promise (%)``, ``库存金额 (CNY)``; a unit the name
    already says (``emergency orders``) is not repeated."""
    u, name = unit(kpi, lang, currency), kpi_name(kpi, lang)
    return f"{name} ({u})" if u and u not in name else name


# Scenario keys a batch sweeps -> (English, Chinese) names for a figure's axis
PARAMS: dict[str, tuple[str, str]] = {
    "supply.call_off.every": ("call-off interval", "叫料间隔"),
    "supply.call_off.first": ("first call-off", "首次叫料时间"),
    "supply.call_off.last": ("last call-off", "末次叫料时间"),
    "supply.kanban.safety": ("kanban safety factor", "看板安全系数"),
    "supply.kanban.target_fill": ("kanban target fill rate", "看板目标满足率"),
    "supply.kanban.cards": ("kanban cards per part", "每种配件看板卡数"),
    "supply.lead_time": ("supplier lead time", "供应提前期"),
    "supply.truck_capacity": ("truck capacity (containers)", "货车容量 (箱)"),
    "workshop.promise.rule": ("promise rule", "承诺规则"),
    "workshop.promise.buffer": ("promise buffer", "承诺缓冲时间"),
    "workshop.promise.buffer_share": (
        "promise buffer, share of standard hours",
        "承诺缓冲 (标准工时占比)",
    ),
}


def param_label(key: str, lang: Lang = "en", duration: bool = False) -> str:
    """A swept scenario key as words: ``call-off interval (h)``; a pool's size as ``body bays
    (units)``; another key as its last part with spaces. ``duration``: its values are hours."""
    if key in PARAMS:
        en, zh = PARAMS[key]
        text = zh if lang == "zh" else en
    elif key.startswith("resources."):
        text = key.split(".", 1)[1].replace("_", " ")
        return f"{text} ({UNITS['units'][1] if lang == 'zh' else 'units'})"
    else:
        text = key.rsplit(".", 1)[-1].replace("_", " ")
    return f"{text} ({UNITS['h'][1] if lang == 'zh' else 'h'})" if duration else text


def tr(text: str, lang: Lang = "en") -> str:
    """The interface phrase ``text`` (English) in ``lang``: its Chinese from
    ``sim.labels_zh.PHRASES``, or the English when it has none."""
    if lang == "en":
        return text
    from sim.labels_zh import PHRASES

    return PHRASES.get(text, text)


def check_lang(lang: str) -> Lang:
    """``lang`` if it is one of ``LANGS``; ValueError otherwise."""
    if lang not in LANGS:
        raise ValueError(f"lang {lang!r}: choose one of {', '.join(LANGS)}")
    return cast(Lang, lang)


def clip_interval(kpi: str, low: float, high: float) -> tuple[float, float, bool]:
    """The interval [low, high] cut to the KPI's possible range, and whether it was cut.
    NaN stays NaN; an unknown KPI is not cut."""
    info = KPIS.get(kpi)
    if info is None:
        return low, high, False
    lo, hi, cut = low, high, False
    if info.low is not None and not math.isnan(lo) and lo < info.low:
        lo, cut = info.low, True
    if info.high is not None and not math.isnan(hi) and hi > info.high:
        hi, cut = info.high, True
    return lo, hi, cut
