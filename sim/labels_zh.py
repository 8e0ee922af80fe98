"""The Chinese of the interface's English phrases (``sim.labels.tr``).

Keys are the exact English text the code writes (titles, axis labels, table headings,
sentences of the report); a template keeps its ``{fields}`` in both languages. A phrase
missing here is shown in English.
"""

from __future__ import annotations

PHRASES: dict[str, str] = {
    "scenario": "方案",
    "baseline": "基准",
    "mean": "均值",
    "95 % interval": "95% 置信区间",
    "replications": "重复次数",
    # terminal tables (sim.readout, sim.commands)
    "KPI": "指标",
    "95% CI low": "95% 下限",
    "95% CI high": "95% 上限",
    "95% interval": "95% 区间",
    "change": "变化",
    "real difference": "差异显著",
    "yes": "是",
    "no": "否",
    "{d} points": "{d} 个百分点",
    "{scenario} against {baseline}:": "{scenario} 对比 {baseline}：",
    "means (summary.csv has every KPI with its 95% interval):": (
        "均值（summary.csv 含全部指标及其 95% 置信区间）："
    ),
    "paired differences against {baseline} (scenario - baseline, over the same random "
    "numbers; comparison.csv has every KPI):": (
        "与 {baseline} 的配对差异（方案 − 基准，相同随机数；comparison.csv 含全部指标）："
    ),
    "Intervals cut to what is possible (a rate within 0-100 %, counts and money received "
    "not below 0): {names}.": (
        "置信区间已截断至可能范围（比率在 0-100% 之间，数量与金额不小于 0）：{names}。"
    ),
    # the scorecard (sim.scorecard)
    "total": "合计",
    "item": "项目",
    "target": "目标",
    "actual": "实际",
    "completion": "完成率",
    "score": "得分",
    "of": "满分",
    "veto": "否决",
    "the whole card": "整张考核表",
    "FIRES": "触发",
    "not evaluated (no measure)": "未评估（无数据）",
    "{name} scores on its rate ({name} / {of}) {rate} against {target}; its target is shown, "
    "not scored": (
        "{name} 按比率计分（{name} / {of}）{rate}，对比 {target}；金额目标仅作展示，不计分"
    ),
    "veto {veto} ({measure} {condition}, zeroes {scope}): {state}": (
        "否决项 {veto}（{measure} {condition}，清零 {scope}）：{state}"
    ),
    "month vetoed: {answer}": "本月被否决：{answer}",
}
