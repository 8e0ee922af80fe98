"""One replication's record: the text of ``runs/NAME/rep-000007.json``, and back.

:func:`sealed_record` turns a finished replication into the exact text of its file (scenario
hashes, KPIs, flow balance, scored months, breakdown, per-part table, wall time, checksum);
:func:`result_of_record` turns a parsed record back into the RunResult the tables are built
from. Both are pure and import neither pandas nor the file system, so that a batch's worker
processes build the text next to the simulation (``sim.executors``) and the parent only
writes it (``sim.runstore``): on two cores the parent's share of a batch is the share the
workers cannot use.
"""

from __future__ import annotations

import json
from typing import Any

from sim.breakdownresults import BREAKDOWN_KEY, plain_breakdown
from sim.kpi import KPI_COLUMNS
from sim.model.centre import CENTRE_KPIS
from sim.model.records import CENTRE_PARTS_KEY, DEALERS_KEY, RunResult
from sim.partsresults import PARTS_KEY, plain_parts
from sim.repcheck import CHECKSUM_KEY, TRACE_CHECKSUMS_KEY, payload_digest, values_problem
from sim.scenario_region import Region, Simulated

FORMAT_VERSION = 2  # 2: with a checksum (sim.repcheck); 1 had none and is rerun


def run_hash(scenario: Simulated) -> str:
    """The scenario hash without ``run.replications``: what one replication depends on."""
    run = scenario.run.model_copy(update={"replications": 1})
    return scenario.model_copy(update={"run": run}).digest()


def sealed_record(
    scenario: Simulated,
    result: RunResult,
    seconds: float,
    *,
    worker: str = "",
    trace: bool = False,
    trace_checksums: dict[str, str] | None = None,
) -> tuple[str, dict[str, Any]]:
    """The text of ``result``'s replication file, checksum first, and the record that text
    holds (what ``json.loads`` of the text gives, without parsing it again).

    Raises ValueError for values a resume would refuse, so that no such file is written.
    """
    region = isinstance(scenario, Region)
    record: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "scenario": scenario.name,
        "replication": result.replication,
        "hash": scenario.digest(),
        "run_hash": run_hash(scenario),
        "seed": scenario.run.seed,
        "kpis": {k: result.kpis[k] for k in (CENTRE_KPIS if region else KPI_COLUMNS)},
        "flow": result.flow,
        "months": result.extra.get("months", []),
        "seconds": round(seconds, 6),
        "worker": worker,
        "trace": trace,
    }
    if trace:
        record[TRACE_CHECKSUMS_KEY] = trace_checksums or {}
    if region:
        record[DEALERS_KEY] = {
            name: _dealer_record(res) for name, res in result.extra[DEALERS_KEY].items()
        }
        centre = result.extra.get(CENTRE_PARTS_KEY)
        if centre is not None:
            record[CENTRE_PARTS_KEY] = {k: list(v) for k, v in centre.items()}
        return _sealed_text(record, None)
    record.update(_dealer_record(result))
    parts = record.pop(PARTS_KEY, None)
    return _sealed_text(record, parts)


def _dealer_record(result: RunResult) -> dict[str, Any]:
    """One dealer's KPIs, flow, months, breakdown and parts table as plain JSON values."""
    record: dict[str, Any] = {
        "kpis": {k: result.kpis[k] for k in KPI_COLUMNS},
        "flow": result.flow,
        "months": result.extra.get("months", []),
    }
    breakdown = result.extra.get(BREAKDOWN_KEY)
    if breakdown is not None:
        record[BREAKDOWN_KEY] = plain_breakdown(breakdown)
    parts = result.extra.get(PARTS_KEY)
    if parts is not None:
        record[PARTS_KEY] = plain_parts(parts)
    return record


def _sealed_text(
    record: dict[str, Any], parts: dict[str, list[Any]] | None
) -> tuple[str, dict[str, Any]]:
    """The record's text with its checksum first: the SHA-256 of the record as read back
    from that text (so floats, NaN and key order are exactly what a resume will see); and
    the record as read back, checksum first."""
    text = _record_text(record, parts)
    payload = json.loads(text)
    problem = values_problem(payload)
    if problem:
        where = f"{record['scenario']!r} replication {record['replication']}"
        raise ValueError(f"result of {where} cannot be stored: {problem}")
    digest = payload_digest(payload)
    # The checksum as the first key: the text json.dumps would give with it in front.
    if DEALERS_KEY in record:  # one compact line
        sealed = f'{{"{CHECKSUM_KEY}":"{digest}",{text[1:]}'
    else:  # indented by one space
        sealed = f'{{\n "{CHECKSUM_KEY}": "{digest}",{text[1:]}'
    return sealed, {CHECKSUM_KEY: digest, **payload}


def _record_text(record: dict[str, Any], parts: dict[str, list[Any]] | None) -> str:
    """The record as indented JSON; the parts table, if any, last, one line per column
    (one value per line would make a 2,000-part catalogue 24,000 lines). A region's record,
    every dealer's tables inside it, is one compact line."""
    if DEALERS_KEY in record:
        return json.dumps(record, separators=(",", ":")) + "\n"
    text = json.dumps(record, indent=1)
    if parts is None:
        return text + "\n"
    columns = ",\n".join(
        f"  {json.dumps(key)}: {json.dumps(values, separators=(', ', ': '))}"
        for key, values in parts.items()
    )
    return f'{text[:-2]},\n "{PARTS_KEY}": {{\n{columns}\n }}\n}}\n'


def result_of_record(scenario: Simulated, replication: int, record: dict[str, Any]) -> RunResult:
    """The RunResult a checked record holds (a region's with every dealer's inside)."""
    res = _dealer_result(scenario.name, replication, record)
    if isinstance(scenario, Region):
        res.extra[DEALERS_KEY] = {
            name: _dealer_result(name, replication, sub)
            for name, sub in record[DEALERS_KEY].items()
        }
        centre = record.get(CENTRE_PARTS_KEY)
        if centre is not None:
            res.extra[CENTRE_PARTS_KEY] = centre
    return res


def _dealer_result(name: str, rep: int, record: dict[str, Any]) -> RunResult:
    """A dealer's RunResult read back from its record."""
    res = RunResult(name, rep, dict(record["kpis"]), dict(record["flow"]))
    res.extra["months"] = list(record.get("months", []))
    parts = _parts_of(record)
    if parts is not None:
        res.extra[PARTS_KEY] = parts
    breakdown = _breakdown_of(record)
    if breakdown is not None:
        res.extra[BREAKDOWN_KEY] = breakdown
    return res


def _parts_of(record: dict[str, Any]) -> dict[str, list[Any]] | None:
    """The record's parts table; None when it has none (an older record) or it is malformed."""
    parts = record.get(PARTS_KEY)
    if not isinstance(parts, dict) or not all(isinstance(v, list) for v in parts.values()):
        return None
    return {str(k): list(v) for k, v in parts.items()}


def _breakdown_of(record: dict[str, Any]) -> dict[str, Any] | None:
    """The record's breakdown; None when it has none (an older record) or it is malformed."""
    try:
        return plain_breakdown(record[BREAKDOWN_KEY])
    except (KeyError, ValueError):
        return None
