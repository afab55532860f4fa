"""Training of the three learners of seed ``002_7da79a39441e57df.txt`` (Sec. VI, Fig. 4(a)).

On the paper's scheduling instance (:class:`~mfcode.mfc.SchedulingModel`):

- **MF** (:func:`train_mf`) -- PPO on the MFC MDP (:class:`~mfcode.rl.mfc_env.MFCEnv`), "trained
  only once and used for all N" (Fig. 4 caption); 2 million time steps in the paper;
- **NA** / **PS** (:func:`train_agents`) -- independent and parameter-shared PPO on the N-agent
  system (:class:`~mfcode.rl.nagent_env.NAgentEnv`), "trained separately for each N"; 400,000
  time steps in the paper.

All use the Table I hyperparameters (:class:`~mfcode.rl.config.PPOConfig` defaults) and the sizes
of a :class:`~mfcode.rl.budget.Budget`. After training, each policy is evaluated on the N-agent
system from empty queues, exactly and by Monte Carlo (:func:`~mfcode.rl.evaluation.evaluate_n_agent`);
the MF policy is also evaluated exactly in the MFC MDP (the dotted line of Fig. 4(a)). The arrays
returned are those of the artifact (:mod:`mfcode.rl.artifact`).

Seeds: the MF learner and its environment use ``seed``; NA and PS at N use ``seed + 1000 N``; the
Monte Carlo evaluation at N uses ``default_rng([seed, N, i])`` with ``i = 0, 1, 2`` for MF, NA,
PS -- so a part gives the same arrays whether it runs alone or within :func:`train_all`.
"""

from __future__ import annotations

import time

import numpy as np
import torch

from mfcode.mfc import MFCMDP, NAgentSystem, SchedulingModel
from mfcode.provenance import device_record
from mfcode.rl.artifact import Arrays, combine
from mfcode.rl.budget import Budget
from mfcode.rl.config import PPOConfig
from mfcode.rl.evaluation import evaluate_n_agent
from mfcode.rl.mfc_env import MFCEnv, policy_table, stochastic_policy_value
from mfcode.rl.nagent_env import NAgentEnv, agent_policy_table
from mfcode.rl.ppo import PPO, resolve_device
from mfcode.validation import check_int

__all__ = ["RunInfo", "train_agents", "train_all", "train_mf"]

RunInfo = dict[str, object]
"""Device record (:func:`mfcode.provenance.device_record`) and ``"times_s"``: wall seconds per phase."""


def _check(budget: Budget, seed: int, config: PPOConfig | None) -> tuple[int, PPOConfig]:
    if not isinstance(budget, Budget):
        raise TypeError(f"budget must be a Budget, got {type(budget).__name__}")
    config = PPOConfig() if config is None else config
    if not isinstance(config, PPOConfig):
        raise TypeError(f"config must be a PPOConfig, got {type(config).__name__}")
    return check_int(seed, "seed", low=0), config


def train_mf(
    budget: Budget,
    seed: int = 0,
    config: PPOConfig | None = None,
    device: torch.device | str | None = None,
    progress: bool = False,
    position: int | None = None,
) -> tuple[Arrays, RunInfo]:
    """Train MF-PPO on the MFC MDP and evaluate it in the MFC MDP and at every N of ``budget``.

    ``position`` places the progress bar (:meth:`~mfcode.rl.ppo.PPO.train`).

    Returns
    -------
    arrays
        ``mf_policy`` (X0, X, U) from the Gaussian mean, ``mf_policy_avg`` (averaged over 500
        Gaussian samples, Fig. 4(b)); ``mf_objective`` / ``mf_objective_avg`` (exact J in the MFC
        MDP from ``mu^0_0`` of those two tables), ``mf_objective_stochastic`` (J of the Gaussian
        upper-level policy itself, 500 sampled rules per state); per PPO iteration
        ``mf_curve_steps`` / ``mf_curve_return`` / ``mf_curve_objective`` /
        ``mf_curve_objective_stochastic`` (env steps, mean episode return, J of the deterministic
        and of the stochastic policy, the latter with 100 sampled rules per state); ``n_agents``;
        ``exact_mf`` (len(n_agents),) exact discounted J^N of ``mf_policy`` lifted to N agents and
        ``eval_mf`` (len(n_agents), n_eval_runs) Monte Carlo discounted returns over
        ``eval_horizon`` steps; ``mf_param/<name>`` the learner's parameters.
    info
        Device and wall time (``times_s["mf_s"]``).
    """
    seed, config = _check(budget, seed, config)
    dev = resolve_device(device)
    model = SchedulingModel()
    mdp = MFCMDP(model)
    init = mdp.initial_distribution
    start = time.perf_counter()
    env = MFCEnv(mdp, num_envs=budget.num_envs, horizon=budget.horizon)
    mf = PPO(env.spec, config, seed=seed, device=dev)

    def exact_values(learner: PPO) -> tuple[float, float]:
        stochastic = float(init @ stochastic_policy_value(learner, mdp, n_samples=100, seed=seed))
        return mdp.objective(policy_table(learner, mdp)), stochastic

    hist = mf.train(env, budget.mf_steps, progress=progress, evaluate=exact_values, desc="MF-PPO",
                    position=position).as_arrays()
    arrays: Arrays = {"n_agents": np.asarray(budget.n_agents)}
    arrays["mf_curve_steps"] = hist["env_steps"]
    arrays["mf_curve_objective"] = hist["evaluation"][:, 0]
    arrays["mf_curve_objective_stochastic"] = hist["evaluation"][:, 1]
    arrays["mf_curve_return"] = hist["episode_return_mean"][:, 0]
    arrays["mf_policy"] = policy_table(mf, mdp)
    arrays["mf_policy_avg"] = policy_table(mf, mdp, n_samples=500, seed=seed)
    arrays["mf_objective"] = np.asarray(mdp.objective(arrays["mf_policy"]))
    arrays["mf_objective_avg"] = np.asarray(mdp.objective(arrays["mf_policy_avg"]))
    arrays["mf_objective_stochastic"] = np.asarray(init @ stochastic_policy_value(mf, mdp, n_samples=500, seed=seed))
    arrays |= {f"mf_param/{k}": v for k, v in mf.parameters_numpy().items()}
    results = [
        evaluate_n_agent(model, arrays["mf_policy"], n, budget.eval_horizon, budget.n_eval_runs, np.random.default_rng([seed, n, 0]))
        for n in budget.n_agents
    ]
    arrays["exact_mf"] = np.array([r[0] for r in results])
    arrays["eval_mf"] = np.stack([r[1] for r in results])
    return arrays, {**device_record(dev), "times_s": {"mf_s": time.perf_counter() - start}}


