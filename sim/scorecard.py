"""The monthly after-sales scorecard: simulated months, their summary, and one-sheet scoring.

Rules and the score of one month are in ``sim.scorecard_rules``. Here:

- ``scorecard_table(results, scenario)`` (``scorecards_frame`` as a DataFrame): every
  replication-month of a scenario scored against ``scenario.scorecard`` (the rows of
  ``scorecards.csv``), from the month rows the model puts in ``RunResult.extra["months"]``;
- ``scorecard_summary_table(columns, rows)`` (``scorecard_summary(frame)``): mean total
  score, P(month vetoed) and P(each veto rule fires) with 95 % t-intervals. Months of one
  replication share its state, so they are not independent: each replication's months are
  averaged first and the interval is taken over replications, which are;
- ``scorecard_command(path, as_json)``: ``run_sim.py scorecard SHEET.yaml [--json]``.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field, ValidationError

from sim.labels import Lang, kpi_name, tr
from sim.scorecard_rules import (
    Card,
    ItemRule,
    Rules,
    RulesError,
    StrictModel,
    VetoRule,
    default_rules,
    load_rules,
    merge_rules,
    score_card,
)
from sim.texttable import text_table

if TYPE_CHECKING:
    import pandas as pd

    from sim.model.records import RunResult
    from sim.scenario import Scenario

ID_COLUMNS: tuple[str, ...] = ("scenario", "replication", "month")
SUMMARY_COLUMNS: tuple[str, ...] = (
    "scenario",
    "measure",
    "mean",
    "std",
    "ci_low",
    "ci_high",
    "n",
    "months",
)
MONTHS_KEY = "months"
Number = Annotated[float, Field(strict=True)]  # a YAML number: no strings, no true/false


# --- simulated months ---------------------------------------------------------------------


def score_column(item: str) -> str:
    """The column of an item's score in ``scorecards.csv``."""
    return f"{item}_score"


def veto_column(rule: str) -> str:
    """The column of a veto rule's flag in ``scorecards.csv`` (empty: not evaluated)."""
    return f"veto_{rule}"


def scorecard_columns(rules: Rules, targets: Mapping[str, float]) -> list[str]:
    """The columns of ``scorecards.csv``: ids, actuals read, item scores, veto flags, totals."""
    items = [name for name in rules.items if name in targets]
    vetoes = rules.active_vetoes()
    read = [*items]
    for name in items:
        rate_of = rules.items[name].rate_of
        if rate_of and rate_of not in read:
            read.append(rate_of)
    read += [v.actual for v in vetoes.values() if v.actual and v.actual not in read]
    return [
        *ID_COLUMNS,
        *read,
        *(score_column(i) for i in items),
        *(veto_column(v) for v in vetoes),
        "total",
        "total_before_vetoes",
        "max_total",
        "vetoed",
    ]


def card_row(card: Card, actuals: Mapping[str, Any], columns: Sequence[str]) -> dict[str, Any]:
    """One month's row (without the ids) for ``scorecards.csv``."""
    row: dict[str, Any] = {}
    for col in columns:
        if col in ID_COLUMNS:
            continue
        if col.startswith("veto_") and col[5:] in card.vetoes:
            row[col] = card.vetoes[col[5:]]
        elif col.endswith("_score") and col[:-6] in card.items:
            row[col] = card.items[col[:-6]].score
        elif col in ("total", "total_before_vetoes", "max_total", "vetoed"):
            row[col] = getattr(card, col)
        else:
            value = actuals.get(col)
            row[col] = math.nan if value is None else float(value)
    return row


def _month_rows(result: RunResult) -> list[Mapping[str, Any]]:
    months = result.extra.get(MONTHS_KEY) if isinstance(result.extra, Mapping) else None
    if months is None:
        raise ValueError(
            f"result ({result.scenario!r}, {result.replication}) has no month rows "
            f"(extra[{MONTHS_KEY!r}]) to score"
        )
    return list(months)


