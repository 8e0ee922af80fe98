"""The command line: ``python run_sim.py [run|batch|validate|warmup|reps|optimize|...]``.

Commands are described in docs/architecture.md, "Command line". ``batch``, ``warmup`` and
``reps`` live in ``sim.commands``, ``optimize`` in ``sim.optimize``, ``scorecard`` in
``sim.scorecard``, ``report`` in
``sim.report`` (its spreadsheet in ``sim.xlsxresults``) and ``schema`` in ``sim.schema``.

Exit codes are part of the contract: 0 success, 2 bad input (one ``error: ...`` line on
stderr naming the file and the dotted path of the field, no traceback), 1 anything else.
The model is imported only when a run starts, so ``validate`` and input errors answer
quickly; tqdm only for a progress bar on a terminal; pandas, the executors and batches
never by ``run`` (without ``--trace``), which writes and prints plain rows.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import sim
from sim.clierror import PROG, CliError
from sim.labels import LANGS, Lang
from sim.loading import ScenarioError, is_batch_file, load_scenario
from sim.outdir import ResultsError
from sim.readout import kpi_table
from sim.scenario import MAX_REPLICATIONS, Scenario
from sim.units import format_duration

if TYPE_CHECKING:
    from tqdm import tqdm

    from sim.experiment import Simulate

DEFAULT_SCENARIO = Path("scenarios") / "default.yaml"


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one ``error: ...`` line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {self.prog}: {message} (see {self.prog} --help)\n")


MAX_WORKERS = 1024  # --workers: processes or Dask workers started on this machine


def _positive_int(text: str, most: int | None = None) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, not {value}")
    if most is not None and value > most:
        raise argparse.ArgumentTypeError(f"must be <= {most:,}, not {value:,}")
    return value


def _replications(text: str) -> int:
    return _positive_int(text, MAX_REPLICATIONS)


def _workers(text: str) -> int:
    return _positive_int(text, MAX_WORKERS)


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number: {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must lie in (0, 1), e.g. 0.02 for 2 %, not {text}")
    return value


def _add_scenario_options(p: argparse.ArgumentParser, reps_help: str | None = None) -> None:
    """--reps (unless ``reps_help`` is empty), --seed, --horizon and --set."""
    if reps_help != "":
        p.add_argument("--reps", type=int, metavar="N", help=reps_help or "replications")
    p.add_argument("--seed", type=int, metavar="S", help="base seed (run.seed)")
    p.add_argument("--horizon", metavar="DURATION", help="measurement window, e.g. 28d")
    p.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a scenario key, e.g. supply.call_off.every=4h (repeat for several)",
    )


def _add_lang(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--lang",
        choices=list(LANGS),
        default="en",
        help="labels in English or Chinese (the seed's terms); CSV columns never change",
    )


def _add_executor_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--executor",
        choices=["serial", "local", "dask"],
        help="where replications run: in this process, local worker processes (the "
        "default) or a Dask cluster",
    )
    p.add_argument("--workers", type=_workers, metavar="N", help="local processes (default: cores)")
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="a Dask scheduler, e.g. tcp://10.0.0.5:8786 (implies --executor dask; without "
        "it, --executor dask starts a LocalCluster)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The parser of every subcommand."""
    parser = _Parser(
        prog=PROG,
        description="Simulate just-in-time parts supply and a car-service workshop. "
        "Without a subcommand, run scenarios/default.yaml and print its KPI table.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {sim.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    run = sub.add_parser("run", help="replicate one scenario and print its KPI table")
    run.add_argument("scenario", metavar="SCENARIO.yaml", help="the scenario file")
    _add_scenario_options(run, "replications (run.replications)")
    run.add_argument("--out", metavar="DIR", help="write the results folder DIR")
    run.add_argument(
        "--trace", action="store_true", help="also write jobs.parquet and stock.parquet"
    )
    _add_lang(run)

    batch = sub.add_parser(
        "batch", help="run every scenario of a batch file and compare them with its baseline"
    )
    batch.add_argument("batch", metavar="BATCH.yaml", help="the batch file")
    _add_executor_options(batch)
    batch.add_argument(
        "--out", metavar="DIR", help="the results folder (default: results/BATCH_NAME)"
    )
    batch.add_argument(
        "--resume",
        action="store_true",
        help="keep the replications already in DIR whose scenario is unchanged; run the rest",
    )
    _add_scenario_options(batch, "replications of every scenario")
    batch.add_argument(
        "--trace", action="store_true", help="also write jobs.parquet, stock.parquet, ..."
    )
    batch.add_argument(
        "--chunk",
        type=_replications,
        metavar="N",
        help="replications per task (default: about 16 tasks per worker, at most 10)",
    )
    _add_lang(batch)

    validate = sub.add_parser("validate", help="check a scenario or batch file without running it")
    validate.add_argument("scenario", metavar="FILE.yaml", help="the scenario or batch file")
    _add_scenario_options(validate, "replications (run.replications; of every scenario)")

    warmup = sub.add_parser(
        "warmup", help="suggest run.warmup by MSER-5 on pilot runs from an empty workshop"
    )
    warmup.add_argument("scenario", metavar="SCENARIO.yaml", help="the scenario file")
    warmup.add_argument(
        "--pilot-reps", type=_replications, default=5, metavar="N", help="pilot runs (5)"
    )
    warmup.add_argument(
        "--kpi", default="mean_bay_wait_h", help="the daily series to watch (mean_bay_wait_h)"
    )
    warmup.add_argument(
        "--batch-size", type=_positive_int, default=5, metavar="DAYS", help="MSER batch (5)"
    )
    _add_scenario_options(warmup, "")
    warmup.set_defaults(horizon="60d")
    _add_executor_options(warmup)

    reps = sub.add_parser(
        "reps", help="replications needed for a target relative half-width, from pilot runs"
    )
    reps.add_argument("scenario", metavar="SCENARIO.yaml", help="the scenario file")
    reps.add_argument(
        "--target",
        type=_fraction,
        required=True,
        metavar="FRACTION",
        help="95%% half-width as a fraction of the mean, e.g. 0.02",
    )
    reps.add_argument(
        "--kpi", action="append", metavar="KPI", help="a KPI (repeat for several; default all)"
    )
    reps.add_argument(
        "--pilot", type=_replications, default=10, metavar="N", help="pilot replications (10)"
    )
    _add_scenario_options(reps, "")
    _add_executor_options(reps)

    card = sub.add_parser("scorecard", help="score one month's after-sales scorecard (a sheet)")
    card.add_argument("sheet", metavar="SHEET.yaml", help="targets: and actuals: of one month")
    card.add_argument("--json", action="store_true", help="print unrounded numbers as JSON")
    _add_lang(card)

    report = sub.add_parser(
        "report",
        help="write DIR/report.html (tables and figures of DIR) and DIR/results.xlsx (its tables)",
    )
    report.add_argument("dir", metavar="DIR", help="a results folder (run --out, or batch)")
    _add_lang(report)

    from sim.optimize import add_parser as add_optimize

    add_optimize(sub, _add_scenario_options, _add_executor_options, _add_lang)

    schema = sub.add_parser(
        "schema", help="print the JSON Schema of a scenario file (for editors' completion)"
    )
    schema.add_argument("--out", metavar="FILE", help="write it to FILE instead")
    return parser


def default_scenario() -> Path:
    """``scenarios/default.yaml`` of the checkout holding the package, else of the cwd.

    ``run_sim.py`` sits beside the ``sim`` package it imports, so the package's parent is
    also the folder of ``run_sim.py``.
    """
    candidates = [Path(sim.__file__).resolve().parent.parent / DEFAULT_SCENARIO]
    candidates.append(Path.cwd() / DEFAULT_SCENARIO)
    for path in candidates:
        if path.is_file():
            return path
    looked = ", ".join(str(p.parent) for p in candidates)
    raise CliError(
        f"{DEFAULT_SCENARIO}: not found (looked in {looked}); give a scenario: {PROG} run FILE.yaml"
    )


# --- output -------------------------------------------------------------------------------


def _heading(scn: Scenario) -> str:
    run = scn.run
    reps = f"{run.replications} replication{'s' if run.replications != 1 else ''}"
    return (
        f"scenario {scn.name}: {reps}, horizon {format_duration(run.horizon)} "
        f"after warm-up {format_duration(run.warmup)}, seed {run.seed}"
    )


def _progress_bar(scn: Scenario) -> AbstractContextManager[tqdm | None]:
    """A progress bar over replications on a terminal; None otherwise (tqdm not imported)."""
    if not sys.stderr.isatty():
        return nullcontext(None)
    from tqdm import tqdm

    return tqdm(total=scn.run.replications, desc=scn.name, unit="rep", file=sys.stderr)


# --- commands -----------------------------------------------------------------------------


def run_scenario(
    scn: Scenario,
    *,
    out: str | None = None,
    trace: bool = False,
    argv: Sequence[str] = (),
    simulate: Simulate | None = None,
    lang: Lang = "en",
) -> int:
    """Replicate ``scn``, print its KPI table (labels in ``lang``) and, with ``out``, write
    the results folder."""
    from sim.experiment import REPLICATION_COLUMNS, replicate, replication_rows, summary_rows
    from sim.results import ResultsError, check_out_dir, write_results

    if out is not None:
        try:
            check_out_dir(out)
        except ResultsError as exc:
            raise CliError(str(exc)) from None
    elif trace:
        print("note: --trace has effect only with --out; running without it", file=sys.stderr)
        trace = False
    from sim.model.checks import time_warnings

    for warning in time_warnings(scn):  # cheap ones only; validate prints them all
        print(f"warning: {scn.name}: {warning}", file=sys.stderr)
    started = datetime.now(UTC)
    with _progress_bar(scn) as bar:
        step = None if bar is None else lambda _res: bar.update(1)
        run = replicate(scn, simulate, trace=trace, progress=step)
    summary = summary_rows(REPLICATION_COLUMNS, replication_rows(run.results))
    if out is not None:
        command = [PROG, *argv]
        write_results(out, [run], command=command, started=started, trace=trace)
    print(_heading(scn))
    print(kpi_table(summary, lang, scn.economics.currency))
    if out is not None:
        print(f"results: {out}")
    return 0


def _cmd_run(args: argparse.Namespace, argv: Sequence[str], simulate: Simulate | None) -> int:
    if is_batch_file(args.scenario):
        raise CliError(
            f"{args.scenario}: is a batch file (it has a base: key); run it with: "
            f"{PROG} batch {args.scenario}"
        )
    from sim.region import is_region_file

    if is_region_file(args.scenario):
        return _cmd_run_region(args, argv, simulate)
    scn = load_scenario(
        args.scenario,
        args.overrides,
        horizon=args.horizon,
        replications=args.reps,
        seed=args.seed,
    )
    from sim.results import hold_out_dir

    with hold_out_dir(args.out):  # exclusive for the whole run: a second one exits 2
        return run_scenario(
            scn, out=args.out, trace=args.trace, argv=argv, simulate=simulate, lang=args.lang
        )


def _cmd_run_region(
    args: argparse.Namespace, argv: Sequence[str], simulate: Simulate | None
) -> int:
    from sim.region import load_region
    from sim.regionrun import refuse_trace, run_region
    from sim.results import hold_out_dir

    region = load_region(
        args.scenario, args.overrides, horizon=args.horizon, replications=args.reps, seed=args.seed
    )
    if args.trace:
        refuse_trace()
    with hold_out_dir(args.out):
        return run_region(region, out=args.out, argv=argv, simulate=simulate, lang=args.lang)


def _cmd_validate(args: argparse.Namespace) -> int:
    from sim.batch import load_batch

    options = {"horizon": args.horizon, "replications": args.reps, "seed": args.seed}
    if is_batch_file(args.scenario):
        batch = load_batch(args.scenario, args.overrides, **options)
        names = ", ".join(batch.names)
        base = f", baseline {batch.baseline}" if batch.baseline else ""
        print(f"ok: batch {batch.name}: {len(batch.scenarios)} scenarios ({names}){base}")
        return 0
    from sim.model.checks import scenario_warnings  # the model says what a scenario implies
    from sim.region import is_region_file, load_region

    if is_region_file(args.scenario):
        region = load_region(args.scenario, args.overrides, **options)
        for d in region.dealers:
            for warning in scenario_warnings(d.scenario):
                print(f"warning: {args.scenario}: dealer {d.name}: {warning}", file=sys.stderr)
        names = ", ".join(d.name for d in region.dealers)
        kind = "infinite" if region.centre.infinite else "finite"
        print(f"ok: region {region.name}: {len(region.dealers)} dealers ({names}), {kind} centre")
        return 0
    scn = load_scenario(args.scenario, args.overrides, **options)

    for warning in scenario_warnings(scn):
        print(f"warning: {args.scenario}: {warning}", file=sys.stderr)
    print(f"ok: {scn.name} ({scn.digest()})")
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    """``report DIR``: ``report.html``, then the tables as ``results.xlsx`` beside it."""
    from sim.outdir import hold_folder

    # A run or batch still writing the folder holds its lock: the report would read half of
    # it, so it is refused (exit 2, at once: before the figures' libraries load) as a second
    # run would be. A missing folder is not created by the lock; report_command names it.
    with hold_folder(args.dir if Path(args.dir).is_dir() else None):
        from sim.report import report_command
        from sim.xlsxresults import write_xlsx

        code = report_command(args.dir, args.lang)
        if code != 0:
            return code
        path = write_xlsx(args.dir)
    if path is not None:
        print(f"spreadsheet: {path}")
    return 0


def _is_executor_error(exc: BaseException) -> bool:
    """Whether ``exc`` is an executor that cannot start (``sim.executors.ExecutorError``).

    Only batches import the executors (multiprocessing, concurrent.futures, Dask), so ``run``
    does not pay for them; an ExecutorError can only come from code that imported them.
    """
    executors = sys.modules.get("sim.executors")
    return executors is not None and isinstance(exc, executors.ExecutorError)


def _one_line(message: object) -> str:
    return " ".join(str(message).split())


def main(argv: Sequence[str] | None = None, *, simulate: Simulate | None = None) -> int:
    """Run the command line ``argv`` (default ``sys.argv[1:]``); return the exit code.

    ``simulate`` replaces the model's simulate function (tests use a fake one).
    """
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser().parse_args(args_list)
    except SystemExit as exc:  # --help, --version, or a usage error already reported
        return exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 2
    try:
        if args.command == "run":
            return _cmd_run(args, args_list, simulate)
        if args.command == "validate":
            return _cmd_validate(args)
        if args.command == "scorecard":
            from sim.scorecard import scorecard_command

            return scorecard_command(args.sheet, args.json, args.lang)
        if args.command == "report":
            return _cmd_report(args)
        if args.command == "schema":
            from sim.schema import schema_command

            if args.out is not None and not Path(args.out).absolute().parent.is_dir():
                raise CliError(f"--out {args.out}: its folder does not exist")
            return schema_command(args.out)
        if args.command in ("batch", "warmup", "reps", "optimize"):
            if args.executor in (None, "local") and not args.scheduler:
                from sim.forkserver import prestart_local_workers

                prestart_local_workers()  # if sim.launch did not (a no-op if it did)
            from sim import commands

            if args.command == "batch":
                return commands.cmd_batch(args, args_list, simulate)
            if args.command == "optimize":
                from sim.optimize import cmd_optimize

                return cmd_optimize(args, args_list, simulate, commands.executor_for)
            if args.command == "warmup":
                return commands.cmd_warmup(args, simulate)
            return commands.cmd_reps(args, simulate)
        return run_scenario(load_scenario(default_scenario()), argv=args_list, simulate=simulate)
    except (ScenarioError, CliError, ResultsError) as exc:
        print(f"error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 1
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or _one_line(exc)}", file=sys.stderr)
        return 1
    except Exception as exc:
        if _is_executor_error(exc):
            print(f"error: {_one_line(exc)}", file=sys.stderr)
            return 1
        traceback.print_exc(file=sys.stderr)
        print(f"error: unexpected {type(exc).__name__}: {_one_line(exc)}", file=sys.stderr)
        return 1
