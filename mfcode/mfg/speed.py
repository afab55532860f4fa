"""The stored results of ``benchmarks/bench_mfg.py`` as tables for the book.

The benchmark (run it with ``python benchmarks/bench_mfg.py``) writes a JSON file (by default
``benchmarks/results/bench_mfg.json``): the time of the exact regularized NE of a 500-state garnet
MFG (Definition 1 of Mao et al., NeurIPS 2022, seed ``001_00c545ba2a0e4aca.txt``), the per-iteration
time of each solver of :mod:`mfcode.mfg.solvers` beside mfglib 0.3.0's on mfglib's ``random_linear``
game, and the floor of an mfcode step (the kernel evaluations no implementation can skip). This
module only reads such a file, at the path its caller gives (a notebook passes the path relative to
the book root), and lays it out as :class:`mfcode.claims.render.Table` s; notebooks display them
without re-running the benchmark. Timings are shown, never asserted.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mfcode.claims.render import Table
from mfcode.validation import check_path

__all__ = ["REQUIRED_KEYS", "BenchmarkTable", "benchmark_tables", "load_benchmark"]

#: The keys of a ``bench_mfg.py`` result that the tables read (nested mappings list their own keys;
#: each row of ``solvers.rows`` has :data:`ROW_KEYS`).
REQUIRED_KEYS: Mapping[str, Any] = {
    "command": None,
    "date_utc": None,
    "runs": None,
    "machine": {"cpu": None, "cpus": None, "threads": None, "load_before": None, "load_after": None, "mfglib_dtype": None},
    "equilibrium": {"game": None, "lambda": None, "tol": None, "iterations": None, "solve_s": None, "solve_cpu_s": None,
                    "exploitability": None, "certify_s": None},
    "solvers": {"game": None, "rows": None},
    "floor": {"gemm_s": None, "gemm_gflops": None, "peak_dgemm_gflops": None, "exp_s": None, "exp_ns_per_entry": None,
              "floor_flow_s": None, "kernel_s": None, "flow_s": None, "kernels_per_flow": None,
              "products_s": None, "exps_s": None, "best_product": None, "best_exp": None},
}
ROW_KEYS: tuple[str, ...] = (
    "mfglib_s", "mfglib64_s", "mfcode_s", "ratio", "goal", "cpu_ratio", "floor_s", "floor_ratio", "max_ratio",
    "max_abs_diff", "max_abs_diff_float64", "flows_per_step",
)
#: The exploitability histories of each row (lists of numbers, at least :data:`HISTORY_SHOWN` long).
HISTORY_KEYS: tuple[str, ...] = ("exploitability_mfglib", "exploitability_mfglib_float64", "exploitability_mfcode")
HISTORY_SHOWN = 3
#: The numbers of the ``floor`` section (its primitives' timings are mappings, :data:`FLOOR_TIMINGS`).
FLOOR_NUMBERS: tuple[str, ...] = (
    "gemm_s", "gemm_gflops", "peak_dgemm_gflops", "exp_s", "exp_ns_per_entry", "floor_flow_s", "kernel_s", "flow_s",
    "kernels_per_flow",
)
FLOOR_TIMINGS: tuple[str, ...] = ("products_s", "exps_s")


def _missing(data: Any, spec: Mapping[str, Any], prefix: str = "") -> list[str]:
    if not isinstance(data, Mapping):
        return [prefix.rstrip(".") or "(top level)"]
    out: list[str] = []
    for key, sub in spec.items():
        if key not in data:
            out.append(prefix + key)
        elif sub is not None:
            out += _missing(data[key], sub, f"{prefix}{key}.")
    return out


def load_benchmark(path: Path | str) -> dict[str, Any]:
    """The JSON results written by ``benchmarks/bench_mfg.py`` at ``path`` (checked whole)."""
    p = check_path(path, "path")
    if not p.is_file():
        raise ValueError(f"path must name the benchmark's JSON results, {p} does not exist")
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"path {p}: malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"path {p}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    problem = _problem(data)
    if problem:
        raise ValueError(f"path {p} is not a bench_mfg.py result: {problem}")
    result: dict[str, Any] = data
    return result


def _problem(data: Any) -> str:
    """What makes ``data`` no result of ``bench_mfg.py`` (missing or mistyped keys), or ``""``."""
    missing = _missing(data, REQUIRED_KEYS)
    rows = data["solvers"]["rows"] if not missing else {}
    if not missing and not isinstance(rows, Mapping):
        missing.append("solvers.rows")
    elif not missing:
        missing = [f"solvers.rows.{name}.{key}" for name, row in rows.items() for key in (*ROW_KEYS, *HISTORY_KEYS)
                   if not isinstance(row, Mapping) or key not in row]
    if missing:
        return f"no {', '.join(repr(k) for k in missing)}"
    wrong = _mistyped(data)
    return f"key {wrong[0]!r} must be {wrong[1]}" if wrong else ""


def _mistyped(data: Mapping[str, Any]) -> tuple[str, str] | None:
    """The first key of a result whose value the tables cannot format, with what it must be."""

    def number(x: object) -> bool:
        return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)

    for key in ("command", "date_utc"):
        if not isinstance(data[key], str):
            return key, "a string"
    if not number(data["runs"]):
        return "runs", "a number"
    m = data["machine"]
    for key in ("cpu", "mfglib_dtype"):
        if not isinstance(m[key], str):
            return f"machine.{key}", "a string"
    for key in ("load_before", "load_after"):
        if not (isinstance(m[key], list) and m[key] and number(m[key][0])):
            return f"machine.{key}", "a non-empty list of numbers"
    for section, keys in (("equilibrium", ("lambda", "tol", "iterations", "solve_s", "solve_cpu_s", "exploitability", "certify_s")),
                          ("floor", FLOOR_NUMBERS)):
        for key in keys:
            if not number(data[section][key]):
                return f"{section}.{key}", "a finite number"
    fl = data["floor"]
    for key in FLOOR_TIMINGS:
        if not (isinstance(fl[key], Mapping) and fl[key] and all(isinstance(k, str) and number(v) for k, v in fl[key].items())):
            return f"floor.{key}", "a non-empty mapping of names to finite numbers"
    for key, timings in (("best_product", "products_s"), ("best_exp", "exps_s")):
        if fl[key] not in fl[timings]:
            return f"floor.{key}", f"one of the names in floor.{timings}"
    for name, row in data["solvers"]["rows"].items():
        for key in ROW_KEYS:
            if not number(row[key]):
                return f"solvers.rows.{name}.{key}", "a finite number"
        for key in HISTORY_KEYS:
            h = row[key]
            if not (isinstance(h, list) and len(h) >= HISTORY_SHOWN and all(number(x) for x in h)):
                return f"solvers.rows.{name}.{key}", f"a list of at least {HISTORY_SHOWN} finite numbers"
    return None


@dataclass(frozen=True)
class BenchmarkTable(Table):
    """A benchmark table: a :class:`mfcode.claims.render.Table` in the benchmark tables' HTML class."""

    css_class: str = "table mfbook-bench"


