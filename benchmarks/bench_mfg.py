"""Benchmark of mfcode.mfg: exact regularized NE at |S|=500, |A|=10, and solver steps vs mfglib 0.3.0.

Run from the repository root (single-threaded BLAS is set below, before numpy is imported):

    .venv/bin/python benchmarks/bench_mfg.py [--repeats 3]

Prints two tables: (1) the exact regularized NE of a garnet MFG (Definition 1 of
001_00c545ba2a0e4aca.txt) by the exact fixed-point iteration, with its exploitability; (2) the
per-iteration time of each solver, mfcode vs mfglib, on mfglib's ``random_linear`` game with
T=20, |S|=|A|=50 (the very same coefficients), measured side by side in this run.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

from mfcode.mfg import games, mfglib_compat, solvers  # noqa: E402
from mfcode.mfg.exploitability import exploitability  # noqa: E402


def bench_equilibrium(repeats: int) -> None:
    game = games.garnet(500, 10, coupling=1.0, mixing=0.1, gamma=0.9, seed=0, check=False)
    lam = 0.1
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        eq = solvers.solve_equilibrium(game, lam, tol=1e-12)
        best = min(best, time.perf_counter() - t0)
    expl = exploitability(game, eq.policy, lam)
    print("| game | lambda | iterations | wall time [s] (best of %d) | exploitability |" % repeats)
    print("|---|---|---|---|---|")
    print(f"| garnet 500x10 (c=1, eps=0.1, gamma=0.9) | {lam} | {eq.iterations} | {best:.3f} | {expl:.1e} |")


def bench_solvers(n_iter: int) -> None:
    from mfglib.alg import FictitiousPlay, OnlineMirrorDescent, PriorDescent
    from mfglib.env import Environment

    env = Environment.random_linear(T=20, n=50, m=10.0, seed=0)
    game = games.random_linear(horizon=21, dynamics=mfglib_compat.random_linear_dynamics(env), check=False)
    pairs = [
        ("fixed point", solvers.FixedPoint(), FictitiousPlay(alpha=1.0)),
        ("fictitious play", solvers.FictitiousPlay(), FictitiousPlay(alpha=0.0)),
        ("online mirror descent", solvers.OnlineMirrorDescent(alpha=1.0), OnlineMirrorDescent(alpha=1.0)),
        ("prior descent", solvers.PriorDescent(eta=1.0), PriorDescent(eta=1.0)),
    ]
    print("| solver | mfglib s/iter | mfcode s/iter | ratio | max abs diff of exploitability histories |")
    print("|---|---|---|---|---|")
    for name, ours, theirs in pairs:
        run = mfglib_compat.run_mfglib(theirs, env, n_iter)
        state = ours.init_state(game, solvers.uniform_policy(game))
        expl = [exploitability(game, state.policy)]
        t_ours = []
        for _ in range(n_iter):
            t0 = time.perf_counter()
            state = ours.step(game, state)
            t_ours.append(time.perf_counter() - t0)
            expl.append(exploitability(game, state.policy))
        diff = np.abs(np.array(expl) - run.exploitability).max()
        m_t, o_t = np.median(run.step_times), np.median(t_ours)
        print(f"| {name} | {m_t:.3f} | {o_t:.4f} | {m_t / o_t:.0f}x | {diff:.1e} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="repeats of the NE solve")
    parser.add_argument("--iterations", type=int, default=3, help="solver iterations timed per library")
    args = parser.parse_args()
    torch.set_num_threads(1)
    bench_equilibrium(args.repeats)
    print()
    bench_solvers(args.iterations)


if __name__ == "__main__":
    main()
