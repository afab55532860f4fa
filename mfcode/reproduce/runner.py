"""Running the parts of an experiment: in this process, in local worker processes, or as Ray tasks.

Every part is computed where it runs (:meth:`~mfcode.reproduce.experiment.Experiment.compute`) and
written by this process as soon as it finishes (:meth:`~mfcode.reproduce.experiment.Experiment.save`,
atomically), so a run that is killed loses at most the parts in progress, and running the same
command again computes only what is still missing (:func:`pending_parts`).

- ``workers = 1``: the parts run one after the other in this process;
- ``workers = K > 1``: ``K`` local worker processes (``spawn``), one part each at a time;
- ``ray = True``: a local Ray instance with ``workers`` CPUs, one Ray task per part, each pinned to
  the part's :class:`~mfcode.reproduce.experiment.Resources`; ``ray_address``: an existing Ray
  cluster (``ray.init(address=...)``), GPU parts scheduled on GPU nodes by their ``gpus``.

Seeded parts give the same arrays on every route (bit-identical on the same device and threads).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from tqdm import tqdm

from mfcode.reproduce.experiment import Experiment, PartOutput, PartRun
from mfcode.validation import check_int, check_path

__all__ = ["check_experiment", "pending_parts", "relative_to", "run_parts", "summary_table"]


def check_experiment(experiment: object) -> Experiment:
    """``experiment`` if it implements :class:`~mfcode.reproduce.experiment.Experiment` with a str name and str parts."""
    if not isinstance(experiment, Experiment):
        raise TypeError(f"experiment must implement mfcode.reproduce.Experiment, got {type(experiment).__name__}")
    named = isinstance(experiment.name, str) and isinstance(experiment.description, str)
    if not named or not isinstance(experiment.parts, tuple) or not all(isinstance(p, str) for p in experiment.parts):
        raise TypeError("experiment must have a str name and description and a tuple of str parts")
    return experiment


def _parts(experiment: Experiment, parts: Sequence[str] | None) -> tuple[str, ...]:
    if parts is None:
        return experiment.parts
    if not isinstance(parts, (list, tuple)) or not all(isinstance(p, str) for p in parts):
        raise TypeError("parts must be a sequence of part names (str) or None")
    unknown = [p for p in parts if p not in experiment.parts]
    if unknown:
        raise ValueError(f"parts: {experiment.name} has no part {unknown} (its parts: {', '.join(experiment.parts)})")
    return tuple(p for p in experiment.parts if p in parts)


def pending_parts(experiment: Experiment, root: Path | str, parts: Sequence[str] | None = None, force: bool = False) -> tuple[str, ...]:
    """The parts among ``parts`` (default: all) whose artifact is not ``"ok"`` (all of them with ``force``)."""
    experiment = check_experiment(experiment)
    base = check_path(root, "root")
    chosen = _parts(experiment, parts)
    if not isinstance(force, bool):
        raise TypeError(f"force must be a bool, got {force!r}")
    return chosen if force else tuple(p for p in chosen if experiment.check(base, p).status != "ok")


def _compute(experiment: Experiment, part: str, position: int | None, progress: bool) -> PartOutput:
    """A part's computation (module level, so worker processes and Ray can import it)."""
    return experiment.compute(part, position, progress)


def _position(index: int, workers: int, progress: bool) -> int | None:
    """The progress-bar line of the ``index``-th part with ``workers`` running at once (line 0 is the overall bar)."""
    return 1 + index % workers if progress else None


def relative_to(path: Path, root: Path | str | None) -> str:
    """``path`` relative to ``root`` when it lies below it (the paths tables print)."""
    path = check_path(path, "path")
    if root is not None and path.is_relative_to(check_path(root, "root")):
        return str(path.relative_to(Path(root)))
    return str(path)


def _serial(experiment: Experiment, parts: Sequence[str], progress: bool) -> Iterator[tuple[str, PartOutput]]:
    for part in parts:
        yield part, _compute(experiment, part, _position(0, 1, progress), progress)


