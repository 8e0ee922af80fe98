"""Strict YAML (``sim.yamltext``) and bounded input files (``sim.inputfiles``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from sim import inputfiles, yamltext
from sim.inputfiles import InputFileError, read_bytes, read_csv, read_text

REPO = Path(__file__).resolve().parents[2]


def problem(text: str) -> str:
    with pytest.raises(yaml.YAMLError) as info:
        yamltext.safe_load(text)
    return yamltext.describe(info.value)


GOOD_FILES = [
    p
    for p in sorted((REPO / "scenarios").rglob("*.yaml")) + sorted((REPO / "tests").rglob("*.yaml"))
    if "bad_inputs" not in p.parts and p.name != "unreadable.yaml"
]


@pytest.mark.parametrize("path", GOOD_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_file_of_the_project_loads_as_plain_safe_load_does(path: Path) -> None:
    """Strictness refuses only bad documents: every good one reads exactly as before."""
    text = path.read_text(encoding="utf-8")
    assert yamltext.safe_load(text) == yaml.safe_load(text)


def test_duplicate_keys_are_refused_at_every_level() -> None:
    assert problem("a: 1\nb: 2\na: 3\n") == (
        "duplicate key 'a' at line 3, column 1 (first given at line 1)"
    )
    assert "duplicate key 'x' at line 3, column 3" in problem("b:\n  x: 1\n  x: 2\n")
    assert "duplicate key 'y'" in problem("l: [{y: 1, y: 2}]\n")
    assert "duplicate key True" in problem("yes: 1\ntrue: 2\n")  # one key in YAML 1.1


def test_merge_keys_may_be_overridden() -> None:
    text = "base: &b {x: 1, y: 2}\nmid: &m {<<: *b, x: 2}\ntop: {<<: *m, y: 3}\n"
    data = yamltext.safe_load(text)
    assert data["mid"] == {"x": 2, "y": 2} and data["top"]["y"] == 3
    # A merge of a mapping that merges is resolved by PyYAML, and its versions differ
    # (6.0.4 gives top's x as 1, 6.0.3 as 2): the strict loader must agree with PyYAML's.
    assert data == yaml.safe_load(text)
    assert "duplicate key 'z'" in problem("base: &b {x: 1}\nmid: {<<: *b, z: 1, z: 2}\n")


def test_shared_aliases_within_bounds_load() -> None:
    text = "e: &e {dist: constant, value: 1}\nuses: [*e, *e, *e]\n"
    assert yamltext.safe_load(text)["uses"] == [{"dist": "constant", "value": 1}] * 3


def test_alias_expansion_depth_and_recursion_are_bounded() -> None:
    lines = ["l0: &l0 [" + ", ".join(["x"] * 10) + "]"]
    lines += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]" for i in range(1, 9)]
    assert "aliases expand to more than 1,000,000 values" in problem("\n".join(lines))
    assert "more than 1,000,000 values at line 1" in problem("a: [" + "1, " * 1_000_001 + "]")
    assert "nested deeper than 64 levels" in problem("a: " + "[" * 65 + "]" * 65)
    assert yamltext.safe_load("a: " + "[" * 63 + "]" * 63) is not None
    assert "lies inside the node it names" in problem("a: &r [1, *r]\n")
    assert "lies inside the node it names" in problem("a: &r {b: *r}\n")


def test_unsafe_tags_stay_refused() -> None:
    assert "python/object/apply:os.system" in problem("a: !!python/object/apply:os.system [ls]")


def test_files_that_are_no_input_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="not a regular file"):
        read_bytes("/dev/zero")
    with pytest.raises(InputFileError, match="a folder"):
        read_bytes(tmp_path)
    with pytest.raises(InputFileError, match="No such file"):
        read_bytes(tmp_path / "nothing.yaml")
    big = tmp_path / "big.yaml"
    with big.open("wb") as fh:
        fh.truncate(inputfiles.MAX_INPUT_BYTES + 1)
    with pytest.raises(InputFileError, match="more than the 50 MB an input file may hold"):
        read_bytes(big)
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe")
        with pytest.raises(InputFileError, match="not a regular file"):
            read_bytes(tmp_path / "pipe")  # refused before it is opened: no hang


def test_text_that_is_not_utf8_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: ok\ndescription: caf\xe9\n".encode("latin-1"))
    with pytest.raises(InputFileError) as info:
        read_text(path)
    assert str(info.value) == (
        f"cannot read {str(path)!r}: not UTF-8 text (byte 0xe9 at line 2, column 17); "
        "save it as UTF-8"
    )


def test_csv_rows_and_malformed_csv(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes("\ufeffa,b\n1,2\n".encode())
    assert read_csv(path) == (["a", "b"], [{"a": "1", "b": "2"}])
    path.write_text('a,b\n1,2\n3,4\n"' + "x" * 200_000 + '",5\n', encoding="utf-8")
    with pytest.raises(InputFileError, match="line 4: a field is longer than 131,072"):
        read_csv(path)
