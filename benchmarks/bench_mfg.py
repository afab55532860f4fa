"""Benchmark of mfcode.mfg: exact regularized NE at |S|=500, |A|=10, and solver steps vs mfglib 0.3.0 and vs their floor.

Run from the repository root (single-threaded BLAS, OpenMP and torch for both libraries are set
below, before numpy and torch are imported):

    .venv/bin/python benchmarks/bench_mfg.py [--runs 5] [--iterations 3]

Three tables, each the median over ``--runs`` repetitions made in this one process:

1. the exact regularized NE of a garnet MFG (Definition 1 of 001_00c545ba2a0e4aca.txt) by the exact
   fixed-point iteration (:func:`mfcode.mfg.solvers.solve_equilibrium`, residual tolerance 1e-6),
   with the exploitability of the result and the time to certify it (wall time, and the CPU time
   of this process, which on a shared machine excludes the time spent waiting for a core);
2. the per-iteration time of each solver, mfglib vs mfcode, on mfglib's ``random_linear`` game with
   T=20, |S|=|A|=50 (the very same coefficients), measured side by side: in every repetition each
   mfglib run is followed by the mfcode run of the same solver, and the ratios are taken per
   repetition before the median. Both libraries run ``--iterations + 1`` steps from the uniform
   policy and the first is left out of the timings (it is where mfcode allocates the arrays of the
   flows its run then reuses, as :meth:`~mfcode.mfg.solvers.IterativeSolver.solve` hands them on);
   mfcode's steps are timed as ``solve`` runs them. mfglib runs as shipped, in torch's default dtype
   float32, and -- in the first repetition, for the exploitability histories (and the float64
   step time, of that repetition alone) -- once more in float64 on the same coefficients
   (:func:`mfcode.mfg.mfglib_compat.random_linear_environment`); mfcode in float64;
3. the floor (measured in every repetition, after its solver steps): the part of a step no
   implementation of the algorithm can skip. A step needs the kernels P_t(.|.,.,L_t), t < T, of one
   new flow (two for fictitious play), each softmax(p1 L_t + p2): a product of 2 n^4 flops (one
   (|A|, |X|) @ (|X|, |S|^2) product, or |S| products (|A|, |X|) @ (|X|, |S|)) and n^3
   exponentials. The fastest of the numpy and torch versions of each primitive is timed alone,
   and then a whole flow of them, each product and exponential writing the kernel of its own epoch
   into one (T, S, A, S) array, as a flow must keep them all for the best response or the
   Q-function that reads them next. ``floor`` is that flow time times the flows per step; the
   ratio of a step to it is what the implementation adds.

Results also go to ``benchmarks/results/bench_mfg.json`` (machine, load, date, command), which the
chapter book/mfg reads. ``--n`` and ``--horizon`` shrink the game (for a quick check of the script).
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
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

from mfcode.arrays import FloatArray  # noqa: E402
from mfcode.mfg import games, mfglib_compat, solvers  # noqa: E402
from mfcode.mfg.exploitability import exploitability  # noqa: E402
from mfcode.mfg.finite_horizon import FiniteHorizonMFG  # noqa: E402
from mfcode.mfg.games import RandomLinearParameters  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "bench_mfg.json"
NE_TOL = 1e-6  # residual ||Lambda(mu) - mu||_1; the exploitability is quadratic in it (see the chapter)
#: Flows of new kernels per solver step, and the issue's goal for the ratio to mfglib.
FLOWS = {"fixed point": 1, "fictitious play": 2, "online mirror descent": 1, "prior descent": 1}
GOALS = {"fixed point": 100.0, "fictitious play": 50.0, "online mirror descent": 100.0, "prior descent": 100.0}


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


class _CpuTimed(solvers.IterativeSolver[Any]):
    """A solver whose steps also record the CPU time of this process (``solve`` records their wall time)."""

    def __init__(self, inner: solvers.IterativeSolver[Any]) -> None:
        self.inner, self.temperature, self.cpu_times = inner, inner.temperature, list[float]()

    def init_state(self, game: Any, policy: FloatArray) -> Any:
        return self.inner.init_state(game, policy)

    def step(self, game: Any, state: Any, *, scratch: Any | None = None) -> Any:
        c0 = time.process_time()
        out = self.inner.step(game, state, scratch=scratch)
        self.cpu_times.append(time.process_time() - c0)
        return out


def _timed_solve(solver: solvers.IterativeSolver[Any], game: FiniteHorizonMFG, steps: int) -> tuple[list[float], list[float], list[float]]:
    """Wall and CPU time of each step of ``solve`` (scoring excluded), and the exploitability history."""
    timed = _CpuTimed(solver)
    run = timed.solve(game, max_iter=steps)
    return np.diff(run.times).tolist(), timed.cpu_times, run.exploitability.tolist()


def bench_solvers(env: Any, env64: Any, game: FiniteHorizonMFG, n_iter: int, score: bool) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name, ours, theirs in _pairs():
        run = mfglib_compat.run_mfglib(theirs, env, n_iter + 1, score=score)
        t_ours, c_ours, expl = _timed_solve(ours, game, n_iter + 1)
        row: dict[str, Any] = {
            "mfglib_s": float(np.median(run.step_times[1:])),
            "mfcode_s": float(np.median(t_ours[1:])),
            "mfglib_cpu_s": float(np.median(run.step_cpu_times[1:])),
            "mfcode_cpu_s": float(np.median(c_ours[1:])),
        }
        if score:
            with mfglib_compat.default_dtype(torch.float64):
                run64 = mfglib_compat.run_mfglib(theirs, env64, n_iter + 1, score=True)
            row["mfglib64_s"] = float(np.median(run64.step_times[1:]))
            row["max_abs_diff"] = float(np.abs(np.array(expl) - run.exploitability).max())
            row["max_abs_diff_float64"] = float(np.abs(np.array(expl) - run64.exploitability).max())
            row["exploitability_mfcode"] = expl
            row["exploitability_mfglib"] = run.exploitability.tolist()
            row["exploitability_mfglib_float64"] = run64.exploitability.tolist()
        out[name] = row
    return out


def _median_time(fn: Callable[[], object], repeats: int = 20) -> float:
    fn()
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return float(np.median(ts))


def bench_floor(params: RandomLinearParameters, game: FiniteHorizonMFG) -> dict[str, Any]:
    """Times of the unavoidable primitives of a kernel P_t, of a flow of them, and of mfcode's kernel and flow."""
    n, horizon = params.r2.shape[0], game.horizon
    t_kernels = horizon - 1
    pi = game.uniform_policy()
    joints, dyn = game.induce(pi)  # the joints L_t of a flow, and arrays to reuse
    joint = joints[min(1, horizon - 1)]
    p1x = np.ascontiguousarray(params.p1.transpose(2, 1, 0)).reshape(n, n * n)  # (x, s s')
    p1s = np.ascontiguousarray(params.p1.transpose(1, 2, 0))  # (s, x, s')
    cube = np.empty((n, n, n))
    t_p1x = torch.from_numpy(p1x)
    logits = np.add(np.matmul(joint.T, p1s), np.ascontiguousarray(params.p2.transpose(1, 2, 0)))
    products: dict[str, Callable[[FloatArray, FloatArray], object]] = {
        "numpy (A,X)@(X,S^2)": lambda j, o: np.matmul(j.T, p1x, out=o.reshape(n, n * n)),
        "numpy S x (A,X)@(X,S)": lambda j, o: np.matmul(j.T, p1s, out=o),
        "torch (A,X)@(X,S^2)": lambda j, o: torch.mm(torch.from_numpy(j).T, t_p1x, out=torch.from_numpy(o).view(n, n * n)),
    }
    exps: dict[str, Callable[[FloatArray, FloatArray], object]] = {
        "numpy": lambda x, o: np.exp(x, out=o),
        "torch": lambda x, o: torch.exp(torch.from_numpy(x), out=torch.from_numpy(o)),
    }
    product_s = {k: _median_time(lambda f=f: f(joint, cube)) for k, f in products.items()}
    exp_s = {k: _median_time(lambda f=f: f(logits, cube)) for k, f in exps.items()}
    best_product, best_exp = min(product_s, key=product_s.__getitem__), min(exp_s, key=exp_s.__getitem__)
    product, exp = products[best_product], exps[best_exp]
    kernels = dyn.kernel

    def floor_flow() -> None:
        for t in range(t_kernels):
            product(joints[t], kernels[t])
            exp(kernels[t], kernels[t])

    big = np.random.default_rng(0).uniform(size=(1000, 1000))
    t_big = _median_time(lambda: big @ big, repeats=3)
    into = params._transition_into  # the kernel as the flows evaluate it, into the array they keep
    return {
        "products_s": product_s,
        "exps_s": exp_s,
        "best_product": best_product,
        "best_exp": best_exp,
        "gemm_s": product_s[best_product],
        "gemm_gflops": 2 * n**4 / product_s[best_product] / 1e9,
        "peak_dgemm_gflops": 2 * 1000**3 / t_big / 1e9,
        "exp_s": exp_s[best_exp],
        "exp_ns_per_entry": exp_s[best_exp] / n**3 * 1e9,
        "floor_flow_s": _median_time(floor_flow, repeats=5),
        "kernel_s": _median_time(lambda: into(0, joint, cube)),
        "flow_s": _median_time(lambda: game.induce(pi, scratch=dyn), repeats=5),
        "kernels_per_flow": t_kernels,
    }


