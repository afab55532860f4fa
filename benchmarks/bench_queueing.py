"""Cost of the sparse load-balancing simulator (003 eq. (1)) per queue and epoch, for N = 1e2 .. 1e6.

Run: ``nice -n 15 .venv/bin/python benchmarks/bench_queueing.py``. For each N, one batch of
``R = max(1, 10**5 // N)`` replicate episodes of 50 epochs at dt = 5 on the cycle, under send-to-own
(OWN) and JSQ (whose queues see more events: rates up to 3 lambda), with each of the simulator's two
drop estimates: ``sampled`` (uniformization, drops counted; its cost grows with dt) and ``expected``
(the epoch kernel, drops by the matrix exponential's accumulator; its cost does not). Best of 3
wall-clock runs (one at N = 1e6). Writes ``benchmarks/results/queueing.json``, the Markdown table
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
from mfcode.queueing.simulator import DROP_ESTIMATES, run_episodes
from mfcode.queueing.system import QueueSystem

RESULTS = Path(__file__).resolve().parent / "results"
SIZES = (100, 1_000, 10_000, 100_000, 1_000_000)
DT = 5.0
POLICIES: tuple[Policy, ...] = (SendToOwn(), JoinShortestQueue())


def seconds(graph: graphs.Graph, policy: Policy, drops: str, episodes: int, repeat: int) -> float:
    system = QueueSystem(dt=DT)
    best = np.inf
    for k in range(repeat):
        start = time.perf_counter()
        run_episodes(graph, policy, system, n_episodes=episodes, seed=k, drops=drops)
        best = min(best, time.perf_counter() - start)
    return float(best)


def main() -> None:
    rows = []
    columns = [(policy, drops) for drops in DROP_ESTIMATES for policy in POLICIES]
    for n in SIZES:
        graph = graphs.cycle(n)
        episodes = max(1, 100_000 // n)
        repeat = 1 if n >= 1_000_000 else 3
        row: dict[str, float | int] = {"n_nodes": n, "episodes": episodes}
        for policy, drops in columns:
            sec = seconds(graph, policy, drops, episodes, repeat)
            row[f"{policy.name}_{drops}_seconds"] = sec
            row[f"{policy.name}_{drops}_us_per_queue_epoch"] = sec / (n * episodes * 50) * 1e6
        rows.append(row)
        print(row, flush=True)
    meta = {"dt": DT, "epochs": 50, "graph": "cycle", "machine": platform.processor() or platform.machine(),
            "python": platform.python_version(), "numpy": np.__version__, "note": "2 shared CPU cores, nice 15"}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "queueing.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=1) + "\n")
    header = " | ".join(f"{p.name}, {d}: µs per queue-epoch" for p, d in columns)
    lines = [f"| $N$ | episodes per batch | {header} |", "|---:|---:|" + "---:|" * len(columns)]
    for r in rows:
        cells = " | ".join(f"{r[f'{p.name}_{d}_us_per_queue_epoch']:.3f}" for p, d in columns)
        lines.append(f"| {r['n_nodes']:,} | {r['episodes']} | {cells} |")
    lines.append("")
    lines.append(f"$\\Delta t={DT:g}$, 50 epochs, cycle graph; numpy {np.__version__}, Python {platform.python_version()}, "
                 "one process on a shared 2-core machine (`nice -n 15`), best of 3 (1 at $N=10^6$).")
    (RESULTS / "queueing.md").write_text("\n".join(lines) + "\n")
    plotting.apply_style()
    fig, axes = plotting.subplots(1, 2, width=9.0, height=3.2)
    left, right = axes[0]
    nodes = np.array([r["n_nodes"] for r in rows], dtype=float)
    for policy, drops in columns:
        key = f"{policy.name}_{drops}"
        style = "-" if drops == "expected" else "--"
        label = f"{policy.name}, {drops}"
        color = plotting.color_of(policy.name)
        left.loglog(nodes, [r[f"{key}_seconds"] / r["episodes"] for r in rows], marker="o", color=color, linestyle=style, label=label)
        right.semilogx(nodes, [r[f"{key}_us_per_queue_epoch"] for r in rows], marker="o", color=color, linestyle=style, label=label)
    first = rows[0]["OWN_sampled_seconds"] / rows[0]["episodes"]
    left.loglog(nodes, nodes / nodes[0] * first, color="black", linestyle=":", label="linear in N")
    left.set_xlabel("number of queues $N$")
    left.set_ylabel("seconds per 50-epoch episode")
    left.legend(fontsize=7)
    right.axhline(1.0, color=plotting.color_of("bound"), linestyle="-.", label="1 µs target")
    right.set_ylim(0.0, 1.2)
    right.set_xlabel("number of queues $N$")
    right.set_ylabel("µs per queue-epoch")
    right.legend(fontsize=7)
    fig.savefig(RESULTS / "queueing.png", bbox_inches="tight")
    plt.close(fig)


if __name__ == "__main__":
    main()
