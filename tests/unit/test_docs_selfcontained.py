"""The repository's documentation stands on its own.

A reader of the code or the docs must never be sent to a design file the repository does not
hold, and `docs/architecture.md`'s module table must name every module of `sim` (it carries no
line counts: they went stale within a week when they were kept by hand).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Spelt in two pieces so that this file does not match its own search.
OUTSIDE_SPEC = "DESIGN" + ".md"
TEXT_SUFFIXES = {".py", ".md", ".yaml", ".yml", ".toml", ".ipynb", ".txt", ".cfg"}


def _tracked_text_files() -> list[Path]:
    out = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return [ROOT / f for f in out if Path(f).suffix in TEXT_SUFFIXES and (ROOT / f).is_file()]


def test_no_file_cites_a_design_file_outside_the_repository() -> None:
    citing = [
        str(p.relative_to(ROOT))
        for p in _tracked_text_files()
        if OUTSIDE_SPEC in p.read_text(encoding="utf-8", errors="replace")
    ]
    assert citing == []


def _module_table() -> list[list[str]]:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = text.split("\n## Modules\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows]


def test_the_module_table_names_every_module_and_counts_no_lines() -> None:
    table = _module_table()
    header = table[0]
    assert header == ["module", "does"]
    named = {m for row in table[2:] for m in re.findall(r"`([^`]+\.py)`", row[0])}
    modules = {
        str(p.relative_to(ROOT))
        for p in (ROOT / "sim").rglob("*.py")
        if p.name != "__init__.py" or p.parent.name == "policies"
    }
    assert sorted(modules - named) == [], "modules missing from docs/architecture.md"
    missing = sorted(m for m in named if not (ROOT / m).is_file())
    assert missing == [], "docs/architecture.md names modules that do not exist"
