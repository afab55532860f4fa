"""The registry of the book's paper-scale experiments (a chapter with an expensive run adds its experiment here)."""

from __future__ import annotations

from mfcode.reproduce.experiment import Experiment
from mfcode.reproduce.fig4 import Fig4Learners

__all__ = ["experiments", "get_experiment"]


def experiments() -> dict[str, Experiment]:
    """Every registered experiment by name, in the order ``list`` prints them."""
    registered: tuple[Experiment, ...] = (Fig4Learners(),)
    return {e.name: e for e in registered}


def get_experiment(name: str) -> Experiment:
    """The registered experiment called ``name``."""
    registry = experiments()
    if not isinstance(name, str) or name not in registry:
        raise ValueError(f"name must be one of the registered experiments {sorted(registry)}, got {name!r}")
    return registry[name]
