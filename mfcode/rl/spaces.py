"""Action spaces of the reinforcement-learning environments used with :mod:`mfcode.rl`.

Two kinds suffice for the papers of the book:

- :class:`Box` -- a continuous action in a product of intervals, used for the MFC MDP whose action
  is a decision rule ``h: X -> P(U)`` (seed ``002_7da79a39441e57df.txt``, Sec. VI: "a diagonal
  Gaussian distribution over actions, which are sampled and clipped between 0 and 1");
- :class:`Discrete` -- a finite action set, used for the N-agent baselines NA and PS (Sec. VI:
  "we output queue assignment probabilities for each of the agents via a standard softmax final
  layer").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Box", "Discrete", "Space"]


@dataclass(frozen=True)
class Box:
    """A continuous action space ``[low, high]^dim`` (scalar bounds shared by all coordinates).

    Parameters
    ----------
    dim
        Number of action coordinates (the Gaussian policy head has ``dim`` means and ``dim``
        log standard deviations).
    low, high
        Bounds to which sampled actions are clipped before they reach the environment, as RLlib's
        ``clip_actions=True`` does; the log-likelihood is that of the unclipped Gaussian sample.
    """

    dim: int
    low: float = 0.0
    high: float = 1.0

    def __post_init__(self) -> None:
        if not isinstance(self.dim, int) or self.dim < 1:
            raise ValueError(f"dim must be a positive int, got {self.dim!r}")
        if not (np.isfinite(self.low) and np.isfinite(self.high) and self.low < self.high):
            raise ValueError(f"low < high must be finite, got low={self.low!r}, high={self.high!r}")

    @property
    def n_outputs(self) -> int:
        """Number of policy-network outputs: means and log standard deviations."""
        return 2 * self.dim


@dataclass(frozen=True)
class Discrete:
    """A finite action space ``{0, ..., n - 1}`` with a softmax (categorical) policy head.

    Parameters
    ----------
    n
        Number of actions (at least 2).
    """

    n: int

    def __post_init__(self) -> None:
        if not isinstance(self.n, int) or self.n < 2:
            raise ValueError(f"n must be an int >= 2, got {self.n!r}")

    @property
    def n_outputs(self) -> int:
        """Number of policy-network outputs: one logit per action."""
        return self.n


Space = Box | Discrete
