"""``sim.texttable.text_table`` lays a table out as pandas' ``to_string`` does (the oracle)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.texttable import text_table

LABELS = st.text(alphabet="abcxyz_019", min_size=1, max_size=25)
CELLS = st.text(alphabet="0123456789.,-e% ab", max_size=12).map(str.strip)


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[str], dict[str, list[object]], str | None]:
    rows = draw(st.integers(1, 6))
    index = draw(st.lists(LABELS, min_size=rows, max_size=rows))
    headers = draw(
        st.lists(
            st.text(alphabet="abc% 95CI", min_size=1, max_size=12).map(str.strip).filter(bool),
            min_size=1,
            max_size=4,
            unique=True,
        )
    )
    columns: dict[str, list[object]] = {
        h: draw(st.lists(CELLS, min_size=rows, max_size=rows)) for h in headers
    }
    columns["n"] = draw(st.lists(st.integers(0, 10_000), min_size=rows, max_size=rows))
    return index, columns, draw(st.sampled_from([None, "kpi", "a_much_longer_index_name"]))


@given(tables())
def test_matches_pandas_to_string(
    table: tuple[list[str], dict[str, list[object]], str | None],
) -> None:
    index, columns, name = table
    frame = pd.DataFrame(
        {h: pd.Series(c, dtype=object if h != "n" else "int64") for h, c in columns.items()}
    )
    frame.index = pd.Index(index, name=name)
    assert text_table(index, columns, index_name=name) == frame.to_string()


def test_the_kpi_table_layout() -> None:
    text = text_table(
        ["on_time_rate", "revenue"], {"mean": ["0.6471", "60,916"], "n": [10, 9]}, "kpi"
    )
    assert text.splitlines() == [
        "                mean   n",
        "kpi                     ",
        "on_time_rate  0.6471  10",
        "revenue       60,916   9",
    ]


def test_a_short_column_is_an_error() -> None:
    with pytest.raises(ValueError, match="column 'mean' has 1 cells for 2 rows"):
        text_table(["a", "b"], {"mean": ["1"]})
