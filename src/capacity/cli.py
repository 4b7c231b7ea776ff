"""Command line: ``capacity run | validate | list | promote | init | backtest | vintages | data``.

Global options: ``--project DIR``, ``--version``.

Exit codes: 0 success (``data update`` also when offline: it says so and changes nothing);
1 a job or a check failed (``data update``: a source failed); 2 invalid input (nothing ran);
3 another run holds the lock; 4 the reports folder cannot be written (read-only, no
permission, disk full); 5 the run finished but its vintage could not be stored (the store
is busy or damaged: it is kept beside the run and merged by the next run), or the vintage
store cannot be read; 130 interrupted.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from capacity.errors import CapacityError, DataError, ParameterError, RunError

logger = logging.getLogger("capacity.cli")

EXIT_OK, EXIT_FAILED, EXIT_INPUT, EXIT_LOCKED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
EXIT_IO = 4  # the reports folder (or another output) cannot be written
EXIT_STORE = 5  # the vintage store is busy, damaged, foreign or newer


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")


def _run_parser(sub: Any) -> None:
    """Add ``capacity run`` and its options to the subcommands."""
    run = sub.add_parser(
        "run",
        help="run the notebooks for one or more scenarios",
        description="Validate the parameters, run every selected notebook for "
        "every scenario with papermill in parallel, write code-free HTML "
        "reports to REPORTS/<run-id>/ and move REPORTS/latest when all succeeded.",
    )
    run.add_argument("params", nargs="*", type=Path, metavar="FILE", help="scenario files (same as --params)")
    run.add_argument(
        "--params",
        dest="params_opt",
        nargs="+",
        type=Path,
        default=[],
        metavar="FILE",
        help="scenario files (default: params/baseline.yaml)",
    )
    run.add_argument("--all-scenarios", action="store_true", help="the baseline and every file in params/scenarios/")
    run.add_argument(
        "--notebooks", nargs="+", metavar="NAME", help="registry names (01_data or 01) or .ipynb paths (default: all)"
    )
    run.add_argument(
        "--municipalities",
        nargs="+",
        metavar="CODE",
        help="'all' or codes/names for the per-municipality (Dutch) reports",
    )
    run.add_argument(
        "--municipalities-for",
        nargs="+",
        metavar="SCENARIO",
        help="scenario names that get municipal reports (default: all in the run)",
    )
    run.add_argument(
        "--municipality",
        metavar="CODE",
        help="render one municipality's Dutch report (code like GM0363 or name); does not move latest",
    )
    run.add_argument(
        "-p",
        "--parameter",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra notebook parameter (YAML value); must be declared by the notebooks",
    )
    run.add_argument("--jobs", "-j", type=int, default=None, help="parallel jobs (default: number of cores)")
    run.add_argument(
        "--reports",
        type=Path,
        default=None,
        help="output root (default: <project>/reports, or ./reports on the packaged defaults)",
    )
    run.add_argument("--keep", type=int, default=12, help="run folders to keep (0: all)")
    run.add_argument(
        "--keep-size",
        default=None,
        metavar="SIZE",
        help="most disk the kept run folders take together, e.g. 2GB (the newest "
        "that fit are kept; never latest or this run)",
    )
    run.add_argument(
        "--wait", type=float, default=0, help="seconds to wait for another run to finish (default: fail at once)"
    )
    run.add_argument(
        "--timeout", type=float, default=900, help="per-cell time limit in seconds; stops hung or runaway cells (900)"
    )
    run.add_argument("--start-timeout", type=float, default=60, help="kernel start-up limit (60 s)")
    run.add_argument(
        "--kernel",
        choices=["fork", "spawn"],
        default="fork",
        help="fork each notebook's fresh kernel from a preloaded interpreter "
        "(default, ~3 s less CPU per notebook) or spawn a new interpreter",
    )
    run.add_argument(
        "--executor",
        choices=["process", "dask"],
        default="process",
        help="local worker processes (default) or Dask (LocalCluster)",
    )
    run.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler, e.g. tcp://host:8786 (workers need the same paths; implies --no-cache)",
    )
    run.add_argument(
        "--no-cache", action="store_true", help="do not precompute each scenario's shared results (cache_path=None)"
    )
    run.add_argument(
        "--keep-cache",
        action="store_true",
        help="keep the shared results (signed pickles, ~15 MB per scenario) in the "
        "run's private cache folder (~/.cache/capacity/runs/) instead of deleting them",
    )
    run.add_argument(
        "--as-of",
        default=None,
        metavar="DATE",
        help="the run's 'today' (YYYY-MM-DD): only data dated on or before it are used "
        "and horizons count from it (default: the run date)",
    )
    run.add_argument(
        "--force",
        action="store_true",
        help="run even when the data, parameters, code and notebooks are those of the "
        "run latest points at (default: say 'nothing changed' and stop)",
    )
    run.add_argument(
        "--dry-run", action="store_true", help="validate and show what would run; start no kernel, write nothing"
    )
    run.add_argument("--no-progress", action="store_true", help="no progress bar or status lines")
    run.add_argument("--no-publish", action="store_true", help="never move REPORTS/latest")
    run.add_argument(
        "--pdf", action="store_true", help="also print every report to A4 PDF beside it (headless Chromium)"
    )
    run.add_argument(
        "--municipal-chunk",
        type=int,
        default=0,
        metavar="N",
        help="municipal reports per kernel (0: chosen to keep every worker busy; "
        "1: one papermill run per report, the former, slower design)",
    )
    run.add_argument(
        "--keep-notebooks",
        action="store_true",
        help="also keep each municipal report's executed .ipynb (for debugging)",
    )
    run.add_argument(
        "--vintages",
        type=Path,
        default=None,
        metavar="PATH",
        help="vintage store (default: $CAPACITY_VINTAGES or REPORTS/vintages.duckdb)",
    )
    run.add_argument(
        "--on-warning",
        default=None,
        metavar="COMMAND",
        help="command run (no shell, 60 s limit) with the path of warnings.json when "
        "a trigger is amber or red or the data are stale, nothing could be evaluated, "
        "or the vintage could not be stored (default: $CAPACITY_ON_WARNING)",
    )


def _parser() -> argparse.ArgumentParser:
    from capacity import __version__

    parser = argparse.ArgumentParser(
        prog="capacity",
        description="Forecasts and capacity planning for the reception of people from Ukraine.",
    )
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output")
    parser.add_argument("--version", action="version", version=f"capacity {__version__}")
    parser.add_argument(
        "--project",
        type=Path,
        metavar="DIR",
        help="project folder with params/baseline.yaml (default: the nearest one "
        "from the working directory up, else the packaged defaults)",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    _run_parser(sub)

    val = sub.add_parser(
        "validate",
        help="check parameter files",
        description="Check scenario files; print every error with the file, the key path, the value and the rule.",
    )
    val.add_argument(
        "files", nargs="*", type=Path, metavar="FILE", help="files to check (default: every shipped parameter file)"
    )
    val.add_argument(
        "--as-of",
        default=None,
        metavar="DATE",
        help="the run's 'today' to check dates against (default: each file's "
        "forecast.as_of, else $CAPACITY_AS_OF, else today); a shock or TPD end "
        "before it is a warning naming the key",
    )

    init = sub.add_parser(
        "init",
        help="create a working folder with the parameter files",
        description="Create DIR with params/ (the baseline and every scenario), "
        "reports/ and a README; never overwrites a file.",
    )
    init.add_argument("dir", type=Path, metavar="DIR", help="the folder to create (or an empty one)")

    lst = sub.add_parser("list", help="list scenarios and notebooks")
    lst.add_argument("what", nargs="?", choices=["scenarios", "drafts", "notebooks", "all"], default="all")

    pro = sub.add_parser(
        "promote",
        help="make a draft of the scenario editor a scenario",
        description="Validate a draft (drafts/scenarios/NAME.yaml), refuse a title "
        "or a file already in use, and move it to params/scenarios/, where "
        "--all-scenarios and the monthly job read it.",
    )
    pro.add_argument("draft", metavar="DRAFT", help="the draft's name or file")
    pro.add_argument("--name", default=None, help="the scenario's name (default: the draft's)")

    bt = sub.add_parser("backtest", help="rolling-origin backtest of the forecast models")
    bt.add_argument(
        "--params",
        type=Path,
        default=None,
        metavar="FILE",
        help="scenario file whose forecast settings to use (default: baseline)",
    )
    bt.add_argument("--output", type=Path, default=None, metavar="CSV", help="also save the scorecard here (.csv)")
    vin = sub.add_parser(
        "vintages",
        help="list, export, query or prune the store of earlier runs",
        description="The vintage store: every completed run's forecasts, headline "
        "figures, parameters and data hashes (DuckDB; query it with SQL).",
    )
    vin.add_argument("action", choices=["list", "export", "query", "prune"])
    vin.add_argument(
        "sql",
        nargs="?",
        default=None,
        metavar="SQL",
        help='query: one SQL statement, read-only, e.g. "SELECT run_id FROM vintages"; the result is printed as CSV',
    )
    vin.add_argument(
        "--vintages",
        type=Path,
        default=None,
        metavar="PATH",
        help="the store (default: $CAPACITY_VINTAGES or REPORTS/vintages.duckdb)",
    )
    vin.add_argument("--reports", type=Path, default=None, help="reports folder of the default store")
    vin.add_argument("--format", choices=["parquet", "csv"], default="parquet", help="export format")
    vin.add_argument(
        "--output", type=Path, default=Path("vintages-export"), metavar="DIR", help="export folder (one file per table)"
    )
    vin.add_argument("--keep", type=int, default=None, metavar="N", help="prune: runs to keep")

    dat = sub.add_parser(
        "data",
        help="keep the project's data folder current",
        description="update: fetch Eurostat's temporary-protection series and CBS's "
        "StatLine tables on people from Ukraine into <project>/data/, in the format of "
        "the shipped CSVs, with source, time and SHA-256 in data/SOURCES.json; say what "
        "is new. Offline it says so in one line and changes nothing (exit 0).",
    )
    dat.add_argument("action", choices=["update"])
    dat.add_argument(
        "--source",
        dest="sources",
        action="append",
        choices=["eurostat", "cbs"],
        help="only this source (repeatable; default: all)",
    )
    dat.add_argument(
        "--cbs-table",
        dest="cbs_tables",
        action="append",
        default=[],
        metavar="ID",
        help="read this StatLine table (e.g. 85xxxNED) instead of those the CBS catalogue "
        "lists on people from Ukraine (repeatable)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    level = logging.WARNING - 10 * min(args.verbose, 2)
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(level)
    from capacity import project

    try:
        if args.project:
            project.use_project(args.project)
        if getattr(args, "reports", False) is None:
            args.reports = project.reports_dir()
    except project.ProjectError as exc:
        _err(f"error: {exc}")
        return EXIT_INPUT
    try:
        return {
            "run": cmd_run,
            "validate": cmd_validate,
            "list": cmd_list,
            "init": cmd_init,
            "promote": cmd_promote,
            "backtest": cmd_backtest,
            "vintages": cmd_vintages,
            "data": cmd_data,
        }[args.command](args)
    except KeyboardInterrupt:
        _err("interrupted")
        return EXIT_INTERRUPTED
    except (ParameterError, DataError) as exc:  # bad input: one message, never a traceback
        _err(f"error: {exc}")
        return EXIT_INPUT
    except OSError as exc:  # a file or folder that cannot be read or written
        where = f" {exc.filename}" if exc.filename else ""
        _err(f"error:{where} {exc.strerror or exc}")
        return EXIT_IO


def _sigterm(signum: int, frame: Any) -> None:
    # systemd stops a unit with SIGTERM: end like Ctrl-C, so the run is marked interrupted.
    raise KeyboardInterrupt


def _registry_subset(selected: list[str], registry: Any) -> bool:
    """Tell whether ``selected`` names some, but not all, of the registry's scenario notebooks."""
    names = {nb.name for nb in registry if nb.per == "scenario"}
    chosen = {n for n in names for s in selected if n == s or n.split("_")[0] == s}
    return bool(chosen) and chosen != names


