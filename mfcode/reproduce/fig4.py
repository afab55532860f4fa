"""Fig. 4 of seed ``002_7da79a39441e57df.txt`` as a paper-scale experiment: MF-PPO once, NA and PS at each N.

Parts (the budget's N list, :data:`mfcode.rl.budget.BUDGETS`): ``mf`` -- MF-PPO on the MFC MDP
(2 million steps, :func:`~mfcode.rl.training.train_mf`) -- and one part per N (``1``, ``2``, ...,
``10``): NA and PS with N agents (400,000 steps each, :func:`~mfcode.rl.training.train_agents`).
Each part is one artifact of :mod:`mfcode.rl.artifact` in ``artifacts/mfc/``, the files that
``book/mfc/fig4.ipynb`` loads (:func:`mfcode.experiments.fig4.load_or_train_learners`).

The estimated cost of a part is calibrated on this machine by one PPO iteration of each learner
with a single SGD epoch (the rollout, and one epoch of the minibatch updates that a full
iteration repeats ``num_sgd_iter`` times), scaled to the part's iterations; the evaluations after
training are not included (they take seconds to a few minutes).
"""

from __future__ import annotations

import dataclasses
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from mfcode.mfc import MFCMDP, NAgentSystem, SchedulingModel
from mfcode.provenance import command_line, runtime_record
from mfcode.reproduce.experiment import PartOutput, PartRun, Resources
from mfcode.rl.artifact import PartCheck, artifact_paths, check_part, save_artifact, training_iterations
from mfcode.rl.budget import BUDGETS, Budget
from mfcode.rl.config import PPOConfig
from mfcode.rl.mfc_env import MFCEnv
from mfcode.rl.nagent_env import NAgentEnv
from mfcode.rl.ppo import PPO
from mfcode.rl.training import train_agents, train_mf
from mfcode.validation import check_int, check_path

__all__ = ["Fig4Learners"]


