"""Every KPI column is asserted by name in at least one hand-worked model test.

The test sources are parsed (``ast``), so a name counts only where a test checks it: inside
an ``assert`` statement (``assert res.kpis["fill_rate"] == ...``, or a dict compared
there), or as a key of a dict literal handed to the ``check_kpis`` fixture, which asserts
every key it is given. A KPI named only in a comment, a docstring, a parameter list or a
dict that nothing asserts does not count.
"""

from __future__ import annotations

import ast
from pathlib import Path

from sim.kpi import KPI_COLUMNS

CHECKERS = frozenset({"check_kpis"})  # fixtures that assert every key of the dict they get


def _strings(node: ast.AST) -> set[str]:
    return {
        n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    }


def asserted_names(source: str) -> set[str]:
    """The string constants a test source asserts (see the module docstring)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assert):
            found |= _strings(node)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in CHECKERS
        ):
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                if isinstance(arg, ast.Dict):
                    found |= {
                        k.value
                        for k in arg.keys
                        if isinstance(k, ast.Constant) and isinstance(k.value, str)
                    }
    return found


def test_every_kpi_column_is_checked():
    here = Path(__file__).parent
    found: set[str] = set()
    for p in sorted(here.glob("test_model_*.py")):
        if p.name != Path(__file__).name:
            found |= asserted_names(p.read_text(encoding="utf-8"))
    unchecked = [k for k in KPI_COLUMNS if k not in found]
    assert not unchecked


def test_only_assertions_count():
    source = '''
"""Docstring naming "in_docstring"."""
# a comment naming "in_comment"
import pytest


@pytest.mark.parametrize("name", ["in_parameters"])
def test_x(res, check_kpis, name):
    """Checks "in_test_docstring"."""
    unused = {"in_unasserted_dict": 1}
    res.kpis["in_unasserted_read"]
    assert res.kpis["in_assert"] == 1
    assert res.kpis == {"in_compared_dict": 2}
    check_kpis(res.kpis, {"in_check_kpis": 3})
    check_kpis(kpis=res.kpis, expected={"in_check_kpis_keyword": 4})
    other(res.kpis, {"in_other_call": 5})
'''
    assert asserted_names(source) == {
        "in_assert",
        "in_compared_dict",
        "in_check_kpis",
        "in_check_kpis_keyword",
    }