def _whole_suite(selected: list[str], registry: Any) -> bool:
    """Tell whether ``--notebooks`` selects the registry's whole scenario suite (only that moves latest)."""
    from capacity.runner.publish import is_whole_suite
    from capacity.runner.registry import select_notebooks

    try:
        chosen = select_notebooks(selected, registry=registry)
    except RunError:
        return False  # plan() reports the unknown notebook
    return is_whole_suite(chosen, registry)


def cmd_run(args: argparse.Namespace) -> int:
    """``capacity run``: validate, run, publish; print where the reports are."""
    from capacity import params, runner
    from capacity.runner.publish import LockError, ReportsDirError

    files = [*args.params, *args.params_opt]
    if args.all_scenarios:
        files += [p for p in params.scenario_files() if p not in files]
    notebooks, municipalities = args.notebooks, args.municipalities
    publish = not args.no_publish
    if args.municipality:
        municipalities = [args.municipality]
        if not notebooks:
            notebooks = [nb.name for nb in runner.NOTEBOOKS if nb.per == "municipality"]
        publish = False  # one municipality's report is not a suite run: keep latest as it is
    elif notebooks and not _whole_suite(notebooks, runner.NOTEBOOKS):
        publish = False  # some notebooks (of the suite or .ipynb paths) is not a suite run either
    try:
        _refuse_notebooks(files)
        extra = _parse_parameters(args.parameter)
        _use_as_of(args.as_of)
    except ParameterError as exc:
        _err(f"error: {exc}")
        return EXIT_INPUT
    if not _options_valid(args):
        return EXIT_INPUT
    if args.dry_run:
        return _dry_run(files, notebooks, municipalities, extra, args)
    if _refuse_bad_data(files or [params.BASELINE_PATH]):
        return EXIT_INPUT
    _warn_past_dates(files or [params.BASELINE_PATH])
    _use_vintages(args)
    signal.signal(signal.SIGTERM, _sigterm)
    try:
        result = runner.run(
            files or None,
            notebooks=notebooks,
            municipalities=municipalities,
            jobs=args.jobs,
            reports_dir=args.reports,
            keep=args.keep,
            wait=args.wait,
            timeout=args.timeout or None,
            start_timeout=args.start_timeout,
            executor=args.executor,
            scheduler=args.scheduler,
            progress=not args.no_progress,
            publish=publish,
            extra_parameters=extra,
            kernel=args.kernel,
            municipal_scenarios=args.municipalities_for,
            prepare=not args.no_cache,
            keep_cache=args.keep_cache,
            municipal_chunk=args.municipal_chunk,
            keep_notebooks=args.keep_notebooks,
            keep_size=args.keep_size,
            force=args.force,
        )
    except LockError as exc:
        _err(f"error: {exc}")
        return EXIT_LOCKED
    except ReportsDirError as exc:
        _err(f"error: nothing ran: {exc}")
        return EXIT_IO
    except (ParameterError, RunError) as exc:
        _err(f"error: nothing ran.\n{exc}")
        return EXIT_INPUT
    return _report_run(args, result, publish=publish)


