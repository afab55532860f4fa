"""Tests of mfcode.rl.config: Table I of seed 002 as defaults, validation."""

from __future__ import annotations

import pytest

from mfcode.rl.config import PPOConfig


def test_defaults_are_table_one() -> None:
    c = PPOConfig()
    assert (c.lr, c.gae_lambda, c.kl_coeff, c.kl_target, c.clip_param) == (5e-5, 0.2, 0.2, 0.01, 0.3)
    assert (c.train_batch_size, c.sgd_minibatch_size, c.num_sgd_iter, c.gamma) == (4000, 128, 30, 0.99)
    assert c.hidden == (256, 256) and c.activation == "tanh"


def test_load_balancing_table_two() -> None:
    c = PPOConfig.load_balancing(num_sgd_iter=8)
    assert c.gae_lambda == 1.0 and c.num_sgd_iter == 8 and c.lr == 5e-5


@pytest.mark.parametrize(
    ("field", "value"),
    [("lr", 0.0), ("gamma", 1.5), ("gae_lambda", -0.1), ("kl_coeff", -1.0), ("clip_param", 0.0),
     ("train_batch_size", 0), ("sgd_minibatch_size", 1.5), ("hidden", (256, 0)), ("activation", "gelu"),
     ("max_grad_norm", 0.0), ("num_sgd_iter", True)],
)
def test_validation_names_the_field(field: str, value: object) -> None:
    with pytest.raises(ValueError, match=field):
        PPOConfig().with_(**{field: value})
