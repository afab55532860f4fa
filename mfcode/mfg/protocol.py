"""The protocol every kind of finite mean-field game implements.

Mao et al. (NeurIPS 2022), seed ``001_00c545ba2a0e4aca.txt``, §2, build everything from three
operations on a game: the regularized best response :math:`\\Gamma_1^\\lambda(\\mu)` (a soft Bellman
equation), the mean field a policy induces (through :math:`\\Gamma_2`), and the exact value of a
policy against a fixed mean field. A kind of game -- the paper's stationary discounted game
(:class:`~mfcode.mfg.stationary.StationaryMFG`), the episodic game of its simulations
(:class:`~mfcode.mfg.finite_horizon.FiniteHorizonMFG`), OpenSpiel's games as its evaluators
compute them (:class:`~mfcode.mfg.openspiel_games.OpenSpielMFG`) -- implements them once, on its
own **dynamics** type: the rewards and kernels of the game evaluated at one mean field (one flow),
the expensive part of every operator. The operators (:mod:`mfcode.mfg.operators`), the
exploitability and the solvers are then written once against :class:`MeanFieldGame`, with no
switch on the kind of game.

Shapes: a stationary game has policies ``(S, A)`` and mean fields ``(S,)``; a finite-horizon game
has time-indexed policies ``(H, S, A)`` and flows ``(H, S)`` (or joint ``(H, S, A)``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, TypeVar, runtime_checkable

import numpy.typing as npt

from mfcode.arrays import FloatArray

__all__ = ["BestResponse", "MeanFieldGame", "PolicyEvaluation", "require_game"]

D = TypeVar("D")


@dataclass(frozen=True, eq=False)
class BestResponse:
    """The regularized best response :math:`\\Gamma_1^\\lambda(\\mu)` and its soft values.

    Attributes
    ----------
    policy
        :math:`\\Gamma_1^\\lambda(\\mu)\\propto\\exp(Q^{\\star,\\lambda}_\\mu/\\lambda)` (greedy, ties split
        evenly, at :math:`\\lambda=0`), ``(S, A)`` or ``(H, S, A)``.
    q
        Optimal soft Q-function :math:`Q^{\\star,\\lambda}_\\mu`, the shape of ``policy``.
    value
        :math:`V^{\\star,\\lambda}_\\mu=\\lambda\\log\\sum_ae^{Q^\\star/\\lambda}` (:math:`\\max_aQ^\\star` at
        :math:`\\lambda=0`), ``(S,)`` or ``(H, S)``.
    iterations
        Soft policy-iteration sweeps (stationary game) or backward steps ``H`` (finite horizon).
    """

    policy: FloatArray
    q: FloatArray
    value: FloatArray
    iterations: int


@dataclass(frozen=True, eq=False)
class PolicyEvaluation:
    """Exact soft values of a policy against a fixed mean field (001 §2).

    Attributes
    ----------
    q
        :math:`Q^{\\pi,\\lambda}_\\mu(s,a)=r(s,a,\\mu)+\\gamma\\,\\mathbb E_{s'}V^{\\pi,\\lambda}_\\mu(s')`.
    value
        :math:`V^{\\pi,\\lambda}_\\mu(s)=\\sum_a\\pi(a|s)(Q^{\\pi,\\lambda}_\\mu(s,a)-\\lambda\\log\\pi(a|s))`.
    """

    q: FloatArray
    value: FloatArray


@runtime_checkable
class MeanFieldGame(Protocol[D]):
    """A finite MFG: its sizes, its validation, and the exact operators on its own dynamics ``D``.

    ``D`` holds the game's rewards and kernels at one mean field; every operator that works against
    a fixed mean field takes them instead of evaluating the game again.
    """

    @property
    def n_states(self) -> int:
        """:math:`|\\mathcal S|`."""

    @property
    def n_actions(self) -> int:
        """:math:`|\\mathcal A|`."""

    @property
    def gamma(self) -> float:
        """Discount factor :math:`\\gamma`."""

    @property
    def initial(self) -> FloatArray:
        """:math:`\\rho` (stationary) or :math:`\\mu_0` (finite horizon): where values are averaged."""

    @property
    def name(self) -> str:
        """Short label for tables and plots."""

    @property
    def policy_shape(self) -> tuple[int, ...]:
        """``(S, A)`` or ``(H, S, A)``."""

    def check_policy(self, policy: npt.ArrayLike, name: str = "policy") -> FloatArray:
        """``policy`` as a float array of :attr:`policy_shape` with rows on the simplex."""

    def check_mean_field(self, mean_field: npt.ArrayLike, name: str = "mean_field") -> FloatArray:
        """A mean field (``(S,)``) or flow of this game as a validated float array."""

    def check_dynamics(self, dynamics: object, name: str = "dynamics") -> D:
        """``dynamics`` if it is this game's dynamics type with this game's shapes."""

    def state_marginal(self, mean_field: FloatArray) -> FloatArray:
        """The state distribution(s) of a mean field: ``(S,)`` or ``(H, S)``."""

    def uniform_policy(self) -> FloatArray:
        """The uniform policy of :attr:`policy_shape`."""

    def horizon_weight(self) -> float:
        """:math:`\\sum_t\\gamma^t` over the decision epochs: :math:`1/(1-\\gamma)` or :math:`\\sum_{t<H}\\gamma^t`."""

    def dynamics_at(self, mean_field: FloatArray) -> D:
        """The rewards and kernels at a (validated) mean field."""

    def induce(
        self, policy: FloatArray, *, start: FloatArray | None = None, scratch: D | None = None
    ) -> tuple[FloatArray, D | None]:
        """The mean field :math:`\\mu_\\pi` the policy generates, and the dynamics at it if computed on the way.

        Stationary game: the fixed point of :math:`\\mu\\mapsto\\Gamma_2(\\pi,\\mu)` reached from
        ``start`` (default :attr:`initial`). Finite horizon: the flow of :math:`\\pi` from
        :math:`\\mu_0` (``start`` unused), whose dynamics the forward induction records.
        ``scratch``: dynamics of this game the caller no longer needs, whose arrays may be
        overwritten with the result's (a solver's previous iterate's).
        """

    def mean_field_update(
        self, policy: FloatArray, mean_field: FloatArray, dynamics: D, *, scratch: D | None = None
    ) -> tuple[FloatArray, D | None]:
        """The population step of :math:`\\Lambda^\\lambda(\\mu)=\\Gamma_2(\\Gamma_1^\\lambda(\\mu),\\mu)`.

        Stationary game: :math:`\\Gamma_2(\\pi,\\mu)` under the kernel at :math:`\\mu` (``dynamics``).
        Finite horizon: the flow of :math:`\\pi` from :math:`\\mu_0` (the map of mfglib's and
        OpenSpiel's fixed-point solvers). Returns the dynamics at the result when known.
        """

    def best_response(
        self, dynamics: D, temperature: float, *, q_init: FloatArray | None = None
    ) -> BestResponse:
        """:math:`\\Gamma_1^\\lambda` at the mean field of ``dynamics`` (``q_init``: warm start, if the kind iterates)."""

    def evaluate(self, policy: FloatArray, dynamics: D, temperature: float) -> PolicyEvaluation:
        """Exact :math:`Q^{\\pi,\\lambda}_\\mu` and :math:`V^{\\pi,\\lambda}_\\mu`."""

    def exploitability_gap(self, policy: FloatArray, dynamics: D, temperature: float) -> FloatArray:
        """:math:`V^{\\star,\\lambda}_\\mu-V^{\\pi,\\lambda}_\\mu` per initial state, ``(S,)`` (001 App. D)."""

    def mirror_q(
        self,
        policy: FloatArray,
        logits: FloatArray | None,
        step_size: float,
        dynamics: D,
        temperature: float,
    ) -> FloatArray:
        """The Q-function an online-mirror-descent step uses at ``policy``.

        For the papers' games the exact :math:`Q^{\\pi,\\lambda}_\\mu`. ``logits`` are the
        accumulated scores the policy is the softmax of (``None`` for a given initial policy) and
        ``step_size`` the step that will be added to them: an evaluator that reads its own score
        table while filling it (OpenSpiel's) needs both.
        """


def require_game(game: object, name: str = "game") -> MeanFieldGame[Any]:
    """``game`` if it implements :class:`MeanFieldGame`, else ``TypeError`` naming the argument."""
    if not isinstance(game, MeanFieldGame):
        raise TypeError(f"{name} must be a finite MFG (MeanFieldGame), got {type(game).__name__}")
    return game