def _report_run(args: argparse.Namespace, result: Any, *, publish: bool) -> int:
    """Print what a finished run did (status, index, vintage, warnings, PDFs, failures); return the exit code."""
    from capacity.runner.publish import run_cache_dir

    if result.status == "unchanged":
        _out(
            f"nothing changed since run {result.run_dir.name} (same data, parameters, code and "
            "notebooks): nothing recomputed; latest kept (--force runs anyway)"
        )
        _out(f"index: {result.run_dir / 'index.html'}")
        return EXIT_OK
    counts = result.manifest.get("counts", {})
    _out(
        f"{result.status}: {counts.get('ok', 0)} of {counts.get('total', 0)} reports ok "
        f"in {result.manifest.get('seconds', 0):.0f} s"
    )
    _out(f"index: {result.run_dir / 'index.html'}")
    for run_id in (result.manifest.get("vintage_store") or {}).get("merged", []):
        _out(f"vintage store: merged the vintage of run {run_id}, kept while the store was unavailable")
    _on_warning(args, result.run_dir)
    if result.published:
        _out(f"latest -> {result.run_dir.name}")
    elif result.ok and not publish:
        _out("latest not moved: a partial run (--notebooks, --municipality or --no-publish)")
    if args.keep_cache and not args.no_cache and not args.scheduler:
        _out(
            f"shared results kept in {run_cache_dir(result.run_dir)} (private to this user, "
            "signed with this run's key: a later run or notebook will not load them)"
        )
    if args.pdf:
        from capacity.runner.pdf import print_pdfs

        pages = [Path(r.html) for r in result.results.values() if r.status == "ok" and r.html]
        try:
            pdfs = print_pdfs(pages, jobs=args.jobs or 2)
        except RunError as exc:
            _err(f"error: {exc}")
            return EXIT_FAILED
        _out(f"pdf: {len(pdfs)} of {len(pages)} reports printed to A4 PDF")
        if len(pdfs) < len(pages):
            return EXIT_FAILED
    for res in result.failed:
        _out(f"  {res.status}: {res.key}: {res.error}")
    if not result.ok:
        _out("latest not moved: a job failed (see the index page for the error messages)")
    if not _vintage_stored(args, result.manifest):
        return EXIT_STORE if result.ok else EXIT_FAILED
    return EXIT_OK if result.ok else EXIT_FAILED