def _breakdown_row(name: str, row: Mapping[str, Any], floor_flow_s: float, flow_s: float) -> tuple[str, ...]:
    """One solver's step split into its floor, what its flows add to the floor and the rest of the step (ms, and x floor)."""
    flows = row["flows_per_step"]
    floor_s = flows * floor_flow_s
    beyond = flows * (flow_s - floor_flow_s)
    rest = row["mfcode_s"] - flows * flow_s
    return (
        name,
        str(flows),
        f"{floor_s * 1e3:.1f}",
        f"{beyond * 1e3:.1f} (+{beyond / floor_s:.2f})",
        f"{rest * 1e3:.1f} (+{rest / floor_s:.2f})",
        f"{row['mfcode_s'] * 1e3:.1f}",
        f"{row['mfcode_s'] / floor_s:.2f}",
    )


def benchmark_tables(
    results: dict[str, Any],
) -> tuple[BenchmarkTable, BenchmarkTable, BenchmarkTable, BenchmarkTable, BenchmarkTable]:
    """Five tables: the exact NE, the solver steps side by side with their floor, the floor's primitives,
    where each step's time goes, and the exploitability histories of the first repetition.

    The last splits an mfcode step (``mfcode_s``) into the floor (``flows`` floor flows), what its
    flows add to the floor (``flows * (flow_s - floor_flow_s)``: the add, row sums and scaling of each
    softmax, the push-forward and the rewards) and the rest of the step (``mfcode_s - flows * flow_s``:
    the backward induction over the kept kernels, the policy update, the averaging of fictitious play),
    each also as a multiple of the floor; the three add up to the step.
    """
    problem = _problem(results)
    if problem:
        raise ValueError(f"results must be what load_benchmark returns (a bench_mfg.py result): {problem}")
    m, ne, sv, fl = results["machine"], results["equilibrium"], results["solvers"], results["floor"]
    where = (
        f"{results['date_utc']}, {m['cpu']}, {m['cpus']} CPUs, {m['threads']} thread, "
        f"load average {m['load_before'][0]:g} before / {m['load_after'][0]:g} after; "
        f"median of {results['runs']} runs of `{results['command']}`"
    )
    ne_table = BenchmarkTable(
        f"Exact regularized NE of {ne['game']}, lambda={ne['lambda']:g} ({where})",
        ("residual tol", "iterations", "solve, wall [s]", "solve, CPU [s]", "exploitability", "certify [s]"),
        (
            (
                f"{ne['tol']:g}",
                str(ne["iterations"]),
                f"{ne['solve_s']:.3f}",
                f"{ne['solve_cpu_s']:.3f}",
                f"{ne['exploitability']:.1e}",
                f"{ne['certify_s']:.3f}",
            ),
        ),
    )
    rows = tuple(
        (
            name,
            f"{r['mfglib_s']:.3f}",
            f"{r['mfglib64_s']:.3f}",
            f"{r['mfcode_s'] * 1e3:.1f}",
            f"{r['ratio']:.0f}x",
            f"{r['mfglib64_s'] / r['mfcode_s']:.0f}x",
            f"{r['goal']:.0f}x",
            f"{r['cpu_ratio']:.0f}x",
            f"{r['floor_s'] * 1e3:.1f}",
            f"{r['floor_ratio']:.2f}x",
            f"{r['max_ratio']:.0f}x",
            f"{r['max_abs_diff']:.1e}",
            f"{r['max_abs_diff_float64']:.1e}",
        )
        for name, r in sv["rows"].items()
    )
    step_table = BenchmarkTable(
        f"Time per iteration on {sv['game']}, mfglib as shipped in {m['mfglib_dtype']} (and in float64 on the same "
        f"coefficients), mfcode in float64 ({where})",
        (
            "solver",
            "mfglib [s]",
            "mfglib float64 [s], first run",
            "mfcode [ms]",
            "ratio",
            "ratio to mfglib float64",
            "goal",
            "CPU-time ratio",
            "floor [ms]",
            "mfcode / floor",
            "largest possible ratio",
            "histories max abs diff, mfglib float32",
            "float64",
        ),
        rows,
    )
    t = int(fl["kernels_per_flow"])
    primitive_rows = tuple(
        (kind, name, f"{seconds * 1e3:.3f}", "yes" if name == fl[best] else "")
        for kind, timings, best in (("product", "products_s", "best_product"), ("n^3 exp", "exps_s", "best_exp"))
        for name, seconds in fl[timings].items()
    )
    floor_table = BenchmarkTable(
        "One kernel P_t = softmax(p1 @ L_t + p2): its unavoidable primitives (the fastest of each in the floor), "
        f"a floor flow of {t} of them writing the kernels a flow keeps, and mfcode's kernel and flow "
        f"(product {fl['gemm_gflops']:.1f} GFLOP/s, a 1000^3 dgemm {fl['peak_dgemm_gflops']:.1f} GFLOP/s; "
        f"{fl['exp_ns_per_entry']:.2f} ns per exp)",
        ("what", "implementation", "time [ms]", "in the floor"),
        (
            *primitive_rows,
            (f"floor flow, {t} kernels", f"{fl['best_product']} + exp {fl['best_exp']}", f"{fl['floor_flow_s'] * 1e3:.2f}", "the floor"),
            ("mfcode kernel", "product, add, exp, row sums, scaling, in place", f"{fl['kernel_s'] * 1e3:.3f}", ""),
            (f"mfcode flow, {t} kernels", "FiniteHorizonMFG.induce with reused arrays", f"{fl['flow_s'] * 1e3:.2f}", ""),
        ),
    )
    breakdown = BenchmarkTable(
        "Where an mfcode step's time goes: the floor, what the step's flows add to it (the add, row sums and scaling "
        "of each softmax, the push-forward, the rewards) and the rest of the step (the backward induction, the policy "
        "update); in ms, and as multiples of the floor",
        ("solver", "flows", "floor [ms]", "flows beyond the floor [ms]", "rest of the step [ms]", "step [ms]", "step / floor"),
        tuple(_breakdown_row(name, r, fl["floor_flow_s"], fl["flow_s"]) for name, r in sv["rows"].items()),
    )
    histories = BenchmarkTable(
        "Exploitability of the first iterates in the benchmark's first repetition: mfglib as shipped (float32), "
        "mfglib in float64 on the same coefficients, mfcode (float64)",
        ("solver", "library", *(f"iterate {k}" for k in range(HISTORY_SHOWN))),
        tuple(
            (name, library, *(f"{x:.4g}" for x in r[key][:HISTORY_SHOWN]))
            for name, r in sv["rows"].items()
            for library, key in (
                ("mfglib float32", "exploitability_mfglib"),
                ("mfglib float64", "exploitability_mfglib_float64"),
                ("mfcode", "exploitability_mfcode"),
            )
        ),
    )
    return ne_table, step_table, floor_table, breakdown, histories
