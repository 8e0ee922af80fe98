"""The notebooks run whatever folder their kernel starts in (Jupyter started at the repository
root, nbclient or nbconvert called from elsewhere): they find the scenarios from the ``sim``
package, not from ``..``."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def code_cells(path: Path) -> list[nbformat.NotebookNode]:
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def execute(book: nbformat.NotebookNode, cwd: Path) -> nbformat.NotebookNode:
    client = NotebookClient(
        book, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}
    )
    return client.execute()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_path_relative_to_the_working_directory(path: Path) -> None:
    for cell in code_cells(path):
        assert '".."' not in cell.source and "'..'" not in cell.source, cell.source
        assert '"scenarios' not in cell.source, "use sim.studies.batch_file or scenarios_dir"
    assert "batch_file(" in code_cells(path)[0].source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_setup_cell_finds_the_batch_from_another_folder(path: Path, tmp_path: Path) -> None:
    """The first code cell (imports, the batch file) run in an unrelated folder; this
    checkout's ``sim`` is the one imported (the root conftest.py puts it on PYTHONPATH)."""
    check = nbformat.v4.new_code_cell(
        "import os, sim\n"
        "from pathlib import Path\n"
        f"assert Path.cwd().resolve() == Path({str(tmp_path.resolve())!r})\n"
        f"assert Path(sim.__file__).resolve().parents[1] == Path({str(REPO)!r}), sim.__file__\n"
        "assert BATCH.is_file(), BATCH\n"
        f"assert BATCH.parent == Path({str(REPO / 'scenarios' / 'batches')!r}), BATCH"
    )
    book = nbformat.v4.new_notebook(cells=[code_cells(path)[0], check])
    execute(book, tmp_path)


def test_a_whole_notebook_runs_from_another_folder(tmp_path: Path) -> None:
    """03 (the quickest) from start to end at its small size, nothing read or written
    relative to the working directory."""
    path = REPO / "notebooks" / "03_scorecard_risk.ipynb"
    book = execute(nbformat.read(path, as_version=4), tmp_path)
    outputs = [o for c in book.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert list(tmp_path.iterdir()) == []
