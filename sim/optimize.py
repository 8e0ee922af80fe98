"""``run_sim.py optimize SCENARIO.yaml --target KPI=VALUE ...``: the least stock (or
logistics cost) whose simulated service meets every target, per part.

This module reads and checks the command line (exit 2 before anything runs), holds the
``--out`` folder, runs the search (``sim.optsearch``) on the executor the options ask for,
writes the files (``sim.optfiles``) and prints the answer beside the given sizes, both on
the confirmation's fresh random numbers.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.clierror import PROG, CliError
from sim.labels import Lang, kpi_label, tr

if TYPE_CHECKING:
    from sim.executors import Executor
    from sim.experiment import Simulate
    from sim.opteval import Eval, Space
    from sim.optsearch import Confirmed, Outcome, Row, Target
    from sim.progress import Progress
    from sim.scenario import Scenario

# the KPIs a target may name (sim.optmodel.LEVERS says how sizes move each)
TARGET_KPIS: tuple[str, ...] = (
    "fill_rate",
    "stocked_fill_rate",
    "parts_ready_rate",
    "on_time_rate",
)
OBJECTIVES: tuple[str, ...] = ("avg_inventory_value", "logistics_cost")
SIZE_NAMES = {"kanban": "cards", "order_up_to": "level_units", "reorder_point": "point_units"}


def parse_targets(items: Sequence[str]) -> list[Target]:
    """``KPI=VALUE`` items as targets; CliError naming the bad one."""
    from sim.optsearch import Target

    targets: list[Target] = []
    for item in items:
        kpi, sep, raw = item.partition("=")
        kpi = kpi.strip()
        if not sep:
            raise CliError(f"--target {item}: give KPI=VALUE, e.g. fill_rate=0.98")
        if kpi not in TARGET_KPIS:
            choices = ", ".join(TARGET_KPIS)
            raise CliError(f"--target {item}: {kpi!r} cannot be a target; choose from {choices}")
        try:
            value = float(raw)
        except ValueError:
            raise CliError(f"--target {item}: {raw!r} is not a number") from None
        if not 0 < value < 1:
            raise CliError(
                f"--target {item}: a rate's target lies in (0, 1), e.g. 0.98 for 98 %, not {raw}"
            )
        if any(t.kpi == kpi for t in targets):
            raise CliError(f"--target {item}: {kpi} is given twice")
        targets.append(Target(kpi, value))
    if not targets:
        raise CliError("give at least one --target KPI=VALUE")
    return targets


def positive_minutes(text: str) -> float:
    """An argparse type: minutes > 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number of minutes: {text!r}") from None
    if not value > 0 or not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be > 0 minutes, not {text}")
    return value


def add_parser(sub: Any, add_scenario: Any, add_executor: Any, add_lang: Any) -> None:
    """The ``optimize`` subcommand (``sim.cli`` passes its option helpers)."""
    p = sub.add_parser(
        "optimize",
        help="find per-part sizes that meet service targets at the least stock, by simulation",
    )
    p.add_argument("scenario", metavar="SCENARIO.yaml", help="the scenario file")
    p.add_argument(
        "--target",
        action="append",
        default=[],
        metavar="KPI=VALUE",
        help=f"a service target (mean >= VALUE), KPI one of {', '.join(TARGET_KPIS)}; repeat "
        "for several",
    )
    p.add_argument(
        "--objective",
        choices=OBJECTIVES,
        default=OBJECTIVES[0],
        help="what to make least (default avg_inventory_value, the stock's value)",
    )
    p.add_argument(
        "--budget", type=positive_minutes, metavar="MINUTES", help="stop searching after this"
    )
    p.add_argument(
        "--out", metavar="DIR", help="the results folder (default: results/NAME-optimize)"
    )
    add_scenario(p, "replications per point (run.replications; at least 2)")
    add_executor(p)
    add_lang(p)


# --- output --------------------------------------------------------------------------------


def _cell(kpi: str, ev: Eval) -> str:
    from sim.labels import clip_interval
    from sim.readout import format_row, shown

    ci = ev.interval(kpi)
    low, high, _cut = clip_interval(kpi, ci.ci_low, ci.ci_high)
    mean, lo, hi = format_row([shown(kpi, v) for v in (ci.mean, low, high)])
    return f"{mean} [{lo}, {hi}]"