def scorecard_table(
    results: Iterable[RunResult], scenario: Scenario
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Every replication-month of ``results`` scored against ``scenario.scorecard``: the
    columns and the rows (plain tuples) of ``scorecards.csv``.

    Columns: ``scenario, replication, month``, the actuals the rules read, each scored
    item's score after vetoes (``NAME_score``), each switched-on veto rule's flag
    (``veto_NAME``: True, False, or None when its measure is undefined that month),
    ``total``, ``total_before_vetoes`` (what the items earned), ``max_total`` (the weights
    scored) and ``vetoed``. Without scorecard targets there are only the id columns and no
    rows.
    """
    card = scenario.scorecard
    if card is None or not card.targets:
        return list(ID_COLUMNS), []
    rules = card.resolved_rules()
    columns = scorecard_columns(rules, card.targets)
    needed = [c for c in columns[len(ID_COLUMNS) :] if c in rules.actual_names()]
    rows = []
    for res in results:
        for month in _month_rows(res):
            missing = [k for k in ("month", *needed) if k not in month]
            if missing:
                raise ValueError(
                    f"month row of ({res.scenario!r}, {res.replication}) lacks {', '.join(missing)}"
                )
            scored = card_row(score_card(rules, card.targets, month), month, columns)
            ids = (res.scenario, int(res.replication), int(month["month"]))
            rows.append((*ids, *(scored[c] for c in columns[len(ID_COLUMNS) :])))
    return columns, rows


def scorecards_frame(results: Iterable[RunResult], scenario: Scenario) -> pd.DataFrame:
    """:func:`scorecard_table` as a DataFrame: flags as objects (True/False/None), numbers
    as floats, ``replication`` and ``month`` as int64."""
    import pandas as pd

    columns, rows = scorecard_table(results, scenario)
    if len(columns) == len(ID_COLUMNS):
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame(rows, columns=columns)
    for col in columns:
        if col.startswith("veto_") or col == "vetoed":
            frame[col] = frame[col].astype(object)
    return frame.astype({"replication": "int64", "month": "int64"})


def read_scorecards(out: str | Path) -> pd.DataFrame:
    """``scorecards.csv`` of a results folder: flags as True/False/None, numbers as floats."""
    import pandas as pd

    frame = pd.read_csv(Path(out) / "scorecards.csv", dtype={"scenario": str})
    for col in frame.columns:
        if col.startswith("veto_") or col == "vetoed":
            frame[col] = [_flag(v) for v in frame[col]]
    return frame


def _flag(value: Any) -> bool | None:
    if isinstance(value, str):
        return {"true": True, "false": False}.get(value.strip().lower())
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return bool(value)


def _as_float(value: Any) -> float:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return math.nan
    return float(value)


def _mean_defined(values: Sequence[float]) -> float:
    """The mean of the values that are not NaN (NaN when none is)."""
    xs = [v for v in values if not math.isnan(v)]
    return math.fsum(xs) / len(xs) if xs else math.nan


def scorecard_summary_table(
    columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> list[tuple[Any, ...]]:
    """Per scenario: mean total score, P(month vetoed), P(each veto rule fires) and each
    item's mean score, with 95 % t-intervals over replications; rows in ``SUMMARY_COLUMNS``.

    ``columns`` names the cells of ``rows`` (the rows of ``scorecards.csv``). ``measure`` is
    ``total``, ``total_before_vetoes``, ``vetoed``, ``veto_NAME`` or ``NAME_score``; ``n``
    counts the replications (those with at least one month where the measure is defined),
    ``months`` the replication-months behind the mean. Each replication's months are
    averaged first (an exactly rounded sum). Intervals of probabilities are clipped to
    [0, 1] (the t-interval is an approximation there).
    """
    from sim.experiment import t_interval

    rows = list(rows)
    if not rows or not columns:
        return []
    absent = [c for c in (*ID_COLUMNS, "total", "vetoed") if c not in columns]
    if absent:
        raise ValueError(f"scorecards lack column(s) {', '.join(absent)}")
    measures = [
        "total",
        *(["total_before_vetoes"] if "total_before_vetoes" in columns else []),
        "vetoed",
        *(c for c in columns if c.startswith("veto_")),
        *(c for c in columns if c.endswith("_score")),
    ]
    at = {c: i for i, c in enumerate(columns)}
    i_scn, i_rep = at["scenario"], at["replication"]
    blocks: dict[Any, list[Sequence[Any]]] = {}
    for row in rows:
        blocks.setdefault(row[i_scn], []).append(row)
    out = []
    for name, block in blocks.items():
        for measure in measures:
            i = at[measure]
            per_rep: dict[Any, list[float]] = {}
            for row in block:
                per_rep.setdefault(row[i_rep], []).append(_as_float(row[i]))
            ci = t_interval([_mean_defined(v) for v in per_rep.values()])
            low, high = ci.ci_low, ci.ci_high
            if measure == "vetoed" or measure.startswith("veto_"):  # a probability
                low, high = max(0.0, low), min(1.0, high)
            months = sum(not math.isnan(v) for vals in per_rep.values() for v in vals)
            out.append((name, measure, ci.mean, ci.std, low, high, ci.n, months))
    return out


def scorecard_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """:func:`scorecard_summary_table` of a scorecards frame, as a DataFrame."""
    import pandas as pd

    rows = scorecard_summary_table(list(frame.columns), frame.itertuples(index=False, name=None))
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS)).astype(
        {"n": "int64", "months": "int64"}
    )


def scorecard_kpi_rows(summary: Iterable[Sequence[Any]]) -> list[tuple[Any, ...]]:
    """Rows of :func:`scorecard_summary_table` in the columns of ``summary.csv``
    (``scenario, kpi, mean, std, ci_low, ci_high, n``), the measures named
    ``scorecard_total``, ``scorecard_vetoed``, ``scorecard_veto_RULE``, ...: rows to append
    to a results folder's summary."""
    return [(row[0], f"scorecard_{row[1]}", *row[2:7]) for row in summary]


def scorecard_summary_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """:func:`scorecard_kpi_rows` of a scorecards frame, as a DataFrame."""
    import pandas as pd

    from sim.experiment import SUMMARY_COLUMNS as KPI_SUMMARY_COLUMNS

    summary = scorecard_summary_table(list(frame.columns), frame.itertuples(index=False, name=None))
    rows = pd.DataFrame(scorecard_kpi_rows(summary), columns=list(KPI_SUMMARY_COLUMNS))
    return rows.astype({"n": "int64"})


# --- one sheet ----------------------------------------------------------------------------


class SheetError(ValueError):
    """A bad sheet; ``str(err)`` is the one-line message naming the file and the field."""

    def __init__(self, file: str | Path, field: str, message: str):
        self.file, self.field, self.message = str(file), field, message
        super().__init__(f"{file}: {field}: {message}" if field else f"{file}: {message}")


class Sheet(StrictModel):
    """One month's scorecard sheet: targets, actuals, optional rules and inline overrides."""

    month: str | None = None
    targets: dict[str, Number] = Field(min_length=1)
    actuals: dict[str, Number]
    rules: str | None = None
    items: dict[str, ItemRule] = Field(default_factory=dict)
    vetoes: dict[str, VetoRule] = Field(default_factory=dict)


def _pydantic_error(file: str | Path, raw: Any, exc: ValidationError) -> SheetError:
    from sim.loading import _pick_error

    loc, msg = _pick_error(raw, exc.errors(), Sheet)
    return SheetError(file, ".".join(str(p) for p in loc), msg)


def _sheet_rules(file: Path, sheet: Sheet) -> Rules:
    try:
        base = default_rules() if sheet.rules is None else load_rules(file.parent / sheet.rules)
        return merge_rules(base, sheet.items, sheet.vetoes) if sheet.items or sheet.vetoes else base
    except RulesError as exc:
        raise SheetError(file, exc.field, exc.message) from None


def _check_sheet(file: Path, sheet: Sheet, rules: Rules) -> None:
    names = rules.actual_names()
    for key, value in sheet.targets.items():
        if key not in rules.items:
            items = ", ".join(rules.items)
            raise SheetError(file, f"targets.{key}", f"not a scorecard item (items: {items})")
        if not (math.isfinite(value) and value > 0):
            raise SheetError(file, f"targets.{key}", f"must be a number > 0, not {value!r}")
    for key, value in sheet.actuals.items():
        if key not in names:
            raise SheetError(file, f"actuals.{key}", f"unknown actual (known: {', '.join(names)})")
        if not math.isfinite(value):
            raise SheetError(file, f"actuals.{key}", f"must be a finite number, not {value!r}")
        item = rules.items.get(key)
        if (item is None or (item.score or "completion") == "completion") and value < 0:
            raise SheetError(file, f"actuals.{key}", f"must be >= 0, not {value!r}")
        if key.endswith("_rate") and not 0 <= value <= 1:
            raise SheetError(file, f"actuals.{key}", f"a rate lies in [0, 1], not {value!r}")
    for key in sheet.targets:
        if key not in sheet.actuals:
            raise SheetError(file, f"actuals.{key}", "required key is missing (it has a target)")
        rate_of = rules.items[key].rate_of
        if rate_of and rate_of not in sheet.actuals:
            raise SheetError(
                file, f"actuals.{rate_of}", f"required key is missing ({key} scores on its rate)"
            )
    for vname, rule in rules.active_vetoes().items():
        if rule.actual and rule.actual not in sheet.actuals:
            raise SheetError(
                file,
                f"actuals.{rule.actual}",
                f"required key is missing (veto {vname} reads it; to switch the rule off "
                f"write vetoes: {{{vname}: {{enabled: false}}}})",
            )


def load_sheet(path: str | Path) -> tuple[Sheet, Rules]:
    """Read and check a sheet; SheetError names the file and the field."""
    from sim.loading import ScenarioError, read_yaml

    file = Path(path)
    try:
        raw = read_yaml(file)
    except ScenarioError as exc:
        raise SheetError(path, exc.field, exc.message) from None
    try:
        sheet = Sheet.model_validate(raw)
    except ValidationError as exc:
        raise _pydantic_error(path, raw, exc) from None
    rules = _sheet_rules(file, sheet)
    _check_sheet(file, sheet, rules)
    return sheet, rules


def score_sheet(path: str | Path) -> Card:
    """The scorecard of the month a sheet describes."""
    sheet, rules = load_sheet(path)
    return score_card(rules, sheet.targets, sheet.actuals)


def _number(x: float) -> str:
    if math.isnan(x):
        return ""
    if x.is_integer():
        return f"{x:,.0f}"
    return f"{x:,.1f}" if abs(x) >= 100 else f"{x:.4g}"


def _percent(x: float | None) -> str:
    return "" if x is None or math.isnan(x) else f"{100 * x:.1f} %"


def card_text(card: Card, rules: Rules, title: str = "", lang: Lang = "en") -> str:
    """The text table: target, actual, completion, score (one decimal) and veto per item,
    the total, each veto rule and whether the month is vetoed; items named in ``lang``."""
    rows = []
    for name, it in card.items.items():
        rows.append(
            [
                kpi_name(name, lang),
                _number(it.target),
                _number(it.actual),
                _percent(it.completion),
                f"{it.score:.1f}",
                f"{it.weight:g}",
                ", ".join(it.vetoed_by) if it.veto else "-",
            ]
        )
    rows.append([tr("total", lang), "", "", "", f"{card.total:.1f}", f"{card.max_total:g}", ""])
    headers = ["target", "actual", "completion", "score", "of", "veto"]
    table = text_table(
        [r[0] for r in rows],
        {tr(h, lang): [r[i + 1] for r in rows] for i, h in enumerate(headers)},
        index_name=tr("item", lang),
    )
    lines = [title] if title else []
    lines.append(table)
    for name, it in card.items.items():
        rule = rules.items[name]
        if it.rate is not None and rule.rate_of is not None:  # rate_of is set when it scores
            lines.append(
                tr(
                    "{name} scores on its rate ({name} / {of}) {rate} against {target}; its "
                    "target is shown, not scored",
                    lang,
                ).format(
                    name=kpi_name(name, lang),
                    of=kpi_name(rule.rate_of, lang),
                    rate=_percent(it.rate),
                    target=_percent(rule.rate_target),
                )
            )
    for vname, fired in card.vetoes.items():
        veto = rules.vetoes[vname]
        state = {True: "FIRES", False: "no", None: "not evaluated (no measure)"}[fired]
        scope = (
            tr("the whole card", lang)
            if veto.veto_scope == "card"
            else ", ".join(kpi_name(z, lang) for z in rules.zeroes(vname))
        )
        lines.append(
            tr("veto {veto} ({measure} {condition}, zeroes {scope}): {state}", lang).format(
                veto=vname,
                measure=kpi_name(veto.measure, lang),
                condition=veto.condition,
                scope=scope,
                state=tr(state, lang),
            )
        )
    lines.append(
        tr("month vetoed: {answer}", lang).format(answer=tr("yes" if card.vetoed else "no", lang))
    )
    return "\n".join(lines)


def scorecard_command(path: str, as_json: bool = False, lang: Lang = "en") -> int:
    """``run_sim.py scorecard SHEET.yaml [--json]``: print the month's scorecard.

    Returns 0, or 2 after one ``error: FILE: FIELD: message`` line for a bad sheet.
    """
    try:
        sheet, rules = load_sheet(path)
    except SheetError as exc:
        print(f"error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    card = score_card(rules, sheet.targets, sheet.actuals)
    if as_json:
        print(json.dumps(card.as_json(), indent=2, ensure_ascii=False))
    else:
        title = f"scorecard {path}" + (f" ({sheet.month})" if sheet.month else "")
        print(card_text(card, rules, title, lang))
    return 0
