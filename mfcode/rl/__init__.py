"""One PPO implementation for the book (seed ``002_7da79a39441e57df.txt``, Sec. VI and Table I).

Modules:

- :mod:`.env` -- the batched environment protocol (``K`` learners x ``E`` entries, self-resetting,
  seeded at ``reset(seed)``) with Gymnasium's ``Box`` / ``Discrete`` spaces;
- :mod:`.env_checker` -- :func:`~.env_checker.check_vector_env`, the one checker of that protocol;
- :mod:`.views` -- :class:`~.views.GymnasiumEnv`, a ``gymnasium.Env`` view of one copy, for any RL library;
- :mod:`.networks`, :mod:`.distributions`, :mod:`.gae`, :mod:`.config`, :mod:`.ppo` -- PPO with a
  clipped surrogate and adaptive KL penalty (RLlib 1.x semantics), batched over independent learners;
- :mod:`.toy_envs` -- small environments with known optima used to verify the learner;
- :mod:`.mfc_env` -- the MFC MDP of :mod:`mfcode.mfc` as an environment (Gaussian action clipped
  and normalised into a decision rule), its learned policy tables and their exact values;
- :mod:`.nagent_env` -- the N-agent baselines NA (independent PPO) and PS (parameter sharing);
- :mod:`.budget` -- the ``ci`` and ``full`` sizes of the Fig. 4 runs;
- :mod:`.evaluation` -- exact J^N and Monte Carlo returns of a policy table on the N-agent system;
- :mod:`.training` -- MF, NA and PS trained and evaluated at a budget;
- :mod:`.artifact` -- the ``.npz`` + ``.json`` artifact: layout, save, load, merging of parts;
- :mod:`.train_mfc` -- the command line ``python -m mfcode.rl.train_mfc`` (provenance from
  :mod:`mfcode.provenance`).
"""

from __future__ import annotations

from mfcode.rl.config import PPOConfig
from mfcode.rl.env import EnvSpec, StepResult, VectorEnv
from mfcode.rl.gae import gae
from mfcode.rl.ppo import PPO, TrainHistory, resolve_device, update_kl_coeff
from mfcode.rl.views import GymnasiumEnv

__all__ = [
    "PPO",
    "EnvSpec",
    "GymnasiumEnv",
    "PPOConfig",
    "StepResult",
    "TrainHistory",
    "VectorEnv",
    "gae",
    "resolve_device",
    "update_kl_coeff",
]
