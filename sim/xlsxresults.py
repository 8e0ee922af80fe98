"""``DIR/results.xlsx``: the results folder's main tables as sheets of one workbook.

Written by ``run_sim.py report DIR`` beside ``report.html`` for readers who work in a
spreadsheet. One sheet per table whose CSV file is in the folder, in the order of
``SHEETS``; each is the CSV file with numbers as numbers (an empty cell stays empty),
``True``/``False`` as booleans and identifying columns (scenario, KPI, part number) as text.
The header row is frozen and filtered, the columns are sized to their contents and numbers
are shown with about four significant digits (the cells keep every digit). Like every result
file it is written to a temporary file and moved into place (``sim.results.atomic_path``),
so a failure leaves the earlier workbook or none.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, TypeGuard

import numpy as np

from sim.results import atomic_path

if TYPE_CHECKING:
    import pandas as pd
    from openpyxl.worksheet.worksheet import Worksheet

XLSX_FILE = "results.xlsx"
SHEETS = ("summary", "comparison", "parts", "breakdown", "scorecards")
# Columns read as text even when every value looks like a number (part numbers "00123").
TEXT_COLUMNS = frozenset({"scenario", "dealer", "baseline", "kpi", "part_no", "group", "name"})
# Whole-number columns that count or number things without thousands separators.
ID_COLUMNS = frozenset({"replication", "month", "n"})
# The statistics of one row of a long table, shown with the row's decimals.
_STATS = ("mean", "std", "ci_low", "ci_high")
ROW_GROUPS = {
    "summary": _STATS,
    "breakdown": _STATS,
    "comparison": ("baseline_mean", "mean_diff", "std_diff", "ci_low", "ci_high"),
}
MAX_WIDTH = 60


def read_table(path: str | Path) -> pd.DataFrame:
    """A result CSV file with typed columns: numbers, booleans, or text (empty cell: None/NaN)."""
    import pandas as pd

    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    for col in frame.columns:
        frame[col] = _typed(frame[col], text=col in TEXT_COLUMNS)
    return frame


def _typed(column: pd.Series, *, text: bool) -> pd.Series:
    import pandas as pd

    given = column[column != ""]
    if not text and len(given) and given.isin(["True", "False"]).all():
        return column.map({"True": True, "False": False, "": None}).astype(object)
    if not text:
        try:
            return pd.to_numeric(column.replace("", np.nan))
        except (ValueError, TypeError):
            pass
    return column.where(column != "", None).astype(object)


def number_format(values: Iterable[object], whole: str = "#,##0") -> str:
    """A display format for numbers shown together: about four significant digits of the
    largest, as the command line's tables (``sim.cli.format_row``); ``whole`` when every
    number is a whole one."""
    finite = [abs(float(v)) for v in values if _is_number(v) and math.isfinite(float(v))]
    size = max(finite, default=0.0)
    if all(v.is_integer() for v in finite):
        return whole
    if size >= 1e9 or 0 < size < 1e-3:
        return "0.000E+00"
    if size >= 1000:
        return "#,##0"
    decimals = 4 - len(str(int(size))) if size >= 1 else 4
    return "0." + "0" * decimals


def _is_number(value: object) -> TypeGuard[int | float | np.integer | np.floating]:
    """A real number (a boolean is not one)."""
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )


def _formats(name: str, frame: pd.DataFrame) -> list[list[str | None]]:
    """The number format of every body cell, by column then row (None: not a number).

    A long table's statistics of one row (``ROW_GROUPS``) share the row's format, as the
    mean and interval of one KPI in the command line's table; other numeric columns have
    one format per column.
    """
    import pandas as pd

    grouped = [c for c in ROW_GROUPS.get(name, ()) if c in frame.columns]
    rows = [number_format(frame.loc[i, grouped]) for i in frame.index] if grouped else []
    out: list[list[str | None]] = []
    for col in frame.columns:
        values = frame[col]
        if col in grouped:
            fmts: list[str | None] = list(rows)
        elif pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            fmt = number_format(values, "0" if col in ID_COLUMNS else "#,##0")
            fmts = [fmt] * len(values)
        else:
            fmts = [None] * len(values)
        out.append([f if _is_number(v) else None for f, v in zip(fmts, values, strict=True)])
    return out


def _shown(value: object, fmt: str | None) -> str:
    """Roughly the text a cell shows, for the column width."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if fmt is None or not _is_number(value):  # a format is set on numbers only
        return str(value)
    x = float(value)
    if not math.isfinite(x):
        return str(x)
    if fmt.endswith("E+00"):
        return f"{x:.3e}"
    decimals = len(fmt.partition(".")[2])
    return f"{x:,.{decimals}f}" if fmt.startswith("#") else f"{x:.{decimals}f}"


def _style(sheet: Worksheet, name: str, frame: pd.DataFrame) -> None:
    from openpyxl.styles import Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    sheet.freeze_panes = "A2"
    if len(frame.columns):
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(frame.columns))}{len(frame) + 1}"
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDE4EE")
    rule = Border(bottom=Side(style="thin"))
    formats = _formats(name, frame)
    for i, (col, fmts) in enumerate(zip(frame.columns, formats, strict=True), start=1):
        head = sheet.cell(row=1, column=i)
        head.font, head.fill, head.border = bold, fill, rule
        cells = sheet.iter_rows(min_row=2, max_row=len(frame) + 1, min_col=i, max_col=i)
        for (cell,), fmt in zip(cells, fmts, strict=True):
            if fmt is not None:
                cell.number_format = fmt
        shown = (len(_shown(v, f)) for v, f in zip(frame[col], fmts, strict=True))
        width = max(len(str(col)) + 3, max(shown, default=0) + 2)  # + 3: the filter button
        sheet.column_dimensions[get_column_letter(i)].width = min(width, MAX_WIDTH)


def write_xlsx(results_dir: str | Path) -> Path | None:
    """Write ``results_dir/results.xlsx`` atomically; return its path, or None (and leave
    any earlier workbook alone) when the folder holds none of the tables."""
    import pandas as pd

    folder = Path(results_dir)
    tables = {
        name: read_table(folder / f"{name}.csv")
        for name in SHEETS
        if (folder / f"{name}.csv").is_file()
    }
    if not tables:
        return None
    path = folder / XLSX_FILE
    with atomic_path(path) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as writer:
        for name, frame in tables.items():
            frame.to_excel(writer, sheet_name=name, index=False)
            _style(writer.sheets[name], name, frame)
    return path
