"""Rewrite the stored back-test fingerprints: ``python -m tests.backtest.regenerate [KEY ...]``.

Only for a deliberate change of results (say so in CHANGELOG.md, in the same commit, and
run the validation tier). Writes ``tests/backtest/stored/KEY.json`` for each case, or for
the named ones.
"""

from __future__ import annotations

import json
import sys

from tests.backtest.cases import CASES, STORED, fingerprint


def main(keys: list[str]) -> None:
    """Fingerprint the cases and write their files."""
    unknown = set(keys) - {c.key for c in CASES}
    if unknown:
        sys.exit(f"error: unknown back-test case(s): {', '.join(sorted(unknown))}")
    STORED.mkdir(exist_ok=True)
    for case in CASES:
        if keys and case.key not in keys:
            continue
        path = STORED / f"{case.key}.json"
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(fingerprint(case), indent=1, sort_keys=True) + "\n")
        tmp.replace(path)
        print(f"wrote {path.relative_to(STORED.parent.parent.parent)}")


if __name__ == "__main__":
    main(sys.argv[1:])
