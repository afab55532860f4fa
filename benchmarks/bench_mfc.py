"""Timings of the exact MFC solvers and finite-N evaluations on the paper's scheduling instance.

Run: ``.venv/bin/python benchmarks/bench_mfc.py``. Prints one row per task (best of 3 wall-clock).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from mfcode.mfc import MFCMDP, NAgentSystem, SchedulingModel, finite_n_optimum, jsq_policy, symmetric_value
from mfcode.mfc.dp import GridMDP, decision_rule_grid, policy_iteration, value_iteration


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    model = SchedulingModel()
    mdp = MFCMDP(model)
    rows: list[tuple[str, float]] = []
    for n in (200, 2000):
        rows.append((f"grid tabulation, {n + 1} rules", best_of(lambda n=n: GridMDP.from_mdp(mdp, decision_rule_grid(mdp, n)))))
        grid = GridMDP.from_mdp(mdp, decision_rule_grid(mdp, n))
        rows.append((f"policy iteration, {n + 1} rules", best_of(lambda g=grid: policy_iteration(g))))
    grid = GridMDP.from_mdp(mdp, decision_rule_grid(mdp, 200))
    rows.append(("value iteration to 1e-10, 201 rules", best_of(lambda: value_iteration(grid, tol=1e-10), repeat=1)))
    pi_star = policy_iteration(GridMDP.from_mdp(mdp, decision_rule_grid(mdp, 2000))).policy
    Ns = [1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 50, 100, 200, 500, 1000]
    rows.append((f"exact J^N, pi* and JSQ, {len(Ns)} values of N <= 1000",
                 best_of(lambda: [symmetric_value(model, p, n) for p in (pi_star, jsq_policy(model)) for n in Ns], repeat=1)))
    for n in (100, 200):
        rows.append((f"exact finite-N optimum, N = {n}", best_of(lambda n=n: finite_n_optimum(model, n), repeat=1)))
    for n in (10, 100):
        sys = NAgentSystem(model, n)
        rows.append((f"Monte Carlo, N = {n}, 500 runs x 1000 steps",
                     best_of(lambda s=sys: s.rollout(pi_star, 1000, 500, np.random.default_rng(0), discount=0.99), repeat=1)))
    width = max(len(r[0]) for r in rows)
    print(f"{'task':<{width}}  seconds")
    for name, sec in rows:
        print(f"{name:<{width}}  {sec:7.3f}")


if __name__ == "__main__":
    main()
