"""Train the learners of seed ``002_7da79a39441e57df.txt`` (Sec. VI, Fig. 4(a)) and save an artifact.

Three learners on the paper's scheduling instance (:class:`~mfcode.mfc.SchedulingModel`):

- **MF** -- PPO on the MFC MDP (:class:`~mfcode.rl.mfc_env.MFCEnv`), "trained only once and used
  for all N" (Fig. 4 caption); 2 million time steps in the paper;
- **NA** / **PS** -- independent and parameter-shared PPO on the N-agent system
  (:class:`~mfcode.rl.nagent_env.NAgentEnv`), "trained separately for each N"; 400,000 time steps
  in the paper.

All use the Table I hyperparameters (:class:`~mfcode.rl.config.PPOConfig` defaults). After
training, each policy is evaluated on the N-agent system from empty queues, exactly
(:func:`~mfcode.mfc.symmetric_value`, :func:`~mfcode.mfc.profile_value`) and by Monte Carlo
(discounted cumulative reward over ``eval_horizon`` steps, ``n_eval_runs`` runs as in Fig. 4(a)'s
"500 runs with 95% confidence interval"); the MF policy is also evaluated exactly in the MFC MDP
(the dotted line of Fig. 4(a)).

Budgets (:data:`BUDGETS`): ``ci`` is a short smoke run for the book's CI; ``full`` is the paper's
scale. Run ``python -m mfcode.rl.train_mfc --budget full --seed 0 --out artifacts/mfc`` (on a GPU
when available). The artifact is ``<out>/mfc_learners_<budget>_seed<seed>.npz`` plus a ``.json``
provenance record (command, seed, git commit, device, wall time, settings); :func:`load_artifact`
reads both back. ``--part mf`` and ``--part N`` split the work into pieces (MF alone; NA and PS at
one N) that fit separate machine sessions; :func:`load_artifact` merges them.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from mfcode.mfc import MFCMDP, NAgentSystem, SchedulingModel, profile_value, symmetric_value
from mfcode.rl.config import PPOConfig
from mfcode.rl.mfc_env import MFCEnv, policy_table, stochastic_policy_value
from mfcode.rl.nagent_env import NAgentEnv, agent_policy_table
from mfcode.rl.ppo import PPO, resolve_device

__all__ = [
    "BUDGETS",
    "Budget",
    "artifact_paths",
    "combine",
    "load_artifact",
    "main",
    "save_artifact",
    "train_agents",
    "train_all",
    "train_mf",
]


@dataclass(frozen=True)
class Budget:
    """Sizes of one training run.

    Attributes
    ----------
    mf_steps
        MFC-MDP steps of MF-PPO (paper: 2,000,000).
    agent_steps
        N-agent system steps of each NA / PS run (paper: 400,000).
    n_agents
        The N at which NA and PS are trained and all policies evaluated (paper: not listed; the
        text discusses N <= 4 converging and larger N failing).
    n_eval_runs
        Monte Carlo runs per evaluation (paper: 500).
    horizon
        Episode length at which training episodes are truncated (and bootstrapped; paper silent, I6).
    eval_horizon
        Steps of the Monte Carlo evaluation of the discounted cumulative reward (1000 steps:
        ``gamma^1000 < 5e-5``, the infinite-horizon value to within Monte Carlo error).
    num_envs
        Parallel environment copies per learner (collection only; the batch size is Table I's).
    """

    mf_steps: int
    agent_steps: int
    n_agents: tuple[int, ...]
    n_eval_runs: int = 500
    horizon: int = 100
    eval_horizon: int = 1000
    num_envs: int = 20

    def __post_init__(self) -> None:
        for name in ("mf_steps", "n_eval_runs", "horizon", "eval_horizon", "num_envs"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        if not isinstance(self.agent_steps, int) or self.agent_steps < 0:
            raise ValueError(f"agent_steps must be a non-negative int, got {self.agent_steps!r}")
        if not self.n_agents or not all(isinstance(n, int) and n >= 1 for n in self.n_agents):
            raise ValueError(f"n_agents must be positive ints, got {self.n_agents!r}")


BUDGETS: dict[str, Budget] = {
    "ci": Budget(mf_steps=12_000, agent_steps=4_000, n_agents=(2,), n_eval_runs=100),
    "full": Budget(mf_steps=2_000_000, agent_steps=400_000, n_agents=(1, 2, 3, 4, 6, 8, 10)),
}


def _git_commit() -> str:
    """``HEAD`` of the repository holding mfcode, with ``+dirty`` if mfcode has uncommitted changes."""
    here = Path(__file__).parent
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True, cwd=here)
        dirty = subprocess.run(["git", "status", "--porcelain", "--", ":/mfcode"], capture_output=True, text=True, check=True, cwd=here)
        return out.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _info(dev: torch.device, times: dict[str, float]) -> dict[str, object]:
    info: dict[str, object] = {"device": str(dev), "times_s": times}
    if dev.type == "cuda":
        info["device_name"] = torch.cuda.get_device_name(dev)
    return info


def _evaluate(model: SchedulingModel, table: np.ndarray, n: int, budget: Budget, rng: np.random.Generator) -> tuple[float, np.ndarray]:
    """Exact discounted J^N from ``mu^0_0`` and Monte Carlo discounted returns of a policy table."""
    system = NAgentSystem(model, n)
    value = profile_value(model, table) if table.ndim == 4 else symmetric_value(model, table, n)
    exact = float(np.asarray(model.env_init, dtype=float) @ value)
    return exact, system.rollout(table, budget.eval_horizon, budget.n_eval_runs, rng, discount=model.gamma)


def train_mf(
    budget: Budget,
    seed: int = 0,
    config: PPOConfig | None = None,
    device: torch.device | str | None = None,
    progress: bool = False,
) -> tuple[dict[str, np.ndarray], dict[str, object]]:
    """Train MF-PPO on the MFC MDP and evaluate it in the MFC MDP and at every N of ``budget``.

    Returns
    -------
    arrays
        ``mf_policy`` (X0, X, U) from the Gaussian mean, ``mf_policy_avg`` (averaged over 500
        Gaussian samples, Fig. 4(b)); ``mf_objective`` / ``mf_objective_avg`` (exact J in the MFC
        MDP from ``mu^0_0`` of those two tables), ``mf_objective_stochastic`` (J of the Gaussian
        upper-level policy itself, 500 sampled rules per state); per PPO iteration
        ``mf_curve_steps`` / ``mf_curve_return`` / ``mf_curve_objective`` /
        ``mf_curve_objective_stochastic`` (env steps, mean episode return, J of the deterministic
        and of the stochastic policy, the latter with 100 sampled rules per state); ``n_agents``;
        ``exact_mf`` (len(n_agents),) exact discounted J^N of ``mf_policy`` lifted to N agents and
        ``eval_mf`` (len(n_agents), n_eval_runs) Monte Carlo discounted returns over
        ``eval_horizon`` steps; ``mf_param/<name>`` the learner's parameters.
    info
        Device and wall time.
    """
    config = PPOConfig() if config is None else config
    dev = resolve_device(device)
    model = SchedulingModel()
    mdp = MFCMDP(model)
    init = mdp.initial_distribution
    start = time.perf_counter()
    env = MFCEnv(mdp, num_envs=budget.num_envs, horizon=budget.horizon)
    mf = PPO(env.spec, config, seed=seed, device=dev)

    def exact_values(learner: PPO) -> tuple[float, float]:
        stochastic = float(init @ stochastic_policy_value(learner, mdp, n_samples=100, seed=seed))
        return mdp.objective(policy_table(learner, mdp)), stochastic

    hist = mf.train(env, budget.mf_steps, progress=progress, evaluate=exact_values).as_arrays()
    arrays: dict[str, np.ndarray] = {"n_agents": np.asarray(budget.n_agents)}
    arrays["mf_curve_steps"] = hist["env_steps"]
    arrays["mf_curve_objective"] = hist["evaluation"][:, 0]
    arrays["mf_curve_objective_stochastic"] = hist["evaluation"][:, 1]
    arrays["mf_curve_return"] = hist["episode_return_mean"][:, 0]
    arrays["mf_policy"] = policy_table(mf, mdp)
    arrays["mf_policy_avg"] = policy_table(mf, mdp, n_samples=500, seed=seed)
    arrays["mf_objective"] = np.asarray(mdp.objective(arrays["mf_policy"]))
    arrays["mf_objective_avg"] = np.asarray(mdp.objective(arrays["mf_policy_avg"]))
    arrays["mf_objective_stochastic"] = np.asarray(init @ stochastic_policy_value(mf, mdp, n_samples=500, seed=seed))
    arrays |= {f"mf_param/{k}": v for k, v in mf.parameters_numpy().items()}
    results = [_evaluate(model, arrays["mf_policy"], n, budget, np.random.default_rng([seed, n, 0])) for n in budget.n_agents]
    arrays["exact_mf"] = np.array([r[0] for r in results])
    arrays["eval_mf"] = np.stack([r[1] for r in results])
    return arrays, _info(dev, {"mf_s": time.perf_counter() - start})


def train_agents(
    budget: Budget,
    n_agents: int,
    seed: int = 0,
    config: PPOConfig | None = None,
    device: torch.device | str | None = None,
    progress: bool = False,
) -> tuple[dict[str, np.ndarray], dict[str, object]]:
    """Train NA and PS with ``n_agents`` agents and evaluate them (learner seed ``seed + 1000 N``).

    Returns
    -------
    arrays
        For ``m`` in ``na, ps``: ``m_policy_N<n>`` ((N,) X0, X, U), ``m_curve_return_N<n>``
        (iterations, K) mean episode returns, ``m_exact_N<n>`` exact discounted J^N from
        ``mu^0_0``, ``m_eval_N<n>`` (n_eval_runs,) Monte Carlo discounted returns.
    info
        Device and wall times.
    """
    if n_agents not in budget.n_agents:
        raise ValueError(f"n_agents must be one of the budget's {budget.n_agents}, got {n_agents!r}")
    config = PPOConfig() if config is None else config
    dev = resolve_device(device)
    model = SchedulingModel()
    system = NAgentSystem(model, n_agents)
    arrays: dict[str, np.ndarray] = {}
    times: dict[str, float] = {}
    for index, mode in enumerate(("na", "ps"), start=1):
        t0 = time.perf_counter()
        env = NAgentEnv(system, mode, num_envs=budget.num_envs, horizon=budget.horizon)
        learner = PPO(env.spec, config, seed=seed + 1000 * n_agents, device=dev)
        if budget.agent_steps > 0:
            hist = learner.train(env, budget.agent_steps, progress=progress).as_arrays()
            arrays[f"{mode}_curve_return_N{n_agents}"] = hist["episode_return_mean"]
        table = agent_policy_table(learner, system)
        arrays[f"{mode}_policy_N{n_agents}"] = table
        exact, samples = _evaluate(model, table, n_agents, budget, np.random.default_rng([seed, n_agents, index]))
        arrays[f"{mode}_exact_N{n_agents}"] = np.asarray(exact)
        arrays[f"{mode}_eval_N{n_agents}"] = samples
        times[f"{mode}_N{n_agents}_s"] = time.perf_counter() - t0
    return arrays, _info(dev, times)


def combine(
    budget: Budget, mf_arrays: dict[str, np.ndarray], agent_arrays: list[dict[str, np.ndarray]], require_all: bool = True
) -> dict[str, np.ndarray]:
    """Merge :func:`train_mf` and per-N :func:`train_agents` outputs.

    Adds ``n_agents_trained`` (the N of ``budget`` at which NA and PS results are present, in the
    budget's order), ``exact_na``, ``exact_ps`` (len(n_agents_trained),) and ``eval_na``,
    ``eval_ps`` (len(n_agents_trained), n_eval_runs). With ``require_all`` (default) every N of
    the budget must be present; otherwise missing N are left out (at least one must be present).
    """
    if not isinstance(require_all, bool):
        raise TypeError(f"require_all must be a bool, got {require_all!r}")
    arrays = dict(mf_arrays)
    for part in agent_arrays:
        arrays |= part
    present = [n for n in budget.n_agents if all(f"{m}_exact_N{n}" in arrays for m in ("na", "ps"))]
    missing = [n for n in budget.n_agents if n not in present]
    if missing and (require_all or not present):
        raise ValueError(f"agent_arrays lack NA/PS results for N = {missing}")
    arrays["n_agents_trained"] = np.asarray(present)
    for mode in ("na", "ps"):
        arrays[f"exact_{mode}"] = np.array([float(arrays[f"{mode}_exact_N{n}"]) for n in present])
        arrays[f"eval_{mode}"] = np.stack([arrays[f"{mode}_eval_N{n}"] for n in present])
    return arrays


def train_all(
    budget: Budget,
    seed: int = 0,
    config: PPOConfig | None = None,
    device: torch.device | str | None = None,
    progress: bool = False,
) -> tuple[dict[str, np.ndarray], dict[str, object]]:
    """Run :func:`train_mf` and :func:`train_agents` for every N of ``budget``; merge with :func:`combine`."""
    mf_arrays, info = train_mf(budget, seed, config, device, progress)
    parts = []
    times = dict(info["times_s"])  # type: ignore[call-overload]
    for n in budget.n_agents:
        part, part_info = train_agents(budget, n, seed, config, device, progress)
        parts.append(part)
        times |= part_info["times_s"]  # type: ignore[operator]
    return combine(budget, mf_arrays, parts), {**info, "times_s": times}


def artifact_paths(out: str | Path, budget: str, seed: int, part: str = "all") -> tuple[Path, Path]:
    """The ``.npz`` and ``.json`` paths of a run (``part``: ``"all"``, ``"mf"`` or ``"N<n>"``)."""
    suffix = "" if part == "all" else f"_{part}"
    stem = Path(out) / f"mfc_learners_{budget}_seed{seed}{suffix}"
    return stem.with_suffix(".npz"), stem.with_suffix(".json")


def _jsonable(obj: object) -> object:
    return json.loads(json.dumps(obj))


def save_artifact(
    out: str | Path,
    budget_name: str,
    budget: Budget,
    seed: int,
    config: PPOConfig,
    arrays: dict[str, np.ndarray],
    info: dict[str, object],
    wall_time_s: float,
    command: str,
    part: str = "all",
) -> tuple[Path, Path]:
    """Write ``arrays`` (``.npz``) and the provenance record (``.json``); returns both paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    npz, meta = artifact_paths(out, budget_name, seed, part)
    np.savez_compressed(npz, **arrays)
    provenance = {
        "command": command,
        "budget": budget_name,
        "part": part,
        "budget_settings": _jsonable(asdict(budget)),
        "seed": seed,
        "git_commit": _git_commit(),
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "ppo_config": _jsonable(asdict(config)),
        "wall_time_s": wall_time_s,
        **info,
    }
    meta.write_text(json.dumps(provenance, indent=2))
    return npz, meta


def _load_part(
    out: str | Path, budget_name: str, seed: int, part: str, budget: Budget, config: PPOConfig
) -> tuple[dict[str, np.ndarray], dict[str, object]] | None:
    npz, meta = artifact_paths(out, budget_name, seed, part)
    if not (npz.exists() and meta.exists()):
        return None
    provenance = json.loads(meta.read_text())
    if (
        provenance.get("budget_settings") != _jsonable(asdict(budget))
        or provenance.get("ppo_config") != _jsonable(asdict(config))
        or provenance.get("seed") != seed
    ):
        return None
    with np.load(npz) as data:
        arrays = {k: data[k] for k in data.files}
    return arrays, provenance


def load_artifact(
    out: str | Path,
    budget_name: str,
    seed: int,
    budget: Budget | None = None,
    config: PPOConfig | None = None,
    require_all: bool = True,
) -> tuple[dict[str, np.ndarray], dict[str, object]] | None:
    """Arrays and provenance of a saved run, or ``None`` if absent or made with other settings.

    Looks for the complete run first, then for its parts (``mf`` and one ``N<n>`` per N, as
    written by ``--part``), which it merges with :func:`combine`; the provenance of a merged run
    lists the parts' records under ``"parts"`` and the N whose part is absent under
    ``"missing_n"``. With ``require_all`` (default) every part must be there; with
    ``require_all=False`` the MF part and at least one N suffice, and NA / PS results cover only
    the N present (``arrays["n_agents_trained"]``). ``budget`` defaults to
    ``BUDGETS[budget_name]`` and ``config`` to Table I; a saved run matches only if its budget
    settings, PPO configuration and seed are those. A merged record also has the keys of a whole
    one that the notebooks print (``command``, ``git_commit``, ``device`` joined with ``" ; "``,
    total ``wall_time_s``).
    """
    if not isinstance(require_all, bool):
        raise TypeError(f"require_all must be a bool, got {require_all!r}")
    budget = BUDGETS[budget_name] if budget is None else budget
    config = PPOConfig() if config is None else config
    whole = _load_part(out, budget_name, seed, "all", budget, config)
    if whole is not None:
        return whole[0], {**whole[1], "missing_n": []}
    mf = _load_part(out, budget_name, seed, "mf", budget, config)
    found = {n: _load_part(out, budget_name, seed, f"N{n}", budget, config) for n in budget.n_agents}
    parts = {n: a for n, a in found.items() if a is not None}
    if mf is None or not parts or (require_all and len(parts) < len(found)):
        return None
    arrays = combine(budget, mf[0], [a[0] for a in parts.values()], require_all=require_all)
    records = [mf[1], *(a[1] for a in parts.values())]

    def joined(key: str) -> str:
        return " ; ".join(dict.fromkeys(str(r.get(key)) for r in records))

    provenance: dict[str, object] = {
        "budget": budget_name,
        "seed": seed,
        "command": joined("command"),
        "git_commit": joined("git_commit"),
        "device": joined("device"),
        "wall_time_s": float(sum(float(r["wall_time_s"]) for r in records)),  # type: ignore[arg-type]
        "parts": records,
        "missing_n": [n for n in budget.n_agents if n not in parts],
    }
    return arrays, provenance


def main(argv: list[str] | None = None, config: PPOConfig | None = None) -> tuple[Path, Path]:
    """Command line: ``python -m mfcode.rl.train_mfc --budget {ci,full} --seed S --out DIR [--part P]``.

    ``--part all`` (default) trains everything; ``--part mf`` only MF-PPO; ``--part N`` (an
    integer of the budget's N list) only NA and PS at that N -- so the ``full`` budget can be
    spread over several machine sessions; :func:`load_artifact` merges the parts. ``config``
    (Python callers only) replaces the Table I hyperparameters. Returns the paths written.
    """
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--budget", choices=sorted(BUDGETS), required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--part", default="all", help="all, mf, or an N of the budget (NA and PS at that N)")
    parser.add_argument("--device", default=None, help="cpu, cuda, ... (default: cuda if available)")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's)")
    parser.add_argument("--progress", action="store_true")
    args = parser.parse_args(argv)
    budget = BUDGETS[args.budget]
    if args.part not in ("all", "mf") and not (args.part.isdigit() and int(args.part) in budget.n_agents):
        parser.error(f"--part must be all, mf or one of {budget.n_agents}, got {args.part!r}")
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    config = PPOConfig() if config is None else config
    start = time.perf_counter()
    if args.part == "all":
        arrays, info = train_all(budget, args.seed, config, args.device, args.progress)
        part = "all"
    elif args.part == "mf":
        arrays, info = train_mf(budget, args.seed, config, args.device, args.progress)
        part = "mf"
    else:
        arrays, info = train_agents(budget, int(args.part), args.seed, config, args.device, args.progress)
        part = f"N{args.part}"
    wall = time.perf_counter() - start
    command = " ".join(["python -m mfcode.rl.train_mfc", *(argv if argv is not None else sys.argv[1:])])
    paths = save_artifact(args.out, args.budget, budget, args.seed, config, arrays, info, wall, command, part)
    print(f"wrote {paths[0]} and {paths[1]} ({wall:.1f} s on {info['device']})")
    return paths


if __name__ == "__main__":
    main()