def _options_valid(args: argparse.Namespace) -> bool:
    """Check every run option as the runner will (also for ``--dry-run``); print the problem if not."""
    from capacity import runner

    try:
        runner.RunOptions(
            jobs=args.jobs,
            keep=args.keep,
            wait=args.wait,
            timeout=args.timeout or None,
            start_timeout=args.start_timeout,
            municipal_chunk=args.municipal_chunk,
            keep_size=args.keep_size,
            kernel=args.kernel,
            prepare=False,
        )
    except RunError as exc:
        _err(f"error: nothing ran: {exc}")
        return False
    return True


def _vintage_stored(args: argparse.Namespace, manifest: dict[str, Any]) -> bool:
    """Say in one line when the run's vintage could not be stored (and where it waits); return whether it was."""
    stored = manifest.get("vintage_store") or {}
    if stored.get("stored") is not False:
        return True
    where = (
        f"kept in {Path(args.reports) / stored['pending']}, stored by the next run"
        if stored.get("pending")
        else "not kept; see the run's log"
    )
    _err(f"error: vintage not stored: {stored.get('error')}; {where}")
    return False


def _data_problems(path: Path, checked: dict[Any, list[str]]) -> list[str]:
    """Check the data the scenario in ``path`` reads (each distinct check once): files, fit starts, closures."""
    from capacity import params
    from capacity.data.check import check_scenario

    try:
        scn = params.load(path)
    except ParameterError:
        return []  # reported by the parameter check
    cfg = scn.data
    key = (
        cfg.data_dir,
        tuple(sorted(cfg.files.items())),
        scn.forecast.fit_start,
        scn.forecast.departure_fit_start,
        scn.shelter.places_changes,
    )
    if key not in checked:
        checked[key] = check_scenario(scn)
    return [f"{path}: {p}" if p.startswith(("forecast.", "shelter.")) else p for p in checked[key]]


