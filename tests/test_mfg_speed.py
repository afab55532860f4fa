"""Tables of the stored benchmark results (mfcode.mfg.speed): formatting of given numbers only.

Timings are never asserted here (they depend on the machine); the benchmark scripts measure them.
"""

from __future__ import annotations

import copy
import inspect
import json
from pathlib import Path
from typing import Any

import pytest

from mfcode.claims.render import Table
from mfcode.mfg import speed

RESULT = {
    "command": "python benchmarks/bench_mfg.py --runs 3",
    "date_utc": "2026-11-26 06:00 UTC",
    "machine": {"cpu": "AMD EPYC", "cpus": 2, "threads": 1, "load_before": [1.0, 1.0, 1.0], "load_after": [2.0, 1.0, 1.0], "mfglib_dtype": "torch.float32"},
    "runs": 3,
    "equilibrium": {"game": "garnet", "lambda": 0.1, "tol": 1e-6, "iterations": 20, "solve_s": 0.4, "solve_cpu_s": 0.3, "exploitability": 1e-14, "certify_s": 0.05},
    "solvers": {
        "game": "random_linear",
        "rows": {
            "online mirror descent": {"mfglib_s": 0.7, "mfglib64_s": 0.9, "mfcode_s": 0.035, "ratio": 20.0, "goal": 100.0, "cpu_ratio": 15.0,
                                      "floor_s": 0.014, "floor_ratio": 2.5, "max_ratio": 50.0, "max_abs_diff": 2e-5, "max_abs_diff_float64": 3e-14,
                                      "flows_per_step": 1, "exploitability_mfglib": [3.0, 2.0, 1.0],
                                      "exploitability_mfglib_float64": [3.0, 2.0, 0.5], "exploitability_mfcode": [3.0, 2.0, 0.5, 0.25]},
        },
    },
    "floor": {"gemm_s": 4e-4, "gemm_gflops": 31.0, "peak_dgemm_gflops": 27.0, "exp_s": 7e-4, "exp_ns_per_entry": 5.6, "floor_flow_s": 0.014,
              "kernel_s": 1.4e-3, "flow_s": 0.02, "kernels_per_flow": 20, "products_s": {"numpy": 4e-4, "torch": 5e-4},
              "exps_s": {"numpy": 7e-4, "torch": 8e-4}, "best_product": "numpy", "best_exp": "numpy"},
}


def test_tables_carry_the_numbers_machine_and_command(tmp_path: Path) -> None:
    path = tmp_path / "bench.json"
    path.write_text(json.dumps(RESULT))
    ne, steps, floor, breakdown, histories = speed.benchmark_tables(speed.load_benchmark(path))
    assert ne.rows == (("1e-06", "20", "0.400", "0.300", "1.0e-14", "0.050"),)
    assert steps.rows[0] == ("online mirror descent", "0.700", "0.900", "35.0", "20x", "26x", "100x", "15x", "14.0", "2.50x", "50x", "2.0e-05", "3.0e-14")
    assert "AMD EPYC" in steps.caption and "2026-11-26 06:00 UTC" in steps.caption and "--runs 3" in steps.caption
    assert floor.rows[0] == ("product", "numpy", "0.400", "yes") and floor.rows[1] == ("product", "torch", "0.500", "")
    assert floor.rows[4] == ("floor flow, 20 kernels", "numpy + exp numpy", "14.00", "the floor")
    assert "5.60 ns per exp" in floor.caption
    # floor 14 ms, flows beyond it 20 - 14 = 6 ms, rest of the step 35 - 20 = 15 ms: they add up to the step
    assert histories.rows[0] == ("online mirror descent", "mfglib float32", "3", "2", "1")
    assert histories.rows[2] == ("online mirror descent", "mfcode", "3", "2", "0.5")
    assert breakdown.rows == (("online mirror descent", "1", "14.0", "6.0 (+0.43)", "15.0 (+1.07)", "35.0", "2.50"),)
    md = steps.to_markdown()
    assert md.count("\n|") == 3 and "| online mirror descent | 0.700 |" in md
    assert "<caption>" in steps._repr_html_() and "online mirror descent" in str(steps)


