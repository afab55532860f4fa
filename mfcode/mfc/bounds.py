"""The quantitative side of Lemma 1 and Theorem 1 (seed 002, Sec. IV).

- Lemma 1 (i): :math:`\\mathbb E\\|\\mathbb G^N-\\mathbb E\\mathbb G^N\\|_1^2\\le|\\mathcal X|^2|\\mathcal U|^2/(4N)`
  for any independent profile (its Chebyshev tail (ii) is this bound over :math:`\\epsilon^2`).
- Theorem 1 states :math:`J^N\\to J` uniformly without a rate. If :math:`r` and :math:`P^0` are
  Lipschitz in :math:`\\mathbb G` (constants :math:`L_r`, :math:`L_P`, :math:`\\ell_1` norms), the
  paper's induction becomes quantitative (derived in the book, ``book/mfc/theory.md``,
  Proposition "A rate under Lipschitz continuity"; not in the paper):

  .. math:: \\sup_\\pi|J^N(\\boldsymbol\\pi^N(\\pi))-J(\\pi)|\\le
            \\frac{|\\mathcal X||\\mathcal U|}{2\\sqrt N}\\Big(\\frac{L_r}{1-\\gamma}
            +\\frac{\\gamma R L_P}{(1-\\gamma)^2}\\Big).

:func:`scheduling_lipschitz` computes :math:`L_r`, :math:`L_P`, :math:`R` of the M = 2 scheduling
instance, where everything depends on :math:`\\mathbb G` through :math:`q_1\\in[0,1]` and
:math:`|q_1-q_1'|\\le\\tfrac12\\|\\mathbb G-\\mathbb G'\\|_1`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from mfcode.arrays import FloatArray
from mfcode.limits import check_elements
from mfcode.mfc.scheduling import SchedulingModel
from mfcode.validation import check_array, check_int, check_real

__all__ = ["LipschitzConstants", "lemma1_bound", "scheduling_lipschitz", "theorem1_bound"]


def _check_sizes(n_agent_states: int, n_actions: int, n_agents: ArrayLike) -> FloatArray:
    check_int(n_agent_states, "n_agent_states", low=1)
    check_int(n_actions, "n_actions", low=1)
    N: FloatArray = check_array(n_agents, "n_agents", finite=True)
    if np.any(N < 1):
        raise ValueError("n_agents must be at least 1")
    return N


def lemma1_bound(n_agent_states: int, n_actions: int, n_agents: ArrayLike) -> FloatArray:
    """Lemma 1 (i): :math:`\\mathbb E\\|\\mathbb G^N-\\mathbb E\\mathbb G^N\\|_1^2\\le|\\mathcal X|^2|\\mathcal U|^2/(4N)`, per ``N`` in ``n_agents``."""
    N = _check_sizes(n_agent_states, n_actions, n_agents)
    out: FloatArray = (n_agent_states * n_actions) ** 2 / (4.0 * N)
    return out


@dataclass(frozen=True)
class LipschitzConstants:
    """Constants of the quantitative Theorem 1: :math:`L_r`, :math:`L_P` (Lipschitz in :math:`\\mathbb G`, l1 norm) and :math:`R=\\max|r|` (Prop. 1, eq. 13)."""

    L_r: float
    L_P: float
    R: float

    def __post_init__(self) -> None:
        for name in ("L_r", "L_P", "R"):
            object.__setattr__(self, name, check_real(getattr(self, name), name, low=0.0))


def theorem1_bound(n_agent_states: int, n_actions: int, n_agents: ArrayLike, gamma: float, constants: LipschitzConstants) -> FloatArray:
    """Derived bound on :math:`\\sup_\\pi|J^N(\\boldsymbol\\pi^N(\\pi))-J(\\pi)|` (O(1/sqrt N); see module docstring)."""
    N = _check_sizes(n_agent_states, n_actions, n_agents)
    g = check_real(gamma, "gamma", low=0.0, high=1.0, low_open=True, high_open=True)
    if not isinstance(constants, LipschitzConstants):
        raise TypeError(f"constants must be LipschitzConstants, got {type(constants).__name__}")
    delta = n_agent_states * n_actions / (2.0 * np.sqrt(N))
    out: FloatArray = delta * (constants.L_r / (1 - g) + g * constants.R * constants.L_P / (1 - g) ** 2)
    return out


def scheduling_lipschitz(model: SchedulingModel, n_grid: int = 4001) -> LipschitzConstants:
    """:math:`L_r`, :math:`L_P`, :math:`R` of the two-queue instance (max slopes on a fine q-grid).

    The slopes of consecutive grid points converge to the supremum of the derivative as the grid
    is refined (r and P⁰ are smooth in :math:`q_1`).
    """
    if not isinstance(model, SchedulingModel) or model.n_queues != 2:
        raise ValueError("model must be a SchedulingModel with n_queues == 2")
    n_grid = check_int(n_grid, "n_grid", low=3)
    check_elements(n_grid * model.n_env_states**2, f"the kernels on the grid of n_grid={n_grid} points")
    t = np.linspace(0.0, 1.0, n_grid)
    G = np.zeros((n_grid, model.n_agent_states, model.n_actions))
    G[:, 0, 0] = t  # access {1}: all to queue 1
    G[:, 1, 1] = 1.0 - t  # access {2}: all to queue 2
    r, P = model.reward(G), model.kernel(G)
    dq = t[1] - t[0]
    slope_r = np.abs(np.diff(r, axis=0)).max() / dq
    slope_P = np.abs(np.diff(P, axis=0)).sum(axis=-1).max() / dq
    return LipschitzConstants(L_r=0.5 * float(slope_r), L_P=0.5 * float(slope_P), R=float(np.abs(r).max()))