def _local(experiment: Experiment, parts: Sequence[str], workers: int, progress: bool) -> Iterator[tuple[str, PartOutput]]:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(_compute, experiment, part, _position(i, workers, progress), progress): part
                   for i, part in enumerate(parts)}
        for future in as_completed(futures):
            yield futures[future], future.result()


def _ray(experiment: Experiment, parts: Sequence[str], workers: int, address: str | None,
         progress: bool) -> Iterator[tuple[str, PartOutput]]:
    try:
        import ray
    except ImportError as error:  # pragma: no cover - ray is in the test environment
        raise ValueError("ray: Ray is not installed; install the optional extra: pip install -e '.[ray]'") from error
    started = not ray.is_initialized()
    if started:
        if address is None:
            ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=progress, configure_logging=False)
        else:
            ray.init(address=address, log_to_driver=progress, configure_logging=False)
    try:
        task = ray.remote(_compute)
        refs: dict[Any, str] = {}
        for i, part in enumerate(parts):
            need = experiment.resources(part)
            ref = task.options(num_cpus=need.cpus, num_gpus=need.gpus).remote(experiment, part, _position(i, workers, progress), progress)
            refs[ref] = part
        waiting = list(refs)
        while waiting:
            done, waiting = ray.wait(waiting, num_returns=1)
            for ref in done:
                yield refs[ref], ray.get(ref)
    finally:
        if started:
            ray.shutdown()


def run_parts(
    experiment: Experiment,
    root: Path | str,
    parts: Sequence[str] | None = None,
    workers: int = 1,
    ray: bool = False,
    ray_address: str | None = None,
    force: bool = False,
    progress: bool = True,
) -> list[PartRun]:
    """Compute and save the pending parts of ``experiment`` under ``root``; return one :class:`PartRun` per part written.

    Parameters
    ----------
    experiment
        A registered :class:`~mfcode.reproduce.experiment.Experiment`.
    root
        The repository root (the experiment's artifacts live below it).
    parts
        Part names (default: every part); only those not yet ``"ok"`` run, unless ``force``.
    workers
        Parts run at once (local worker processes, or the CPUs of a local Ray instance).
    ray, ray_address
        Run the parts as Ray tasks: on a local instance (``ray``), or on the cluster at ``ray_address``.
    progress
        One tqdm bar per running part and an overall bar.
    """
    experiment = check_experiment(experiment)
    root = check_path(root, "root")
    workers = check_int(workers, "workers", low=1)
    if not isinstance(ray, bool):
        raise TypeError(f"ray must be a bool, got {ray!r}")
    if ray_address is not None and (not isinstance(ray_address, str) or not ray_address):
        raise ValueError(f"ray_address must be a non-empty str or None, got {ray_address!r}")
    if not isinstance(progress, bool):
        raise TypeError(f"progress must be a bool, got {progress!r}")
    todo = pending_parts(experiment, root, parts, force)
    if not todo:
        return []
    if ray or ray_address is not None:
        outputs = _ray(experiment, todo, workers, ray_address, progress)
    elif workers > 1:
        outputs = _local(experiment, todo, workers, progress)
    else:
        outputs = _serial(experiment, todo, progress)
    runs = []
    with tqdm(total=len(todo), desc=f"{experiment.name}: parts", position=0, disable=not progress) as overall:
        for part, output in outputs:
            runs.append(experiment.save(root, part, output))
            overall.update(1)
    return runs


def summary_table(runs: Sequence[PartRun], root: Path | str | None = None) -> str:
    """Markdown table of finished parts: part, wall time, device, artifact (relative to ``root`` when given)."""
    if not isinstance(runs, (list, tuple)):
        raise TypeError(f"runs must be a sequence of PartRun, got {type(runs).__name__}")
    lines = ["| experiment | part | wall time | device | artifact |", "|---|---|---|---|---|"]
    for run in runs:
        if not isinstance(run, PartRun):
            raise TypeError(f"runs must hold PartRun, got {type(run).__name__}")
        lines.append(f"| {run.experiment} | {run.part} | {run.wall_time_s / 60:.1f} min | {run.device} | {relative_to(run.artifact, root)} |")
    return "\n".join(lines)
