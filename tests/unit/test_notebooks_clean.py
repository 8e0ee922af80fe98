"""Notebooks are committed without outputs: small diffs, no stale numbers, no large images."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))


def test_the_five_notebooks_exist() -> None:
    assert [p.name for p in NOTEBOOKS] == [
        "01_call_off_interval.ipynb",
        "02_kanban_sizing.ipynb",
        "03_scorecard_risk.ipynb",
        "04_promise_and_capacity.ipynb",
        "05_region.ipynb",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_outputs_are_stripped(path: Path) -> None:
    book = nbformat.read(path, as_version=4)
    nbformat.validate(book)
    for i, cell in enumerate(book.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name} cell {i} has outputs: clear them"
            assert cell.execution_count is None, f"{path.name} cell {i} has an execution count"
    assert book.cells[-1].cell_type == "markdown" and "Conclusion" in "".join(
        c.source for c in book.cells if c.cell_type == "markdown"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_conclusion_says_where_its_figures_come_from(path: Path) -> None:
    """The conclusion quotes the full-size run and says so, with the command that reproduces
    it; before it, a code cell prints the same figures from the run just made."""
    book = nbformat.read(path, as_version=4)
    conclusion = book.cells[-1].source
    assert conclusion.startswith("## Conclusion")
    head = conclusion.split("\n\n")[1]
    assert "from the full-size run" in head and "NOTEBOOK_SIZE=full" in head, head
    headers = [i for i, c in enumerate(book.cells) if c.source.startswith("## This run's figures")]
    assert len(headers) == 1, "one '## This run's figures' section"
    figures = book.cells[headers[0] + 1]
    assert figures.cell_type == "code" and "size_line(" in figures.source
    assert headers[0] < len(book.cells) - 1