def test_missing_or_foreign_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="path"):
        speed.load_benchmark(tmp_path / "none.json")
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"machine": {}}))
    with pytest.raises(ValueError, match=r"not a bench_mfg\.py result"):
        speed.load_benchmark(other)


def test_the_caller_names_the_file() -> None:
    """The package does not know where the repository keeps benchmark results."""
    assert inspect.signature(speed.load_benchmark).parameters["path"].default is inspect.Parameter.empty


def _without(path: tuple[str, ...]) -> dict[str, Any]:
    data = copy.deepcopy(RESULT)
    node: Any = data
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return data


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (_without(("runs",)), r"no 'runs'"),
        (_without(("machine", "cpu")), r"no 'machine.cpu'"),
        (_without(("floor", "gemm_s")), r"no 'floor.gemm_s'"),
        (_without(("floor", "floor_flow_s")), r"no 'floor.floor_flow_s'"),
        (_without(("solvers", "rows", "online mirror descent", "exploitability_mfcode")), r"no 'solvers.rows.online mirror descent.exploitability_mfcode'"),
        ({**RESULT, "floor": {**RESULT["floor"], "best_exp": "scipy"}}, r"floor\.best_exp.*one of the names"),
        ({**RESULT, "floor": {**RESULT["floor"], "products_s": {}}}, r"floor\.products_s.*non-empty mapping"),
        (_without(("solvers", "rows", "online mirror descent", "ratio")), r"no 'solvers.rows.online mirror descent.ratio'"),
        ({**RESULT, "machine": "AMD"}, r"no 'machine'"),
        ([1, 2], r"no '\(top level\)'"),
    ],
)
def test_incomplete_results_are_refused_naming_the_key(tmp_path: Path, data: object, match: str) -> None:
    path = tmp_path / "bench.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match=match):
        speed.load_benchmark(path)


def test_malformed_json_is_refused_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bench.json"
    path.write_text('{"command": "x",\n "runs": }')
    with pytest.raises(ValueError, match=r"bench\.json: malformed JSON at line 2"):
        speed.load_benchmark(path)


def test_tables_render_through_the_shared_renderer(tmp_path: Path) -> None:
    path = tmp_path / "bench.json"
    path.write_text(json.dumps(RESULT))
    ne, *_ = speed.benchmark_tables(speed.load_benchmark(path))
    assert isinstance(ne, Table)
    assert ne.to_html().startswith('<table class="table mfbook-bench"><caption>Exact regularized NE of garnet')
    assert ne.to_text().splitlines()[1].startswith("residual tol  iterations  solve, wall [s]")


def test_the_benchmark_script_runs_and_writes_what_the_tables_read(tmp_path: Path) -> None:
    """benchmarks/bench_mfg.py on a tiny game: it runs, and its JSON is what load_benchmark accepts (timings not asserted)."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    out = tmp_path / "bench.json"
    args = ["--runs", "1", "--iterations", "2", "--n", "3", "--horizon", "2", "--output", str(out)]
    proc = subprocess.run([sys.executable, str(root / "benchmarks" / "bench_mfg.py"), *args], capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    results = speed.load_benchmark(out)
    _, steps, floor, _, _ = speed.benchmark_tables(results)
    assert floor.rows[-2][0] == "mfcode kernel"
    assert [row[0] for row in steps.rows] == ["fixed point", "fictitious play", "online mirror descent", "prior descent"]
    assert results["floor"]["kernels_per_flow"] == 2 and "| fixed point |" in proc.stdout
    # mfglib in float64 on the float32 game's coefficients scores the iterates as mfcode does
    assert max(row["max_abs_diff_float64"] for row in results["solvers"]["rows"].values()) < 1e-9
