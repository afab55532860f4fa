"""The MFC MDP of :mod:`mfcode.mfc` as a batched RL environment, and the policy it learns.

Seed ``002_7da79a39441e57df.txt``, Sec. V-VI: the MFC MDP has state :math:`x^0` (the environment
state) and action a decision rule :math:`h:\\mathcal X\\to\\mathcal P(\\mathcal U)`. The paper's PPO
"outputs parameters mu, sigma of a diagonal Gaussian distribution over actions, which are sampled
and clipped between 0 and 1. We normalize each of these output values such that they give the
probability of assigning to an accessible queue given some agent state, i.e. a shared lower-level
decision rule h". So the learner's action is a vector ``a in R^{X U}`` (a
:class:`gymnasium.spaces.Box` on ``[0, 1]``) and the environment maps it to
``h = MFCMDP.decision_rule_from_action(a)`` (clip, mask inadmissible actions, normalise rows).

The MDP is infinite-horizon discounted; the paper does not state an episode length (choice I6 of
the seed notes). :class:`MFCEnv` truncates episodes after ``horizon`` steps and the learner
bootstraps the value of the truncation state, so the horizon only shapes which states are visited,
not the objective. The reward is the model's expected reward :math:`r(x^0,\\mathbb G(\\mu_0,h))`.

:func:`policy_table` turns a trained learner into a stationary policy array ``(X0, X, U)`` -- from
the Gaussian mean ("we can easily obtain a deterministic policy ... by simply using the mean") or
averaged over Gaussian samples (Fig. 4(b), "averaged over 500 samples") -- which
:meth:`MFCMDP.objective` evaluates exactly and :class:`~mfcode.mfc.NAgentSystem` simulates.
:func:`stochastic_policy_value` evaluates the Gaussian upper-level policy itself (the object PPO
optimises), whose sampled rule is common to all agents.
"""

from __future__ import annotations

import numpy as np
import torch
from gymnasium import spaces

from mfcode.arrays import FloatArray, IntArray
from mfcode.limits import check_elements
from mfcode.markov import evaluate
from mfcode.mfc import MFCMDP
from mfcode.rl.env import EnvSpec, StepResult, feature_box, not_reset_error
from mfcode.rl.ppo import PPO
from mfcode.validation import check_array, check_int, check_rng

__all__ = ["MFCEnv", "policy_table", "stochastic_policy_value"]


class MFCEnv:
    """``E`` parallel copies of an MFC MDP with the paper's Gaussian-clip-normalise action head.

    Parameters
    ----------
    mdp
        The :class:`~mfcode.mfc.MFCMDP` (e.g. ``MFCMDP(SchedulingModel())``).
    num_envs
        Parallel copies ``E`` (one learner, ``K = 1``).
    horizon
        Episode length before truncation (paper silent, choice I6; 100 = ``1/(1-gamma)`` for the
        paper's ``gamma = 0.99``).

    The observation of a copy is the model's feature vector of :math:`x^0`
    (:meth:`~mfcode.mfc.MFCMDP.observation`), the action a raw vector ``a`` in ``[0, 1]^{X U}``
    that :meth:`~mfcode.mfc.MFCMDP.decision_rule_from_action` turns into the decision rule ``h``.
    """

    def __init__(self, mdp: MFCMDP, num_envs: int = 20, horizon: int = 100) -> None:
        if not isinstance(mdp, MFCMDP):
            raise TypeError(f"mdp must be an MFCMDP, got {type(mdp).__name__}")
        check_int(num_envs, "num_envs", low=1)
        check_int(horizon, "horizon", low=1)
        self.mdp = mdp
        self.horizon = int(horizon)
        x, u = mdp.action_shape
        observations = feature_box(mdp.observation(np.arange(mdp.n_states)))
        actions = spaces.Box(0.0, 1.0, shape=(x * u,), dtype=np.float64)
        self._spec = EnvSpec(observations, actions, num_learners=1, num_envs=int(num_envs))
        self._rng: np.random.Generator | None = None
        self._x0: IntArray = np.zeros(self._spec.num_envs, dtype=np.int64)
        self._t: IntArray = np.zeros(self._spec.num_envs, dtype=np.int64)

    @property
    def spec(self) -> EnvSpec:
        """Static description (observation = the MDP's features of ``x0``)."""
        return self._spec

    def _observe(self, x0: IntArray) -> FloatArray:
        obs: FloatArray = np.asarray(self.mdp.observation(x0), dtype=np.float64)[None]
        return obs

    def reset(self, seed: int | np.random.Generator) -> FloatArray:
        """Draw ``x0`` from :math:`\\mu^0_0` with a generator made from ``seed``; observations ``(1, E, d)``."""
        self._rng = check_rng(seed)
        self._x0 = self.mdp.reset(self._rng, self._spec.num_envs)
        self._t = np.zeros(self._spec.num_envs, dtype=np.int64)
        return self._observe(self._x0)

    def step(self, action: FloatArray | IntArray) -> StepResult:
        """Map raw actions ``(1, E, X U)`` to decision rules and advance every copy."""
        if self._rng is None:
            raise not_reset_error(self)
        e = self._spec.num_envs
        shape = (1, e, int(np.prod(self.mdp.action_shape)))
        a = check_array(action, "action")
        if a.shape != shape:
            raise ValueError(f"action must have shape {shape}, got {a.shape}")
        h = self.mdp.decision_rule_from_action(a[0])
        nxt, reward = self.mdp.step(self._x0, h, self._rng)
        self._t += 1
        truncated = self._t >= self.horizon
        final = self._observe(nxt)
        if truncated.any():
            nxt = nxt.copy()
            nxt[truncated] = self.mdp.reset(self._rng, int(truncated.sum()))
            self._t[truncated] = 0
        self._x0 = nxt
        return StepResult(
            self._observe(nxt),
            np.asarray(reward, dtype=np.float64)[None],
            np.zeros((1, e), dtype=bool),
            truncated[None],
            final,
        )


