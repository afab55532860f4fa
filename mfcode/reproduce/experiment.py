"""The protocol of a paper-scale experiment of ``python -m mfcode.reproduce``: named parts, each an artifact.

An experiment is a set of named **parts**, each computed by one call that writes one artifact
(an ``.npz`` plus its JSON provenance record, written atomically) under the repository's
``artifacts/`` folder. Parts are independent of each other, so they may run in any order, in
separate processes or on separate machines (:mod:`mfcode.reproduce.runner`). Computing a part
(:meth:`Experiment.compute`, in a worker) is separate from writing it (:meth:`Experiment.save`, in
the process that launched the run), so a Ray cluster without a shared file system returns the
arrays to the launching machine, which writes them. An implementation (e.g.
:class:`mfcode.reproduce.fig4.Fig4Learners`) must be picklable: the runner sends it to the workers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from numpy.typing import NDArray

from mfcode.rl.artifact import PartCheck

__all__ = ["Experiment", "PartOutput", "PartRun", "Resources"]


@dataclass(frozen=True)
class Resources:
    """What one part needs while it runs (a Ray task is pinned to them).

    Attributes
    ----------
    cpus : float
        CPU cores (threads the part uses).
    gpus : float
        GPUs (0 for a CPU part; a Ray cluster schedules a part with ``gpus > 0`` on a GPU node).
    """

    cpus: float = 1.0
    gpus: float = 0.0


@dataclass(frozen=True)
class PartOutput:
    """What computing a part returns to the launching process.

    Attributes
    ----------
    arrays : mapping of str to array
        The artifact's arrays.
    info : mapping
        Provenance gathered where the part ran (device, host, threads, per-phase times).
    wall_time_s : float
        Seconds of the computation.
    command : str
        The command that recomputes this part.
    """

    arrays: Mapping[str, NDArray[Any]]
    info: Mapping[str, object]
    wall_time_s: float
    command: str


@dataclass(frozen=True)
class PartRun:
    """The outcome of running one part.

    Attributes
    ----------
    experiment, part : str
    wall_time_s : float
        Seconds the part took in its worker.
    device : str
        Where it ran (``"cpu"``, ``"cuda"``, ... and the host name).
    artifact : Path
        The ``.npz`` written (its provenance record lies beside it).
    """

    experiment: str
    part: str
    wall_time_s: float
    device: str
    artifact: Path


@runtime_checkable
class Experiment(Protocol):
    """A registered paper-scale experiment."""

    @property
    def name(self) -> str:
        """The name given to ``python -m mfcode.reproduce run NAME``."""
        ...

    @property
    def description(self) -> str:
        """One line: the paper's figure or table it feeds, and the book page that loads it."""
        ...

    @property
    def parts(self) -> tuple[str, ...]:
        """The part names, in the order they are listed and run."""
        ...

    def resources(self, part: str) -> Resources:
        """What ``part`` needs while it runs."""
        ...

    def check(self, root: Path, part: str) -> PartCheck:
        """The state of ``part``'s artifact under the repository root ``root`` (presence, provenance, layout)."""
        ...

    def estimate_seconds(self, part: str) -> float:
        """Estimated wall time of ``part`` on this machine (a short calibration may run on first use)."""
        ...

    def compute(self, part: str, position: int | None = None, progress: bool = True) -> PartOutput:
        """Compute ``part`` in the calling process; ``position`` places its progress bar."""
        ...

    def save(self, root: Path, part: str, output: PartOutput) -> PartRun:
        """Write ``output`` as ``part``'s artifact under the repository root ``root``, atomically."""
        ...

    def artifact(self, root: Path, part: str) -> Path:
        """The artifact file of ``part`` under ``root`` (its provenance record lies beside it)."""
        ...
