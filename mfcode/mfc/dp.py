"""Exact dynamic programming for the MFC MDP on a finite grid of decision rules.

Seed ``002_7da79a39441e57df.txt``, Sec. V. The action-value function (eq. 26) solves the
Bellman equation (eq. 27); the Bellman operator (eq. 28)

.. math:: (BQ)(x^0,h)=r\\big(x^0,\\mathbb G(\\mu_0,h)\\big)
          +\\gamma\\sum_{\\tilde x^0}P^0\\big(\\tilde x^0\\mid x^0,\\mathbb G(\\mu_0,h)\\big)
          \\max_{\\tilde h}Q(\\tilde x^0,\\tilde h)

is a :math:`\\gamma`-contraction in the sup norm (Lemma 2), so value iteration converges to its
unique fixed point and a greedy stationary policy is optimal (Lemma 2, Cor. 2). The MFC MDP has a
finite state space but a continuum of actions :math:`\\mathcal H`; here :math:`\\mathcal H` is
replaced by a finite grid :math:`\\mathcal H_n` (simplex lattices of resolution ``n`` over the
admissible actions of every agent state). Because Q is continuous in h (Lemma 3) and
:math:`\\mathcal H` is compact, the grid optimum converges to the true optimum as the grid is
refined; :func:`grid_refinement` measures it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from tqdm.std import tqdm  # plain text bars on stderr (no ipywidgets needed; the book drops stderr)

from mfcode.mfc.combinatorics import compositions
from mfcode.mfc.mdp import MFCMDP

__all__ = [
    "DPResult",
    "GridMDP",
    "bellman_operator",
    "decision_rule_grid",
    "grid_refinement",
    "policy_evaluation",
    "policy_iteration",
    "simplex_grid",
    "solve",
    "value_iteration",
]


def simplex_grid(dim: int, resolution: int) -> np.ndarray:
    """All points of the probability simplex in :math:`\\mathbb R^{dim}` with coordinates in
    :math:`\\{0, 1/n, \\dots, 1\\}`, ``n = resolution``; shape ``(binom(n+dim-1, dim-1), dim)``."""
    if not isinstance(dim, (int, np.integer)) or dim < 1:
        raise ValueError(f"dim must be a positive integer, got {dim!r}")
    if not isinstance(resolution, (int, np.integer)) or resolution < 1:
        raise ValueError(f"resolution must be a positive integer, got {resolution!r}")
    return compositions(int(resolution), int(dim)) / resolution


def decision_rule_grid(mdp: MFCMDP, resolution: int) -> np.ndarray:
    """The grid :math:`\\mathcal H_n`: every combination of per-state simplex lattices over the
    admissible actions (``model.action_mask``); shape ``(K, X, U)``.

    For the M = 2 scheduling instance only the row of the full-access state is free, so the grid
    is ``p = h({1,2}, queue 1)`` in ``{0, 1/n, ..., 1}`` (``K = n + 1``).
    """
    if not isinstance(mdp, MFCMDP):
        raise TypeError(f"mdp must be an MFCMDP, got {type(mdp).__name__}")
    X, U = mdp.action_shape
    mask = mdp.model.action_mask
    rows = []
    for x in range(X):
        adm = np.flatnonzero(mask[x])
        if adm.size == 0:
            raise ValueError(f"agent state {x} has no admissible action")
        pts = simplex_grid(adm.size, resolution)
        full = np.zeros((pts.shape[0], U))
        full[:, adm] = pts
        rows.append(full)
    combos = itertools.product(*[range(r.shape[0]) for r in rows])
    return np.array([[rows[x][i] for x, i in enumerate(c)] for c in combos])


@dataclass(frozen=True)
class GridMDP:
    """The MFC MDP restricted to a finite set of decision rules (exact tabular MDP).

    Attributes
    ----------
    rules : numpy.ndarray, shape (K, X, U)
        The candidate decision rules.
    rewards : numpy.ndarray, shape (K, X0)
        ``r(x0, G(mu0, rules[k]))``.
    kernels : numpy.ndarray, shape (K, X0, X0)
        ``P0(x0' | x0, G(mu0, rules[k]))``.
    gamma : float
    """

    rules: np.ndarray
    rewards: np.ndarray
    kernels: np.ndarray
    gamma: float

    @classmethod
    def from_mdp(cls, mdp: MFCMDP, rules: np.ndarray) -> GridMDP:
        """Tabulate rewards and kernels of ``mdp`` on the decision rules ``rules`` (K, X, U)."""
        if not isinstance(mdp, MFCMDP):
            raise TypeError(f"mdp must be an MFCMDP, got {type(mdp).__name__}")
        rules = np.asarray(rules, dtype=float)
        if rules.ndim != 3:
            raise ValueError(f"rules must have shape (K, X, U), got {rules.shape}")
        return cls(rules=rules, rewards=mdp.reward(rules), kernels=mdp.kernel(rules), gamma=mdp.gamma)

    def __post_init__(self) -> None:
        K, X0 = self.rewards.shape
        if self.kernels.shape != (K, X0, X0):
            raise ValueError(f"kernels must have shape ({K}, {X0}, {X0}), got {self.kernels.shape}")
        if self.rules.shape[0] != K:
            raise ValueError(f"rules must have {K} entries, got {self.rules.shape[0]}")
        if not 0.0 < self.gamma < 1.0:
            raise ValueError(f"gamma must lie in (0, 1), got {self.gamma}")

    @property
    def n_states(self) -> int:
        """Number of environment states."""
        return self.rewards.shape[1]

    @property
    def n_rules(self) -> int:
        """Number of grid decision rules K."""
        return self.rewards.shape[0]

    def policy(self, index: np.ndarray) -> np.ndarray:
        """Stationary policy ``(X0, X, U)`` choosing rule ``index[x0]`` in state ``x0``."""
        return self.rules[np.asarray(index)]


@dataclass(frozen=True)
class DPResult:
    """Solution of the grid MFC MDP.

    Attributes
    ----------
    Q : numpy.ndarray, shape (X0, K)
        Action values on the grid (eq. 26 restricted to the grid).
    V : numpy.ndarray, shape (X0,)
        :math:`\\max_h Q(x^0,h)`.
    index : numpy.ndarray of int, shape (X0,)
        Greedy grid rule per state.
    policy : numpy.ndarray, shape (X0, X, U)
        The greedy stationary policy.
    n_iter : int
        Iterations used.
    residual : float
        Last sup-norm change (value iteration) or 0 (policy iteration, exact).
    """

    Q: np.ndarray
    V: np.ndarray
    index: np.ndarray
    policy: np.ndarray
    n_iter: int
    residual: float


def bellman_operator(grid: GridMDP, Q: np.ndarray) -> np.ndarray:
    """Apply the Bellman operator B of eq. (28) to ``Q`` (X0, K); returns ``(X0, K)``."""
    Q = np.asarray(Q, dtype=float)
    if Q.shape != (grid.n_states, grid.n_rules):
        raise ValueError(f"Q must have shape ({grid.n_states}, {grid.n_rules}), got {Q.shape}")
    V = Q.max(axis=1)
    return (grid.rewards + grid.gamma * grid.kernels @ V).T


def _greedy(grid: GridMDP, Q: np.ndarray, n_iter: int, residual: float) -> DPResult:
    index = Q.argmax(axis=1)
    return DPResult(Q=Q, V=Q.max(axis=1), index=index, policy=grid.policy(index), n_iter=n_iter, residual=residual)


def value_iteration(grid: GridMDP, tol: float = 1e-10, max_iter: int = 100_000,
                    Q0: np.ndarray | None = None, progress: bool = False) -> DPResult:
    """Value iteration :math:`Q_{k+1}=BQ_k` until the sup-norm error bound is below ``tol``.

    Stops when :math:`\\|Q_{k+1}-Q_k\\|_\\infty\\le tol(1-\\gamma)/\\gamma`, which guarantees
    :math:`\\|Q_{k+1}-Q\\|_\\infty\\le tol` by the contraction property (Lemma 2).

    Parameters
    ----------
    grid : GridMDP
    tol : float
        Target sup-norm accuracy of Q.
    max_iter : int
    Q0 : numpy.ndarray or None
        Initial Q (default zeros).
    progress : bool
        Show a tqdm bar.
    """
    if not tol > 0:
        raise ValueError(f"tol must be positive, got {tol}")
    Q = np.zeros((grid.n_states, grid.n_rules)) if Q0 is None else np.array(Q0, dtype=float)
    threshold = tol * (1.0 - grid.gamma) / grid.gamma
    delta = np.inf
    for it in tqdm(range(1, max_iter + 1), disable=not progress, desc="value iteration"):
        Q_new = bellman_operator(grid, Q)
        delta = float(np.abs(Q_new - Q).max())
        Q = Q_new
        if delta <= threshold:
            return _greedy(grid, Q, it, delta)
    raise RuntimeError(f"value iteration did not reach tol={tol} in max_iter={max_iter} iterations (last change {delta:.3e})")


def policy_evaluation(grid: GridMDP, index: np.ndarray) -> np.ndarray:
    """Exact value ``(X0,)`` of the stationary grid policy ``index`` (X0,) by one linear solve."""
    index = np.asarray(index)
    if index.shape != (grid.n_states,) or not np.issubdtype(index.dtype, np.integer):
        raise ValueError(f"index must be an integer array of shape ({grid.n_states},)")
    states = np.arange(grid.n_states)
    P = grid.kernels[index, states]
    r = grid.rewards[index, states]
    return np.linalg.solve(np.eye(grid.n_states) - grid.gamma * P, r)


def policy_iteration(grid: GridMDP, max_iter: int = 1000) -> DPResult:
    """Howard's policy iteration; exact optimum of the grid MDP in finitely many steps."""
    index = grid.rewards.argmax(axis=0)
    states = np.arange(grid.n_states)
    for it in range(1, max_iter + 1):
        V = policy_evaluation(grid, index)
        Q = (grid.rewards + grid.gamma * grid.kernels @ V).T
        best = Q.max(axis=1)
        improve = best > Q[states, index] + 1e-12 * (1.0 + np.abs(best))
        if not improve.any():
            return DPResult(Q=Q, V=V, index=index, policy=grid.policy(index), n_iter=it, residual=0.0)
        index = np.where(improve, Q.argmax(axis=1), index)
    raise RuntimeError(f"policy iteration did not converge in max_iter={max_iter} iterations")


def grid_refinement(mdp: MFCMDP, resolutions: list[int], progress: bool = False) -> list[DPResult]:
    """Solve the grid MDP exactly (policy iteration) for each resolution in ``resolutions``.

    The grid optima increase along nested grids and converge to the optimum over all of
    :math:`\\mathcal H` (Lemma 3 continuity + compactness).
    """
    if not resolutions:
        raise ValueError("resolutions must be a non-empty list of positive integers")
    out = []
    for n in tqdm(resolutions, disable=not progress, desc="grid refinement"):
        out.append(policy_iteration(GridMDP.from_mdp(mdp, decision_rule_grid(mdp, n))))
    return out


def solve(mdp: MFCMDP, resolution: int) -> DPResult:
    """Exact optimum of the MFC MDP over the grid :math:`\\mathcal H_n` (policy iteration).

    Parameters
    ----------
    mdp : MFCMDP
    resolution : int
        Grid resolution ``n`` of :func:`decision_rule_grid`.
    """
    return policy_iteration(GridMDP.from_mdp(mdp, decision_rule_grid(mdp, resolution)))
