"""Benchmark of mfcode.rl at the Table I settings of seed 002 (PPO on the MFC MDP, NA and PS).

Measures, on the chosen device: MFC-MDP environment steps/s (numpy simulator alone and with the
policy in the loop), SGD minibatch updates/s (2x256 tanh actor + critic, minibatch 128), the wall
time of one PPO iteration (4000 samples, 30 epochs) for MF and for NA / PS at a few N, and the
resulting estimate for the ``full`` budget of ``python -m mfcode.rl.train_mfc`` (MF 2M steps = 500
iterations; NA and PS 400k steps = 100 iterations per N).

Usage: ``python benchmarks/bench_rl.py [--threads 1] [--device cpu] [--n 2 4]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from mfcode.mfc import MFCMDP, NAgentSystem, SchedulingModel
from mfcode.rl import PPO, PPOConfig, resolve_device
from mfcode.rl.budget import BUDGETS
from mfcode.rl.mfc_env import MFCEnv
from mfcode.rl.nagent_env import NAgentEnv


def _clock(cpu: bool) -> float:
    return time.process_time() if cpu else time.perf_counter()


def _iteration_time(learner: PPO, env: MFCEnv | NAgentEnv, cpu: bool) -> tuple[float, float, int]:
    """Seconds of one rollout and one update (process CPU time if ``cpu``, else wall time)."""
    obs = env.reset(0)
    running = np.zeros(env.spec.batch_shape)
    t0 = _clock(cpu)
    batch, _ = learner.collect(env, obs, running)
    t1 = _clock(cpu)
    learner.update(batch)
    if learner.device.type == "cuda":
        torch.cuda.synchronize()
    t2 = _clock(cpu)
    return t1 - t0, t2 - t1, batch.env_steps


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--device", default=None)
    parser.add_argument("--n", type=int, nargs="*", default=[2, 4])
    args = parser.parse_args()
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    cfg = PPOConfig()
    # On a shared CPU wall time depends on the load of other processes; with one thread, process
    # CPU time is the uncontended single-core cost, so estimates use it there (wall time on a GPU).
    cpu = resolve_device(args.device).type == "cpu" and torch.get_num_threads() == 1
    clock = "CPU" if cpu else "wall"
    mdp = MFCMDP(SchedulingModel())
    rows: list[tuple[str, str]] = []

    env = MFCEnv(mdp, num_envs=20)
    env.reset(0)
    action = np.random.default_rng(0).random((1, 20, 6))
    t0 = _clock(cpu)
    for _ in range(500):
        env.step(action)
    rows.append(("MFC-MDP env steps/s (numpy, 20 copies)", f"{500 * 20 / (_clock(cpu) - t0):,.0f}"))

    mf = PPO(env.spec, cfg, seed=0, device=args.device)
    t_collect, t_update, steps = _iteration_time(mf, env, cpu)
    n_updates = cfg.num_sgd_iter * -(-cfg.train_batch_size // cfg.sgd_minibatch_size)
    rows.append(("MF rollout env steps/s (policy in the loop)", f"{steps / t_collect:,.0f}"))
    rows.append(("MF SGD minibatch updates/s (actor + critic, 128)", f"{n_updates / t_update:,.0f}"))
    t_mf = t_collect + t_update
    rows.append(("MF PPO iteration (4000 steps, 30 epochs) [s]", f"{t_mf:.2f}"))
    full = BUDGETS["full"]
    mf_iters = -(-full.mf_steps // cfg.train_batch_size)
    est_mf = mf_iters * t_mf
    rows.append((f"MF full budget ({full.mf_steps:,} steps = {mf_iters} iterations) [min, est.]", f"{est_mf / 60:.0f}"))

    model = SchedulingModel()
    per_n: dict[str, dict[int, float]] = {"na": {}, "ps": {}}
    for n in args.n:
        for mode in ("na", "ps"):
            agent_env = NAgentEnv(NAgentSystem(model, n), mode, num_envs=20)
            learner = PPO(agent_env.spec, cfg, seed=0, device=args.device)
            tc, tu, _ = _iteration_time(learner, agent_env, cpu)
            per_n[mode][n] = tc + tu
            rows.append((f"{mode.upper()} PPO iteration, N={n} [s]", f"{tc + tu:.2f}"))
    # NA and PS iteration cost grows about linearly in N (PS: N x samples; NA: N learners)
    agent_iters = -(-full.agent_steps // cfg.train_batch_size)
    est_agents = 0.0
    for mode, times in per_n.items():
        ns = np.array(sorted(times))
        slope, intercept = np.polyfit(ns, [times[n] for n in ns], 1) if len(ns) > 1 else (times[ns[0]] / ns[0], 0.0)
        est = sum(agent_iters * max(intercept + slope * n, 0.0) for n in full.n_agents)
        est_agents += est
        rows.append((f"{mode.upper()} full budget, N in {full.n_agents} [min, est.]", f"{est / 60:.0f}"))
    rows.append(("total full budget [h, est.]", f"{(est_mf + est_agents) / 3600:.1f}"))

    device = str(mf.device) + (f" ({torch.cuda.get_device_name()})" if mf.device.type == "cuda" else f", {torch.get_num_threads()} threads")
    print(f"bench_rl on {device}, torch {torch.__version__}; times are {clock} seconds")
    width = max(len(r[0]) for r in rows)
    for name, value in rows:
        print(f"  {name:<{width}}  {value:>10}")


if __name__ == "__main__":
    main()