def _med(values: list[float]) -> float:
    return float(np.median(values))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="repetitions; every table is the median over them")
    parser.add_argument("--iterations", type=int, default=3, help="solver steps timed per library and repetition (after a first, untimed one)")
    parser.add_argument("--n", type=int, default=50, help="|S| = |A| of random_linear")
    parser.add_argument("--horizon", type=int, default=20, help="mfglib's T of random_linear (T + 1 decision epochs)")
    parser.add_argument("--output", type=Path, default=RESULTS, help="JSON results file")
    args = parser.parse_args()
    torch.set_num_threads(1)
    from mfglib.env import Environment

    load_before = _load()
    started = datetime.datetime.now(datetime.UTC)
    env = Environment.random_linear(T=args.horizon, n=args.n, m=10.0, seed=0)
    params = mfglib_compat.random_linear_parameters(env)
    with mfglib_compat.default_dtype(torch.float64):
        env64 = mfglib_compat.random_linear_environment(params, args.horizon)
    game = games.random_linear(horizon=args.horizon + 1, parameters=params, check=False)

    ne_runs, solver_runs, floor_runs = [], [], []
    for r in range(args.runs):
        ne_runs.append(bench_equilibrium())
        solver_runs.append(bench_solvers(env, env64, game, args.iterations, score=r == 0))
        floor_runs.append(bench_floor(params, game))
        print(f"repetition {r + 1}/{args.runs} done (load {_load()})", file=sys.stderr)
    numeric = [k for k, v in floor_runs[0].items() if isinstance(v, float)]
    floor: dict[str, Any] = {k: _med([f[k] for f in floor_runs]) for k in numeric}
    floor["products_s"] = {k: _med([f["products_s"][k] for f in floor_runs]) for k in floor_runs[0]["products_s"]}
    floor["exps_s"] = {k: _med([f["exps_s"][k] for f in floor_runs]) for k in floor_runs[0]["exps_s"]}
    floor["best_product"] = min(floor["products_s"], key=floor["products_s"].__getitem__)
    floor["best_exp"] = min(floor["exps_s"], key=floor["exps_s"].__getitem__)
    floor["kernels_per_flow"] = args.horizon
    load_after = _load()

    ne = {k: _med([run[k] for run in ne_runs]) for k in ("solve_s", "solve_cpu_s", "certify_s")}
    ne.update(iterations=ne_runs[0]["iterations"], exploitability=max(run["exploitability"] for run in ne_runs))
    ne["solve_s_runs"] = [run["solve_s"] for run in ne_runs]
    print(f"Exact regularized NE, garnet |S|=500 |A|=10 (c=1, eps=0.1, gamma=0.9, lambda=0.1), median of {args.runs}")
    print("| residual tol | iterations | solve, wall [s] | solve, CPU [s] | exploitability | certify [s] |")
    print("|---|---|---|---|---|---|")
    print(
        f"| {NE_TOL:g} | {ne['iterations']} | {ne['solve_s']:.3f} | {ne['solve_cpu_s']:.3f} | {ne['exploitability']:.1e} | "
        f"{ne['certify_s']:.3f} |"
    )

    rows = {}
    print()
    print(f"Solver step, random_linear T={args.horizon} |S|=|A|={args.n}, median of {args.runs} runs x {args.iterations} steps")
    print("| solver | mfglib s/iter | mfcode s/iter | ratio | ratio to float64 mfglib | goal | CPU-time ratio | floor s/iter | "
          "to floor | max ratio | diff float32 | diff float64 |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, flows in FLOWS.items():
        floors = [flows * f["floor_flow_s"] for f in floor_runs]
        rows[name] = {
            "mfglib_s": _med([run[name]["mfglib_s"] for run in solver_runs]),
            "mfcode_s": _med([run[name]["mfcode_s"] for run in solver_runs]),
            "mfcode_cpu_s": _med([run[name]["mfcode_cpu_s"] for run in solver_runs]),
            "ratio": _med([run[name]["mfglib_s"] / run[name]["mfcode_s"] for run in solver_runs]),
            "ratio_runs": [run[name]["mfglib_s"] / run[name]["mfcode_s"] for run in solver_runs],
            "cpu_ratio": _med([run[name]["mfglib_cpu_s"] / run[name]["mfcode_cpu_s"] for run in solver_runs]),
            "goal": GOALS[name],
            "floor_s": _med(floors),
            "floor_ratio": _med([run[name]["mfcode_s"] / f for run, f in zip(solver_runs, floors, strict=True)]),
            "max_ratio": _med([run[name]["mfglib_s"] / f for run, f in zip(solver_runs, floors, strict=True)]),
            "flows_per_step": flows,
            **{k: v for k, v in solver_runs[0][name].items() if k.startswith(("mfglib64", "max_abs_diff", "exploitability"))},
        }
        row = rows[name]
        print(
            f"| {name} | {row['mfglib_s']:.3f} | {row['mfcode_s']:.4f} | {row['ratio']:.0f}x | "
            f"{row['mfglib64_s'] / row['mfcode_s']:.0f}x | {row['goal']:.0f}x | "
            f"{row['cpu_ratio']:.0f}x | {row['floor_s']:.4f} | {row['floor_ratio']:.2f}x | {row['max_ratio']:.0f}x | "
            f"{row['max_abs_diff']:.1e} | {row['max_abs_diff_float64']:.1e} |"
        )
    print()
    print(f"Floor primitives of one kernel (n={args.n}), median over the repetitions of medians of 20")
    print("| " + " | ".join(f"{k} [ms]" for k in floor["products_s"]) + " | " + " | ".join(f"exp {k} [ms]" for k in floor["exps_s"])
          + " | GFLOP/s | 1000^3 dgemm GFLOP/s | ns/exp | floor flow [ms] | mfcode kernel [ms] | mfcode flow [ms] |")
    print("|---" * (len(floor["products_s"]) + len(floor["exps_s"]) + 6) + "|")
    print(
        "| " + " | ".join(f"{v * 1e3:.3f}" for v in floor["products_s"].values()) + " | "
        + " | ".join(f"{v * 1e3:.3f}" for v in floor["exps_s"].values())
        + f" | {floor['gemm_gflops']:.1f} | {floor['peak_dgemm_gflops']:.1f} | {floor['exp_ns_per_entry']:.2f} | "
        f"{floor['floor_flow_s'] * 1e3:.2f} | {floor['kernel_s'] * 1e3:.3f} | {floor['flow_s'] * 1e3:.2f} |"
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
        "solvers": {"game": f"mfglib random_linear(T={args.horizon}, n={args.n}, m=10, seed=0)", "rows": rows},
        "floor": floor,
    }
    args.output.write_text(json.dumps(results, indent=1) + "\n")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
