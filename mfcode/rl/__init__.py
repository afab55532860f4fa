"""One PPO implementation for the book (seed ``002_7da79a39441e57df.txt``, Sec. VI and Table I).

- :mod:`.spaces`, :mod:`.env` -- the batched environment protocol (no Gymnasium dependency);
- :mod:`.networks`, :mod:`.distributions`, :mod:`.gae`, :mod:`.config`, :mod:`.ppo` -- PPO with a
  clipped surrogate and adaptive KL penalty (RLlib 1.x semantics), batched over independent learners;
- :mod:`.toy_envs` -- small environments with known optima used to verify the learner;
- :mod:`.mfc_env` -- the MFC MDP of :mod:`mfcode.mfc` as an environment (Gaussian action clipped
  and normalised into a decision rule), its learned policy tables and their exact values;
- :mod:`.nagent_env` -- the N-agent baselines NA (independent PPO) and PS (parameter sharing);
- :mod:`.train_mfc` -- ``python -m mfcode.rl.train_mfc``: MF, NA and PS at a budget, saved as an
  artifact with provenance.
"""

from __future__ import annotations

from mfcode.rl.config import PPOConfig
from mfcode.rl.env import EnvSpec, StepResult, VectorEnv
from mfcode.rl.gae import gae
from mfcode.rl.ppo import PPO, TrainHistory, resolve_device, update_kl_coeff
from mfcode.rl.spaces import Box, Discrete

__all__ = [
    "PPO",
    "Box",
    "Discrete",
    "EnvSpec",
    "PPOConfig",
    "StepResult",
    "TrainHistory",
    "VectorEnv",
    "gae",
    "resolve_device",
    "update_kl_coeff",
]
