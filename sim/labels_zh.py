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
}
