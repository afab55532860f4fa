"""Benchmark of mfcode.nplayer: one step of the N-agent simulator of each model family, agents as an array axis.

Run from the repository root (single-threaded BLAS set below, before numpy is imported):

    .venv/bin/python benchmarks/bench_nplayer.py [--runs 5]

For N in {1e4, 1e5, 1e6} agents in one replicate, the median over ``--runs`` of the wall and CPU time of
one step, after one warm-up step, of:

- SIS and the LQ game (|S| = 25, |A| = 7) of mfcode.mfg.games: :func:`mfcode.nplayer.monte_carlo.step`
  (actions by inverse CDF, the model at the S views of the population, rewards, next states);
- the episodic SIS game: the same step at epoch 10 (:class:`mfcode.nplayer.adapters.GameEpoch`);
- the MFC scheduling model of 002: :meth:`mfcode.mfc.nagent.NAgentSystem.sample_actions` and ``step``
  (actions of every agent, the empirical state-action distribution, the environment's move);
- dense load balancing of 003: one epoch of :func:`mfcode.queueing.simulator.run_episodes` with
  :class:`mfcode.nplayer.adapters.UniformOffload` (the mean of a 5-epoch episode from empty queues, its
  expected-drops sampler, the epoch kernels of the rates met included).

Results go to ``benchmarks/results/nplayer.json`` and the table the chapter book/slides shows to
``benchmarks/results/nplayer.md``.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from functools import partial  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

from mfcode.mfc import MFCMDP, NAgentSystem, SchedulingModel, solve_mfc_mdp_on_grid  # noqa: E402
from mfcode.mfg import games  # noqa: E402
from mfcode.mfg.solvers import FixedPoint, solve_equilibrium  # noqa: E402
from mfcode.nplayer.adapters import GameEpoch, UniformOffload  # noqa: E402
from mfcode.nplayer.monte_carlo import step  # noqa: E402
from mfcode.queueing.graphs import from_edges  # noqa: E402
from mfcode.queueing.simulator import run_episodes  # noqa: E402
from mfcode.queueing.system import QueueSystem  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
SIZES = (10_000, 100_000, 1_000_000)
QUEUE_EPOCHS = 5

Step = Callable[[], object]


def _median_times(one_step: Step, runs: int, per_call: int = 1) -> tuple[float, float]:
    one_step()  # warm-up
    walls, cpus = [], []
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        one_step()
        walls.append((time.perf_counter() - w) / per_call)
        cpus.append((time.process_time() - c) / per_call)
    return statistics.median(walls), statistics.median(cpus)


def _population_steps(model: object, policy: np.ndarray, initial: np.ndarray, n: int) -> Step:
    rng = np.random.default_rng(0)
    state = {"s": rng.choice(initial.size, size=(1, n), p=initial)}

    def one() -> None:
        _, state["s"] = step(model, policy, state["s"], rng)

    return one


def _mfc_steps(model: SchedulingModel, policy: np.ndarray, n: int) -> Step:
    system = NAgentSystem(model, n)
    rng = np.random.default_rng(0)
    x0, x = system.reset(rng, 1)
    state = {"x0": x0, "x": x}

    def one() -> None:
        u = system.sample_actions(policy, state["x0"], state["x"], rng)
        state["x0"], state["x"], _ = system.step(state["x0"], state["x"], u, rng)

    return one


def _queue_epochs(rule: np.ndarray, n: int) -> Step:
    graph = from_edges(n, [])  # the rule routes over the complete graph; the graph gives N
    system = QueueSystem(arrival_rates=(0.9, 0.9), horizon=QUEUE_EPOCHS)

    def one() -> None:
        run_episodes(graph, UniformOffload(rule), system, n_episodes=1, seed=0, drops="expected")

    return one


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    load_before = list(os.getloadavg())
    cases: list[tuple[str, int, Callable[[int], Step], int]] = []
    for game in (games.sis(), games.lq()):
        eq = solve_equilibrium(game, 0.1)
        cases.append((game.name, game.n_states, partial(_population_steps, game, eq.policy, eq.mean_field), 1))
    episodic = games.sis_episodic()
    episodic_ne = FixedPoint(temperature=0.1).solve(episodic, max_iter=1000, atol=1e-12).policy
    cases.append((episodic.name, 2, partial(_population_steps, GameEpoch(episodic, 10), episodic_ne[10], episodic.initial), 1))
    scheduling = SchedulingModel()
    optimum = solve_mfc_mdp_on_grid(MFCMDP(scheduling), 50).policy
    cases.append(("MFC scheduling", scheduling.n_agent_states, partial(_mfc_steps, scheduling, optimum), 1))
    rule = (np.arange(6) >= 3).astype(np.float64)
    cases.append(("load balancing", 6, partial(_queue_epochs, rule), QUEUE_EPOCHS))
    rows: list[dict[str, Any]] = []
    for name, n_states, make, per_call in cases:
        for n in SIZES:
            wall, cpu = _median_times(make(n), args.runs, per_call)
            rows.append({"game": name, "n_states": n_states, "n_agents": n, "step_s": wall, "step_cpu_s": cpu,
                         "agent_steps_per_s": n / wall})
            print(f"{name:16s} N={n:>9,d}: {wall * 1e3:8.1f} ms wall, {cpu * 1e3:8.1f} ms CPU")
    out = {
        "command": f"python benchmarks/bench_nplayer.py --runs {args.runs}",
        "date_utc": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": {"cpus": os.cpu_count(), "threads": 1, "python": platform.python_version(), "numpy": np.__version__,
                    "load_before": load_before, "load_after": list(os.getloadavg())},
        "runs": args.runs,
        "steps": rows,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "nplayer.json").write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    lines = [
        "| model | \\|S\\| | N agents | one step (ms, wall) | one step (ms, CPU) | µs per agent-step (CPU) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(f"| {r['game']} | {r['n_states']} | {r['n_agents']:,} | {r['step_s'] * 1e3:.1f} | "
                     f"{r['step_cpu_s'] * 1e3:.1f} | {r['step_cpu_s'] * 1e6 / r['n_agents']:.3f} |")
    lines.append("")
    lines.append(f"Median of {args.runs} steps after a warm-up, one replicate, single-threaded numpy, "
                 f"{out['date_utc']}, on a shared {os.cpu_count()}-core machine (load {load_before[0]:.1f} before). "
                 f"|S|: agent states (MFC: access sets; load balancing: queue fillings, one step = one epoch "
                 f"of length 1, averaged over a {QUEUE_EPOCHS}-epoch episode from empty queues).")
    (RESULTS / "nplayer.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
