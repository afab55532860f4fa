"""The cloud paper's lemmas, checked exactly (``book/mfg/lemmas/lemmas.ipynb``).

Mao et al. (NeurIPS 2022), seed ``001_00c545ba2a0e4aca.txt``. The theory of its §3–4 assumes rewards in
:math:`[0,1]`; :func:`unit_garnet` is a random stationary game (:func:`mfcode.mfg.games.garnet`) with its
reward mapped affinely onto :math:`[0,1]`, on which every check below is exact (linear solves, soft
policy or value iteration, no sampling of trajectories):

- :func:`lemma2_excitation`: Lemma 2 (001 App. A, persistence of excitation) along the exact natural
  policy gradient iteration. With one-hot features :math:`\\phi_{s,a}=e_{s,a}` the compatible
  regression of Line 5 of Algorithm 1 is solved exactly by :math:`\\hat w_t=Q^{\\pi_t,\\lambda}_{\\mu_t}`
  (up to a constant per state, which the softmax ignores), so Line 7,
  :math:`\\theta_{t+1}=(1-\\eta\\lambda)\\theta_t+\\eta\\hat w_t` from :math:`\\theta_0=0`, is
  :class:`~mfcode.mfg.solvers.OnlineMirrorDescent` with ``alpha`` :math:`=\\eta` from the uniform policy:
  its logits are :math:`y_t=\\theta_t+(1-\\eta\\lambda)^t\\log\\pi_0`. With rewards in :math:`[0,1]`,
  :math:`0\\le Q^{\\pi,\\lambda}_\\mu\\le Q_{\\max}=(1+\\gamma\\lambda\\log|\\mathcal A|)/(1-\\gamma)`, so
  :math:`R=Q_{\\max}` bounds :math:`\\|\\hat w_t\\|_\\infty`; the lemma's induction then gives
  :math:`\\|\\theta_t\\|_\\infty\\le R/\\lambda` and, since :math:`\\theta^\\top\\phi_{s,a}=\\theta(s,a)`,
  :math:`\\min\\pi_t\\ge e^{-2R/\\lambda}/|\\mathcal A|`.
- :func:`lemma3_boltzmann`: Lemma 3 (001 App. A): the optimal soft Q-function by soft value iteration
  (:func:`~mfcode.mfg.stationary.soft_value_iteration`), its Boltzmann policy
  :math:`\\pi_B\\propto\\exp(Q^\\star/\\lambda)` evaluated exactly, :math:`Q^\\star\\le Q_{\\max}` and the lower
  bound :math:`\\pi^\\star\\ge1/(|\\mathcal A|e^{Q_{\\max}/\\lambda})`, at several mean fields.
- :func:`equilibrium_exploitability`: the exploitability (001 App. D) of the exact regularized NE
  (Definition 1, :func:`~mfcode.mfg.solvers.solve_equilibrium`) at its own temperature.
- :func:`lemma7_recursion`: Lemma 7 (001 App. A) and its eq. (8) along Algorithm 1 with exact oracles
  and the exact :math:`\\Gamma_2`:
  :math:`\\|\\mu_{t+1}-\\mu^\\star\\|_1\\le(1-\\beta\\bar d)\\|\\mu_t-\\mu^\\star\\|_1+d_2C_2\\beta\\sqrt{\\sigma^\\pi_t}`,
  with constants of Assumptions 2–3 for the paper's :math:`D(\\pi,\\pi')=\\mathbb E_{s\\sim d^\\star}\\|\\pi(\\cdot|s)-\\pi'(\\cdot|s)\\|_1`.
- :func:`performance_difference`: the regularized performance-difference identity of App. B.1 (proof of
  Lemma 1) on random policies and mean fields.
- :func:`lq_concentration`: Fig. 3's "concentrates" (§5.1) on 001's own episodic LQ game
  (:func:`~mfcode.mfg.games.lq_episodic`, App. D reward): the spread of the equilibrium flow over time.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from mfcode.arrays import BoolArray, FloatArray
from mfcode.experiments.budget import check_budget
from mfcode.experiments.mfg import closed_form_constants
from mfcode.mfg import games
from mfcode.mfg.exploitability import exploitability
from mfcode.mfg.solvers import OnlineMirrorDescent, solve_equilibrium
from mfcode.mfg.stationary import StationaryMFG, soft_value_iteration
from mfcode.simplex import kl_divergence, softmax
from mfcode.validation import check_int, check_real

__all__ = [
    "DISTANCE_FLOOR",
    "SIGMA_FLOOR",
    "SIZES",
    "ConstantReward",
    "EquilibriumExploitability",
    "LQConcentration",
    "Lemma2Excitation",
    "Lemma3Boltzmann",
    "Lemma7Recursion",
    "PerformanceDifference",
    "Sizes",
    "UnitReward",
    "equilibrium_exploitability",
    "largest_exploitability",
    "lemma2_excitation",
    "lemma3_boltzmann",
    "lemma7_recursion",
    "lq_concentration",
    "performance_difference",
    "q_max",
    "random_mean_fields",
    "sis_equilibrium",
    "sizes",
    "unit_garnet",
]


@dataclass(frozen=True)
class Sizes:
    """How much each check computes at one budget.

    Attributes
    ----------
    n_steps
        Iterations of the exact natural policy gradient (Lemma 2) and of Algorithm 1 (Lemma 7).
    n_mean_fields
        Random mean fields at which Lemma 3 is checked (the NE's is added).
    n_policies
        Random policies that must not beat the Boltzmann policy (Lemma 3), per mean field.
    n_pairs
        Random (policy, policy, mean field) triples of the performance-difference identity.
    lq_iterations
        Online-mirror-descent iterations on the LQ game (Fig. 3).
    """

    n_steps: int
    n_mean_fields: int
    n_policies: int
    n_pairs: int
    lq_iterations: int


#: The sizes per budget: ``"ci"`` for the tests, ``"full"`` for the book.
SIZES: Mapping[str, Sizes] = MappingProxyType(
    {"ci": Sizes(30, 3, 20, 5, 80), "full": Sizes(80, 20, 200, 50, 200)}
)


def sizes(budget: str) -> Sizes:
    """:data:`SIZES` ``[budget]``; ``TypeError``/``ValueError`` naming ``budget`` otherwise."""
    return SIZES[check_budget(budget)]


def _stationary(game: object) -> StationaryMFG:
    if not isinstance(game, StationaryMFG):
        raise TypeError(f"game must be a StationaryMFG, got {type(game).__name__}")
    return game


def _temperature(temperature: object) -> float:
    return check_real(temperature, "temperature", low=0.0, low_open=True)


# ----------------------------------------------------------------------------------------------
# Games with rewards in [0, 1]
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitReward:
    """:math:`\\mu\\mapsto(r(\\cdot,\\cdot,\\mu)-\\mathrm{low})/(\\mathrm{high}-\\mathrm{low})`, checked to lie in :math:`[0,1]`.

    The theory of 001 (§2) takes :math:`r:\\mathcal S\\times\\mathcal A\\times\\Delta(\\mathcal S)\\to[0,1]`;
    an affine map with a positive slope keeps every equilibrium and best response (at the temperature
    scaled by the same slope). Raises ``ValueError`` when a reward falls outside :math:`[0,1]`.
    """

    fn: Callable[[FloatArray], FloatArray]
    low: float
    high: float

    def __post_init__(self) -> None:
        check_real(self.low, "low")
        check_real(self.high, "high", low=self.low, low_open=True)

    def __call__(self, mu: FloatArray) -> FloatArray:
        out: FloatArray = (np.asarray(self.fn(mu), dtype=np.float64) - self.low) / (self.high - self.low)
        if out.min() < -1e-12 or out.max() > 1.0 + 1e-12:
            raise ValueError(f"reward: the rescaled reward leaves [0, 1] (range [{out.min():.3g}, {out.max():.3g}])")
        return out


@dataclass(frozen=True)
class ConstantReward:
    """:math:`r\\equiv` ``value`` on an ``(n_states, n_actions)`` game (the extreme case of Lemma 3's bound)."""

    n_states: int
    n_actions: int
    value: float = 1.0

    def __call__(self, mu: FloatArray) -> FloatArray:
        return np.full((self.n_states, self.n_actions), float(self.value))


def unit_garnet(
    n_states: int, n_actions: int, *, coupling: float, mixing: float, gamma: float, seed: int
) -> StationaryMFG:
    """:func:`mfcode.mfg.games.garnet` (no herding: the kernel ignores :math:`\\mu`) with rewards mapped onto :math:`[0,1]`.

    The garnet's reward :math:`r_0(s,a)+c\\,(W\\mu)(s)` lies in :math:`[-c,1+c]` (:math:`r_0\\in[0,1]`,
    :math:`W\\in[-1,1]`), so :math:`(r+c)/(1+2c)\\in[0,1]`.
    """
    check_real(coupling, "coupling", low=0.0)
    base = games.garnet(n_states, n_actions, coupling=coupling, mixing=mixing, gamma=gamma, seed=seed)
    c = float(coupling)
    return dataclasses.replace(
        base, reward_fn=UnitReward(base.reward_fn, -c, 1.0 + c), name=f"unit garnet(c={coupling:g})"
    )


def q_max(gamma: float, temperature: float, n_actions: int) -> float:
    """:math:`Q_{\\max}=(1+\\gamma\\lambda\\log|\\mathcal A|)/(1-\\gamma)` of Lemma 3 (001 App. A)."""
    g = check_real(gamma, "gamma", low=0.0, high=1.0, low_open=True, high_open=True)
    lam = _temperature(temperature)
    a = check_int(n_actions, "n_actions", low=1)
    return (1.0 + g * lam * float(np.log(a))) / (1.0 - g)


def random_mean_fields(n_states: int, count: int, seed: int) -> list[FloatArray]:
    """``count`` mean fields drawn from the flat Dirichlet distribution on :math:`\\Delta(\\mathcal S)`."""
    n = check_int(n_states, "n_states", low=1)
    k = check_int(count, "count", low=0)
    rng = np.random.default_rng(check_int(seed, "seed", low=0))
    return list(rng.dirichlet(np.ones(n), size=k))


def _random_policies(rng: np.random.Generator, n_states: int, n_actions: int, count: int) -> list[FloatArray]:
    """Random policies: flat-Dirichlet rows, half of them sharpened (concentration 0.2) towards the boundary."""
    out = []
    for i in range(count):
        alpha = 1.0 if i % 2 == 0 else 0.2
        p = rng.dirichlet(np.full(n_actions, alpha), size=n_states)
        out.append(np.clip(p, 1e-12, None) / np.clip(p, 1e-12, None).sum(axis=1, keepdims=True))
    return out


# ----------------------------------------------------------------------------------------------
# Lemma 2: persistence of excitation along the exact NPG iteration
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Lemma2Excitation:
    """Lemma 2 (001 App. A) along :math:`\\theta_{t+1}=(1-\\eta\\lambda)\\theta_t+\\eta Q^{\\pi_t,\\lambda}_{\\mu_{\\pi_t}}`, :math:`\\theta_0=0`.

    Attributes
    ----------
    radius
        :math:`R=Q_{\\max}`, the bound on :math:`\\|\\hat w_t\\|_\\infty` for rewards in :math:`[0,1]`.
    theta_bound, prob_bound
        :math:`R/\\lambda` and :math:`e^{-2R/\\lambda}/|\\mathcal A|`.
    theta_sup
        :math:`\\|\\theta_t\\|_\\infty`, ``(T+1,)``.
    theta_l2
        :math:`\\|\\theta_t\\|_2`, ``(T+1,)`` (the lemma's norm; with one-hot features its bound is
        :math:`\\sqrt{|\\mathcal S||\\mathcal A|}R/\\lambda`).
    min_prob
        :math:`\\min_{s,a}\\pi_t(a|s)`, ``(T+1,)``.
    w_min, w_max
        Smallest and largest entry of every :math:`\\hat w_t`, ``(T,)``: the hypothesis
        :math:`0\\le\\hat w_t\\le R`.
    exploitability
        Exploitability of the last iterate at the temperature :math:`\\lambda` (001 App. D).
    """

    radius: float
    theta_bound: float
    prob_bound: float
    theta_sup: FloatArray
    theta_l2: FloatArray
    min_prob: FloatArray
    w_min: FloatArray
    w_max: FloatArray
    exploitability: float

    @property
    def theta_ratio(self) -> float:
        """:math:`\\max_t\\|\\theta_t\\|_\\infty/(R/\\lambda)`: at most 1 by Lemma 2."""
        return float(self.theta_sup.max() / self.theta_bound)


def lemma2_excitation(game: StationaryMFG, *, temperature: float, step_size: float, n_steps: int) -> Lemma2Excitation:
    """Run ``n_steps`` of :class:`~mfcode.mfg.solvers.OnlineMirrorDescent` (``alpha=step_size``) from the uniform policy.

    The game's rewards must lie in :math:`[0,1]` (001's assumption; e.g. :func:`unit_garnet`), since
    :math:`R=Q_{\\max}` relies on it; the entries of every :math:`\\hat w_t` are recorded so that the
    hypothesis is checked too.

    Raises
    ------
    TypeError
        If ``game`` is not a :class:`~mfcode.mfg.stationary.StationaryMFG`.
    ValueError
        If ``temperature`` is not positive, :math:`\\eta\\lambda\\notin(0,1)`, or ``n_steps < 1``.
    """
    g = _stationary(game)
    lam = _temperature(temperature)
    eta = check_real(step_size, "step_size", low=0.0, low_open=True)
    if not eta * lam < 1.0:
        raise ValueError(f"step_size * temperature must lie in (0, 1) (Lemma 2), got {eta * lam:g}")
    n = check_int(n_steps, "n_steps", low=1)
    solver = OnlineMirrorDescent(temperature=lam, alpha=eta)
    state = solver.init_state(g, g.uniform_policy())
    log_pi0 = np.log(state.policy)
    decay = 1.0 - eta * lam
    thetas = [np.zeros(g.policy_shape)]
    probs = [float(state.policy.min())]
    for t in range(1, n + 1):
        state = solver.step(g, state)
        assert state.y is not None  # set by every step
        thetas.append(state.y - decay**t * log_pi0)
        probs.append(float(state.policy.min()))
    w = [(thetas[t + 1] - decay * thetas[t]) / eta for t in range(n)]
    radius = q_max(g.gamma, lam, g.n_actions)
    return Lemma2Excitation(
        radius=radius,
        theta_bound=radius / lam,
        prob_bound=float(np.exp(-2.0 * radius / lam) / g.n_actions),
        theta_sup=np.array([np.abs(th).max() for th in thetas]),
        theta_l2=np.array([np.linalg.norm(th) for th in thetas]),
        min_prob=np.array(probs),
        w_min=np.array([x.min() for x in w]),
        w_max=np.array([x.max() for x in w]),
        exploitability=exploitability(g, state.policy, lam),
    )


# ----------------------------------------------------------------------------------------------
# Lemma 3: Boltzmann form, Q* <= Q_max, lower bound on pi*
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Lemma3Boltzmann:
    """Lemma 3 (001 App. A) at several mean fields :math:`\\mu`.

    Attributes
    ----------
    fixed_point_residual
        :math:`\\max|\\mathrm{softmax}(Q^{\\pi_B,\\lambda}_\\mu/\\lambda)-\\pi_B|` over the mean fields, where
        :math:`\\pi_B=\\mathrm{softmax}(Q^\\star/\\lambda)` with :math:`Q^\\star` from soft value iteration and
        :math:`Q^{\\pi_B,\\lambda}_\\mu` from the exact linear solve: :math:`\\pi_B` is soft-greedy for its
        own Q-function, i.e. it solves the soft Bellman optimality equation.
    value_gap
        :math:`\\max_s|V^{\\pi_B,\\lambda}_\\mu(s)-V^\\star(s)|` with :math:`V^\\star=\\lambda\\log\\sum_ae^{Q^\\star/\\lambda}`.
    random_excess
        :math:`\\max(V^{\\pi,\\lambda}_\\mu(s)-V^{\\pi_B,\\lambda}_\\mu(s))` over random policies :math:`\\pi` and
        states (:math:`\\le0` when :math:`\\pi_B` is optimal).
    policy_iteration_gap
        :math:`\\max|\\pi_B-\\Gamma_1^\\lambda(\\mu)|` with :math:`\\Gamma_1^\\lambda` by soft policy iteration.
    q_star_max, q_max
        :math:`\\max Q^\\star` over the mean fields and :math:`Q_{\\max}`.
    attained_gap
        :math:`|\\max Q^\\star-Q_{\\max}|` on the same game with :math:`r\\equiv1`, where
        :math:`Q^\\star=1+\\gamma(1+\\lambda\\log|\\mathcal A|)/(1-\\gamma)=Q_{\\max}` exactly.
    min_prob, prob_bound
        :math:`\\min\\pi^\\star` over the mean fields and :math:`1/(|\\mathcal A|e^{Q_{\\max}/\\lambda})`.
    n_mean_fields, n_policies
        How many mean fields and random policies per mean field were used.
    """

    fixed_point_residual: float
    value_gap: float
    random_excess: float
    policy_iteration_gap: float
    q_star_max: float
    q_max: float
    attained_gap: float
    min_prob: float
    prob_bound: float
    n_mean_fields: int
    n_policies: int

    @property
    def boltzmann_residual(self) -> float:
        """The largest of the residuals that vanish when :math:`\\pi_B` is the optimal policy (excess clipped at 0)."""
        return max(self.fixed_point_residual, self.value_gap, max(self.random_excess, 0.0), self.policy_iteration_gap)


_SVI_TOL = 1e-13


def lemma3_boltzmann(
    game: StationaryMFG,
    *,
    temperature: float,
    mean_fields: list[FloatArray],
    n_policies: int,
    seed: int,
    boltzmann_temperature: float | None = None,
) -> Lemma3Boltzmann:
    """Lemma 3's three statements at each mean field of ``mean_fields`` (rewards must lie in :math:`[0,1]`).

    ``boltzmann_temperature`` (default ``temperature``) is the temperature of the Boltzmann policy
    tested: another value gives a policy that is not optimal, which the residuals expose (used by the
    tests to show that the check can fail).

    Raises
    ------
    TypeError, ValueError
        If ``game`` is not stationary, ``temperature`` not positive, ``mean_fields`` empty or not of
        the game's shape, or ``n_policies`` negative.
    """
    g = _stationary(game)
    lam = _temperature(temperature)
    lam_b = lam if boltzmann_temperature is None else check_real(boltzmann_temperature, "boltzmann_temperature", low=0.0, low_open=True)
    if not isinstance(mean_fields, list) or not mean_fields:
        raise ValueError("mean_fields must be a non-empty list of mean fields")
    mus = [g.check_mean_field(m, "mean_fields") for m in mean_fields]
    k = check_int(n_policies, "n_policies", low=0)
    rng = np.random.default_rng(check_int(seed, "seed", low=0))
    fp = vg = pi_gap = q_top = 0.0
    excess = -np.inf
    p_min = np.inf
    for mu in mus:
        dyn = g.dynamics_at(mu)
        q_star = soft_value_iteration(g, dyn, lam, tol=_SVI_TOL).q
        pi_b = softmax(q_star, lam_b)
        ev = g.evaluate(pi_b, dyn, lam)
        fp = max(fp, float(np.abs(softmax(ev.q, lam) - pi_b).max()))
        v_star = lam * np.log(np.exp((q_star - q_star.max(axis=1, keepdims=True)) / lam).sum(axis=1)) + q_star.max(axis=1)
        vg = max(vg, float(np.abs(ev.value - v_star).max()))
        pi_gap = max(pi_gap, float(np.abs(g.best_response(dyn, lam).policy - pi_b).max()))
        for pi in _random_policies(rng, g.n_states, g.n_actions, k):
            excess = max(excess, float((g.evaluate(pi, dyn, lam).value - ev.value).max()))
        q_top = max(q_top, float(q_star.max()))
        p_min = min(p_min, float(pi_b.min()))
    ones = dataclasses.replace(g, reward_fn=ConstantReward(g.n_states, g.n_actions), name="r = 1")
    q_ones = soft_value_iteration(ones, ones.dynamics_at(mus[0]), lam, tol=_SVI_TOL).q
    bound = q_max(g.gamma, lam, g.n_actions)
    return Lemma3Boltzmann(
        fixed_point_residual=fp,
        value_gap=vg,
        random_excess=float(excess) if k else 0.0,
        policy_iteration_gap=pi_gap,
        q_star_max=q_top,
        q_max=bound,
        attained_gap=abs(float(q_ones.max()) - bound),
        min_prob=p_min,
        prob_bound=float(1.0 / (g.n_actions * np.exp(bound / lam))),
        n_mean_fields=len(mus),
        n_policies=k,
    )


# ----------------------------------------------------------------------------------------------
# Exploitability of the exact regularized NE
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class EquilibriumExploitability:
    """The exact regularized NE (Definition 1) of a game and its exploitability at its own temperature (001 App. D).

    Attributes
    ----------
    name
        The game's label.
    policy, mean_field
        :math:`(\\pi^\\star,\\mu^\\star)` from :func:`~mfcode.mfg.solvers.solve_equilibrium`.
    residual
        :math:`\\|\\Lambda^\\lambda(\\mu^\\star)-\\mu^\\star\\|_1` at the last iterate.
    exploitability
        :math:`\\max_{\\pi'}V^{\\pi',\\lambda}_{\\mu_{\\pi^\\star}}(\\rho)-V^{\\pi^\\star,\\lambda}_{\\mu_{\\pi^\\star}}(\\rho)`,
        with :math:`\\mu_{\\pi^\\star}` the mean field :math:`\\pi^\\star` induces from :math:`\\rho`.
    perturbed
        The exploitability of :math:`\\pi^\\star` mixed 1% with the uniform policy (a policy that is not an
        NE; shows the measure is not zero by construction).
    """

    name: str
    policy: FloatArray
    mean_field: FloatArray
    residual: float
    exploitability: float
    perturbed: float


def equilibrium_exploitability(game: StationaryMFG, *, temperature: float) -> EquilibriumExploitability:
    """Solve the regularized NE of ``game`` exactly and score it (see :class:`EquilibriumExploitability`)."""
    g = _stationary(game)
    lam = _temperature(temperature)
    eq = solve_equilibrium(g, lam)
    mixed = 0.99 * eq.policy + 0.01 * g.uniform_policy()
    return EquilibriumExploitability(
        name=g.name,
        policy=eq.policy,
        mean_field=eq.mean_field,
        residual=float(eq.residuals[-1]),
        exploitability=exploitability(g, eq.policy, lam),
        perturbed=exploitability(g, mixed, lam),
    )


def sis_equilibrium(*, temperature: float = 0.1, gamma: float = 0.9) -> EquilibriumExploitability:
    """:func:`equilibrium_exploitability` of the stationary SIS game of 001 App. D (raw rewards, :func:`mfcode.mfg.games.sis`)."""
    g = check_real(gamma, "gamma", low=0.0, high=1.0, low_open=True, high_open=True)
    return equilibrium_exploitability(games.sis(gamma=g), temperature=temperature)


def largest_exploitability(results: Sequence[EquilibriumExploitability]) -> float:
    """:math:`\\max|\\mathcal E(\\pi^\\star)|` over ``results`` (rounding can make an exploitability slightly negative)."""
    if not results or not all(isinstance(r, EquilibriumExploitability) for r in results):
        raise TypeError("results must be a non-empty sequence of EquilibriumExploitability")
    return max(abs(r.exploitability) for r in results)


# ----------------------------------------------------------------------------------------------
# Lemma 7 along Algorithm 1 with exact oracles
# ----------------------------------------------------------------------------------------------

#: Steps with :math:`\|\mu_t-\mu^\star\|_1` at or below this are not scored for Lemma 7: :math:`\sigma^\pi_t` carries an
#: absolute rounding error of about :math:`10^{-16}` (a difference of logarithms of order one), whose square root
#: (:math:`10^{-8}`) would no longer be small next to the distance.
DISTANCE_FLOOR = 1e-6
#: Steps with :math:`\sigma^\pi_t` at or below this are not scored for eq. (8): both of its sides are then at rounding level.
SIGMA_FLOOR = 1e-12


@dataclass(frozen=True, eq=False)
class Lemma7Recursion:
    """Lemma 7 (001 App. A) and its eq. (8) along Algorithm 1 with exact oracles and the exact :math:`\\Gamma_2`.

    Constants (for :math:`D(\\pi,\\pi')=\\mathbb E_{s\\sim d^\\star}\\|\\pi(\\cdot|s)-\\pi'(\\cdot|s)\\|_1`, :math:`d^\\star=d^{\\pi^\\star}_{\\mu^\\star}`):
    ``d1``, ``d3`` are the closed-form bounds of :func:`mfcode.experiments.mfg.closed_form_constants`
    (its sup-over-states :math:`D` dominates this one, so its :math:`d_1` is valid here);
    ``d2`` :math:`=\\max_sc_s/d^\\star(s)` with :math:`c_s=\\tfrac12\\max_{a,a'}\\|P(s,a)-P(s,a')\\|_1`, the
    smallest constant valid for every :math:`\\mu` (a :math:`\\mu` on one state attains it);
    ``c2`` :math:`=(\\mathbb E_{s\\sim d_t^\\star}[(d^\\star/d_t^\\star)^2])^{1/2}` per step, Assumption 2's
    :math:`C_2` at the encountered :math:`\\mu_t`.

    Attributes
    ----------
    d1, d2, d3, dbar
        The constants above and :math:`\\bar d=1-d_1d_2-d_3`.
    distance
        :math:`\\|\\mu_t-\\mu^\\star\\|_1`, ``(T+1,)``.
    lhs, rhs
        :math:`\\|\\mu_{t+1}-\\mu^\\star\\|_1` and :math:`(1-\\beta\\bar d)\\|\\mu_t-\\mu^\\star\\|_1+d_2C_2\\beta\\sqrt{\\sigma^\\pi_t}`, ``(T,)``.
    sigma
        :math:`\\sigma^\\pi_t=\\mathbb E_{s\\sim d_t^\\star}\\mathrm{KL}(\\pi_t^\\star(\\cdot|s)\\|\\pi_t(\\cdot|s))`, ``(T,)``.
    c2
        :math:`C_2` per step, ``(T,)``.
    policy_distance
        :math:`D(\\pi_t^\\star,\\pi_t)`, ``(T,)``: the left side of eq. (8).
    theta_ratio
        :math:`\\max_t\\|\\theta_t\\|_\\infty/(Q_{\\max}/\\lambda)` along the same run (Lemma 2 on Algorithm 1).
    """

    d1: float
    d2: float
    d3: float
    dbar: float
    distance: FloatArray
    lhs: FloatArray
    rhs: FloatArray
    sigma: FloatArray
    c2: FloatArray
    policy_distance: FloatArray
    theta_ratio: float

    def _scored(self) -> BoolArray:
        mask: BoolArray = self.distance[:-1] > DISTANCE_FLOOR
        return mask

    @property
    def max_ratio(self) -> float:
        """:math:`\\max_t` lhs/rhs over the steps with :math:`\\|\\mu_t-\\mu^\\star\\|_1>` :data:`DISTANCE_FLOOR`: at most 1 by Lemma 7."""
        m = self._scored()
        return float((self.lhs[m] / self.rhs[m]).max())

    @property
    def ratios(self) -> FloatArray:
        """lhs/rhs per step, ``nan`` where :math:`\\|\\mu_t-\\mu^\\star\\|_1\\le` :data:`DISTANCE_FLOOR`, ``(T,)``."""
        out: FloatArray = np.where(self._scored(), self.lhs / np.where(self.rhs > 0, self.rhs, 1.0), np.nan)
        return out

    @property
    def eq8_ratios(self) -> FloatArray:
        """:math:`D(\\pi_t^\\star,\\pi_t)/(C_2\\sqrt{\\sigma^\\pi_t})` per step, ``nan`` where not scored, ``(T,)``."""
        ok = self._scored() & (self.sigma > SIGMA_FLOOR)
        out: FloatArray = np.where(ok, self.policy_distance / np.where(ok, self.c2 * np.sqrt(self.sigma), 1.0), np.nan)
        return out

    @property
    def eq8_ratio(self) -> float:
        """:math:`\\max_tD(\\pi_t^\\star,\\pi_t)/(C_2\\sqrt{\\sigma^\\pi_t})` over the scored steps with :math:`\\sigma^\\pi_t>` :data:`SIGMA_FLOOR`: eq. (8) as printed says at most 1."""
        m = self._scored() & (self.sigma > SIGMA_FLOOR)
        return float((self.policy_distance[m] / (self.c2[m] * np.sqrt(self.sigma[m]))).max())

    @property
    def eq8_pinsker_ratio(self) -> float:
        """The same with Pinsker's :math:`\\|p-q\\|_1\\le\\sqrt{2\\mathrm{KL}(p\\|q)}`: :math:`D/(C_2\\sqrt{2\\sigma})`, at most 1."""
        return self.eq8_ratio / float(np.sqrt(2.0))


def lemma7_recursion(
    game: StationaryMFG, *, temperature: float, step_size: float, mixing_rate: float, n_steps: int
) -> Lemma7Recursion:
    """Algorithm 1 (001 §3) with exact oracles from :math:`\\theta_0=0`, :math:`\\mu_0=\\rho`, and both sides of Lemma 7 at every step.

    Line 5's :math:`\\hat w_t=Q^{\\pi_t,\\lambda}_{\\mu_t}` (one-hot features, exact), Line 6's
    :math:`\\mu_{t+1}=(1-\\beta)\\mu_t+\\beta\\Gamma_2(\\pi_t,\\mu_t)` and Line 7's
    :math:`\\theta_{t+1}=(1-\\eta\\lambda)\\theta_t+\\eta\\hat w_t`, with ``step_size`` :math:`=\\eta` and
    ``mixing_rate`` :math:`=\\beta`.

    Raises
    ------
    TypeError
        If ``game`` is not a :class:`~mfcode.mfg.stationary.StationaryMFG`.
    ValueError
        If ``temperature`` is not positive, :math:`\\eta\\lambda\\notin(0,1)`, :math:`\\beta\\notin(0,1]`,
        ``n_steps < 1``, the game is not of the closed form's kind, or :math:`\\bar d\\le0` (Lemma 7 needs
        :math:`\\bar d>0`: a contracting game).
    """
    g = _stationary(game)
    lam = _temperature(temperature)
    eta = check_real(step_size, "step_size", low=0.0, low_open=True)
    if not eta * lam < 1.0:
        raise ValueError(f"step_size * temperature must lie in (0, 1), got {eta * lam:g}")
    beta = check_real(mixing_rate, "mixing_rate", low=0.0, high=1.0, low_open=True)
    n = check_int(n_steps, "n_steps", low=1)
    closed = closed_form_constants(g, lam)
    eq = solve_equilibrium(g, lam)
    d_star = g.visitation(eq.policy, eq.mean_field)
    kernel = g.transition(g.initial)
    c_s = 0.5 * np.abs(kernel[:, :, None, :] - kernel[:, None, :, :]).sum(axis=-1).max(axis=(1, 2))
    d2 = float((c_s / d_star).max())
    dbar = 1.0 - closed.d1 * d2 - closed.d3
    if not dbar > 0:
        raise ValueError(f"game: d_bar = 1 - d1*d2 - d3 = {dbar:.3g} <= 0, so Lemma 7 does not apply (weaken the coupling)")
    theta = np.zeros(g.policy_shape)
    mu = g.initial.copy()
    distance = [float(np.abs(mu - eq.mean_field).sum())]
    lhs, rhs, sigmas, c2s, dists = [], [], [], [], []
    theta_sup = 0.0
    for _ in range(n):
        pi = softmax(theta)
        dyn = g.dynamics_at(mu)
        pi_star = g.best_response(dyn, lam).policy
        d_t = g.visitation(pi_star, mu)
        sigma = max(float(d_t @ kl_divergence(pi_star, pi)), 0.0)
        c2 = float(np.sqrt(d_t @ (d_star / d_t) ** 2))
        mu_next = (1.0 - beta) * mu + beta * g.mean_field_update(pi, mu, dyn)[0]
        lhs.append(float(np.abs(mu_next - eq.mean_field).sum()))
        rhs.append((1.0 - beta * dbar) * distance[-1] + d2 * c2 * beta * np.sqrt(sigma))
        sigmas.append(sigma)
        c2s.append(c2)
        dists.append(float(d_star @ np.abs(pi_star - pi).sum(axis=1)))
        theta = (1.0 - eta * lam) * theta + eta * g.evaluate(pi, dyn, lam).q
        theta_sup = max(theta_sup, float(np.abs(theta).max()))
        mu = mu_next
        distance.append(lhs[-1])
    return Lemma7Recursion(
        d1=closed.d1,
        d2=d2,
        d3=closed.d3,
        dbar=dbar,
        distance=np.array(distance),
        lhs=np.array(lhs),
        rhs=np.array(rhs),
        sigma=np.array(sigmas),
        c2=np.array(c2s),
        policy_distance=np.array(dists),
        theta_ratio=theta_sup / (q_max(g.gamma, lam, g.n_actions) / lam),
    )


# ----------------------------------------------------------------------------------------------
# The regularized performance-difference identity (App. B.1)
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class PerformanceDifference:
    """Both sides of the identity of 001 App. B.1 (Lemma 5 of Cayci et al.) on random triples :math:`(\\pi,\\pi',\\mu)`.

    .. math:: V^{\\pi,\\lambda}_\\mu(\\rho)-V^{\\pi',\\lambda}_\\mu(\\rho)=\\frac1{1-\\gamma}\\mathbb E_{s\\sim d^\\pi_\\mu,a\\sim\\pi}
       [q^{\\pi',\\lambda}_\\mu(s,a)-V^{\\pi',\\lambda}_\\mu(s)]-\\frac\\lambda{1-\\gamma}\\mathbb E_{s\\sim d^\\pi_\\mu}\\mathrm{KL}(\\pi(\\cdot|s)\\|\\pi'(\\cdot|s)),

    with :math:`q=Q-\\lambda\\log\\pi'` the shifted Q-function (001 §2) and :math:`d^\\pi_\\mu` the
    discounted visitation from :math:`\\rho`.

    Attributes
    ----------
    lhs, rhs
        The two sides, ``(n_pairs,)``.
    """

    lhs: FloatArray
    rhs: FloatArray

    @property
    def max_error(self) -> float:
        """:math:`\\max|\\mathrm{lhs}-\\mathrm{rhs}|`."""
        return float(np.abs(self.lhs - self.rhs).max())


def performance_difference(game: StationaryMFG, *, temperature: float, n_pairs: int, seed: int) -> PerformanceDifference:
    """Evaluate both sides of the identity exactly on ``n_pairs`` random triples (policies as in Lemma 3's check)."""
    g = _stationary(game)
    lam = _temperature(temperature)
    k = check_int(n_pairs, "n_pairs", low=1)
    rng = np.random.default_rng(check_int(seed, "seed", low=0))
    rho, gamma = g.initial, g.gamma
    lhs, rhs = [], []
    for _ in range(k):
        pi, pi_other = _random_policies(rng, g.n_states, g.n_actions, 2)
        mu = rng.dirichlet(np.ones(g.n_states))
        dyn = g.dynamics_at(mu)
        ev, ev_other = g.evaluate(pi, dyn, lam), g.evaluate(pi_other, dyn, lam)
        d = g.visitation(pi, mu)
        shifted = ev_other.q - lam * np.log(pi_other)
        advantage = (pi * (shifted - ev_other.value[:, None])).sum(axis=1)
        lhs.append(float(rho @ (ev.value - ev_other.value)))
        rhs.append(float(d @ advantage - lam * d @ kl_divergence(pi, pi_other)) / (1.0 - gamma))
    return PerformanceDifference(np.array(lhs), np.array(rhs))


# ----------------------------------------------------------------------------------------------
# Fig. 3: the LQ population concentrates
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class LQConcentration:
    """The equilibrium flow of 001's episodic LQ game (App. D reward, uniform :math:`\\mu_0`) and its spread (Fig. 3).

    Attributes
    ----------
    temperature, n_iter
        :math:`\\lambda` and the online-mirror-descent iterations (learning rate 1).
    states
        Positions :math:`x=0..|\\mathcal S|-1`.
    flow
        :math:`\\mu_t(x)` of the last iterate, ``(T, S)``.
    spread
        Standard deviation of :math:`\\mu_t` over the positions (as the reward's :math:`\\bar\\mu-s`
        measures them, not circularly), ``(T,)``.
    mass_near_mean
        :math:`\\mu_t(\\{x:|x-\\bar\\mu_t|\\le2\\})`, ``(T,)``.
    exploitability
        Exploitability of the last iterate at :math:`\\lambda` (001 App. D).
    uniform_spread
        The spread at the last epoch when every agent plays uniformly (no tracking), for comparison.
    """

    temperature: float
    n_iter: int
    states: FloatArray
    flow: FloatArray
    spread: FloatArray
    mass_near_mean: FloatArray
    exploitability: float
    uniform_spread: float


def _spread(flow: FloatArray, x: FloatArray) -> tuple[FloatArray, FloatArray]:
    mean = flow @ x
    spread = np.sqrt((flow * (x[None, :] - mean[:, None]) ** 2).sum(axis=1))
    near = (flow * (np.abs(x[None, :] - mean[:, None]) <= 2.0)).sum(axis=1)
    return spread, near


def lq_concentration(*, temperature: float, n_iter: int, horizon: int = 10) -> LQConcentration:
    """``n_iter`` steps of regularized online mirror descent on :func:`mfcode.mfg.games.lq_episodic` (``horizon`` epochs).

    Raises
    ------
    ValueError, TypeError
        If ``temperature`` is negative, ``n_iter`` negative or ``horizon`` below 2.
    """
    lam = check_real(temperature, "temperature", low=0.0)
    n = check_int(n_iter, "n_iter", low=0)
    game = games.lq_episodic(horizon=check_int(horizon, "horizon", low=2))
    result = OnlineMirrorDescent(temperature=lam, alpha=1.0).solve(game, max_iter=n)
    flow = result.mean_fields[-1]
    x = np.arange(game.n_states, dtype=np.float64)
    spread, near = _spread(flow, x)
    uniform_flow = game.induce(game.uniform_policy())[0]
    return LQConcentration(
        temperature=lam,
        n_iter=n,
        states=x,
        flow=flow,
        spread=spread,
        mass_near_mean=near,
        exploitability=float(result.exploitability[-1]),
        uniform_spread=float(_spread(uniform_flow, x)[0][-1]),
    )