def _paired(kpi: str, done: Confirmed, lang: Lang, currency: str) -> str:
    """The change from the given sizes, with the 95 % interval of the paired differences."""
    from sim.experiment import t_interval
    from sim.readout import _change

    a, b = done.check.values[kpi], done.given.values[kpi]
    diffs = [x - y for x, y in zip(a, b, strict=True) if x is not None and y is not None]
    ci = t_interval(diffs)
    base = done.given.mean(kpi)
    text, interval = _change(kpi, ci.mean, ci.ci_low, ci.ci_high, base, lang, currency)
    return f"{text} {interval}"


def size_label(policy: str, lang: Lang) -> str:
    return {
        "kanban": tr("kanban cards", lang),
        "order_up_to": tr("order-up-to levels (units)", lang),
        "reorder_point": tr("reorder points (units)", lang),
    }[policy]


def answer_table(
    space: Space, done: Confirmed, targets: Sequence[Target], objective: str, lang: Lang
) -> str:
    """Given sizes against the answer, on the confirmation's random numbers."""
    from sim.texttable import text_table

    currency = space.base.economics.currency
    kpis = list(dict.fromkeys([objective, *(t.kpi for t in targets), "avg_inventory_value"]))
    names = [kpi_label(k, lang, currency) for k in kpis]
    given = [_cell(k, done.given) for k in kpis]
    found = [_cell(k, done.check) for k in kpis]
    change = [_paired(k, done, lang, currency) for k in kpis]
    g, f = space.total(space.given), space.total(done.sizes)
    names.append(size_label(space.rule.policy, lang))
    given.append(f"{g:,}")
    found.append(f"{f:,}")
    change.append(f"{f - g:+,}" + (f" ({(f - g) / g * 100:+.1f} %)" if g else ""))
    columns = {
        tr("given sizes", lang): given,
        tr("optimised", lang): found,
        tr("change, paired 95% interval", lang): change,
    }
    return text_table(names, columns)


def step_line(what: str, row: Row, targets: Sequence[Target], objective: str, lang: Lang) -> str:
    """One progress line of the search."""
    from sim.readout import format_row, shown

    kpis = ", ".join(
        f"{kpi_label(t.kpi, lang)} {format_row([shown(t.kpi, row.ev.mean(t.kpi))])[0]}"
        for t in targets
    )
    words = {
        "given": tr("given sizes", lang),
        "kept": tr("kept", lang),
        "confirmed": tr("confirmed on fresh random numbers", lang),
        "missed": tr("missed on fresh random numbers", lang),
    }[what]
    return tr("step {step} {what}: point {point}, {objective} {value}, {kpis}", lang).format(
        step=row.step,
        what=words,
        point=row.point,
        objective=kpi_label(objective, lang),
        value=f"{row.ev.mean(objective):,.0f}",
        kpis=kpis,
    )


# --- the command ---------------------------------------------------------------------------


def _progress(lang: Lang) -> Any:
    from sim.progress import Progress

    def make(total: int, desc: str) -> Progress:
        return Progress(total, desc=desc)

    return make


def _block(
    scn: Scenario, args: argparse.Namespace, targets: Sequence[Target], reps: int
) -> dict[str, Any]:
    from sim.optmodel import RULES

    rule = RULES[scn.supply.policy]
    return {
        "status": "searching",
        "scenario": scn.name,
        "file": str(Path(args.scenario).resolve()),
        "policy": rule.policy,
        "size": f"supply.{rule.policy}.{rule.field}",
        "column": rule.column,
        "targets": {t.kpi: t.value for t in targets},
        "objective": args.objective,
        "replications": reps,
        "search_seed": scn.run.seed,
        "budget_minutes": args.budget,
    }


def _figures(ev: Eval, kpis: Sequence[str]) -> dict[str, list[float]]:
    out = {}
    for k in kpis:
        ci = ev.interval(k)
        out[k] = [ci.mean, ci.ci_low, ci.ci_high]
    return out


