"""The finite-horizon (episodic) MFG with a mean-field flow, and its exact operators.

Mao et al. (NeurIPS 2022), seed ``001_00c545ba2a0e4aca.txt``, App. D: "Simulations are done in an
episodic setting". The convention is mfglib's and OpenSpiel's: time-indexed policies
:math:`\\pi_t`, a mean-field *flow* :math:`(\\mu_t)_{t<H}` started at the initial distribution,
rewards :math:`r_t(s,a,\\mu_t)` at every decision epoch :math:`t=0,\\dots,H-1`, kernels
:math:`P_t(\\cdot|s,a,\\mu_t)` for :math:`t<H-1`. :math:`H` (``horizon``) is the number of decision
epochs, the book's symbol for a horizon (001 uses :math:`T` for the iterations of Algorithm 1). An
mfglib environment with parameter ``T`` (its last time index) has ``T + 1`` decision epochs, i.e.
``horizon = T + 1`` here. Its implementation of
:class:`~mfcode.mfg.protocol.MeanFieldGame`:

- the flow of a policy by forward induction,
  :math:`\\mu_{t+1}(s')=\\sum_{s,a}\\mu_t(s)\\pi_t(a|s)P_t(s'|s,a,\\mu_t)` (:meth:`FiniteHorizonMFG.induce`),
  recording the rewards and kernels it meets (:class:`FlowDynamics`);
- best response and policy values by backward induction,
  :math:`Q_t=r_t+\\gamma P_tV_{t+1}`, :math:`V_t=\\lambda\\log\\sum_ae^{Q_t/\\lambda}` (resp.
  :math:`\\sum_a\\pi_t(Q_t-\\lambda\\log\\pi_t)`);
- :math:`\\Lambda^\\lambda(\\mu)`: the flow of :math:`\\Gamma_1^\\lambda(\\mu)` from :math:`\\mu_0`, the map
  of mfglib's and OpenSpiel's fixed-point solvers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from mfcode.arrays import FloatArray
from mfcode.limits import check_elements, check_steps
from mfcode.mfg.checks import (
    check_dynamics_arrays,
    check_kernel,
    check_model_values,
    check_reward,
    check_shaped_distribution,
    freeze_common,
)
from mfcode.mfg.protocol import BestResponse, PolicyEvaluation
from mfcode.mfg.soft import regularized_reward, soft_max_value
from mfcode.simplex import check_distribution, softmax
from mfcode.validation import check_array, check_int

__all__ = ["FiniteHorizonMFG", "FlowDynamics"]


@dataclass(frozen=True, eq=False)
class FlowDynamics:
    """Rewards and kernels of a finite-horizon game along one mean-field flow.

    Attributes
    ----------
    reward
        :math:`r_t(\\cdot,\\cdot,\\mu_t)`, ``(H, S, A)``.
    kernel
        :math:`P_t(\\cdot|\\cdot,\\cdot,\\mu_t)` for :math:`t<H-1`, ``(H - 1, S, A, S)`` (possibly a
        read-only broadcast view of one kernel, for a time-homogeneous game that ignores the
        mean field).
    """

    reward: FloatArray
    kernel: FloatArray


@dataclass(frozen=True, eq=False)
class FiniteHorizonMFG:
    """Finite-horizon (episodic) MFG with a mean-field flow, in the mfglib/OpenSpiel convention.

    Parameters
    ----------
    n_states, n_actions
        :math:`|\\mathcal S|`, :math:`|\\mathcal A|`.
    horizon
        Number of decision epochs :math:`H\\ge1`; times run over ``0, ..., H - 1`` and the agent
        collects a reward at every one of them (an mfglib environment with ``T`` is ``horizon=T+1``).
    reward_fn
        ``(t, m) -> (S, A)`` reward at epoch ``t``; ``m`` is :math:`\\mu_t` of shape ``(S,)``, or
        the state-action distribution :math:`L_t(s,a)=\\mu_t(s)\\pi_t(a|s)` of shape ``(S, A)`` when
        ``population == "state_action"``.
    transition_fn
        ``(t, m) -> (S, A, S)`` kernel from epoch ``t`` to ``t + 1`` (called for ``t < H - 1``).
    initial
        :math:`\\mu_0`.
    gamma
        Discount in :math:`[0,1]`; ``1.0`` (undiscounted, as in mfglib and OpenSpiel) by default.
    population
        What the population enters the model through: ``"state"`` (the paper's :math:`\\mu_t`) or
        ``"state_action"`` (mfglib's joint :math:`L_t`, needed for e.g. its ``random_linear`` game).
    state_names, action_names, name, check
        As in :class:`~mfcode.mfg.stationary.StationaryMFG`.
    transition_into
        Optionally, ``(t, m, out) -> None`` writing ``transition_fn(t, m)`` into ``out``, a
        C-contiguous ``(S, A, S)`` array: the flows then evaluate each kernel straight into the array
        they keep, with no temporary of its size and no copy (``transition_fn`` is still what the
        public :meth:`transition` calls; the two must agree).
    """

    n_states: int
    n_actions: int
    horizon: int
    reward_fn: Callable[[int, FloatArray], FloatArray]
    transition_fn: Callable[[int, FloatArray], FloatArray]
    initial: FloatArray
    gamma: float = 1.0
    population: Literal["state", "state_action"] = "state"
    state_names: tuple[str, ...] | None = None
    action_names: tuple[str, ...] | None = None
    name: str = "mfg"
    check: bool = True
    transition_into: Callable[[int, FloatArray, FloatArray], None] | None = None

    def __post_init__(self) -> None:
        init = freeze_common(self, ("n_states", "n_actions", "horizon"), "(t, m)", gamma_may_be_one=True)
        if self.transition_into is not None and not callable(self.transition_into):
            raise TypeError(f"transition_into must be None or callable (t, m, out) -> None, got {type(self.transition_into).__name__}")
        check_steps(self.horizon, f"a flow of horizon={self.horizon} epochs (one Python step per epoch)")
        check_elements(
            self.horizon * self.n_states * self.n_actions * self.n_states,
            f"the stacked kernels (H - 1, S, A, S) of horizon={self.horizon}, n_states={self.n_states}, n_actions={self.n_actions}",
        )
        if not isinstance(self.population, str) or self.population not in ("state", "state_action"):
            raise ValueError(f"population must be 'state' or 'state_action', got {self.population!r}")
        m0 = self.population_argument(init, np.full((self.n_states, self.n_actions), 1.0 / self.n_actions))
        check_reward(self.reward_fn(0, m0), (self.n_states, self.n_actions), "reward_fn(0, initial): reward")
        if self.horizon > 1:
            check_kernel(self.transition_fn(0, m0), (self.n_states, self.n_actions, self.n_states), "transition_fn(0, initial): transition")

    # -- validation ------------------------------------------------------------------------------

    @property
    def policy_shape(self) -> tuple[int, ...]:
        """``(H, S, A)``."""
        return (self.horizon, self.n_states, self.n_actions)

    @property
    def flow_shape(self) -> tuple[int, ...]:
        """``(H, S)``, or ``(H, S, A)`` for a state-action population."""
        shape: tuple[int, ...] = (self.horizon, self.n_states)
        return (*shape, self.n_actions) if self.population == "state_action" else shape

    def population_argument(self, mu_t: FloatArray, policy_t: FloatArray) -> FloatArray:
        """What ``reward_fn``/``transition_fn`` receive at one epoch: ``mu_t`` or ``mu_t * policy_t``."""
        if self.population == "state":
            return mu_t
        out: FloatArray = mu_t[:, None] * policy_t
        return out

    def check_mean_field(self, mean_field: npt.ArrayLike, name: str = "mean_field") -> FloatArray:
        """A flow of :attr:`flow_shape`, each epoch on the simplex when ``check`` is on."""
        trailing = len(self.flow_shape) - 1
        return check_shaped_distribution(mean_field, self.flow_shape, name, on_simplex=self.check, trailing=trailing)

    def check_policy(self, policy: npt.ArrayLike, name: str = "policy") -> FloatArray:
        """A time-indexed policy ``(H, S, A)`` with rows on the simplex."""
        return check_shaped_distribution(policy, self.policy_shape, name, on_simplex=self.check)

    def check_dynamics(self, dynamics: object, name: str = "dynamics") -> FlowDynamics:
        """``dynamics`` if it is a :class:`FlowDynamics` of this game's shapes."""
        if not isinstance(dynamics, FlowDynamics):
            raise TypeError(f"{name} must be FlowDynamics, got {type(dynamics).__name__}")
        t, s, a = self.policy_shape
        want = ((t, s, a), (t - 1, s, a, s))
        reward, kernel = check_dynamics_arrays(dynamics, name)
        got = (reward.shape, kernel.shape)
        if got != want:
            raise ValueError(f"{name} must hold arrays of shapes {want}, got {got}")
        check_model_values(reward, kernel, name)
        same = reward is dynamics.reward and kernel is dynamics.kernel
        return dynamics if same else FlowDynamics(reward, kernel)

    def state_marginal(self, mean_field: FloatArray) -> FloatArray:
        """State marginals ``(H, S)`` of a flow."""
        if self.population == "state":
            return mean_field
        out: FloatArray = mean_field.sum(axis=-1)
        return out

    def uniform_policy(self) -> FloatArray:
        """:math:`\\pi_t(a|s)=1/|\\mathcal A|`."""
        return np.full(self.policy_shape, 1.0 / self.n_actions)

    def horizon_weight(self) -> float:
        """:math:`\\sum_{t<H}\\gamma^t`."""
        return float(np.sum(self.gamma ** np.arange(self.horizon)))

    # -- the model along a flow ------------------------------------------------------------------

    def _population(self, m: npt.ArrayLike) -> FloatArray:
        """``m`` as one epoch's population argument: ``(S,)`` or ``(S, A)``, on the simplex when ``check`` is on."""
        shape = self.flow_shape[1:]
        arr: FloatArray = check_array(m, "m", shape=shape)
        if self.check:
            check_distribution(arr.reshape(-1), "m")
        return arr

    def reward(self, t: int, m: npt.ArrayLike) -> FloatArray:
        """:math:`r_t(s,a,m)` as an ``(S, A)`` array."""
        return self._reward_at(check_int(t, "t", low=0, high=self.horizon - 1), self._population(m))

    def transition(self, t: int, m: npt.ArrayLike) -> FloatArray:
        """:math:`P_t(s'|s,a,m)` as an ``(S, A, S)`` array (``t < H - 1``)."""
        return self._transition_at(check_int(t, "t", low=0, high=self.horizon - 2), self._population(m))

    # The flows call these at every epoch with arguments they built themselves: only the model's
    # outputs are checked (when ``check`` is on).
    def _reward_at(self, t: int, m: FloatArray) -> FloatArray:
        r = self.reward_fn(t, m)
        return check_reward(r, (self.n_states, self.n_actions)) if self.check else np.asarray(r, dtype=np.float64)

    def _transition_at(self, t: int, m: FloatArray) -> FloatArray:
        p = self.transition_fn(t, m)
        shape = (self.n_states, self.n_actions, self.n_states)
        return check_kernel(p, shape) if self.check else np.asarray(p, dtype=np.float64)

    def _transition_into_at(self, t: int, m: FloatArray, out: FloatArray) -> None:
        """The kernel of epoch ``t`` written into ``out`` (``(S, A, S)``, C-contiguous), checked when ``check`` is on."""
        if self.transition_into is None:
            np.copyto(out, self._transition_at(t, m))
            return
        self.transition_into(t, m, out)
        if self.check:
            check_kernel(out, out.shape)

    def _empty_dynamics(self) -> FlowDynamics:
        t, s, a = self.policy_shape
        return FlowDynamics(np.empty((t, s, a)), np.empty((t - 1, s, a, s)))

    def _writable(self, scratch: FlowDynamics | None) -> FlowDynamics:
        """``scratch`` when its arrays may be overwritten, else new arrays."""
        if scratch is not None and scratch.reward.flags.writeable and scratch.kernel.flags.writeable:
            if not isinstance(scratch, FlowDynamics):
                raise TypeError(f"scratch must be FlowDynamics, got {type(scratch).__name__}")
            t, s, a = self.policy_shape
            if (scratch.reward.shape, scratch.kernel.shape) != ((t, s, a), (t - 1, s, a, s)):
                raise ValueError(f"scratch must hold arrays of shapes {(t, s, a)} and {(t - 1, s, a, s)}")
            return scratch  # only its buffers are used: they are overwritten
        return self._empty_dynamics()

    def dynamics_at(self, mean_field: FloatArray) -> FlowDynamics:
        """Rewards and kernels along a (validated) flow, each kernel evaluated once."""
        dyn = self._empty_dynamics()
        for t in range(self.horizon):
            dyn.reward[t] = self._reward_at(t, mean_field[t])
            if t < self.horizon - 1:
                self._transition_into_at(t, mean_field[t], dyn.kernel[t])
        return dyn

    # -- population ------------------------------------------------------------------------------

    def induce(
        self, policy: FloatArray, *, start: FloatArray | None = None, scratch: FlowDynamics | None = None
    ) -> tuple[FloatArray, FlowDynamics]:
        """Forward induction from :math:`\\mu_0` (``start`` unused): the flow, and the dynamics met on the way.

        Returns ``(H, S)``, or the joint :math:`L_t=\\mu_t\\pi_t` of shape ``(H, S, A)`` for a
        state-action population (the argument the game's reward and kernel take). The kernels
        go into ``scratch`` when given (sparing the allocation of ``H - 1`` kernels per flow), else
        into new arrays: evaluated there in place by ``transition_into`` when the game has one,
        else copied from ``transition_fn``'s result.
        """
        dyn = self._writable(scratch)
        t_max, s, a = policy.shape
        mus = np.empty((t_max, s))
        joint = np.empty((t_max, s, a))  # L_t = mu_t pi_t, the push-forward's weights
        mus[0] = self.initial
        for t in range(t_max):
            np.multiply(mus[t][:, None], policy[t], out=joint[t])
            arg = mus[t] if self.population == "state" else joint[t]
            dyn.reward[t] = self._reward_at(t, arg)
            if t == t_max - 1:
                break
            self._transition_into_at(t, arg, dyn.kernel[t])
            np.matmul(joint[t].reshape(s * a), dyn.kernel[t].reshape(s * a, s), out=mus[t + 1])
        return (mus if self.population == "state" else joint), dyn

    def mean_field_update(
        self,
        policy: FloatArray,
        mean_field: FloatArray,
        dynamics: FlowDynamics,
        *,
        scratch: FlowDynamics | None = None,
    ) -> tuple[FloatArray, FlowDynamics]:
        """The flow of ``policy`` from :math:`\\mu_0` (the current flow and its dynamics do not enter)."""
        return self.induce(policy, scratch=scratch)

    # -- values ----------------------------------------------------------------------------------

    def best_response(
        self, dynamics: FlowDynamics, temperature: float, *, q_init: FloatArray | None = None
    ) -> BestResponse:
        """:math:`\\Gamma_1^\\lambda` by backward induction (exact in ``H`` steps; ``q_init`` unused)."""
        t_max, s, a = self.policy_shape
        q = np.empty((t_max, s, a))
        v = np.empty((t_max, s))
        q[-1] = dynamics.reward[-1]
        v[-1] = soft_max_value(q[-1], temperature)
        for t in range(t_max - 2, -1, -1):
            np.einsum("ij,j->i", dynamics.kernel[t].reshape(s * a, s), v[t + 1], out=q[t].reshape(s * a))
            q[t] *= self.gamma
            q[t] += dynamics.reward[t]
            v[t] = soft_max_value(q[t], temperature)
        return BestResponse(softmax(q, temperature), q, v, t_max)

    def evaluate(self, policy: FloatArray, dynamics: FlowDynamics, temperature: float) -> PolicyEvaluation:
        """:math:`Q^{\\pi,\\lambda}_t`, :math:`V^{\\pi,\\lambda}_t` by backward induction."""
        t_max, s, a = self.policy_shape
        q = np.empty((t_max, s, a))
        v = np.empty((t_max, s))
        q[-1] = dynamics.reward[-1]
        v[-1] = regularized_reward(q[-1], policy[-1], temperature)
        for t in range(t_max - 2, -1, -1):
            np.einsum("ij,j->i", dynamics.kernel[t].reshape(s * a, s), v[t + 1], out=q[t].reshape(s * a))
            q[t] *= self.gamma
            q[t] += dynamics.reward[t]
            v[t] = regularized_reward(q[t], policy[t], temperature)
        return PolicyEvaluation(q, v)

    def exploitability_gap(self, policy: FloatArray, dynamics: FlowDynamics, temperature: float) -> FloatArray:
        """:math:`V^{\\star,\\lambda}_0-V^{\\pi,\\lambda}_0`, ``(S,)``: both backward inductions in one pass over the kernels."""
        t_max, s, a = self.policy_shape
        v = np.empty((s, 2))
        q = np.empty((s, a, 2))
        r = dynamics.reward[-1]
        v[:, 0] = soft_max_value(r, temperature)
        v[:, 1] = regularized_reward(r, policy[-1], temperature)
        for t in range(t_max - 2, -1, -1):
            np.matmul(dynamics.kernel[t].reshape(s * a, s), v, out=q.reshape(s * a, 2))
            q *= self.gamma
            q += dynamics.reward[t][..., None]
            v[:, 0] = soft_max_value(q[..., 0], temperature)
            v[:, 1] = regularized_reward(q[..., 1], policy[t], temperature)
        out: FloatArray = v[:, 0] - v[:, 1]
        return out

    def mirror_q(
        self,
        policy: FloatArray,
        logits: FloatArray | None,
        step_size: float,
        dynamics: FlowDynamics,
        temperature: float,
    ) -> FloatArray:
        """The exact :math:`Q^{\\pi,\\lambda}` (``logits`` and ``step_size`` are not needed)."""
        return self.evaluate(policy, dynamics, temperature).q
