"""Benchmark of mfcode.nplayer: one step of the N-player simulator, agents as an array axis.

Run from the repository root (single-threaded BLAS set below, before numpy is imported):

    .venv/bin/python benchmarks/bench_nplayer.py [--runs 5]

For SIS (|S| = 2) and the LQ game (|S| = 25, |A| = 7) of mfcode.mfg.games and N in {1e4, 1e5, 1e6}
agents in one replicate, the median over ``--runs`` of the wall and CPU time of
:func:`mfcode.nplayer.monte_carlo.step` (actions by inverse CDF, the model at the S views of the
population, rewards, next states by inverse CDF), after one warm-up step. Results go to
``benchmarks/results/nplayer.json`` and the table the chapter book/slides shows to
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
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from mfcode.mfg import games  # noqa: E402
from mfcode.mfg.solvers import solve_equilibrium  # noqa: E402
from mfcode.nplayer.monte_carlo import step  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def _time_steps(game: object, policy: np.ndarray, initial: np.ndarray, n: int, runs: int) -> tuple[float, float]:
    rng = np.random.default_rng(0)
    states = rng.choice(initial.size, size=(1, n), p=initial)
    _, states = step(game, policy, states, rng)  # warm-up
    walls, cpus = [], []
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        _, states = step(game, policy, states, rng)
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    load_before = list(os.getloadavg())
    rows = []
    for game in (games.sis(), games.lq()):
        eq = solve_equilibrium(game, 0.1)
        for n in (10_000, 100_000, 1_000_000):
            wall, cpu = _time_steps(game, eq.policy, eq.mean_field, n, args.runs)
            rows.append({"game": game.name, "n_states": game.n_states, "n_agents": n, "step_s": wall, "step_cpu_s": cpu,
                         "agent_steps_per_s": n / wall})
            print(f"{game.name:4s} N={n:>9,d}: {wall * 1e3:8.1f} ms wall, {cpu * 1e3:8.1f} ms CPU")
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
        "| game | \\|S\\| | N agents | one step (ms, wall) | one step (ms, CPU) | agent-steps per second |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(f"| {r['game']} | {r['n_states']} | {r['n_agents']:,} | {r['step_s'] * 1e3:.1f} | "
                     f"{r['step_cpu_s'] * 1e3:.1f} | {r['agent_steps_per_s']:.2e} |")
    lines.append("")
    lines.append(f"Median of {args.runs} steps after a warm-up, one replicate, single-threaded numpy, "
                 f"{out['date_utc']}, on a shared {os.cpu_count()}-core machine (load {load_before[0]:.1f} before).")
    (RESULTS / "nplayer.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
