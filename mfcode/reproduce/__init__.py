"""Paper-scale runs as one reproducible pipeline: ``python -m mfcode.reproduce list | run | verify``.

Every experiment too expensive for a book build is registered here (:mod:`~mfcode.reproduce.registry`)
as a set of named parts (:class:`~mfcode.reproduce.experiment.Experiment`), each written as one
artifact (``.npz`` + JSON provenance, atomically) under ``artifacts/``, which the ``full`` notebooks
load. :mod:`~mfcode.reproduce.runner` runs the missing parts serially, in local worker processes or
as Ray tasks (a local instance or a cluster); :mod:`~mfcode.reproduce.cli` is the command line.
"""

from mfcode.reproduce.experiment import Experiment, PartOutput, PartRun, Resources
from mfcode.reproduce.fig4 import Fig4Learners
from mfcode.reproduce.registry import experiments, get_experiment
from mfcode.reproduce.runner import pending_parts, run_parts, summary_table

__all__ = [
    "Experiment",
    "Fig4Learners",
    "PartOutput",
    "PartRun",
    "Resources",
    "experiments",
    "get_experiment",
    "pending_parts",
    "run_parts",
    "summary_table",
]
