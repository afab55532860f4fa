"""The stationary discounted MFG of the paper and its exact operators.

Mao et al. (NeurIPS 2022), seed ``001_00c545ba2a0e4aca.txt``, §2: a representative agent in state
:math:`s` takes action :math:`a`, receives :math:`r(s,a,\\mu)` and moves to
:math:`s'\\sim P(\\cdot|s,a,\\mu)`, where :math:`\\mu\\in\\Delta(\\mathcal S)` is the population
distribution; discount :math:`\\gamma\\in(0,1)`, stationary policies
:math:`\\pi:\\mathcal S\\to\\Delta(\\mathcal A)`, a stationary mean field. Its implementation of
:class:`~mfcode.mfg.protocol.MeanFieldGame`:

- regularized value :math:`V^{\\pi,\\lambda}_\\mu=(I-\\gamma P^\\pi_\\mu)^{-1}r^{\\pi,\\lambda}_\\mu` and
  :math:`Q^{\\pi,\\lambda}_\\mu=r_\\mu+\\gamma P_\\mu V^{\\pi,\\lambda}_\\mu` (an exact linear solve,
  :func:`mfcode.markov.evaluate`);
- :math:`\\Gamma_1^\\lambda(\\mu)\\propto\\exp(Q^{\\star,\\lambda}_\\mu/\\lambda)` by soft policy iteration
  (Newton's method on the soft Bellman equation), greedy at :math:`\\lambda=0`;
  :func:`soft_value_iteration` is the :math:`\\gamma`-contraction alternative;
- :math:`\\Gamma_2(\\pi,\\mu)(s')=\\sum_{s,a}\\mu(s)\\pi(a|s)P(s'|s,a,\\mu)` (:meth:`StationaryMFG.push_forward`);
- the mean field :math:`\\mu_\\pi` a policy induces, the fixed point of :math:`\\mu\\mapsto\\Gamma_2(\\pi,\\mu)`
  reached from :math:`\\rho` (:meth:`StationaryMFG.induce`);
- the discounted visitation :math:`d^\\pi_\\mu=(1-\\gamma)\\rho^\\top(I-\\gamma P^\\pi_\\mu)^{-1}`
  (:meth:`StationaryMFG.visitation`).

Arrays: mean fields ``(S,)``, rewards ``(S, A)``, kernels ``(S, A, S)`` (source, action, next),
policies ``(S, A)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from mfcode import markov
from mfcode.arrays import FloatArray
from mfcode.fixed_point import FixedPointTrace, compute_fixed_point, iterate, l1_distance
from mfcode.mfg.checks import (
    check_dynamics_arrays,
    check_kernel,
    check_model_values,
    check_reward,
    check_shaped_distribution,
    freeze_common,
)
from mfcode.mfg.protocol import BestResponse, PolicyEvaluation
from mfcode.mfg.soft import soft_max_value
from mfcode.mfg.soft_mdp import policy_values, q_from_v, soft_policy_iteration
from mfcode.simplex import softmax
from mfcode.validation import check_bool, check_int, check_real, check_temperature

__all__ = ["StationaryDynamics", "StationaryMFG", "soft_value_iteration"]


@dataclass(frozen=True, eq=False)
class StationaryDynamics:
    """Rewards and kernel of a stationary game at one mean field :math:`\\mu`.

    Attributes
    ----------
    reward
        :math:`r(\\cdot,\\cdot,\\mu)`, ``(S, A)``.
    kernel
        :math:`P(\\cdot|\\cdot,\\cdot,\\mu)`, ``(S, A, S)``.
    """

    reward: FloatArray
    kernel: FloatArray


def _push(mu: FloatArray, policy: FloatArray, kernel: FloatArray) -> FloatArray:
    """:math:`\\sum_{s,a}\\mu(s)\\pi(a|s)P(\\cdot|s,a)`."""
    s, a = policy.shape
    out: FloatArray = (mu[:, None] * policy).reshape(s * a) @ kernel.reshape(s * a, s)
    return out


#: Plain sweeps of :meth:`StationaryMFG.induce` before it tries to finish with Newton's method.
_PLAIN_SWEEPS = 200


def _newton_finish(operator: Callable[[FloatArray], FloatArray], trace: FixedPointTrace[FloatArray], tol: float) -> FloatArray | None:
    """Finish a slowly converging iteration :math:`\\mu_{k+1}=F(\\mu_k)` by Newton's method, or ``None``.

    Near a bifurcation (SIS at the epidemic threshold :math:`\\pi(U|S)\\approx0.3/0.81`) the
    contraction factor of :math:`F` at its fixed point tends to 1 and the plain iteration needs
    :math:`10^5` sweeps and more. Newton's method on :math:`F(\\mu)-\\mu=0` in the simplex's affine
    coordinates (directions :math:`e_i-e_r`, :math:`r` the largest entry; forward differences)
    converges in a few steps, but may reach *another* fixed point (SIS's disease-free one). Its
    answer is accepted only if it is the limit the iteration was heading for: a fixed point to
    ``tol``, on the simplex, in the direction of the last step, and no farther from the last iterate
    than the geometric tail :math:`\\|\\Delta_k\\|\\,\\hat r/(1-\\hat r)` of the observed
    rate :math:`\\hat r` allows (with a factor 4 of slack). Otherwise the caller keeps iterating.
    """
    res = trace.residuals
    if res.size < 3 or not res[-1] < res[-2]:
        return None
    rate = float(res[-1] / res[-2])
    tail = 4.0 * float(res[-1]) * rate / max(1.0 - rate, 1e-12)
    x = trace.value.copy()
    g = operator(x) - x
    heading = g  # the direction of the iteration's next step, F(x) - x at the last iterate
    n = x.size
    h = 1e-7
    for _ in range(30):
        if float(np.abs(g).sum()) <= tol:
            break
        r = int(np.argmax(x))
        others = [i for i in range(n) if i != r]
        jac = np.empty((n, n - 1))
        for col, i in enumerate(others):
            d = np.zeros(n)
            d[i], d[r] = h, -h
            jac[:, col] = ((operator(x + d) - (x + d)) - g) / h
        step = np.linalg.lstsq(jac, -g, rcond=None)[0]
        delta = np.zeros(n)
        delta[others] = step
        delta[r] = -step.sum()
        x = x + delta
        if x.min() < -1e-12:
            return None
        x = np.clip(x, 0.0, None)
        x /= x.sum()
        g = operator(x) - x
    else:
        return None
    moved = x - trace.value
    if float(np.abs(moved).sum()) > tail or float(moved @ heading) < 0.0:
        return None
    return x


@dataclass(frozen=True, eq=False)
class StationaryMFG:
    """Stationary discounted MFG of 001 §2.

    Parameters
    ----------
    n_states, n_actions
        :math:`|\\mathcal S|`, :math:`|\\mathcal A|`.
    reward_fn
        :math:`\\mu\\mapsto r(\\cdot,\\cdot,\\mu)`, an ``(S, A)`` array. The paper's theory assumes
        values in :math:`[0,1]`; the simulations do not (SIS has rewards in :math:`[-1.5,0]`), so any
        finite reward is accepted.
    transition_fn
        :math:`\\mu\\mapsto P(\\cdot|\\cdot,\\cdot,\\mu)`, an ``(S, A, S)`` array whose rows lie on the
        simplex.
    gamma
        Discount factor :math:`\\gamma\\in(0,1)`.
    initial
        :math:`\\rho\\in\\Delta(\\mathcal S)`: the distribution values are averaged over
        (:math:`V(\\rho)`), the start of mean-field iterations and of visitation measures.
    state_names, action_names
        Labels (default ``s0, s1, ...`` and ``a0, a1, ...``).
    name
        Short label for tables and plots.
    check
        Validate every ``reward``/``transition`` call (shapes, finiteness, rows on the simplex) and
        every mean field passed in. Costs one pass over the kernel per call; switch off only in
        benchmarks of games already validated.
    transition_depends_on_mu
        ``False`` declares that :math:`P` ignores :math:`\\mu` (the mean field enters the reward
        only, as in the LQ game); :meth:`induce` then evaluates the kernel once instead of at every
        step of the population dynamics.
    """

    n_states: int
    n_actions: int
    reward_fn: Callable[[FloatArray], FloatArray]
    transition_fn: Callable[[FloatArray], FloatArray]
    gamma: float
    initial: FloatArray
    state_names: tuple[str, ...] | None = None
    action_names: tuple[str, ...] | None = None
    name: str = "mfg"
    check: bool = True
    transition_depends_on_mu: bool = True

    def __post_init__(self) -> None:
        init = freeze_common(self, ("n_states", "n_actions"), "mu", gamma_may_be_one=False)
        object.__setattr__(self, "transition_depends_on_mu", check_bool(self.transition_depends_on_mu, "transition_depends_on_mu"))
        # Validate the model once, at the initial distribution, whatever `check` says.
        check_reward(self.reward_fn(init), (self.n_states, self.n_actions), "reward_fn(initial): reward")
        check_kernel(self.transition_fn(init), (self.n_states, self.n_actions, self.n_states), "transition_fn(initial): transition")

    # -- validation ------------------------------------------------------------------------------

    @property
    def policy_shape(self) -> tuple[int, ...]:
        """``(S, A)``."""
        return (self.n_states, self.n_actions)

    def check_mean_field(self, mean_field: npt.ArrayLike, name: str = "mean_field") -> FloatArray:
        """``mean_field`` as an ``(S,)`` float array, on the simplex when ``check`` is on."""
        return check_shaped_distribution(mean_field, (self.n_states,), name, on_simplex=self.check)

    def check_policy(self, policy: npt.ArrayLike, name: str = "policy") -> FloatArray:
        """``policy`` as an ``(S, A)`` float array with rows on the simplex (when ``check`` is on)."""
        return check_shaped_distribution(policy, self.policy_shape, name, on_simplex=self.check)

    def check_dynamics(self, dynamics: object, name: str = "dynamics") -> StationaryDynamics:
        """``dynamics`` if it is a :class:`StationaryDynamics` of this game's shapes."""
        if not isinstance(dynamics, StationaryDynamics):
            raise TypeError(f"{name} must be StationaryDynamics, got {type(dynamics).__name__}")
        s, a = self.n_states, self.n_actions
        reward, kernel = check_dynamics_arrays(dynamics, name)
        got = (reward.shape, kernel.shape)
        if got != ((s, a), (s, a, s)):
            raise ValueError(f"{name} must hold arrays of shapes {(s, a)} and {(s, a, s)}, got {got}")
        check_model_values(reward, kernel, name)
        same = reward is dynamics.reward and kernel is dynamics.kernel
        return dynamics if same else StationaryDynamics(reward, kernel)

    def state_marginal(self, mean_field: FloatArray) -> FloatArray:
        """The mean field itself (it is a state distribution)."""
        return mean_field

    def uniform_policy(self) -> FloatArray:
        """:math:`\\pi(a|s)=1/|\\mathcal A|`."""
        return np.full(self.policy_shape, 1.0 / self.n_actions)

    def horizon_weight(self) -> float:
        """:math:`\\sum_{t\\ge0}\\gamma^t=1/(1-\\gamma)`."""
        return 1.0 / (1.0 - self.gamma)

    # -- the model at a mean field ---------------------------------------------------------------

    def reward(self, mu: npt.ArrayLike) -> FloatArray:
        """:math:`r(s,a,\\mu)` as an ``(S, A)`` array."""
        m = self.check_mean_field(mu, "mu")
        r = self.reward_fn(m)
        return check_reward(r, (self.n_states, self.n_actions)) if self.check else np.asarray(r, dtype=np.float64)

    def transition(self, mu: npt.ArrayLike) -> FloatArray:
        """:math:`P(s'|s,a,\\mu)` as an ``(S, A, S)`` array."""
        m = self.check_mean_field(mu, "mu")
        p = self.transition_fn(m)
        shape = (self.n_states, self.n_actions, self.n_states)
        return check_kernel(p, shape) if self.check else np.asarray(p, dtype=np.float64)

    def dynamics_at(self, mean_field: FloatArray) -> StationaryDynamics:
        """:math:`r(\\cdot,\\cdot,\\mu)` and :math:`P(\\cdot|\\cdot,\\cdot,\\mu)`."""
        return StationaryDynamics(self.reward(mean_field), self.transition(mean_field))

    # -- population ------------------------------------------------------------------------------

    def push_forward(self, policy: npt.ArrayLike, mu: npt.ArrayLike) -> FloatArray:
        """:math:`\\Gamma_2(\\pi,\\mu)(s')=\\sum_{s,a}\\mu(s)\\pi(a|s)P(s'|s,a,\\mu)` (001 §2)."""
        m = self.check_mean_field(mu, "mu")
        return _push(m, self.check_policy(policy), self.transition(m))

    def induce(
        self,
        policy: FloatArray,
        *,
        start: FloatArray | None = None,
        scratch: StationaryDynamics | None = None,
        tol: float = 1e-13,
        max_iter: int = 100_000,
    ) -> tuple[FloatArray, StationaryDynamics | None]:
        """The mean field :math:`\\mu_\\pi`: :math:`\\mu=\\Gamma_2(\\pi,\\mu)`, iterated from ``start`` (default :math:`\\rho`).

        The population dynamics of 001 §2 run to stationarity, until successive iterates differ by
        at most ``tol`` in :math:`\\ell_1`. When the kernel depends on :math:`\\mu` the fixed point
        need not be unique (SIS: :math:`\\mu(I)=0` is always one); the one reached from ``start``
        is returned, without dynamics (``scratch`` is unused).

        Raises
        ------
        RuntimeError
            If the iterates do not settle within ``max_iter`` steps (e.g. a periodic chain).
        """
        mu0 = self.initial.copy() if start is None else self.check_mean_field(start, "start").copy()
        if self.transition_depends_on_mu:

            def operator(mu: FloatArray) -> FloatArray:
                return _push(mu, policy, self.transition(mu))

        else:
            fixed = markov.kernel_under(policy, self.transition(mu0))

            def operator(mu: FloatArray) -> FloatArray:
                out: FloatArray = mu @ fixed
                return out

        what = "the population dynamics mu <- Gamma_2(pi, mu) (periodic chain?)"
        budget = min(max_iter, _PLAIN_SWEEPS)
        trace = compute_fixed_point(operator, mu0, tol=tol, max_iter=budget, distance=l1_distance, what=what,
                                    raise_on_failure=budget == max_iter)
        if trace.converged:
            return trace.value, None
        finished = _newton_finish(operator, trace, tol)
        if finished is not None:
            return finished, None
        rest = compute_fixed_point(operator, trace.value, tol=tol, max_iter=max_iter - budget, distance=l1_distance, what=what)
        return rest.value, None

    def mean_field_update(
        self,
        policy: FloatArray,
        mean_field: FloatArray,
        dynamics: StationaryDynamics,
        *,
        scratch: StationaryDynamics | None = None,
    ) -> tuple[FloatArray, StationaryDynamics | None]:
        """:math:`\\Gamma_2(\\pi,\\mu)` under the kernel at :math:`\\mu`; the dynamics at the result are not evaluated."""
        return _push(mean_field, policy, dynamics.kernel), None

    def visitation(self, policy: npt.ArrayLike, mu: npt.ArrayLike, rho: npt.ArrayLike | None = None) -> FloatArray:
        """Discounted visitation :math:`d^\\pi_\\mu(s)=(1-\\gamma)\\sum_t\\gamma^t\\Pr(s_t=s|s_0\\sim\\rho)` (001 §2)."""
        m = self.check_mean_field(mu, "mu")
        pi = self.check_policy(policy)
        r0 = self.initial if rho is None else self.check_mean_field(rho, "rho")
        p_pi = markov.kernel_under(pi, self.transition(m))
        return (1.0 - self.gamma) * markov.evaluate(r0, p_pi.T, self.gamma)

    # -- values ----------------------------------------------------------------------------------

    def best_response(
        self,
        dynamics: StationaryDynamics,
        temperature: float,
        *,
        q_init: FloatArray | None = None,
        tol: float = 1e-12,
        max_iter: int = 10_000,
    ) -> BestResponse:
        """:math:`\\Gamma_1^\\lambda(\\mu)` by soft policy iteration (Newton's method on the soft Bellman equation).

        Evaluate exactly, improve by the Boltzmann (greedy at :math:`\\lambda=0`) policy of the
        evaluated Q-function, until the sup-norm error bound on :math:`V^\\star`,
        :math:`\\|V^\\star_{\\mathrm{soft}}(Q)-V\\|_\\infty/(1-\\gamma)`, is at most ``tol`` (or at
        rounding level). ``q_init`` warm-starts the first policy.
        """
        r = dynamics.reward
        q0 = r.copy() if q_init is None else _check_q(q_init, r.shape)
        return soft_policy_iteration(r, dynamics.kernel, self.gamma, temperature, q0, tol=tol, max_iter=max_iter)

    def evaluate(self, policy: FloatArray, dynamics: StationaryDynamics, temperature: float) -> PolicyEvaluation:
        """:math:`V^{\\pi,\\lambda}_\\mu` by the linear solve and :math:`Q^{\\pi,\\lambda}_\\mu` from it."""
        v = policy_values(dynamics.reward, dynamics.kernel, policy, self.gamma, temperature)
        return PolicyEvaluation(q_from_v(dynamics.reward, dynamics.kernel, v, self.gamma), v)

    def exploitability_gap(self, policy: FloatArray, dynamics: StationaryDynamics, temperature: float) -> FloatArray:
        """:math:`V^{\\star,\\lambda}_\\mu-V^{\\pi,\\lambda}_\\mu`, ``(S,)``."""
        best = self.best_response(dynamics, temperature).value
        out: FloatArray = best - self.evaluate(policy, dynamics, temperature).value
        return out

    def mirror_q(
        self,
        policy: FloatArray,
        logits: FloatArray | None,
        step_size: float,
        dynamics: StationaryDynamics,
        temperature: float,
    ) -> FloatArray:
        """The exact :math:`Q^{\\pi,\\lambda}_\\mu` (``logits`` and ``step_size`` are not needed)."""
        return self.evaluate(policy, dynamics, temperature).q


def _check_q(q_init: npt.ArrayLike, shape: tuple[int, ...]) -> FloatArray:
    q = np.asarray(q_init, dtype=np.float64)
    if q.shape != shape:
        raise ValueError(f"q_init must have shape {shape}, got {q.shape}")
    if not np.all(np.isfinite(q)):
        raise ValueError("q_init must be finite")
    return q


def soft_value_iteration(
    game: StationaryMFG,
    dynamics: StationaryDynamics,
    temperature: float,
    *,
    tol: float = 1e-12,
    max_iter: int = 10_000,
) -> BestResponse:
    """:math:`\\Gamma_1^\\lambda(\\mu)` by soft value iteration, the :math:`\\gamma`-contraction
    :math:`Q\\leftarrow r+\\gamma P\\,V^\\star_{\\mathrm{soft}}(Q)`, until the sup-norm error bound
    :math:`\\gamma\\|Q_{k+1}-Q_k\\|_\\infty/(1-\\gamma)` is at most ``tol``.

    An independent route to :meth:`StationaryMFG.best_response` (used to test it).
    """
    if not isinstance(game, StationaryMFG):
        raise TypeError(f"game must be a StationaryMFG, got {type(game).__name__}")
    lam = check_temperature(temperature)
    tol = check_real(tol, "tol", low=0.0, low_open=True)
    max_iter = check_int(max_iter, "max_iter", low=1)
    dyn = game.check_dynamics(dynamics)
    r, kernel, gamma = dyn.reward, dyn.kernel, game.gamma

    def sweep(q: FloatArray) -> tuple[FloatArray, float]:
        q_new = q_from_v(r, kernel, soft_max_value(q, lam), gamma)
        return q_new, float(np.abs(q_new - q).max()) * gamma / (1.0 - gamma)

    trace = iterate(sweep, r.copy(), tol=tol, max_iter=max_iter, what="soft value iteration")
    q = trace.value
    return BestResponse(softmax(q, lam), q, soft_max_value(q, lam), trace.iterations)
