"""Tests of mfcode.rl.spaces and mfcode.rl.env (specification and step-result validation)."""

from __future__ import annotations

import numpy as np
import pytest

from mfcode.rl.env import EnvSpec, StepResult, VectorEnv, check_step
from mfcode.rl.spaces import Box, Discrete
from mfcode.rl.toy_envs import ContextualBandit


def test_spaces() -> None:
    assert Box(3).n_outputs == 6 and Discrete(4).n_outputs == 4
    with pytest.raises(ValueError, match="dim"):
        Box(0)
    with pytest.raises(ValueError, match="low"):
        Box(1, low=1.0, high=0.0)
    with pytest.raises(ValueError, match="n must"):
        Discrete(1)


def test_spec_validation() -> None:
    assert EnvSpec(2, Box(1), num_learners=3, num_envs=4).batch_shape == (3, 4)
    with pytest.raises(ValueError, match="obs_dim"):
        EnvSpec(0, Box(1))
    with pytest.raises(TypeError, match="action_space"):
        EnvSpec(2, "box")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="agents_per_env"):
        EnvSpec(2, Box(1), num_envs=5, agents_per_env=2)


def test_check_step() -> None:
    spec = EnvSpec(2, Box(1), num_learners=1, num_envs=3)
    ok = StepResult(np.zeros((1, 3, 2)), np.zeros((1, 3)), np.zeros((1, 3), bool), np.zeros((1, 3), bool), np.zeros((1, 3, 2)))
    check_step(spec, ok)
    with pytest.raises(ValueError, match="reward"):
        check_step(spec, StepResult(ok.obs, np.zeros(3), ok.terminated, ok.truncated, ok.final_obs))
    with pytest.raises(ValueError, match="truncated"):
        check_step(spec, StepResult(ok.obs, ok.reward, ok.terminated, np.zeros((1, 3)), ok.final_obs))
    with pytest.raises(ValueError, match="finite"):
        check_step(spec, StepResult(ok.obs, np.full((1, 3), np.nan), ok.terminated, ok.truncated, ok.final_obs))


def test_toy_env_is_a_vector_env() -> None:
    assert isinstance(ContextualBandit(np.array([[0.5]])), VectorEnv)
