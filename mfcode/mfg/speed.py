"""The stored results of ``benchmarks/bench_mfg.py`` as tables for the book.

The benchmark (run it with ``python benchmarks/bench_mfg.py``) writes
``benchmarks/results/bench_mfg.json``: the time of the exact regularized NE of a 500-state garnet
MFG (Definition 1 of Mao et al., NeurIPS 2022, seed ``001_00c545ba2a0e4aca.txt``), the per-iteration
time of each solver of :mod:`mfcode.mfg.solvers` beside mfglib 0.3.0's on mfglib's ``random_linear``
game, and the floor of an mfcode step (the kernel evaluations no implementation can skip). This
module only reads that file; notebooks display its tables without re-running the benchmark.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mfcode.claims import repo_root

__all__ = ["BenchmarkTable", "benchmark_tables", "load_benchmark"]


def load_benchmark(path: Path | str | None = None) -> dict[str, Any]:
    """The JSON written by ``benchmarks/bench_mfg.py`` (default ``benchmarks/results/bench_mfg.json``)."""
    p = repo_root() / "benchmarks" / "results" / "bench_mfg.json" if path is None else Path(path)
    if not p.is_file():
        raise ValueError(f"path must name the benchmark's JSON results, {p} does not exist")
    data: dict[str, Any] = json.loads(p.read_text())
    for key in ("machine", "equilibrium", "solvers", "floor", "date_utc", "command"):
        if key not in data:
            raise ValueError(f"path {p} is not a bench_mfg.py result (no {key!r})")
    return data


@dataclass(frozen=True)
class BenchmarkTable:
    """A small table with a caption; renders as Markdown, HTML or text."""

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def to_markdown(self) -> str:
        head = " | ".join(c.replace("|", "\\|") for c in self.columns)
        lines = [f"*{self.caption}*", "", f"| {head} |", "|" + "---|" * len(self.columns)]
        lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in self.rows]
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def to_html(self) -> str:
        head = "".join(f"<th>{html.escape(c)}</th>" for c in self.columns)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in self.rows)
        return (
            f'<table class="table mfbook-bench"><caption>{html.escape(self.caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        )

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_text(self) -> str:
        widths = [max(len(c), *(len(r[i]) for r in self.rows)) for i, c in enumerate(self.columns)]
        out = [self.caption, "  ".join(c.ljust(w) for c, w in zip(self.columns, widths))]
        out += ["  ".join(c.ljust(w) for c, w in zip(row, widths)) for row in self.rows]
        return "\n".join(out)

    def __str__(self) -> str:
        return self.to_text()


def benchmark_tables(results: dict[str, Any]) -> tuple[BenchmarkTable, BenchmarkTable, BenchmarkTable]:
    """Three tables: the exact NE, the solver steps side by side with their floor, the floor's primitives."""
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
            f"{r['mfcode_s'] * 1e3:.1f}",
            f"{r['ratio']:.0f}x",
            f"{r['cpu_ratio']:.0f}x",
            f"{r['floor_s'] * 1e3:.1f}",
            f"{r['max_ratio']:.0f}x",
            f"{r['max_abs_diff']:.1e}",
        )
        for name, r in sv["rows"].items()
    )
    step_table = BenchmarkTable(
        f"Time per iteration on {sv['game']}, mfglib in {m['mfglib_dtype']}, mfcode in float64 ({where})",
        (
            "solver",
            "mfglib [s]",
            "mfcode [ms]",
            "ratio",
            "CPU-time ratio",
            "floor [ms]",
            "largest possible ratio",
            "histories max abs diff",
        ),
        rows,
    )
    floor_table = BenchmarkTable(
        "One kernel P_t = softmax(p1 @ L_t + p2) at n=50: its unavoidable primitives and the whole kernel",
        ("product [ms]", "GFLOP/s", "1000^3 dgemm GFLOP/s", "n^3 exp [ms]", "ns per exp", "whole kernel [ms]", "whole flow, 20 kernels [ms]"),
        (
            (
                f"{fl['gemm_s'] * 1e3:.2f}",
                f"{fl['gemm_gflops']:.1f}",
                f"{fl['peak_dgemm_gflops']:.1f}",
                f"{fl['exp_s'] * 1e3:.2f}",
                f"{fl['exp_ns_per_entry']:.1f}",
                f"{fl['kernel_s'] * 1e3:.2f}",
                f"{fl['flow_s'] * 1e3:.1f}",
            ),
        ),
    )
    return ne_table, step_table, floor_table
