"""Benchmark of mfcode.nac: NAC iterations per second, 10 seeds batched against 1 seed.

Run from the repository root (single-threaded BLAS and torch, set below before numpy is imported):

    .venv/bin/python benchmarks/bench_nac.py [--runs 3] [--device cpu cuda]

Three variants of 001's natural actor-critic on the stationary SIS and LQ games of mfcode.mfg.games
(lambda = 0.1, App. D's step sizes: SIS eta = 0.05, beta = 0.01; LQ eta = 0.1, beta = 0.05):

- **tabular**: one-hot features, exact critic and exact actor (mfcode.nac.exact), Algorithm 1's loop
  (mfcode.nac.algorithm.nac);
- **linear**: six polynomial features of (state, action) (below; the package has only one-hot
  features), Algorithm 2's projected TD(0) with App. D's critic rate 0.001, warm-started, and
  Algorithm 3's projected SGD, 1000 samples each per iteration;
- **neural**: NAC-NN (mfcode.nac.neural) at App. E's settings (64 tanh units, Adam 3e-4, minibatches
  of 5, 5 epochs) with 8 copies x 4 steps = 32 transitions per seed per iteration; on the CPU, and
  on CUDA when ``torch.cuda.is_available()`` (or ``--device`` says so).

Each measurement runs a variant for T1 = 5 and for T2 = 25 iterations, subtracts from each run the
time of scoring its two scored policies (t = 0 and T - 1) again, and takes
(time(T2) - time(T1)) / (T2 - T1), so setup and network initialisation cancel (scoring does not by
itself: SIS's induced mean field near the epidemic threshold takes a policy-dependent number of
population steps); the median over ``--runs`` such pairs is reported, as
process CPU time on the CPU (one thread: the uncontended single-core cost on a shared machine) and
wall time. Results go to ``benchmarks/results/nac.json`` and the table to ``benchmarks/results/nac.md``.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

from mfcode.mfg import games  # noqa: E402
from mfcode.mfg.stationary import StationaryMFG  # noqa: E402
from mfcode.nac.algorithm import NACConfig, nac  # noqa: E402
from mfcode.nac.exact import ExactActor, ExactCritic  # noqa: E402
from mfcode.nac.features import Features, one_hot  # noqa: E402
from mfcode.nac.neural import NeuralNACConfig, neural_nac  # noqa: E402
from mfcode.nac.protocol import Actor, Critic, NACRun  # noqa: E402
from mfcode.nac.schedules import Constant  # noqa: E402
from mfcode.nac.scoring import exploitability  # noqa: E402
from mfcode.nac.sgd import ProjectedSGD  # noqa: E402
from mfcode.nac.td import ConstantStepSize, ProjectedTD  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
LAM = 0.1
T1, T2 = 5, 25
SEEDS = (1, 10)
SAMPLES = 1000  # TD and SGD samples per iteration of the linear variant
RADIUS = 1e3  # R of Algorithm 1 (speed does not depend on it; large enough for LQ's advantages)
STEPS = {"SIS": (0.05, 0.01), "LQ": (0.1, 0.05)}  # App. D's (eta, beta)


def polynomial_features(game: StationaryMFG) -> Features:
    """:math:`\\phi(s,a)=(1,x,u,x^2,xu,u^2)/\\sqrt6` with :math:`x,u\\in[-1,1]` the state and action indices rescaled (:math:`\\|\\phi\\|\\le1`)."""
    x = np.linspace(-1.0, 1.0, game.n_states)[:, None] * np.ones((1, game.n_actions))
    u = np.ones((game.n_states, 1)) * np.linspace(-1.0, 1.0, game.n_actions)[None, :]
    phi = np.stack([np.ones_like(x), x, u, x**2, x * u, u**2], axis=-1) / math.sqrt(6.0)
    return Features(phi, name="polynomial (d = 6)")


def _runner(variant: str, game: StationaryMFG, n: int, device: str) -> tuple[Callable[[int], NACRun], int]:
    """A function running ``variant`` for a given number of iterations, and its samples per seed per iteration."""
    eta, beta = STEPS[game.name]
    if variant == "neural":
        def run_neural(t: int) -> NACRun:
            cfg = NeuralNACConfig(iterations=t, temperature=LAM, mean_field_step=beta, score_every=t)
            return neural_nac(game, config=cfg, n_seeds=n, seed=0, device=device)
        return run_neural, NeuralNACConfig().batch_size
    critic: Critic
    actor: Actor
    if variant == "tabular":
        features, critic, actor, warm, samples = one_hot(game.n_states, game.n_actions), ExactCritic(), ExactActor(), False, 0
    else:
        features, warm, samples = polynomial_features(game), True, 2 * SAMPLES
        critic, actor = ProjectedTD(SAMPLES, math.inf, ConstantStepSize(0.001)), ProjectedSGD(SAMPLES)

    def run_linear(t: int) -> NACRun:
        cfg = NACConfig(iterations=t, temperature=LAM, eta=Constant(eta), beta=Constant(beta), radius=RADIUS,
                        warm_start_critic=warm, score_every=t)
        return nac(game, features, critic=critic, actor=actor, config=cfg, n_seeds=n, seed=0)
    return run_linear, samples


def _time(game: StationaryMFG, run: Callable[[int], NACRun], iterations: int, cuda: bool) -> tuple[float, float]:
    """Wall and CPU seconds of a run, less those of scoring its policies again (the same deterministic computation)."""
    w, c = time.perf_counter(), time.process_time()
    result = run(iterations)
    if cuda:
        torch.cuda.synchronize()
    wall, cpu = time.perf_counter() - w, time.process_time() - c
    w, c = time.perf_counter(), time.process_time()
    for t in result.scored_at:
        exploitability(game, result.policies[:, t], result.temperature)
    return wall - (time.perf_counter() - w), cpu - (time.process_time() - c)


def _per_iteration(game: StationaryMFG, run: Callable[[int], NACRun], runs: int, cuda: bool) -> tuple[float, float]:
    """Median over ``runs`` of the wall and CPU seconds per iteration, by the T1/T2 difference."""
    walls, cpus = [], []
    for _ in range(runs):
        w1, c1 = _time(game, run, T1, cuda)
        w2, c2 = _time(game, run, T2, cuda)
        walls.append((w2 - w1) / (T2 - T1))
        cpus.append((c2 - c1) / (T2 - T1))
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--device", nargs="*", default=None, help="devices of the neural variant (default: cpu, and cuda when available)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    devices = args.device or (["cpu", "cuda"] if torch.cuda.is_available() else ["cpu"])
    load_before = list(os.getloadavg())
    cases = [(v, "cpu") for v in ("tabular", "linear")] + [("neural", d) for d in devices]
    rows = []
    for game in (games.sis(), games.lq()):
        for variant, device in cases:
            for n in SEEDS:
                run, samples = _runner(variant, game, n, device)
                run(2)  # warm-up: imports, torch's first optimiser step, CUDA context
                cuda = device.startswith("cuda")
                wall, cpu = _per_iteration(game, run, args.runs, cuda)
                # one thread on the CPU: process time is the single-core cost; on a GPU the wall time is
                per_it = wall if cuda else cpu
                rows.append({
                    "variant": variant, "game": game.name, "n_states": game.n_states, "n_actions": game.n_actions,
                    "device": device, "n_seeds": n, "samples_per_seed_iteration": samples,
                    "iteration_s": wall, "iteration_cpu_s": cpu, "clock": "wall" if cuda else "cpu",
                    "iterations_per_s": 1.0 / per_it, "seed_iterations_per_s": n / per_it,
                })
                print(f"{game.name:3s} {variant:7s} {device:4s} n={n:2d}: {wall * 1e3:8.2f} ms wall, {cpu * 1e3:8.2f} ms CPU "
                      f"per iteration, {n / per_it:9.1f} seed-iterations/s")
    out = {
        "command": f"python benchmarks/bench_nac.py --runs {args.runs}" + (f" --device {' '.join(args.device)}" if args.device else ""),
        "date_utc": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": {"cpus": os.cpu_count(), "threads": 1, "python": platform.python_version(), "numpy": np.__version__,
                    "torch": torch.__version__, "cuda": torch.cuda.get_device_name() if torch.cuda.is_available() else None,
                    "load_before": load_before, "load_after": list(os.getloadavg())},
        "runs": args.runs,
        "iterations": [T1, T2],
        "settings": {"temperature": LAM, "eta_beta": STEPS, "linear_samples": SAMPLES, "radius": RADIUS,
                     "neural": {k: v for k, v in vars(NeuralNACConfig()).items() if k not in ("iterations", "score_every")}},
        "rows": rows,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "nac.json").write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    lines = [
        "| game | variant | device | seeds | samples / seed / iteration | ms / iteration | iterations / s | seed-iterations / s |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        per_it = r["iteration_s"] if r["clock"] == "wall" else r["iteration_cpu_s"]
        lines.append(f"| {r['game']} | {r['variant']} | {r['device']} | {r['n_seeds']} | {r['samples_per_seed_iteration']} | "
                     f"{per_it * 1e3:.2f} | {r['iterations_per_s']:.1f} | {r['seed_iterations_per_s']:.1f} |")
    lines.append("")
    lines.append(f"Median of {args.runs} (T = {T2}) - (T = {T1}) differences per iteration, process CPU time on one thread "
                 f"(wall time on a GPU), {out['date_utc']}, on a shared {os.cpu_count()}-core machine (load {load_before[0]:.1f} before). "
                 "Tabular: exact oracles, no samples; linear: 1000 TD + 1000 SGD samples; neural: 32 transitions, "
                 "5 epochs of minibatches of 5 for the critic and for the actor.")
    (RESULTS / "nac.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