def _refuse_bad_data(files: Sequence[Path | str]) -> bool:
    """Check the data files every scenario of a run reads; print the problems, if any, and say so."""
    checked: dict[Any, list[str]] = {}
    problems = [p for f in files for p in _data_problems(Path(f), checked)]
    if problems:
        _err("error: nothing ran.\n" + "\n".join(dict.fromkeys(problems)))
    return bool(problems)


def _dry_run(
    files: list[Path], notebooks: Any, municipalities: Any, extra: dict[str, Any], args: argparse.Namespace
) -> int:
    from capacity import runner

    try:
        the_plan = runner.plan(
            files or None,
            notebooks=notebooks,
            municipalities=municipalities,
            extra_parameters=extra,
            municipal_scenarios=args.municipalities_for,
        )
    except (ParameterError, RunError) as exc:
        _err(f"error: {exc}")
        return EXIT_INPUT
    checked: dict[Any, list[str]] = {}
    problems = [p for s in the_plan.scenarios for p in _data_problems(s.params_path, checked)]
    if problems:
        for problem in dict.fromkeys(problems):
            _err(f"error: {problem}")
        return EXIT_INPUT
    jobs = the_plan.jobs(Path(args.reports) / "<run-id>")
    _out(f"valid. Would run {len(jobs)} notebooks into {args.reports}/<run-id>/:")
    _out("  scenarios: " + ", ".join(f"{s.name} ({s.params_path.name})" for s in the_plan.scenarios))
    _out("  notebooks: " + ", ".join(f"{nb.name} (per {nb.per})" for nb in the_plan.notebooks))
    if the_plan.municipalities:
        _out(
            f"  municipalities: {len(the_plan.municipalities)}, for "
            + (", ".join(the_plan.municipal_scenarios) if the_plan.municipal_scenarios else "every scenario")
        )
    return EXIT_OK


