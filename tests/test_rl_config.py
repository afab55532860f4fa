"""Tests of mfcode.rl.config: the Table I defaults agree with the table the module documents, validation."""

from __future__ import annotations

import re

import pytest

from mfcode.rl import config
from mfcode.rl.config import PPOConfig, rollout_length


def _documented_table() -> dict[str, float]:
    """The ``field  symbol  value`` rows of the module docstring (the Table I of seed 002 it quotes)."""
    rows = re.findall(r"^``(\w+)``\s+\S+\s+([0-9.e-]+)", config.__doc__ or "", flags=re.MULTILINE)
    return {name: float(value) for name, value in rows}


def test_defaults_are_the_documented_table_one() -> None:
    table = _documented_table()
    assert set(table) == {"lr", "gae_lambda", "kl_coeff", "kl_target", "clip_param", "train_batch_size",
                          "sgd_minibatch_size", "num_sgd_iter", "gamma"}
    defaults = PPOConfig()
    for name, value in table.items():
        assert getattr(defaults, name) == value, name
    # the hidden-layer row is prose ("two hidden layers of 256, tanh")
    assert "two hidden layers of 256, tanh" in (config.__doc__ or "")
    assert (defaults.hidden, defaults.activation) == ((256, 256), "tanh")


def test_with_changes_fields_and_keeps_the_rest() -> None:
    changed = PPOConfig().with_(lr=1e-3, hidden=(8,))
    assert (changed.lr, changed.hidden) == (1e-3, (8,))
    assert changed.with_(lr=PPOConfig().lr, hidden=PPOConfig().hidden) == PPOConfig()
    with pytest.raises(TypeError, match="learning_rate"):
        PPOConfig().with_(learning_rate=1e-3)


@pytest.mark.parametrize(
    ("field", "value"),
    [("lr", 0.0), ("gamma", 1.5), ("gae_lambda", -0.1), ("kl_coeff", -1.0), ("clip_param", 0.0),
     ("train_batch_size", 0), ("sgd_minibatch_size", 1.5), ("hidden", (256, 0)), ("activation", "gelu"),
     ("max_grad_norm", 0.0), ("num_sgd_iter", True), ("lr", float("inf")), ("kl_target", float("nan")),
     ("vf_clip_param", float("nan")), ("max_grad_norm", float("inf"))],
)
def test_validation_names_the_field(field: str, value: object) -> None:
    # a wrong type (1.5 batch size, True epochs) is a TypeError, a wrong value a ValueError; both name the field
    with pytest.raises((ValueError, TypeError), match=field):
        PPOConfig().with_(**{field: value})


def test_rollout_length_rounds_the_batch_up_to_whole_steps_of_every_copy() -> None:
    assert rollout_length(PPOConfig(), 20) == 200  # Table I: 4000 steps, 20 copies
    assert rollout_length(PPOConfig(train_batch_size=4001), 20) == 201
    assert rollout_length(PPOConfig(train_batch_size=7), 1) == 7
    with pytest.raises(ValueError, match="num_envs"):
        rollout_length(PPOConfig(), 0)
    with pytest.raises(TypeError, match="config"):
        rollout_length("Table I", 20)  # type: ignore[arg-type]  # the wrong type is the point
