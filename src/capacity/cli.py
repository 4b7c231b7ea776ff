"""Command line: ``capacity [--project DIR] run | validate | list | promote | init | backtest``; ``--version``.

Exit codes: 0 success; 1 a job or a check failed; 2 invalid input (nothing ran);
3 another run holds the lock; 4 the reports folder cannot be written (read-only, no
permission, disk full); 130 interrupted.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from capacity.errors import CapacityError, DataError, ParameterError, RunError

logger = logging.getLogger("capacity.cli")

EXIT_OK, EXIT_FAILED, EXIT_INPUT, EXIT_LOCKED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
EXIT_IO = 4  # the reports folder (or another output) cannot be written


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")


def _parser() -> argparse.ArgumentParser:
    from capacity import __version__

    parser = argparse.ArgumentParser(
        prog="capacity",
        description="Forecasts and capacity planning for the reception of people from Ukraine.",
    )
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output")
    parser.add_argument("--version", action="version", version=f"capacity {__version__}")
    parser.add_argument("--project", type=Path, metavar="DIR",
                        help="project folder with params/baseline.yaml (default: the nearest one "
                        "from the working directory up, else the packaged defaults)")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the notebooks for one or more scenarios",
                         description="Validate the parameters, run every selected notebook for "
                         "every scenario with papermill in parallel, write code-free HTML "
                         "reports to REPORTS/<run-id>/ and move REPORTS/latest when all succeeded.")
    run.add_argument("params", nargs="*", type=Path, metavar="FILE",
                     help="scenario files (same as --params)")
    run.add_argument("--params", dest="params_opt", nargs="+", type=Path, default=[],
                     metavar="FILE", help="scenario files (default: params/baseline.yaml)")
    run.add_argument("--all-scenarios", action="store_true",
                     help="the baseline and every file in params/scenarios/")
    run.add_argument("--notebooks", nargs="+", metavar="NAME",
                     help="registry names (01_data or 01) or .ipynb paths (default: all)")
    run.add_argument("--municipalities", nargs="+", metavar="CODE",
                     help="'all' or codes/names for the per-municipality (Dutch) reports")
    run.add_argument("--municipalities-for", nargs="+", metavar="SCENARIO",
                     help="scenario names that get municipal reports (default: all in the run)")
    run.add_argument("--municipality", metavar="CODE",
                     help="render one municipality's Dutch report (code like GM0363 or name); "
                     "does not move latest")
    run.add_argument("-p", "--parameter", action="append", default=[], metavar="NAME=VALUE",
                     help="extra notebook parameter (YAML value); must be declared by the notebooks")
    run.add_argument("--jobs", "-j", type=int, default=None,
                     help="parallel jobs (default: number of cores)")
    run.add_argument("--reports", type=Path, default=None,
                     help="output root (default: <project>/reports, or ./reports on the packaged defaults)")
    run.add_argument("--keep", type=int, default=12, help="run folders to keep (0: all)")
    run.add_argument("--keep-size", default=None, metavar="SIZE",
                     help="most disk the kept run folders take together, e.g. 2GB (the newest "
                     "that fit are kept; never latest or this run)")
    run.add_argument("--wait", type=float, default=0,
                     help="seconds to wait for another run to finish (default: fail at once)")
    run.add_argument("--timeout", type=float, default=900,
                     help="per-cell time limit in seconds; stops hung or runaway cells (900)")
    run.add_argument("--start-timeout", type=float, default=60, help="kernel start-up limit (60 s)")
    run.add_argument("--kernel", choices=["fork", "spawn"], default="fork",
                     help="fork each notebook's fresh kernel from a preloaded interpreter "
                     "(default, ~3 s less CPU per notebook) or spawn a new interpreter")
    run.add_argument("--executor", choices=["process", "dask"], default="process",
                     help="local worker processes (default) or Dask (LocalCluster)")
    run.add_argument("--scheduler", metavar="ADDRESS",
                     help="Dask scheduler, e.g. tcp://host:8786 (workers need the same paths; "
                     "implies --no-cache)")
    run.add_argument("--no-cache", action="store_true",
                     help="do not precompute each scenario's shared results (cache_path=None)")
    run.add_argument("--keep-cache", action="store_true",
                     help="keep the shared results (signed pickles, ~15 MB per scenario) in the "
                     "run's private cache folder (~/.cache/capacity/runs/) instead of deleting them")
    run.add_argument("--force", action="store_true",
                     help="run even when the data, parameters, code and notebooks are those of the "
                     "run latest points at (default: say 'nothing changed' and stop)")
    run.add_argument("--dry-run", action="store_true",
                     help="validate and show what would run; start no kernel, write nothing")
    run.add_argument("--no-progress", action="store_true", help="no progress bar or status lines")
    run.add_argument("--no-publish", action="store_true", help="never move REPORTS/latest")
    run.add_argument("--pdf", action="store_true",
                     help="also print every report to A4 PDF beside it (headless Chromium)")
    run.add_argument("--municipal-chunk", type=int, default=0, metavar="N",
                     help="municipal reports per kernel (0: chosen to keep every worker busy; "
                     "1: one papermill run per report, the former, slower design)")
    run.add_argument("--keep-notebooks", action="store_true",
                     help="also keep each municipal report's executed .ipynb (for debugging)")
    run.add_argument("--vintages", type=Path, default=None, metavar="PATH",
                     help="vintage store (default: $CAPACITY_VINTAGES or REPORTS/vintages.duckdb)")
    run.add_argument("--on-warning", default=None, metavar="COMMAND",
                     help="command run (no shell, 60 s limit) with the path of warnings.json when "
                     "the status is amber, red or stale (data too old; default: $CAPACITY_ON_WARNING)")

    val = sub.add_parser("validate", help="check parameter files",
                         description="Check scenario files; print every error with the file, "
                         "the key path, the value and the rule.")
    val.add_argument("files", nargs="*", type=Path, metavar="FILE",
                     help="files to check (default: every shipped parameter file)")

    init = sub.add_parser("init", help="create a working folder with the parameter files",
                          description="Create DIR with params/ (the baseline and every scenario), "
                          "reports/ and a README; never overwrites a file.")
    init.add_argument("dir", type=Path, metavar="DIR", help="the folder to create (or an empty one)")

    lst = sub.add_parser("list", help="list scenarios and notebooks")
    lst.add_argument("what", nargs="?", choices=["scenarios", "drafts", "notebooks", "all"], default="all")

    pro = sub.add_parser("promote", help="make a draft of the scenario editor a scenario",
                         description="Validate a draft (drafts/scenarios/NAME.yaml), refuse a title "
                         "or a file already in use, and move it to params/scenarios/, where "
                         "--all-scenarios and the monthly job read it.")
    pro.add_argument("draft", metavar="DRAFT", help="the draft's name or file")
    pro.add_argument("--name", default=None, help="the scenario's name (default: the draft's)")

    bt = sub.add_parser("backtest", help="rolling-origin backtest of the forecast models")
    bt.add_argument("--params", type=Path, default=None, metavar="FILE",
                    help="scenario file whose forecast settings to use (default: baseline)")
    bt.add_argument("--output", type=Path, default=None, metavar="CSV",
                    help="also save the scorecard here (.csv)")
    vin = sub.add_parser("vintages", help="list, export or prune the store of earlier runs",
                         description="The vintage store: every completed run's forecasts, headline "
                         "figures, parameters and data hashes (DuckDB; query it with SQL).")
    vin.add_argument("action", choices=["list", "export", "prune"])
    vin.add_argument("--vintages", type=Path, default=None, metavar="PATH",
                     help="the store (default: $CAPACITY_VINTAGES or REPORTS/vintages.duckdb)")
    vin.add_argument("--reports", type=Path, default=None, help="reports folder of the default store")
    vin.add_argument("--format", choices=["parquet", "csv"], default="parquet", help="export format")
    vin.add_argument("--output", type=Path, default=Path("vintages-export"), metavar="DIR",
                     help="export folder (one file per table)")
    vin.add_argument("--keep", type=int, default=None, metavar="N", help="prune: runs to keep")
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
        return {"run": cmd_run, "validate": cmd_validate, "list": cmd_list, "init": cmd_init,
                "promote": cmd_promote,
                "backtest": cmd_backtest, "vintages": cmd_vintages}[args.command](args)
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


def cmd_run(args: argparse.Namespace) -> int:  # noqa: C901 - one branch per exit code and flag
    """``capacity run``: validate, run, publish; print where the reports are."""
    from capacity import params, runner
    from capacity.runner.publish import LockError, ReportsDirError, run_cache_dir

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
    except ParameterError as exc:
        _err(f"error: {exc}")
        return EXIT_INPUT
    if args.dry_run:
        return _dry_run(files, notebooks, municipalities, extra, args)
    if _refuse_bad_data(files or [params.BASELINE_PATH]):
        return EXIT_INPUT
    _use_vintages(args)
    signal.signal(signal.SIGTERM, _sigterm)
    try:
        result = runner.run(
            files or None, notebooks=notebooks, municipalities=municipalities, jobs=args.jobs,
            reports_dir=args.reports, keep=args.keep, wait=args.wait,
            timeout=args.timeout or None, start_timeout=args.start_timeout,
            executor=args.executor, scheduler=args.scheduler, progress=not args.no_progress,
            publish=publish, extra_parameters=extra, kernel=args.kernel,
            municipal_scenarios=args.municipalities_for, prepare=not args.no_cache,
            keep_cache=args.keep_cache, municipal_chunk=args.municipal_chunk,
            keep_notebooks=args.keep_notebooks, keep_size=args.keep_size, force=args.force,
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
    if result.status == "unchanged":
        _out(f"nothing changed since run {result.run_dir.name} (same data, parameters, code and "
             "notebooks): nothing recomputed; latest kept (--force runs anyway)")
        _out(f"index: {result.run_dir / 'index.html'}")
        return EXIT_OK
    counts = result.manifest.get("counts", {})
    _out(f"{result.status}: {counts.get('ok', 0)} of {counts.get('total', 0)} reports ok "
         f"in {result.manifest.get('seconds', 0):.0f} s")
    _out(f"index: {result.run_dir / 'index.html'}")
    _on_warning(args, result.run_dir)
    if result.published:
        _out(f"latest -> {result.run_dir.name}")
    elif result.ok and not publish:
        _out("latest not moved: a partial run (--notebooks, --municipality or --no-publish)")
    if args.keep_cache and not args.no_cache and not args.scheduler:
        _out(f"shared results kept in {run_cache_dir(result.run_dir)} (private to this user, "
             "signed with this run's key: a later run or notebook will not load them)")
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
    return EXIT_OK if result.ok else EXIT_FAILED


def _data_problems(path: Path, checked: dict[Any, list[str]]) -> list[str]:
    """Check the data files the scenario in ``path`` reads (each distinct ``data`` section once)."""
    from capacity import data, params

    try:
        cfg = params.load(path).data
    except ParameterError:
        return []  # reported by the parameter check
    key = (cfg.data_dir, tuple(sorted(cfg.files.items())))
    if key not in checked:
        checked[key] = data.check_scenario_data(cfg)
    return checked[key]


def _refuse_bad_data(files: Sequence[Path | str]) -> bool:
    """Check the data files every scenario of a run reads; print the problems, if any, and say so."""
    checked: dict[Any, list[str]] = {}
    problems = [p for f in files for p in _data_problems(Path(f), checked)]
    if problems:
        _err("error: nothing ran.\n" + "\n".join(dict.fromkeys(problems)))
    return bool(problems)


def _dry_run(files: list[Path], notebooks: Any, municipalities: Any, extra: dict[str, Any],
             args: argparse.Namespace) -> int:
    from capacity import runner

    try:
        the_plan = runner.plan(files or None, notebooks=notebooks, municipalities=municipalities,
                               extra_parameters=extra,
                               municipal_scenarios=args.municipalities_for)
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
        _out(f"  municipalities: {len(the_plan.municipalities)}, for "
             + (", ".join(the_plan.municipal_scenarios) if the_plan.municipal_scenarios
                else "every scenario"))
    return EXIT_OK


def _refuse_notebooks(files: Sequence[Path]) -> None:
    """Fail in one line on a notebook given where a scenario file is expected."""
    for path in files:
        if Path(path).suffix.lower() == ".ipynb":
            raise ParameterError(f"{path}: a notebook, not a scenario file (YAML); select "
                                 f"notebooks with --notebooks {Path(path).name}")


def _parse_parameters(items: Sequence[str]) -> dict[str, Any]:
    import yaml

    parsed: dict[str, Any] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip().isidentifier():
            raise ParameterError(f"-p {item!r}: expected NAME=VALUE with a Python identifier NAME")
        parsed[name.strip()] = yaml.safe_load(value)
    return parsed


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
    for path, error in params.validate_files(files).items():
        problems = _data_problems(Path(path), checked) if error is None else []
        if problems:
            error = "\nERROR  ".join(problems)  # one line per data problem
        if error is None:
            _out(f"ok     {path}")
        else:
            bad += 1
            for line in error.splitlines():  # one problem per line, each naming its file
                _out(line if line.startswith("ERROR  ") else f"ERROR  {line}")
    _out(f"{len(files) - bad} of {len(files)} files valid")
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

    from capacity import data, params
    from capacity.forecast import run_backtest

    try:
        scn = params.load(args.params)
        history = data.load_history(scn.data.data_dir, scn.data.files)
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
        status = json.loads(path.read_text(encoding="utf-8"))["status"]
    except (OSError, ValueError, KeyError):
        return
    _out(f"early warning: {status} ({path})")
    command = args.on_warning or os.environ.get("CAPACITY_ON_WARNING")
    if command and status in ("amber", "red", "stale"):
        code = notify(command, path)
        _out(f"on-warning command {'exited with ' + str(code) if code is not None else 'did not run'}")


def cmd_vintages(args: argparse.Namespace) -> int:
    """``capacity vintages list|export|prune``: the store of earlier runs."""
    from capacity import project
    from capacity.vintages import store

    path = args.vintages or store.default_path(args.reports or project.reports_dir())
    if not Path(path).is_file():
        _err(f"error: {path}: no vintage store (a completed run creates it)")
        return EXIT_INPUT
    if args.action == "prune" and (args.keep is None or args.keep < 1):
        _err(f"error: vintages prune --keep {args.keep}: expected a number of runs to keep, at least 1")
        return EXIT_INPUT
    con = store.connect(path)
    try:
        if args.action == "list":
            table = store.list_vintages(con)
            _out(table.to_string(index=False) if not table.empty else "no vintages stored")
        elif args.action == "export":
            for written in store.export(con, args.output, args.format):
                _out(f"wrote {written}")
        else:
            dropped = store.prune(con, args.keep)
            _out(f"pruned {len(dropped)} run(s); kept the newest {args.keep}")
    finally:
        con.close()
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
