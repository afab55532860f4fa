"""Sizes of the training runs of seed ``002_7da79a39441e57df.txt`` (Sec. VI, Fig. 4(a)).

:data:`BUDGETS` names the two sizes the book uses: ``ci``, a short smoke run for the book's CI,
and ``full``, the paper's scale (MF-PPO 2 million time steps, NA / PS 400,000 per N, 500 Monte
Carlo runs). The field names are part of the artifact layout (:mod:`mfcode.rl.artifact` stores
them in the provenance record and matches saved runs by them).
"""

from __future__ import annotations

from dataclasses import dataclass

from mfcode.validation import check_int

__all__ = ["BUDGETS", "Budget"]


@dataclass(frozen=True)
class Budget:
    """Sizes of one training run.

    Attributes
    ----------
    mf_steps
        MFC-MDP steps of MF-PPO (paper: 2,000,000).
    agent_steps
        N-agent system steps of each NA / PS run (paper: 400,000; 0 skips training).
    n_agents
        The values of N at which NA and PS are trained and all policies evaluated (paper: not
        listed; the text discusses N <= 4 converging and larger N failing).
    n_eval_runs
        Monte Carlo runs per evaluation (paper: "500 runs with 95% confidence interval").
    horizon
        Episode length at which training episodes are truncated (and bootstrapped; paper silent, I6).
    eval_horizon
        Steps of the Monte Carlo evaluation of the discounted cumulative reward (1000 steps:
        ``gamma^1000 < 5e-5``, the infinite-horizon value to within Monte Carlo error).
    num_envs
        Parallel copies of the simulated system per learner (collection only; the batch size is
        Table I's).
    """

    mf_steps: int
    agent_steps: int
    n_agents: tuple[int, ...]
    n_eval_runs: int = 500
    horizon: int = 100
    eval_horizon: int = 1000
    num_envs: int = 20

    def __post_init__(self) -> None:
        for name in ("mf_steps", "n_eval_runs", "horizon", "eval_horizon", "num_envs"):
            check_int(getattr(self, name), name, low=1)
        check_int(self.agent_steps, "agent_steps", low=0)
        if not isinstance(self.n_agents, tuple) or not self.n_agents:
            raise ValueError(f"n_agents must be a non-empty tuple of positive ints, got {self.n_agents!r}")
        for n in self.n_agents:
            check_int(n, "n_agents", low=1)
        if len(set(self.n_agents)) != len(self.n_agents):
            raise ValueError(f"n_agents must not repeat a value, got {self.n_agents!r}")


BUDGETS: dict[str, Budget] = {
    "ci": Budget(mf_steps=12_000, agent_steps=4_000, n_agents=(2,), n_eval_runs=100),
    "full": Budget(mf_steps=2_000_000, agent_steps=400_000, n_agents=(1, 2, 3, 4, 6, 8, 10)),
}
