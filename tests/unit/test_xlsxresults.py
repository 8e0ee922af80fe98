"""``results.xlsx``: the folder's tables as sheets, read back equal to the CSV files."""

from __future__ import annotations

import os
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from sim import xlsxresults
from sim.experiment import replicate
from sim.results import write_results
from sim.xlsxresults import SHEETS, XLSX_FILE, number_format, read_table, write_xlsx
from tests.reporting import batch_folder

SUMMARY = """scenario,kpi,mean,std,ci_low,ci_high,n
a,jobs_delivered,1234.5,10.25,1200.125,1268.875,3
a,on_time_rate,0.875,0.01,0.85,0.9,3
a,emergency_orders,,,,,0
"""
PARTS = """scenario,part_no,stocked,cards,lines,fill_rate
a,00123,True,2,35.5,1
a,00124,False,,0.25,
"""


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real batch folder (summary, comparison, parts, breakdown, scorecards)."""
    return batch_folder(tmp_path_factory.mktemp("xlsx") / "out")


def small_folder(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "summary.csv").write_text(SUMMARY, encoding="utf-8")
    (path / "parts.csv").write_text(PARTS, encoding="utf-8")
    return path


def temp_files(folder: Path) -> list[str]:
    return [p for p in os.listdir(folder) if p.endswith(".tmp")]


def test_every_sheet_reads_back_as_its_csv(batch: Path) -> None:
    path = write_xlsx(batch)
    assert path == batch / XLSX_FILE
    sheets = pd.read_excel(path, sheet_name=None)
    assert list(sheets) == list(SHEETS)  # a batch folder has all five, in this order
    book = openpyxl.load_workbook(path)
    for name, sheet in sheets.items():
        csv = pd.read_csv(batch / f"{name}.csv")
        assert len(csv) > 0, name
        pd.testing.assert_frame_equal(sheet, csv, check_dtype=False, obj=name)
        # read_excel parses text that looks like numbers; the cells themselves must be numbers
        cells = pd.DataFrame(book[name].iter_rows(min_row=2, values_only=True), columns=csv.columns)
        for col in csv.select_dtypes("number").columns:
            kinds = {type(v) for v in cells[col] if v is not None}
            assert kinds <= {int, float}, (name, col, kinds)
    assert temp_files(batch) == []


def test_types_formats_and_layout(tmp_path: Path) -> None:
    folder = small_folder(tmp_path / "out")
    book = openpyxl.load_workbook(write_xlsx(folder))
    assert book.sheetnames == ["summary", "parts"]  # no comparison.csv: no comparison sheet
    parts = book["parts"]
    assert [c.value for c in parts[2]] == ["a", "00123", True, 2, 35.5, 1]  # part_no stays text
    assert [c.value for c in parts[3]] == ["a", "00124", False, None, 0.25, None]
    summary = book["summary"]
    assert summary.freeze_panes == "A2" and summary.auto_filter.ref == "A1:G4"
    assert summary["A1"].font.bold
    # one KPI's statistics share its row's decimals; n is a plain whole number
    assert [c.number_format for c in summary[2][2:7]] == ["#,##0"] * 4 + ["0"]
    assert [c.number_format for c in summary[3][2:6]] == ["0.0000"] * 4
    assert summary["C4"].value is None and summary["G4"].value == 0
    widths = {c: summary.column_dimensions[c].width for c in "ABCDEFG"}
    assert widths["B"] >= len("emergency_orders") + 2
    assert all(w >= len(summary[f"{c}1"].value) + 3 for c, w in widths.items())


def test_read_table_keeps_text_and_empty_cells(tmp_path: Path) -> None:
    table = read_table(small_folder(tmp_path) / "parts.csv")
    assert table["part_no"].tolist() == ["00123", "00124"]
    assert table["stocked"].tolist() == [True, False]
    assert table["cards"].isna().tolist() == [False, True]
    assert table["lines"].tolist() == [35.5, 0.25]


def test_number_format() -> None:
    assert number_format([1, 2, None]) == "#,##0"
    assert number_format([0.5, 0.25]) == "0.0000"
    assert number_format([12.5]) == "0.00"
    assert number_format([12345.5]) == "#,##0"
    assert number_format([2.5e10, 1.5]) == "0.000E+00"
    assert number_format([float("nan")], "0") == "0"


def test_a_failed_write_leaves_the_old_workbook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = small_folder(tmp_path / "out")
    old = write_xlsx(folder)
    assert old is not None
    before = old.read_bytes()
    calls = []

    def broken(sheet, name, frame) -> None:  # the second sheet fails half-way
        calls.append(name)
        if len(calls) == 2:
            raise OSError("disk full")

    monkeypatch.setattr(xlsxresults, "_style", broken)
    (folder / "summary.csv").write_text(SUMMARY.replace("0.875", "0.5"), encoding="utf-8")
    with pytest.raises(OSError, match="disk full"):
        write_xlsx(folder)
    assert calls == ["summary", "parts"]
    assert old.read_bytes() == before
    assert temp_files(folder) == []
    old.unlink()
    calls.clear()
    with pytest.raises(OSError, match="disk full"):
        write_xlsx(folder)
    assert not (folder / XLSX_FILE).exists() and temp_files(folder) == []


def test_no_tables_no_workbook(tmp_path: Path) -> None:
    (tmp_path / "flow.csv").write_text("scenario,replication\n", encoding="utf-8")
    assert write_xlsx(tmp_path) is None
    assert os.listdir(tmp_path) == ["flow.csv"]


def test_rewriting_the_folder_removes_a_stale_workbook(
    tmp_path: Path, tiny_scenario, fake_sim
) -> None:
    out = write_results(tmp_path / "out", [replicate(tiny_scenario, fake_sim)], sizes=None)
    assert write_xlsx(out) is not None
    write_results(out, [replicate(tiny_scenario, fake_sim)], sizes=None)
    assert not (out / XLSX_FILE).exists()
