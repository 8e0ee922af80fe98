"""Whether a stored replication file can be trusted: its checksum, then its values.

A replication file (``sim.runstore``) carries ``sha256``, the SHA-256 of the canonical JSON
(keys sorted, no spaces) of everything else in it, as parsed back from the file; with
``--trace`` also ``trace_sha256``, one per trace table file. ``--resume`` reruns a file
whose checksum is missing or does not match, and one whose values are not what the model
writes (a KPI that is not a number or null, a flow count that is not a number, ...), even
under a matching checksum. A record is checked the same way before it is written, so the
model can never write a file that the next resume would refuse.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sim.breakdownresults import BREAKDOWN_KEY, plain_breakdown
from sim.kpi import KPI_COLUMNS
from sim.model.centre import CENTRE_KPIS
from sim.model.records import CENTRE_PARTS_KEY, DEALERS_KEY
from sim.partsresults import PARTS_KEY

CHECKSUM_KEY = "sha256"
TRACE_CHECKSUMS_KEY = "trace_sha256"
# No KPI of a workshop comes near this (money in a year, counts, hours); a larger value is
# damage, and sums of squares over replications stay far from overflow.
KPI_LIMIT = 1e15


def payload_digest(payload: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of ``payload`` as canonical JSON: keys sorted, no spaces."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_digest(path: Path) -> str:
    """SHA-256 (hex) of a file's bytes."""
    sha = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def checksum_problem(record: Mapping[str, Any]) -> str | None:
    """Why ``record``'s checksum cannot vouch for it, or None when it matches."""
    stored = record.get(CHECKSUM_KEY)
    if stored is None:
        return "no checksum"
    payload = {k: v for k, v in record.items() if k != CHECKSUM_KEY}
    if stored != payload_digest(payload):
        return "checksum does not match its content"
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_finite(value: Any) -> bool:
    """A number that is neither NaN nor infinite (an int of any size is finite)."""
    return _is_number(value) and (isinstance(value, int) or math.isfinite(value))


def _kpi_problem(name: str, value: Any) -> str | None:
    if value is None:
        return None  # undefined in this replication (a zero denominator)
    if not _is_number(value):
        return f"KPI {name} is not a number: {json.dumps(value)[:40]}"
    if isinstance(value, float) and math.isnan(value):
        return None  # read as undefined, like null
    if not abs(value) <= KPI_LIMIT:
        return f"KPI {name} is out of range: {repr(value)[:40]}"
    return None


def _parts_problem(parts: Any) -> str | None:
    if not isinstance(parts, dict) or not all(isinstance(v, list) for v in parts.values()):
        return "parts table is malformed"
    if len({len(v) for v in parts.values()}) > 1:
        return "parts table columns differ in length"
    return None


def values_problem(record: Mapping[str, Any]) -> str | None:
    """Why ``record``'s values are not what the model writes, or None when they are.

    A region's record holds the centre's KPIs and, under ``dealers``, one dealer's record
    (its KPIs, flow, months, parts and breakdown) per dealer, each checked the same way."""
    if DEALERS_KEY in record:
        return _region_problem(record)
    return _dealer_problem(record, KPI_COLUMNS)


def _region_problem(record: Mapping[str, Any]) -> str | None:
    dealers = record[DEALERS_KEY]
    if not isinstance(dealers, dict) or not dealers:
        return "dealers are malformed"
    for name, sub in dealers.items():
        if not isinstance(sub, dict):
            return f"dealer {name} is malformed"
        problem = _dealer_problem(sub, KPI_COLUMNS)
        if problem:
            return f"dealer {name}: {problem}"
    centre = record.get(CENTRE_PARTS_KEY)
    if centre is not None and _parts_problem(centre):
        return "centre parts table is malformed"
    return _dealer_problem(record, CENTRE_KPIS)


def _dealer_problem(record: Mapping[str, Any], kpi_names: Sequence[str]) -> str | None:
    kpis = record.get("kpis")
    if not isinstance(kpis, dict):
        return "no KPIs"
    for name in kpi_names:
        if name not in kpis:
            return f"KPI {name} is missing"
        problem = _kpi_problem(name, kpis[name])
        if problem:
            return problem
    flow = record.get("flow")
    if not isinstance(flow, dict) or not all(_is_finite(v) for v in flow.values()):
        return "flow balance is malformed"
    months = record.get("months", [])
    if not isinstance(months, list) or not all(isinstance(m, dict) for m in months):
        return "months are malformed"
    seconds = record.get("seconds", 0.0)
    if not _is_finite(seconds):
        return "seconds is not a number"
    if not isinstance(record.get("worker", ""), str):
        return "worker is not a string"
    if PARTS_KEY in record:
        problem = _parts_problem(record[PARTS_KEY])
        if problem:
            return problem
    if BREAKDOWN_KEY in record:
        try:
            plain_breakdown(record[BREAKDOWN_KEY])
        except (KeyError, ValueError, TypeError, AttributeError):
            return "breakdown is malformed"
    return None