def train_agents(
    budget: Budget,
    n_agents: int,
    seed: int = 0,
    config: PPOConfig | None = None,
    device: torch.device | str | None = None,
    progress: bool = False,
    position: int | None = None,
) -> tuple[Arrays, RunInfo]:
    """Train NA and PS with ``n_agents`` agents and evaluate them (learner seed ``seed + 1000 N``).

    ``position`` places the progress bar (:meth:`~mfcode.rl.ppo.PPO.train`).

    Returns
    -------
    arrays
        For ``m`` in ``na, ps``: ``m_policy_N<n>`` ((N,) X0, X, U), ``m_curve_return_N<n>``
        (iterations, K) mean episode returns, ``m_exact_N<n>`` exact discounted J^N from
        ``mu^0_0``, ``m_eval_N<n>`` (n_eval_runs,) Monte Carlo discounted returns.
    info
        Device and wall times (``times_s["na_N<n>_s"]``, ``times_s["ps_N<n>_s"]``).
    """
    seed, config = _check(budget, seed, config)
    if n_agents not in budget.n_agents:
        raise ValueError(f"n_agents must be one of the budget's {budget.n_agents}, got {n_agents!r}")
    dev = resolve_device(device)
    model = SchedulingModel()
    system = NAgentSystem(model, n_agents)
    arrays: Arrays = {}
    times: dict[str, float] = {}
    for index, mode in enumerate(("na", "ps"), start=1):
        t0 = time.perf_counter()
        env = NAgentEnv(system, mode, num_envs=budget.num_envs, horizon=budget.horizon)
        learner = PPO(env.spec, config, seed=seed + 1000 * n_agents, device=dev)
        if budget.agent_steps > 0:
            hist = learner.train(env, budget.agent_steps, progress=progress, desc=f"{mode.upper()} N={n_agents}",
                                 position=position).as_arrays()
            arrays[f"{mode}_curve_return_N{n_agents}"] = hist["episode_return_mean"]
        table = agent_policy_table(learner, system)
        arrays[f"{mode}_policy_N{n_agents}"] = table
        rng = np.random.default_rng([seed, n_agents, index])
        exact, samples = evaluate_n_agent(model, table, n_agents, budget.eval_horizon, budget.n_eval_runs, rng)
        arrays[f"{mode}_exact_N{n_agents}"] = np.asarray(exact)
        arrays[f"{mode}_eval_N{n_agents}"] = samples
        times[f"{mode}_N{n_agents}_s"] = time.perf_counter() - t0
    return arrays, {**device_record(dev), "times_s": times}


def train_all(
    budget: Budget,
    seed: int = 0,
    config: PPOConfig | None = None,
    device: torch.device | str | None = None,
    progress: bool = False,
) -> tuple[Arrays, RunInfo]:
    """Run :func:`train_mf` and :func:`train_agents` for every N of ``budget``; merge with :func:`~mfcode.rl.artifact.combine`."""
    mf_arrays, info = train_mf(budget, seed, config, device, progress)
    parts = []
    times = _seconds(info)
    for n in budget.n_agents:
        part, part_info = train_agents(budget, n, seed, config, device, progress)
        parts.append(part)
        times |= _seconds(part_info)
    return combine(budget, mf_arrays, parts), {**info, "times_s": times}


def _seconds(info: RunInfo) -> dict[str, float]:
    times = info["times_s"]
    if not isinstance(times, dict):
        raise TypeError("info['times_s'] must be a dict")
    return {str(k): float(v) for k, v in times.items()}
