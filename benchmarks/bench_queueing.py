"""Cost of the sparse load-balancing simulator (003 eq. (1)) per queue and epoch, for N = 1e2 .. 1e6.

Run: ``nice -n 15 .venv/bin/python benchmarks/bench_queueing.py``. For each N, one batch of
``R = max(1, 10**5 // N)`` replicate episodes of 50 epochs at dt = 5 on the cycle, under send-to-own
(OWN) and JSQ (whose queues see more events: rates up to 3 lambda); best of 3 wall-clock runs (one at
N = 1e6). Writes ``benchmarks/results/queueing.json`` and the Markdown table
``benchmarks/results/queueing.md`` and the scaling plot ``benchmarks/results/queueing.png`` that
book/sparse/theory.md includes.
"""

from __future__ import annotations

import json
import platform
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from mfcode import plotting
from mfcode.queueing import graphs
from mfcode.queueing.policies import JoinShortestQueue, Policy, SendToOwn
from mfcode.queueing.simulator import run_episodes
from mfcode.queueing.system import QueueSystem

RESULTS = Path(__file__).resolve().parent / "results"
SIZES = (100, 1_000, 10_000, 100_000, 1_000_000)
DT = 5.0


def seconds(graph: graphs.Graph, policy: Policy, episodes: int, repeat: int) -> float:
    system = QueueSystem(dt=DT)
    best = np.inf
    for k in range(repeat):
        start = time.perf_counter()
        run_episodes(graph, policy, system, n_episodes=episodes, seed=k)
        best = min(best, time.perf_counter() - start)
    return float(best)


def main() -> None:
    rows = []
    for n in SIZES:
        graph = graphs.cycle(n)
        episodes = max(1, 100_000 // n)
        repeat = 1 if n >= 1_000_000 else 3
        row: dict[str, float | int] = {"n_nodes": n, "episodes": episodes}
        for policy in (SendToOwn(), JoinShortestQueue()):
            sec = seconds(graph, policy, episodes, repeat)
            row[f"{policy.name}_seconds"] = sec
            row[f"{policy.name}_us_per_queue_epoch"] = sec / (n * episodes * 50) * 1e6
        rows.append(row)
        print(row, flush=True)
    meta = {"dt": DT, "epochs": 50, "graph": "cycle", "machine": platform.processor() or platform.machine(),
            "python": platform.python_version(), "numpy": np.__version__, "note": "2 shared CPU cores, nice 15"}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "queueing.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=1) + "\n")
    lines = [
        "| $N$ | episodes per batch | OWN: s per batch | OWN: µs per queue-epoch | JSQ: s per batch | JSQ: µs per queue-epoch |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['n_nodes']:,} | {r['episodes']} | {r['OWN_seconds']:.2f} | {r['OWN_us_per_queue_epoch']:.3f} "
            f"| {r['JSQ_seconds']:.2f} | {r['JSQ_us_per_queue_epoch']:.3f} |"
        )
    lines.append("")
    lines.append(f"$\\Delta t={DT:g}$, 50 epochs, cycle graph; numpy {np.__version__}, Python {platform.python_version()}, "
                 "one process on a shared 2-core machine (`nice -n 15`), best of 3 (1 at $N=10^6$).")
    (RESULTS / "queueing.md").write_text("\n".join(lines) + "\n")
    plotting.apply_style()
    fig, axes = plotting.subplots(1, 2, width=9.0, height=3.2)
    left, right = axes[0]
    n = np.array([r["n_nodes"] for r in rows], dtype=float)
    for name in ("OWN", "JSQ"):
        left.loglog(n, [r[f"{name}_seconds"] / r["episodes"] for r in rows], marker="o", color=plotting.color_of(name), label=name)
        right.semilogx(n, [r[f"{name}_us_per_queue_epoch"] for r in rows], marker="o", color=plotting.color_of(name), label=name)
    left.loglog(n, n / n[0] * rows[0]["OWN_seconds"] / rows[0]["episodes"], color="black", linestyle=":", label="linear in N")
    left.set_xlabel("number of queues $N$")
    left.set_ylabel("seconds per 50-epoch episode")
    left.legend()
    right.axhline(1.0, color=plotting.color_of("bound"), linestyle="--", label="1 µs target")
    right.set_ylim(0.0, 1.2)
    right.set_xlabel("number of queues $N$")
    right.set_ylabel("µs per queue-epoch")
    right.legend()
    fig.savefig(RESULTS / "queueing.png", bbox_inches="tight")
    plt.close(fig)


if __name__ == "__main__":
    main()