def cmd_optimize(
    args: argparse.Namespace,
    argv: Sequence[str],
    simulate: Simulate | None,
    executor_for: Callable[[argparse.Namespace], Executor],
) -> int:
    """``optimize SCENARIO.yaml``: check the input, search, write, print; the exit code.

    ``executor_for(args)`` makes the executor of ``--executor/--workers/--scheduler`` (a
    CliError for a bad combination), as for ``batch`` (``sim.commands``)."""
    from sim.loading import is_batch_file, load_scenario
    from sim.results import ResultsError, check_out_dir, file_stem, hold_out_dir

    targets = parse_targets(args.target)
    if is_batch_file(args.scenario):
        raise CliError(f"{args.scenario}: is a batch file; optimize takes one scenario")
    if args.reps is not None and args.reps < 2:
        raise CliError(f"--reps {args.reps}: a point needs at least 2 replications (intervals)")
    scn = load_scenario(
        args.scenario, args.overrides, horizon=args.horizon, replications=args.reps, seed=args.seed
    )
    reps = scn.run.replications
    if reps < 2:
        raise CliError(
            f"{args.scenario}: run.replications is {reps}; a point needs at least 2 (--reps)"
        )
    lang: Lang = args.lang
    out = Path(args.out) if args.out else Path("results") / f"{file_stem(scn.name)}-optimize"
    try:
        check_out_dir(out)
    except ResultsError as exc:
        raise CliError(str(exc)) from None
    if args.objective == "logistics_cost" and scn.economics.holding_rate == 0:
        print(
            "warning: economics.holding_rate is 0: stock costs nothing in logistics_cost",
            file=sys.stderr,
        )
    with hold_out_dir(out), executor_for(args) as executor:
        return _run(args, argv, simulate, scn, targets, reps, out, executor, lang)


def _run(
    args: argparse.Namespace,
    argv: Sequence[str],
    simulate: Simulate | None,
    scn: Scenario,
    targets: list[Target],
    reps: int,
    out: Path,
    executor: Any,
    lang: Lang,
) -> int:
    import time

    from sim import optfiles
    from sim.opteval import Evaluator, Space
    from sim.optmodel import RULES, Costs
    from sim.optsearch import Infeasible, Search

    started = datetime.now(UTC)
    clock0 = time.monotonic()
    rule = RULES[scn.supply.policy]
    command = [PROG, *argv]
    block = _block(scn, args, targets, reps)
    space = Space(scn, rule, reps, out / optfiles.WORK_DIR)
    if not space.stocked.any():
        raise CliError(f"{args.scenario}: no part is stocked (supply.stocking): nothing to size")
    optfiles.start_folder(out, command, block)
    evaluator = Evaluator(space, executor, simulate, _progress(lang))
    days = scn.run.horizon / 1440
    holding = 1.0
    emergency = 0.0
    if args.objective == "logistics_cost":
        holding = scn.economics.holding_rate * days / 365
        emergency = scn.supply.emergency.cost if scn.supply.emergency.enabled else 0.0
    costs = Costs(space.unit_cost, holding, emergency)
    size_name = SIZE_NAMES[rule.policy]

    def on_path(rows: list[Row]) -> None:
        optfiles.write_path(out, rows, targets, args.objective, size_name)

    def answer_block(done: Confirmed, status: str, **more: Any) -> dict[str, Any]:
        kpis = list(dict.fromkeys([args.objective, *(t.kpi for t in targets)]))
        return {
            **block,
            "status": status,
            "confirmation_seed": done.seed,
            "answer_point": done.point,
            "given": _figures(done.given, kpis),
            "answer": _figures(done.check, kpis),
            "answer_search": _figures(done.search, kpis),
            "size_total": {"given": space.total(space.given), "answer": space.total(done.sizes)},
            **more,
        }

    def on_answer(done: Confirmed) -> None:
        optfiles.write_answer(
            out, space, done, answer_block(done, "confirmed"), command, started, scn.run.seed
        )

    def say(what: str, row: Row) -> None:
        from sim.progress import format_eta

        spent = time.monotonic() - clock0
        when = tr("{spent} elapsed", lang).format(spent=format_eta(spent))
        if args.budget is not None:
            left = format_eta(max(0.0, args.budget * 60 - spent))
            when += tr(", at most {left} left (the budget)", lang).format(left=left)
        line = step_line(what, row, targets, args.objective, lang)
        print(f"{line}; {when}", file=sys.stderr, flush=True)

    search = Search(
        evaluator,
        targets,
        args.objective,
        costs,
        budget=None if args.budget is None else args.budget * 60,
        on_path=on_path,
        on_answer=on_answer,
        say=say,
    )
    try:
        outcome = search.run()
    except Infeasible as exc:
        on_path(search.rows)
        optfiles.update_status(out, status="infeasible", stop=str(exc))
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        with optfiles.deferred_interrupt():
            on_path(search.rows)
            status = "interrupted" if search.answer is not None else "interrupted, no answer"
            optfiles.update_status(out, status=status)
        where = (
            tr("the best confirmed answer so far is in {out}", lang).format(out=out)
            if search.answer is not None
            else tr("no answer was confirmed yet; the path so far is in {path}", lang).format(
                path=out / optfiles.PATH_FILE
            )
        )
        print(f"error: {tr('interrupted', lang)}; {where}", file=sys.stderr)
        return 1
    finally:
        optfiles.clear_work(out)
    wall = time.monotonic() - clock0
    done = outcome.answer
    if done is not None and not outcome.confirmed:  # says so plainly, files and all
        optfiles.write_answer(
            out, space, done, answer_block(done, "not confirmed"), command, started, scn.run.seed
        )
    if done is not None:
        optfiles.update_status(
            out,
            stop=outcome.reason,
            points=len({r.point for r in outcome.rows}),
            steps=max(r.step for r in outcome.rows),
            margins=outcome.margins,
            wall_seconds=round(wall, 1),
        )
    else:
        optfiles.update_status(out, status="no answer", stop=outcome.reason)
    _print(space, outcome, targets, args.objective, reps, out, wall, lang)
    return 0 if outcome.confirmed else 1


