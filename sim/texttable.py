"""Plain-text tables for the terminal, laid out as ``pandas.DataFrame.to_string`` lays out a
frame of text cells, so ``run`` prints its KPI table without importing pandas.

The layout: the row labels left-aligned in the first column; every other cell right-aligned
in a column as wide as its header or its widest cell plus one space; columns joined by one
space; an index name, when given, on a line of its own under the header. Widths are
terminal columns (``wcwidth``): a Chinese label takes two a character, so columns stay
aligned in either language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from wcwidth import wcswidth


def width(text: str) -> int:
    """Columns ``text`` takes in a terminal: a Chinese character takes two."""
    w = wcswidth(text)
    return w if w >= 0 else len(text)


def _rjust(text: str, w: int) -> str:
    return " " * (w - width(text)) + text


def _ljust(text: str, w: int) -> str:
    return text + " " * (w - width(text))


def text_table(
    index: Sequence[str], columns: Mapping[str, Sequence[object]], index_name: str | None = None
) -> str:
    """The table with row labels ``index`` and the cells of ``columns`` (header: cells)."""
    for header, cells in columns.items():
        if len(cells) != len(index):
            raise ValueError(f"column {header!r} has {len(cells)} cells for {len(index)} rows")
    label_width = max((width(label) for label in [*index, index_name or ""]), default=0)
    body = {h: [f" {cell}" for cell in cells] for h, cells in columns.items()}
    widths = {h: max([width(h), *(width(c) for c in cells)]) for h, cells in body.items()}
    lines = [" " * label_width + "".join(f" {_rjust(h, w)}" for h, w in widths.items())]
    if index_name:
        lines.append(_ljust(index_name, width(lines[0])))
    for i, label in enumerate(index):
        cells = "".join(f" {_rjust(body[h][i], w)}" for h, w in widths.items())
        lines.append(_ljust(label, label_width) + cells)
    return "\n".join(lines)