@dataclass(frozen=True)
class Fig4Learners:
    """The learners of Fig. 4 (MF-PPO, NA, PS) at one budget and seed.

    Parameters
    ----------
    budget_name
        Key of the artifact files (``"full"``: the paper's scale, what the book loads).
    budget
        Sizes (default ``BUDGETS[budget_name]``; tests pass a tiny one under their own name).
    seed
        Seed of every learner (:mod:`mfcode.rl.training` derives the per-part seeds).
    artifact_dir
        Folder of the artifacts, relative to the repository root.
    device
        Torch device of the learners (``None``: CUDA where present, else the CPU).
    """

    budget_name: str = "full"
    budget: Budget | None = None
    seed: int = 0
    artifact_dir: str = "artifacts/mfc"
    device: str | None = None
    name: str = "fig4"
    description: str = "002 Fig. 4: MF-PPO once and NA / PS at each N (book/mfc/fig4.ipynb)"
    config: PPOConfig = field(default_factory=PPOConfig)

    def __post_init__(self) -> None:
        if not isinstance(self.budget_name, str) or not self.budget_name:
            raise ValueError(f"budget_name must be a non-empty str, got {self.budget_name!r}")
        if self.budget is None:
            if self.budget_name not in BUDGETS:
                raise ValueError(f"budget_name must be one of {sorted(BUDGETS)} when no budget is given, got {self.budget_name!r}")
            object.__setattr__(self, "budget", BUDGETS[self.budget_name])
        if not isinstance(self.budget, Budget):
            raise TypeError(f"budget must be a Budget or None, got {type(self.budget).__name__}")
        check_int(self.seed, "seed", low=0)
        if not isinstance(self.artifact_dir, str) or not self.artifact_dir:
            raise ValueError(f"artifact_dir must be a non-empty str, got {self.artifact_dir!r}")
        if self.device is not None and not isinstance(self.device, str):
            raise TypeError(f"device must be a str or None, got {type(self.device).__name__}")
        if not isinstance(self.config, PPOConfig):
            raise TypeError(f"config must be a PPOConfig, got {type(self.config).__name__}")

    @property
    def sizes(self) -> Budget:
        """The budget (never ``None`` after construction)."""
        if self.budget is None:  # pragma: no cover - set in __post_init__
            raise RuntimeError("budget unset")
        return self.budget

    @property
    def parts(self) -> tuple[str, ...]:
        """``"mf"``, then one part per N of the budget (``"1"``, ``"2"``, ...)."""
        return ("mf", *(str(n) for n in self.sizes.n_agents))

    def _part(self, part: str) -> str:
        if not isinstance(part, str) or part not in self.parts:
            raise ValueError(f"part must be one of {self.parts}, got {part!r}")
        return part

    def resources(self, part: str) -> Resources:
        """One CPU thread per part (the fastest setting on a small CPU); no GPU is required."""
        self._part(part)
        return Resources(cpus=1.0, gpus=0.0)

    def check(self, root: Path, part: str) -> PartCheck:
        """:func:`~mfcode.rl.artifact.check_part` of ``part`` under ``root / artifact_dir``."""
        found, _ = check_part(check_path(root, "root") / self.artifact_dir, self.budget_name, self.seed, self._file_part(part),
                              self.sizes, self.config)
        return found

    def _file_part(self, part: str) -> str:
        return "mf" if self._part(part) == "mf" else f"N{part}"

    def estimate_seconds(self, part: str) -> float:
        """Training time of ``part`` on this machine (one calibrated PPO iteration per learner, times the iterations)."""
        budget = self.sizes
        if self._part(part) == "mf":
            env: MFCEnv | NAgentEnv = MFCEnv(MFCMDP(SchedulingModel()), num_envs=budget.num_envs, horizon=budget.horizon)
            return self._iteration_seconds(env) * training_iterations(budget.mf_steps, budget, self.config)
        system = NAgentSystem(SchedulingModel(), int(part))
        per_iteration = sum(
            self._iteration_seconds(NAgentEnv(system, mode, num_envs=budget.num_envs, horizon=budget.horizon))
            for mode in ("na", "ps")
        )
        return per_iteration * training_iterations(budget.agent_steps, budget, self.config)

    def _iteration_seconds(self, env: MFCEnv | NAgentEnv) -> float:
        one_epoch = dataclasses.replace(self.config, num_sgd_iter=1)
        learner = PPO(env.spec, one_epoch, seed=self.seed, device=self.device)
        obs = env.reset(self.seed)
        t0 = time.perf_counter()
        batch, _ = learner.collect(env, obs, np.zeros(env.spec.batch_shape))
        t1 = time.perf_counter()
        learner.update(batch)
        t2 = time.perf_counter()
        return (t1 - t0) + self.config.num_sgd_iter * (t2 - t1)

    def compute(self, part: str, position: int | None = None, progress: bool = True) -> PartOutput:
        """Train and evaluate the learners of ``part`` (in the calling process: a worker, a Ray task)."""
        self._part(part)
        torch.set_num_threads(int(self.resources(part).cpus))
        start = time.perf_counter()
        if part == "mf":
            arrays, info = train_mf(self.sizes, self.seed, self.config, self.device, progress, position)
        else:
            arrays, info = train_agents(self.sizes, int(part), self.seed, self.config, self.device, progress, position)
        wall = time.perf_counter() - start
        info = {**info, **runtime_record(), "host": socket.gethostname()}
        command = command_line("mfcode.reproduce", ["run", self.name, "--parts", part])
        return PartOutput(arrays=arrays, info=info, wall_time_s=wall, command=command)

    def save(self, root: Path, part: str, output: PartOutput) -> PartRun:
        """Write ``output`` as ``part``'s artifact under ``root / artifact_dir`` (atomically)."""
        if not isinstance(output, PartOutput):
            raise TypeError(f"output must be a PartOutput, got {type(output).__name__}")
        npz, _ = save_artifact(check_path(root, "root") / self.artifact_dir, self.budget_name, self.sizes, self.seed, self.config,
                               output.arrays, output.info, output.wall_time_s, output.command, self._file_part(part))
        device = f"{output.info.get('device', '?')} on {output.info.get('host', '?')}"
        return PartRun(self.name, part, output.wall_time_s, device, npz)

    def artifact(self, root: Path, part: str) -> Path:
        """The ``.npz`` path of ``part`` under ``root``."""
        return artifact_paths(check_path(root, "root") / self.artifact_dir, self.budget_name, self.seed, self._file_part(part))[0]
