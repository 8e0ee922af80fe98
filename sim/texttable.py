"""Plain-text tables for the terminal, laid out as ``pandas.DataFrame.to_string`` lays out a
frame of text cells, so ``run`` prints its KPI table without importing pandas.

The layout: the row labels left-aligned in the first column; every other cell right-aligned
in a column as wide as its header or its widest cell plus one space; columns joined by one
space; an index name, when given, on a line of its own under the header.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def text_table(
    index: Sequence[str], columns: Mapping[str, Sequence[object]], index_name: str | None = None
) -> str:
    """The table with row labels ``index`` and the cells of ``columns`` (header: cells)."""
    for header, cells in columns.items():
        if len(cells) != len(index):
            raise ValueError(f"column {header!r} has {len(cells)} cells for {len(index)} rows")
    label_width = max((len(label) for label in [*index, index_name or ""]), default=0)
    body = {h: [f" {cell}" for cell in cells] for h, cells in columns.items()}
    widths = {h: max([len(h), *(len(c) for c in cells)]) for h, cells in body.items()}
    lines = [" " * label_width + "".join(f" {h.rjust(w)}" for h, w in widths.items())]
    if index_name:
        lines.append(index_name.ljust(len(lines[0])))
    for i, label in enumerate(index):
        cells = "".join(f" {body[h][i].rjust(w)}" for h, w in widths.items())
        lines.append(label.ljust(label_width) + cells)
    return "\n".join(lines)
