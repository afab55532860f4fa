"""Benchmark of mfcode.mfg: exact regularized NE at |S|=500, |A|=10, and solver steps vs mfglib 0.3.0.

Run from the repository root (single-threaded BLAS, OpenMP and torch for both libraries are set
below, before numpy and torch are imported):

    .venv/bin/python benchmarks/bench_mfg.py [--runs 5] [--iterations 2]

Three tables, each the median over ``--runs`` repetitions made in this one process:

1. the exact regularized NE of a garnet MFG (Definition 1 of 001_00c545ba2a0e4aca.txt) by the exact
   fixed-point iteration (:func:`mfcode.mfg.solvers.solve_equilibrium`, residual tolerance 1e-6),
   with the exploitability of the result and the time to certify it (wall time, and the CPU time
   of this process, which on a shared machine excludes the time spent waiting for a core);
2. the per-iteration time of each solver, mfglib vs mfcode, on mfglib's ``random_linear`` game with
   T=20, |S|=|A|=50 (the very same coefficients), measured side by side: in every repetition each
   mfglib step is followed by the mfcode steps of the same solver, and the ratio is taken per
   repetition before the median; wall times and, since the machine is shared, CPU times. mfglib runs in torch's default dtype (float32, as shipped); mfcode
   in float64. The exploitability histories of the first repetition are compared (mfglib scoring
   its own iterates);
3. the floor (measured in every repetition, after its solver steps): the part of an mfcode step no implementation of the algorithm can skip. A solver step
   needs the kernels P_t(.|.,.,L_t) of one new flow (two for fictitious play), t < T, and each is
   softmax(p1 @ L_t + p2): a (|A|, |X|) @ (|X|, |S|^2) product (2 n^4 flops; even when the policy is
   greedy and L_t has only n non-zeros, the n^3 flops left still read all of p1, so the product's time
   barely changes) and n^3 exponentials. Timing those two primitives alone gives the fastest possible
   step and the largest possible ratio to mfglib.

Results also go to ``benchmarks/results/bench_mfg.json`` (machine, load, date, command), which the
chapter book/mfg reads.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

from mfcode.mfg import games, mfglib_compat, operators, solvers  # noqa: E402
from mfcode.mfg.exploitability import exploitability  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "bench_mfg.json"
NE_TOL = 1e-6  # residual ||Lambda(mu) - mu||_1; the exploitability is quadratic in it (see the chapter)
T, N = 20, 50  # mfglib's random_linear: horizon T (T + 1 decision epochs), |S| = |A| = n


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def bench_equilibrium() -> dict[str, float]:
    game = games.garnet(500, 10, coupling=1.0, mixing=0.1, gamma=0.9, seed=0, check=False)
    lam = 0.1
    t0, c0 = time.perf_counter(), time.process_time()
    eq = solvers.solve_equilibrium(game, lam, tol=NE_TOL)
    t_solve, c_solve = time.perf_counter() - t0, time.process_time() - c0
    t0 = time.perf_counter()
    expl = exploitability(game, eq.policy, lam)
    t_cert = time.perf_counter() - t0
    return {"solve_s": t_solve, "solve_cpu_s": c_solve, "certify_s": t_cert, "iterations": eq.iterations, "exploitability": expl}


def _pairs() -> list[tuple[str, Any, Any]]:
    from mfglib.alg import FictitiousPlay, OnlineMirrorDescent, PriorDescent

    return [
        ("fixed point", solvers.FixedPoint(), FictitiousPlay(alpha=1.0)),
        ("fictitious play", solvers.FictitiousPlay(), FictitiousPlay(alpha=0.0)),
        ("online mirror descent", solvers.OnlineMirrorDescent(alpha=1.0), OnlineMirrorDescent(alpha=1.0)),
        ("prior descent", solvers.PriorDescent(eta=1.0), PriorDescent(eta=1.0)),
    ]


def bench_solvers(env: Any, game: Any, n_iter: int, score: bool) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name, ours, theirs in _pairs():
        run = mfglib_compat.run_mfglib(theirs, env, n_iter, score=score)
        state = ours.init_state(game, solvers.uniform_policy(game))
        expl = [exploitability(game, state.policy)] if score else []
        t_ours, c_ours = [], []
        for _ in range(n_iter):
            t0, c0 = time.perf_counter(), time.process_time()
            state = ours.step(game, state)
            t_ours.append(time.perf_counter() - t0)
            c_ours.append(time.process_time() - c0)
            if score:
                expl.append(exploitability(game, state.policy))
        row: dict[str, Any] = {
            "mfglib_s": float(np.median(run.step_times)),
            "mfcode_s": float(np.median(t_ours)),
            "mfglib_cpu_s": float(np.median(run.step_cpu_times)),
            "mfcode_cpu_s": float(np.median(c_ours)),
        }
        if score:
            row["max_abs_diff"] = float(np.abs(np.array(expl) - run.exploitability).max())
            row["exploitability_mfcode"] = expl
            row["exploitability_mfglib"] = run.exploitability.tolist()
        out[name] = row
    return out


def _median_time(fn: Any, repeats: int = 20) -> float:
    fn()
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return float(np.median(ts))


def bench_floor(game: Any, dyn: Any) -> dict[str, float]:
    """Time of the unavoidable primitives of one kernel P_t, of a whole kernel and of a whole flow."""
    p1 = np.ascontiguousarray(dyn.p1.transpose(2, 1, 0)).reshape(N, N * N)
    rng = np.random.default_rng(0)
    joint = rng.dirichlet(np.ones(N * N)).reshape(N, N)
    logits = np.empty((N, N * N))
    cube = rng.uniform(-20.0, 20.0, size=(N, N, N))
    out = np.empty_like(cube)
    t_gemm = _median_time(lambda: np.matmul(joint.T, p1, out=logits))
    t_exp = _median_time(lambda: np.exp(cube, out=out))
    big = rng.uniform(size=(1000, 1000))
    t_big = _median_time(lambda: big @ big, repeats=3)
    pi = rng.dirichlet(np.ones(N), size=(T + 1, N))
    return {
        "gemm_s": t_gemm,
        "gemm_gflops": 2 * N**4 / t_gemm / 1e9,
        "peak_dgemm_gflops": 2 * 1000**3 / t_big / 1e9,
        "exp_s": t_exp,
        "exp_ns_per_entry": t_exp / N**3 * 1e9,
        "kernel_s": _median_time(lambda: dyn.transition(0, joint)),
        "flow_s": _median_time(lambda: operators.flow_dynamics(game, pi), repeats=3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="repetitions; every table is the median over them")
    parser.add_argument("--iterations", type=int, default=2, help="solver steps timed per library and repetition")
    parser.add_argument("--output", type=Path, default=RESULTS, help="JSON results file")
    args = parser.parse_args()
    torch.set_num_threads(1)
    from mfglib.env import Environment

    load_before = _load()
    started = datetime.datetime.now(datetime.UTC)
    env = Environment.random_linear(T=T, n=N, m=10.0, seed=0)
    dyn = mfglib_compat.random_linear_dynamics(env)
    game = games.random_linear(horizon=T + 1, dynamics=dyn, check=False)

    ne_runs, solver_runs, floor_runs = [], [], []
    for r in range(args.runs):
        ne_runs.append(bench_equilibrium())
        solver_runs.append(bench_solvers(env, game, args.iterations, score=r == 0))
        floor_runs.append(bench_floor(game, dyn))
        print(f"repetition {r + 1}/{args.runs} done (load {_load()})", file=sys.stderr)
    floor = {k: float(np.median([f[k] for f in floor_runs])) for k in floor_runs[0]}
    load_after = _load()

    ne = {k: float(np.median([run[k] for run in ne_runs])) for k in ("solve_s", "solve_cpu_s", "certify_s")}
    ne.update(iterations=ne_runs[0]["iterations"], exploitability=max(run["exploitability"] for run in ne_runs))
    ne["solve_s_runs"] = [run["solve_s"] for run in ne_runs]
    print(f"Exact regularized NE, garnet |S|=500 |A|=10 (c=1, eps=0.1, gamma=0.9, lambda=0.1), median of {args.runs}")
    print("| residual tol | iterations | solve, wall [s] | solve, CPU [s] | exploitability | certify [s] | target |")
    print("|---|---|---|---|---|---|---|")
    met = ne["solve_s"] < 1.0 and ne["exploitability"] <= 1e-8
    print(
        f"| {NE_TOL:g} | {ne['iterations']} | {ne['solve_s']:.3f} | {ne['solve_cpu_s']:.3f} | {ne['exploitability']:.1e} | "
        f"{ne['certify_s']:.3f} | < 1 s (wall) to 1e-8: {'met' if met else 'not met'} |"
    )

    flows = {"fixed point": 1, "fictitious play": 2, "online mirror descent": 1, "prior descent": 1}
    rows = {}
    print()
    print(f"Solver step, random_linear T={T} |S|=|A|={N}, median of {args.runs} runs x {args.iterations} steps")
    print("| solver | mfglib s/iter | mfcode s/iter | ratio | mfcode CPU s/iter | CPU-time ratio | floor s/iter | max ratio | histories max abs diff |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name in flows:
        ratios = [run[name]["mfglib_s"] / run[name]["mfcode_s"] for run in solver_runs]
        cpu_ratios = [run[name]["mfglib_cpu_s"] / run[name]["mfcode_cpu_s"] for run in solver_runs]
        m_t = float(np.median([run[name]["mfglib_s"] for run in solver_runs]))
        o_t = float(np.median([run[name]["mfcode_s"] for run in solver_runs]))
        o_c = float(np.median([run[name]["mfcode_cpu_s"] for run in solver_runs]))
        floors = [flows[name] * T * (f["gemm_s"] + f["exp_s"]) for f in floor_runs]
        floor_s = float(np.median(floors))
        max_ratios = [run[name]["mfglib_s"] / f for run, f in zip(solver_runs, floors, strict=True)]
        rows[name] = {
            "mfglib_s": m_t,
            "mfcode_s": o_t,
            "ratio": float(np.median(ratios)),
            "ratio_runs": ratios,
            "mfcode_cpu_s": o_c,
            "cpu_ratio": float(np.median(cpu_ratios)),
            "floor_s": floor_s,
            "max_ratio": float(np.median(max_ratios)),
            "flows_per_step": flows[name],
            "max_abs_diff": solver_runs[0][name]["max_abs_diff"],
            "exploitability_mfcode": solver_runs[0][name]["exploitability_mfcode"],
            "exploitability_mfglib": solver_runs[0][name]["exploitability_mfglib"],
        }
        row = rows[name]
        print(
            f"| {name} | {m_t:.3f} | {o_t:.4f} | {row['ratio']:.0f}x | {o_c:.4f} | {row['cpu_ratio']:.0f}x | "
            f"{floor_s:.4f} | {row['max_ratio']:.0f}x | "
            f"{row['max_abs_diff']:.1e} |"
        )
    print()
    print(f"Floor primitives of one kernel (n={N}), median over the repetitions of medians of 20")
    print("| (A,X)@(X,S^2) product [ms] | its GFLOP/s | 1000^3 dgemm GFLOP/s | n^3 exp [ms] | ns/exp | kernel [ms] | one flow [ms] |")
    print("|---|---|---|---|---|---|---|")
    print(
        f"| {floor['gemm_s'] * 1e3:.2f} | {floor['gemm_gflops']:.1f} | {floor['peak_dgemm_gflops']:.1f} | "
        f"{floor['exp_s'] * 1e3:.2f} | {floor['exp_ns_per_entry']:.1f} | {floor['kernel_s'] * 1e3:.2f} | "
        f"{floor['flow_s'] * 1e3:.1f} |"
    )
    print(f"load average (1, 5, 15 min): before {load_before}, after {load_after}; {os.cpu_count()} CPUs")

    args.output.parent.mkdir(parents=True, exist_ok=True)
    import mfglib

    results = {
        "command": "python benchmarks/bench_mfg.py " + " ".join(sys.argv[1:]),
        "date_utc": started.strftime("%Y-%m-%d %H:%M UTC"),
        "machine": {
            "cpu": _cpu(),
            "cpus": os.cpu_count(),
            "threads": 1,
            "load_before": load_before,
            "load_after": load_after,
            "python": platform.python_version(),
            "numpy": np.__version__,
            "torch": torch.__version__,
            "mfglib": getattr(mfglib, "__version__", "0.3.0"),
            "mfglib_dtype": str(torch.get_default_dtype()),
        },
        "runs": args.runs,
        "iterations": args.iterations,
        "equilibrium": {"game": "garnet(500, 10, coupling=1, mixing=0.1, gamma=0.9, seed=0)", "lambda": 0.1, "tol": NE_TOL, **ne},
        "solvers": {"game": f"mfglib random_linear(T={T}, n={N}, m=10, seed=0)", "rows": rows},
        "floor": floor,
    }
    args.output.write_text(json.dumps(results, indent=1) + "\n")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