def _print(
    space: Space,
    outcome: Outcome,
    targets: Sequence[Target],
    objective: str,
    reps: int,
    out: Path,
    wall: float,
    lang: Lang,
) -> None:
    from sim.progress import format_eta

    currency = space.base.economics.currency
    base = space.base
    aims = ", ".join(f"{kpi_label(t.kpi, lang, currency)} >= {t.value * 100:g}" for t in targets)
    print(
        tr(
            "optimize {name}: {size} of {n} stocked parts, least {objective}, targets {aims}",
            lang,
        ).format(
            name=base.name,
            size=size_label(space.rule.policy, lang),
            n=f"{int(space.stocked.sum()):,}",
            objective=kpi_label(objective, lang, currency),
            aims=aims,
        )
    )
    steps = max(r.step for r in outcome.rows)
    points = len({r.point for r in outcome.rows})
    reason = {
        "no move helps": tr("no move helps", lang),
        "budget": tr("the budget is spent", lang),
        "confirmations missed": tr("confirmation missed too often", lang),
        "rounds": tr("the round limit", lang),
    }.get(outcome.reason, outcome.reason)
    print(
        tr(
            "search: {points} points in {steps} steps on seed {seed}, {reps} replications "
            "each; stopped: {reason}; {wall}",
            lang,
        ).format(
            points=points,
            steps=steps,
            seed="+".join(str(x) for x in outcome.seeds),
            reps=reps,
            reason=reason,
            wall=format_eta(wall),
        )
    )
    done = outcome.answer
    if done is None:
        near = outcome.closest
        best = (
            "; ".join(
                f"{kpi_label(t.kpi, lang, currency)} {_cell(t.kpi, near.ev)}" for t in targets
            )
            if near is not None
            else ""
        )
        text = tr("no point met every target on the search seed; the closest kept: {best}", lang)
        print(text.format(best=best))
        print(f"results: {out}")
        return
    if outcome.confirmed:
        verdict = tr("every target met", lang)
    else:
        missed = [
            f"{kpi_label(t.kpi, lang, currency)} {_cell(t.kpi, done.check)} < {t.value * 100:g}"
            for t in targets
            if done.check.mean(t.kpi) < t.value
        ]
        verdict = tr("NOT confirmed: {missed}", lang).format(missed="; ".join(missed))
    checked = tr(
        "checked on fresh random numbers (seed {seed}, {reps} replications): {verdict}", lang
    )
    print(checked.format(seed=done.seed, reps=reps, verdict=verdict))
    print()
    print(answer_table(space, done, targets, objective, lang))
    print()
    print(f"results: {out}")
