"""Exact dynamic programming for the MFC MDP on a finite grid of decision rules.

Seed ``002_7da79a39441e57df.txt``, Sec. V. The action-value function :math:`Q^*` (eq. 26) solves the
Bellman equation of the MFC MDP (eq. 27),

.. math:: Q^*(x^0,h)=r\\big(x^0,\\mathbb G(\\mu_0,h)\\big)
          +\\gamma\\sum_{\\tilde x^0}P^0\\big(\\tilde x^0\\mid x^0,\\mathbb G(\\mu_0,h)\\big)
          \\max_{\\tilde h\\in\\mathcal D}Q^*(\\tilde x^0,\\tilde h),

i.e. :math:`Q^*=BQ^*` for the Bellman operator :math:`B` of eq. (28), a :math:`\\gamma`-contraction in
the sup norm (Lemma 2); so value iteration converges to its unique fixed point and a greedy
stationary policy is optimal (Thm 3, Cor. 2). The MFC MDP has a finite state space but a continuum
of actions :math:`\\mathcal D`; here :math:`\\mathcal D` is replaced by a finite grid
:math:`\\mathcal D_n` (simplex lattices of resolution ``n`` over the admissible actions of every agent
state). Because Q is continuous in h (Lemma 3) and :math:`\\mathcal D` is compact, the grid optimum
converges to the true optimum as the grid is refined; :func:`grid_refinement` measures it.

Value iteration and Howard's policy iteration both run on :func:`mfcode.fixed_point.iterate`;
their :class:`DPResult` carries its trace of residuals. Policy evaluation is
:func:`mfcode.markov.evaluate`.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from tqdm.std import tqdm  # plain text bars on stderr (no ipywidgets needed; the book drops stderr)

from mfcode.arrays import FloatArray, IntArray
from mfcode.fixed_point import iterate, sup_distance
from mfcode.limits import check_elements, max_elements
from mfcode.markov import evaluate
from mfcode.mfc.combinatorics import compositions, count_compositions
from mfcode.mfc.mdp import MFCMDP
from mfcode.mfc.model import DISTRIBUTION_ATOL, validate_decision_rule
from mfcode.simplex import check_distribution
from mfcode.validation import check_array, check_bool, check_int, check_real

__all__ = [
    "POLICY_ITERATION_RTOL",
    "DPResult",
    "GridMDP",
    "bellman_operator",
    "decision_rule_grid",
    "grid_refinement",
    "policy_evaluation",
    "policy_iteration",
    "simplex_grid",
    "solve_mfc_mdp_on_grid",
    "value_iteration",
]

POLICY_ITERATION_RTOL = 1e-12
"""Policy iteration switches the rule of state :math:`x^0` only if that improves :math:`Q(x^0,\\cdot)`
by more than this times :math:`1+|\\max_h Q(x^0,h)|` (so that rounding cannot make it cycle)."""


def simplex_grid(dim: int, resolution: int) -> FloatArray:
    """All points of the probability simplex in :math:`\\mathbb R^{dim}` with coordinates in
    :math:`\\{0, 1/n, \\dots, 1\\}`, ``n = resolution``; shape ``(binom(n+dim-1, dim-1), dim)``."""
    d = check_int(dim, "dim", low=1)
    n = check_int(resolution, "resolution", low=1, high=max_elements())
    check_elements(count_compositions(n, d) * d, f"simplex_grid(dim={d}, resolution={n})")
    out: FloatArray = compositions(n, d) / n
    return out


def decision_rule_grid(mdp: MFCMDP, resolution: int) -> FloatArray:
    """The grid :math:`\\mathcal D_n\\subset\\mathcal D` of decision rules (seed 002, Sec. III-A, where the set is written :math:`\\mathcal H`).

    Every combination of per-state simplex lattices of resolution ``n`` over the admissible actions
    (``model.action_mask``); shape ``(K, X, U)``. For the M = 2 scheduling instance only the row of
    the full-access state is free, so the grid is ``p = h({1,2}, queue 1)`` in ``{0, 1/n, ..., 1}``
    (``K = n + 1``).
    """
    if not isinstance(mdp, MFCMDP):
        raise TypeError(f"mdp must be an MFCMDP, got {type(mdp).__name__}")
    n = check_int(resolution, "resolution", low=1)
    X, U = mdp.action_shape
    mask = mdp.model.action_mask
    rows = []
    for x in range(X):
        adm = np.flatnonzero(mask[x])
        if adm.size == 0:
            raise ValueError(f"agent state {x} has no admissible action")
        pts = simplex_grid(adm.size, n)
        full = np.zeros((pts.shape[0], U))
        full[:, adm] = pts
        rows.append(full)
    check_elements(math.prod(r.shape[0] for r in rows) * X * U, f"the decision-rule grid of resolution={n} (K x X x U)")
    combos = itertools.product(*[range(r.shape[0]) for r in rows])
    return np.array([[rows[x][i] for x, i in enumerate(c)] for c in combos], dtype=np.float64)


@dataclass(frozen=True)
class GridMDP:
    """The MFC MDP restricted to the decision rules :math:`\\mathcal D_n` (an exact tabular MDP).

    Attributes
    ----------
    rules : FloatArray, shape (K, X, U)
        The candidate decision rules :math:`h_k\\in\\mathcal D_n`.
    rewards : FloatArray, shape (K, X0)
        :math:`r(x^0,\\mathbb G(\\mu_0,h_k))`.
    kernels : FloatArray, shape (K, X0, X0)
        :math:`P^0(x^{0\\prime}\\mid x^0,\\mathbb G(\\mu_0,h_k))`.
    gamma : float
        Discount factor :math:`\\gamma\\in(0,1)`.
    """

    rules: FloatArray
    rewards: FloatArray
    kernels: FloatArray
    gamma: float

    @classmethod
    def from_mdp(cls, mdp: MFCMDP, rules: ArrayLike) -> GridMDP:
        """Tabulate rewards and kernels of ``mdp`` on the decision rules ``rules`` (K, X, U)."""
        if not isinstance(mdp, MFCMDP):
            raise TypeError(f"mdp must be an MFCMDP, got {type(mdp).__name__}")
        h = validate_decision_rule(rules, *mdp.action_shape, name="rules")
        if h.ndim != 3:
            raise ValueError(f"rules must have shape (K, X, U), got {h.shape}")
        k, x, u = h.shape
        x0 = mdp.n_states
        # the tabulation holds K kernels (X0, X0) and, inside the model, K state-action mean-field
        # products of up to (X U)^2 entries
        check_elements(k * max(x0 * x0, (x * u) ** 2), f"the tabulated MFC MDP of {k} decision rules (X0 = {x0}, X = {x}, U = {u})")
        return cls(rules=h, rewards=mdp.reward(h), kernels=mdp.kernel(h), gamma=mdp.gamma)

    def __post_init__(self) -> None:
        rewards = check_array(self.rewards, "rewards", finite=True)
        if rewards.ndim != 2 or rewards.size == 0:
            raise ValueError(f"rewards must have shape (K, X0) with K, X0 >= 1, got {rewards.shape}")
        K, X0 = rewards.shape
        kernels = check_array(self.kernels, "kernels")
        if kernels.shape != (K, X0, X0):
            raise ValueError(f"kernels must have shape ({K}, {X0}, {X0}), got {kernels.shape}")
        check_distribution(kernels, "kernels", atol=DISTRIBUTION_ATOL)
        rules = check_array(self.rules, "rules", finite=True)
        if rules.ndim != 3 or rules.shape[0] != K:
            raise ValueError(f"rules must have shape ({K}, X, U), got {rules.shape}")
        for name, arr in (("rewards", rewards), ("kernels", kernels), ("rules", rules)):
            object.__setattr__(self, name, arr)
        object.__setattr__(self, "gamma", check_real(self.gamma, "gamma", low=0.0, high=1.0, low_open=True, high_open=True))

    @property
    def n_states(self) -> int:
        """Number of environment states :math:`|\\mathcal X^0|`."""
        return int(self.rewards.shape[1])

    @property
    def n_rules(self) -> int:
        """Number of grid decision rules :math:`K=|\\mathcal D_n|`."""
        return int(self.rewards.shape[0])

    def policy(self, rule_index: ArrayLike) -> FloatArray:
        """Stationary policy :math:`\\pi(x^0)=h_{k(x^0)}`, ``(X0, X, U)``, for rule indices ``k`` (X0,)."""
        out: FloatArray = self.rules[self._rule_index(rule_index)]
        return out

    def _rule_index(self, rule_index: ArrayLike) -> IntArray:
        k: IntArray = check_array(rule_index, "rule_index", integer=True)
        if k.shape != (self.n_states,):
            raise ValueError(f"rule_index must be an integer array of shape ({self.n_states},)")
        if np.any(k < 0) or np.any(k >= self.n_rules):
            raise ValueError(f"rule_index must lie in 0..{self.n_rules - 1}")
        return k


@dataclass(frozen=True)
class DPResult:
    """Solution of a grid MFC MDP (or of the allocation MDP of :mod:`mfcode.mfc.finite_n`).

    Attributes
    ----------
    Q : FloatArray, shape (X0, K)
        Action values :math:`Q^*(x^0,h_k)` on the grid (eq. 26 restricted to :math:`\\mathcal D_n`).
    V : FloatArray, shape (X0,)
        :math:`V^*(x^0)=\\max_k Q^*(x^0,h_k)`.
    rule_index : IntArray, shape (X0,)
        Greedy grid rule :math:`k^*(x^0)` per state.
    policy : FloatArray, shape (X0, X, U)
        The greedy stationary policy :math:`\\pi^*(x^0)=h_{k^*(x^0)}` (Cor. 2).
    residuals : FloatArray, shape (n_iter,)
        Trace of :func:`mfcode.fixed_point.iterate`: :math:`\\|Q_{k+1}-Q_k\\|_\\infty` per sweep
        (value iteration) or the largest relative improvement of the greedy step per policy
        (policy iteration).
    """

    Q: FloatArray
    V: FloatArray
    rule_index: IntArray
    policy: FloatArray
    residuals: FloatArray

    @property
    def n_iter(self) -> int:
        """Number of sweeps (value iteration) or policy evaluations (policy iteration)."""
        return int(self.residuals.size)

    @property
    def residual(self) -> float:
        """The last residual of the trace."""
        return float(self.residuals[-1])


def _backup(grid: GridMDP, V: FloatArray) -> FloatArray:
    """:math:`r(x^0,h_k)+\\gamma\\sum P^0(\\cdot|x^0,h_k)V`, shape ``(X0, K)``."""
    out: FloatArray = (grid.rewards + grid.gamma * grid.kernels @ V).T
    return out


def _check_grid(grid: object) -> GridMDP:
    if not isinstance(grid, GridMDP):
        raise TypeError(f"grid must be a GridMDP, got {type(grid).__name__}")
    return grid


def _check_q(grid: GridMDP, Q: ArrayLike, name: str) -> FloatArray:
    arr = np.array(check_array(Q, name, finite=True))
    if arr.shape != (grid.n_states, grid.n_rules):
        raise ValueError(f"{name} must have shape ({grid.n_states}, {grid.n_rules}), got {arr.shape}")
    return arr


def bellman_operator(grid: GridMDP, Q: ArrayLike) -> FloatArray:
    """The Bellman operator :math:`B` of eq. (28) on the grid: :math:`(BQ)(x^0,h_k)`, ``(X0, K)`` for ``Q`` (X0, K)."""
    _check_grid(grid)
    q = _check_q(grid, Q, "Q")
    return _backup(grid, q.max(axis=1))


def _greedy(grid: GridMDP, Q: FloatArray, residuals: FloatArray) -> DPResult:
    rule_index: IntArray = Q.argmax(axis=1)
    return DPResult(Q=Q, V=Q.max(axis=1), rule_index=rule_index, policy=grid.policy(rule_index), residuals=residuals)


def value_iteration(grid: GridMDP, tol: float = 1e-10, max_iter: int = 100_000,
                    Q0: ArrayLike | None = None, progress: bool = False) -> DPResult:
    """Value iteration :math:`Q_{k+1}=BQ_k` (eq. 28) until the sup-norm error bound is below ``tol``.

    Stops when :math:`\\|Q_{k+1}-Q_k\\|_\\infty\\le tol(1-\\gamma)/\\gamma`, which guarantees
    :math:`\\|Q_{k+1}-Q^*\\|_\\infty\\le tol` by the contraction property (Lemma 2).

    Parameters
    ----------
    grid : GridMDP
    tol : float
        Target sup-norm accuracy of Q, ``> 0``.
    max_iter : int
        Maximum number of sweeps; ``RuntimeError`` when exceeded.
    Q0 : array_like or None
        Initial Q ``(X0, K)`` (default zeros).
    progress : bool
        Show a tqdm bar.
    """
    _check_grid(grid)
    eps = check_real(tol, "tol", low=0.0, low_open=True)
    check_int(max_iter, "max_iter", low=1)
    check_bool(progress, "progress")
    Q = np.zeros((grid.n_states, grid.n_rules)) if Q0 is None else _check_q(grid, Q0, "Q0")

    def sweep(q: FloatArray) -> tuple[FloatArray, float]:
        nxt = _backup(grid, q.max(axis=1))
        return nxt, sup_distance(nxt, q)

    trace = iterate(sweep, Q, tol=eps * (1.0 - grid.gamma) / grid.gamma, max_iter=max_iter,
                    what=f"value iteration to tol={eps:g}", progress=progress)
    return _greedy(grid, trace.value, trace.residuals)


def policy_evaluation(grid: GridMDP, rule_index: ArrayLike) -> FloatArray:
    """Exact value :math:`V^\\pi=(I-\\gamma P^\\pi)^{-1}r^\\pi`, ``(X0,)``, of the grid policy :math:`\\pi(x^0)=h_{k(x^0)}`.

    ``rule_index`` is the integer array ``k`` of shape ``(X0,)``.
    """
    _check_grid(grid)
    k = grid._rule_index(rule_index)
    states = np.arange(grid.n_states)
    return evaluate(grid.rewards[k, states], grid.kernels[k, states], grid.gamma)


_PolicySweep = tuple[IntArray, FloatArray, FloatArray]
"""State of a policy-iteration sweep: the improved rule indices, and V, Q of the rules they improve on."""


def policy_iteration(grid: GridMDP, max_iter: int = 1000) -> DPResult:
    """Howard's policy iteration: the exact optimum :math:`Q^*` (eq. 27) of the grid MDP in finitely many steps.

    Starts from the myopic rule :math:`\\arg\\max_k r(x^0,h_k)`; each step evaluates the policy
    exactly (:func:`policy_evaluation`) and switches to the greedy rule where that improves by more
    than :data:`POLICY_ITERATION_RTOL` (relative); it stops when no state improves. The residual of a
    step is :math:`\\max_{x^0}(\\max_k Q^\\pi(x^0,h_k)-V^\\pi(x^0))/(1+|\\max_k Q^\\pi(x^0,h_k)|)`.
    """
    _check_grid(grid)
    check_int(max_iter, "max_iter", low=1)
    states = np.arange(grid.n_states)
    start: _PolicySweep = (grid.rewards.argmax(axis=0), np.zeros(grid.n_states), np.zeros((grid.n_states, grid.n_rules)))

    def improve(state: _PolicySweep) -> tuple[_PolicySweep, float]:
        rule_index = state[0]
        V = policy_evaluation(grid, rule_index)
        Q = _backup(grid, V)
        best = Q.max(axis=1)
        gain = (best - Q[states, rule_index]) / (1.0 + np.abs(best))
        switch = gain > POLICY_ITERATION_RTOL
        return (np.where(switch, Q.argmax(axis=1), rule_index), V, Q), float(gain.max())

    # at convergence no state switches, so V and Q are those of the returned rule indices
    trace = iterate(improve, start, tol=POLICY_ITERATION_RTOL, max_iter=max_iter, what="policy iteration")
    rule_index, V, Q = trace.value
    return DPResult(Q=Q, V=V, rule_index=rule_index, policy=grid.policy(rule_index), residuals=trace.residuals)


def grid_refinement(mdp: MFCMDP, resolutions: list[int], progress: bool = False) -> list[DPResult]:
    """:func:`solve_mfc_mdp_on_grid` for each resolution ``n`` in ``resolutions``.

    The grid optima increase along nested grids and converge to the optimum over all of
    :math:`\\mathcal D` (Lemma 3 continuity + compactness).
    """
    if not isinstance(resolutions, (list, tuple)) or not resolutions:
        raise ValueError(f"resolutions must be a non-empty list of positive integers, got {resolutions!r}")
    for n in resolutions:
        check_int(n, "resolutions", low=1)
    check_bool(progress, "progress")
    return [solve_mfc_mdp_on_grid(mdp, n) for n in tqdm(resolutions, disable=not progress, desc="grid refinement")]


def solve_mfc_mdp_on_grid(mdp: MFCMDP, resolution: int) -> DPResult:
    """Solve the Bellman equation of the MFC MDP (seed 002, Sec. V, eqs. 26-28) over the grid :math:`\\mathcal D_n`.

    The exact optimal action values :math:`Q^*` restricted to the decision rules
    :func:`decision_rule_grid` ``(mdp, resolution)``, the optimal value :math:`V^*` and an optimal
    stationary policy :math:`\\pi^*:\\mathcal X^0\\to\\mathcal D_n` (Cor. 2), by policy iteration.

    Parameters
    ----------
    mdp : MFCMDP
    resolution : int
        Grid resolution ``n`` of :func:`decision_rule_grid`.
    """
    return policy_iteration(GridMDP.from_mdp(mdp, decision_rule_grid(mdp, resolution)))