def _refuse_notebooks(files: Sequence[Path]) -> None:
    """Fail in one line on a notebook given where a scenario file is expected."""
    for path in files:
        if Path(path).suffix.lower() == ".ipynb":
            raise ParameterError(
                f"{path}: a notebook, not a scenario file (YAML); select notebooks with --notebooks {Path(path).name}"
            )


def _warn_past_dates(files: Sequence[Path]) -> None:
    """Say (not refuse) which scenario dates lie before the run's "today"."""
    from capacity import params

    for path in files:
        try:
            for line in params.date_warnings(path):
                _err(f"warning: {line}")
        except ParameterError:
            pass  # the run reports it with the file, key and rule


def _use_as_of(value: str | None) -> None:
    """Make ``--as-of`` the run's "today" for this process, its workers and kernels (``$CAPACITY_AS_OF``)."""
    import datetime as dt

    from capacity.project import AS_OF_ENV

    if value is None:
        return
    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ParameterError(f"--as-of {value!r}: expected a date YYYY-MM-DD, e.g. 2025-03-31") from None
    if day > dt.date.today():
        raise ParameterError(f"--as-of {value!r}: a date in the future; expected today or earlier")
    os.environ[AS_OF_ENV] = day.isoformat()


def _parse_parameters(items: Sequence[str]) -> dict[str, Any]:
    import yaml

    parsed: dict[str, Any] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip().isidentifier():
            raise ParameterError(f"-p {item!r}: expected NAME=VALUE with a Python identifier NAME")
        bad = next((ch for ch in value if _control(ch)), None)
        if bad is not None:
            raise ParameterError(
                f"-p {name.strip()}: the value has the control character {bad!r}; expected printable text"
            )
        try:
            parsed[name.strip()] = yaml.safe_load(value)
        except (yaml.YAMLError, ValueError, RecursionError) as exc:
            problem = str(getattr(exc, "problem", None) or exc).splitlines()[0]
            raise ParameterError(
                f"-p {item!r}: not a YAML value ({problem}); expected a number, true/false or text, e.g. -p n_paths=200"
            ) from None
    return parsed


def _control(ch: str) -> bool:
    """Tell whether ``ch`` is a control character or a non-character (never in a typed value)."""
    import unicodedata

    return (unicodedata.category(ch) in ("Cc", "Cs", "Cn") and ch not in "\t") or ch in "\ufffe\uffff"


