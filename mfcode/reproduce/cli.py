"""``python -m mfcode.reproduce``: list, run and verify the book's paper-scale experiments.

- ``list [--no-estimate]`` -- every experiment, its parts, the state of each artifact (``ok``: present
  and made with the current budget, PPO settings and seed; ``missing``; ``stale``: made with other
  settings; ``corrupt``: unreadable, checksum or array layout wrong) and, for each part not ``ok``,
  its estimated cost on this machine, then the command that computes what is missing;
- ``run NAME [--parts P ...] [--workers K] [--ray | --ray-address ADDRESS] [--force]`` -- compute the
  parts that are not ``ok`` (:func:`~mfcode.reproduce.runner.run_parts`) and print a summary table;
- ``verify [NAME ...] [--complete]`` -- re-load every artifact, check provenance, checksum and
  shapes; exit status 1 if one is stale or corrupt (or, with ``--complete``, missing).

``--root`` is the repository root (default: the working directory).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from mfcode.reproduce.experiment import Experiment
from mfcode.reproduce.registry import experiments, get_experiment
from mfcode.reproduce.runner import check_experiment, pending_parts, relative_to, run_parts, summary_table
from mfcode.validation import check_bool, check_path

__all__ = ["main", "status_table"]


def status_table(experiment: Experiment, root: Path, estimate: bool) -> tuple[str, tuple[str, ...]]:
    """The ``list`` table of one experiment and its parts that are not ``ok``."""
    experiment = check_experiment(experiment)
    root = check_path(root, "root")
    check_bool(estimate, "estimate")
    lines = [f"## {experiment.name}: {experiment.description}", "",
             "| part | state | artifact | note |", "|---|---|---|---|"]
    todo = []
    for part in experiment.parts:
        found = experiment.check(root, part)
        note = found.reason
        if found.status != "ok":
            todo.append(part)
            if estimate:
                note = f"est. {experiment.estimate_seconds(part) / 60:.0f} min on this machine ({found.status})"
        elif found.provenance.get("wall_time_s") is not None:
            note = f"{float(found.provenance['wall_time_s']) / 60:.0f} min on {found.provenance.get('device', '?')}" + (f"; {note}" if note else "")
        lines.append(f"| {part} | {found.status} | {relative_to(found.npz, root)} | {note} |")
    if todo:
        lines += ["", f"missing: python -m mfcode.reproduce run {experiment.name} --parts {' '.join(todo)} --workers 2"]
    else:
        lines += ["", f"{experiment.name}: complete"]
    return "\n".join(lines), tuple(todo)


def _list(args: argparse.Namespace) -> int:
    for experiment in experiments().values():
        table, _ = status_table(experiment, args.root, not args.no_estimate)
        print(table, end="\n\n")
    return 0


def _run(args: argparse.Namespace) -> int:
    experiment = get_experiment(args.name)
    todo = pending_parts(experiment, args.root, args.parts, args.force)
    if not todo:
        print(f"{experiment.name}: nothing to run (every chosen part is ok)")
        return 0
    print(f"{experiment.name}: running {', '.join(todo)}")
    runs = run_parts(experiment, args.root, todo, workers=args.workers, ray=args.ray, ray_address=args.ray_address,
                     force=True, progress=not args.quiet)
    print(summary_table(runs, args.root))
    return 0


def _verify(args: argparse.Namespace) -> int:
    names = args.names or list(experiments())
    failed = 0
    for name in names:
        experiment = get_experiment(name)
        for part in experiment.parts:
            found = experiment.check(args.root, part)
            bad = found.status in ("stale", "corrupt") or (args.complete and found.status == "missing")
            failed += bad
            print(f"{'FAIL' if bad else 'ok  '} {name} {part}: {found.status}" + (f" -- {found.reason}" if found.reason else ""))
    print(f"verify: {failed} problem(s)")
    return 1 if failed else 0


def parser() -> argparse.ArgumentParser:
    """The command-line parser."""
    main_parser = argparse.ArgumentParser(prog="python -m mfcode.reproduce", description=(__doc__ or "").splitlines()[0])
    main_parser.add_argument("--root", type=Path, default=Path(), help="repository root (default: .)")
    sub = main_parser.add_subparsers(dest="command", required=True)
    listing = sub.add_parser("list", help="experiments, parts, artifact states, estimated costs")
    listing.add_argument("--no-estimate", action="store_true", help="skip the cost calibration of missing parts")
    run = sub.add_parser("run", help="compute the parts that are not ok")
    run.add_argument("name")
    run.add_argument("--parts", nargs="+", default=None)
    run.add_argument("--workers", type=int, default=1)
    where = run.add_mutually_exclusive_group()
    where.add_argument("--ray", action="store_true", help="a local Ray instance with --workers CPUs")
    where.add_argument("--ray-address", default=None, help="an existing Ray cluster")
    run.add_argument("--force", action="store_true", help="recompute parts that are ok")
    run.add_argument("--quiet", action="store_true", help="no progress bars")
    verify = sub.add_parser("verify", help="re-load every artifact; check provenance, checksum, shapes")
    verify.add_argument("names", nargs="*")
    verify.add_argument("--complete", action="store_true", help="a missing part is a failure too")
    return main_parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    args = parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    args.root = args.root.resolve()
    if args.command == "run" and args.workers < 1:
        parser().error(f"--workers must be at least 1, got {args.workers}")
    try:
        handler = {"list": _list, "run": _run, "verify": _verify}[args.command]
        return handler(args)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