def _seeded(learner: PPO, seed: int) -> torch.Generator:
    seed = check_int(seed, "seed", low=0, high=2**63 - 1)
    generator = torch.Generator(device=learner.device)
    generator.manual_seed(seed)
    return generator


def _check_learner(learner: PPO, mdp: MFCMDP) -> FloatArray:
    """Validate ``learner`` against ``mdp``; return the observations of all states ``(X0, d)``."""
    if not isinstance(learner, PPO):
        raise TypeError(f"learner must be a PPO, got {type(learner).__name__}")
    if not isinstance(mdp, MFCMDP):
        raise TypeError(f"mdp must be an MFCMDP, got {type(mdp).__name__}")
    space = learner.spec.action_space
    if learner.spec.num_learners != 1 or not isinstance(space, spaces.Box):
        raise ValueError("learner must be a single Box-action learner trained on MFCEnv")
    obs: FloatArray = np.asarray(mdp.observation(np.arange(mdp.n_states)), dtype=np.float64)
    if obs.shape[-1] != learner.spec.obs_dim or space.shape != (int(np.prod(mdp.action_shape)),):
        raise ValueError("learner's observation or action size does not match mdp")
    return obs


def _check_samples(mdp: MFCMDP, n_samples: int) -> None:
    x, u = mdp.action_shape
    check_elements(n_samples * mdp.n_states * x * u, f"the sampled decision rules (n_samples, X0, X, U) of n_samples={n_samples}")


def _sampled_rules(learner: PPO, mdp: MFCMDP, obs: FloatArray, n_samples: int, seed: int) -> FloatArray:
    """``n_samples`` decision rules per state from the Gaussian policy: ``(n_samples, X0, X, U)``."""
    tiled = np.repeat(obs[None], n_samples, axis=0).reshape(1, n_samples * mdp.n_states, -1)
    h = mdp.decision_rule_from_action(learner.act(tiled, generator=_seeded(learner, seed))[0])
    rules: FloatArray = h.reshape(n_samples, mdp.n_states, *mdp.action_shape)
    return rules


def policy_table(learner: PPO, mdp: MFCMDP, n_samples: int = 0, seed: int = 0) -> FloatArray:
    """The stationary MFC policy ``(X0, X, U)`` of a learner trained on :class:`MFCEnv`.

    Parameters
    ----------
    learner
        A single-learner :class:`~mfcode.rl.ppo.PPO` whose spec matches ``MFCEnv(mdp)``.
    mdp
        The MFC MDP.
    n_samples
        ``0``: the deterministic policy from the Gaussian mean (Sec. VI). ``> 0``: the decision
        rule averaged over that many Gaussian samples per state (Fig. 4(b), 500 samples).
    seed
        Seed of the generator of those samples (the learner's own generator is left untouched).

    Returns
    -------
    FloatArray
        ``pi[x0] = h``, shape ``(X0, X, U)``.
    """
    obs = _check_learner(learner, mdp)
    _check_samples(mdp, check_int(n_samples, "n_samples", low=0))
    if n_samples == 0:
        table: FloatArray = mdp.decision_rule_from_action(learner.act(obs[None], deterministic=True)[0])
        return table
    averaged: FloatArray = _sampled_rules(learner, mdp, obs, n_samples, seed).mean(0)
    return averaged


def stochastic_policy_value(learner: PPO, mdp: MFCMDP, n_samples: int = 500, seed: int = 0) -> FloatArray:
    """Value ``(X0,)`` in the MFC MDP of the learner's *stochastic* upper-level policy.

    PPO optimises the Gaussian policy itself: at ``x0`` a rule ``h ~ pi(x0)`` is drawn, shared by
    all agents (Fig. 3), so the relevant kernel and reward are averages over ``h``,
    :math:`\\bar P(x^0,\\cdot)=\\mathbb E_h P^0(x^0,\\mathbb G(\\mu_0,h))` and
    :math:`\\bar r(x^0)=\\mathbb E_h r(x^0,\\mathbb G(\\mu_0,h))`, estimated with ``n_samples`` rules
    per state; then :math:`V=(I-\\gamma\\bar P)^{-1}\\bar r`. Because :math:`P^0` and :math:`r`
    are nonlinear in ``h``, this differs from the value of the averaged rule of :func:`policy_table`.
    """
    obs = _check_learner(learner, mdp)
    _check_samples(mdp, check_int(n_samples, "n_samples", low=1))
    rules = _sampled_rules(learner, mdp, obs, n_samples, seed)  # (n, X0, X, U)
    x0 = np.tile(np.arange(mdp.n_states), n_samples)
    flat = rules.reshape(-1, *mdp.action_shape)
    P = np.zeros((mdp.n_states, mdp.n_states))
    r = np.zeros(mdp.n_states)
    chunk = 1024
    for start in range(0, flat.shape[0], chunk):
        xs = x0[start : start + chunk]
        rows, rew = mdp.model.transition_and_reward(xs, mdp.mean_field(flat[start : start + chunk]))
        np.add.at(P, xs, rows)
        np.add.at(r, xs, rew)
    return evaluate(r / n_samples, P / n_samples, mdp.gamma)