def cmd_validate(args: argparse.Namespace) -> int:
    """``capacity validate``: every error names the file, key path, value and rule."""
    from capacity import params

    files = args.files or params.scenario_files()
    try:
        _refuse_notebooks(files)
    except ParameterError as exc:
        _err(f"error: {exc}")
        return EXIT_INPUT
    bad = 0
    checked: dict[Any, list[str]] = {}
    as_of = getattr(args, "as_of", None)
    for path, error in params.validate_files(files, as_of=as_of).items():
        problems = _data_problems(Path(path), checked) if error is None else []
        if problems:
            error = "\nERROR  ".join(problems)  # one line per data problem
        if error is None:
            _out(f"ok     {path}")
            for line in params.date_warnings(path, as_of=as_of):  # valid, but dated in the past
                _out(f"WARN   {line}")
        else:
            bad += 1
            for line in error.splitlines():  # one problem per line, each naming its file
                _out(line if line.startswith("ERROR  ") else f"ERROR  {line}")
    _out(f"{len(files) - bad} of {len(files)} files valid")
    if not bad and not args.files:  # the shipped set: their weights should make one distribution
        weights = params.scenario_weights(files)
        n = int(weights["weight"].notna().sum())
        total = weights.attrs["weight_sum"]
        word = "ok    " if abs(total - 1) < 1e-6 else "WARN  "
        _out(
            f"{word} weights: {n} weighted scenarios sum to {total:.3f} (the weighted view normalises "
            f"them over the scenarios of a run); {len(files) - n} stress tests or variants"
        )
    return EXIT_INPUT if bad else EXIT_OK  # invalid input, as the README's exit codes say


def cmd_init(args: argparse.Namespace) -> int:
    """``capacity init DIR``: a planner's working folder (params/, reports/, README.md)."""
    from capacity import project

    try:
        written = project.init_project(args.dir)
    except project.ProjectError as exc:
        _err(f"error: {exc}")
        return EXIT_INPUT
    _out(f"created {args.dir}: {len(written) - 1} parameter files, reports/, README.md")
    _out(f"next: cd {args.dir} && capacity validate && capacity run")
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    """``capacity list``: the scenarios, the editor's drafts (not scenarios) and the notebook registry."""
    from capacity import params, runner
    from capacity.lab import form

    if args.what in ("scenarios", "all"):
        _out("Scenarios:")
        _list_files(params.scenario_files())
    drafts = form.draft_files()
    if args.what == "drafts" or (args.what == "all" and drafts):
        _out("Drafts (not run by --all-scenarios; make one a scenario with `capacity promote NAME`):")
        _list_files(drafts)
    if args.what in ("notebooks", "all"):
        _out("Notebooks:")
        for nb in runner.NOTEBOOKS:
            state = "" if nb.source.is_file() else "  (missing)"
            _out(f"  {nb.name:<28} one per {nb.per}{state}")
    return EXIT_OK


def _list_files(paths: Sequence[Path]) -> None:
    from capacity import params

    for path in paths:
        try:
            scn = params.load(path)
            _out(f"  {scn.meta.name:<28} {scn.meta.title}  ({_rel(path)})")
        except CapacityError as exc:
            _out(f"  INVALID {_rel(path)}: {str(exc).splitlines()[0]}")


def cmd_promote(args: argparse.Namespace) -> int:
    """``capacity promote DRAFT``: validate a draft and move it among the scenarios."""
    from capacity.lab import form

    target = form.promote(args.draft, name=args.name)  # ParameterError: exit 2 in main()
    _out(f"promoted to {_rel(target)}; `capacity run --all-scenarios` now runs it")
    return EXIT_OK


def _rel(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def cmd_backtest(args: argparse.Namespace) -> int:
    """``capacity backtest``: backtest on the data files a run of the scenario reads; print the scorecard."""
    import numpy as np

    from capacity import params, pipeline
    from capacity.forecast import run_backtest

    try:
        scn = params.load(args.params)
        history = pipeline.scenario_history(scn)
    except (ParameterError, DataError) as exc:
        _err(f"error: {exc}")
        return EXIT_INPUT
    scorecard = run_backtest(history, scn.forecast, rng=np.random.default_rng(scn.meta.seed))
    _out(scorecard.to_string(index=False, max_rows=200))
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        scorecard.to_csv(args.output, index=False)
        _out(f"saved {args.output}")
    return EXIT_OK


def _use_vintages(args: argparse.Namespace) -> None:
    """Point the runner at ``--vintages`` (through the setting it reads, ``$CAPACITY_VINTAGES``)."""
    import os

    from capacity.vintages.store import ENV

    if args.vintages:
        os.environ[ENV] = str(Path(args.vintages).resolve())


def _on_warning(args: argparse.Namespace, run_dir: Path) -> None:
    """Print the early-warning status; call ``--on-warning`` when it is amber or red."""
    import json
    import os

    from capacity.vintages import notify

    path = run_dir / "warnings.json"
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
        status = content["status"]
    except (OSError, ValueError, KeyError, TypeError):
        return
    _out(f"early warning: {status} ({path})")
    command = args.on_warning or os.environ.get("CAPACITY_ON_WARNING")
    unstored = isinstance(content.get("vintage_store"), dict)  # the store failed: tell the hook too
    if command and (status in ("amber", "red", "stale", "unknown") or unstored):
        code = notify(command, path)
        _out(
            f"on-warning command exited with {code}"
            if code is not None
            else f"on-warning command did not start or was stopped (see the log; its output: "
            f"{path.with_name('on-warning.log')})"
        )


def cmd_vintages(args: argparse.Namespace) -> int:
    """``capacity vintages list|export|query|prune``: the store of earlier runs.

    ``list``, ``export`` and ``query`` open the store read-only (beside a notebook that has
    it open); ``prune`` writes, and refuses in one line while another process holds it.
    """
    from capacity import project
    from capacity.vintages import store

    path = Path(args.vintages or store.default_path(args.reports or project.reports_dir()))
    if not path.is_file():
        _err(f"error: {path}: no vintage store (a completed run creates it)")
        return EXIT_INPUT
    if args.action == "prune" and (args.keep is None or args.keep < 1):
        _err(f"error: vintages prune --keep {args.keep}: expected a number of runs to keep, at least 1")
        return EXIT_INPUT
    if args.action == "query" and not (args.sql or "").strip():
        _err(
            "error: vintages query: expected one SQL statement, e.g. capacity vintages query "
            '"SELECT run_id, scenario FROM vintages"'
        )
        return EXIT_INPUT
    try:
        con = store.connect(
            path, read_only=args.action != "prune", wait=store.LOCK_WAIT_SECONDS if args.action == "prune" else 0
        )
    except store.StoreError as exc:
        _err(f"error: {exc}")
        return EXIT_STORE
    try:
        if args.action != "prune" and store.schema_version(con) == 0:
            _out("no vintages stored")
        elif args.action == "list":
            table = store.list_vintages(con)
            _out(table.to_string(index=False) if not table.empty else "no vintages stored")
        elif args.action == "export":
            for written in store.export(con, args.output, args.format):
                _out(f"wrote {written}")
        elif args.action == "query":
            _out(store.query(con, args.sql).to_csv(index=False).rstrip("\n"))
        else:
            dropped = store.prune(con, args.keep)
            _out(f"pruned {len(dropped)} run(s); kept the newest {args.keep}")
    except store.StoreError as exc:
        _err(f"error: {exc}")
        return EXIT_STORE
    finally:
        con.close()
    return EXIT_OK


def cmd_data(args: argparse.Namespace) -> int:
    """``capacity data update``: fetch into ``<project>/data``; say what is new."""
    from capacity import params, project
    from capacity.data import data_files
    from capacity.data.files import project_data_dir
    from capacity.data.update import SOURCE_NAMES, update

    if project.is_defaults():
        _err(
            "error: no project folder to write data into; run this in a folder made by 'capacity init DIR' "
            "(or pass --project DIR)"
        )
        return EXIT_INPUT
    dest = project_data_dir()
    result = update(dest, sources=args.sources or SOURCE_NAMES, cbs_tables=args.cbs_tables)
    for line in result.lines:
        _out(line)
    if result.written:
        _out(f"wrote {len(result.written)} file(s) in {dest}; sources, times and SHA-256 in {dest.name}/SOURCES.json")
        try:
            reads = data_files(params.load(project.baseline_path()).data.data_dir)["municipalities"].parent
        except (ParameterError, DataError):
            reads = None
        if reads is not None and reads.resolve() != dest.resolve():
            _out(
                f"a run reads these files when its scenario sets data.data_dir: {dest.name} "
                f"({project.relative(project.baseline_path())} does not yet)"
            )
    return EXIT_FAILED if result.failed else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
