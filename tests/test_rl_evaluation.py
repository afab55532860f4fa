"""Tests of mfcode.rl.evaluation: Monte Carlo returns agree with the exact J^N within their confidence interval."""

from __future__ import annotations

import numpy as np
import pytest

from mfcode.arrays import FloatArray
from mfcode.mfc import SchedulingModel, jsq_policy, symmetric_value
from mfcode.rl.evaluation import evaluate_n_agent

MODEL = SchedulingModel()
HORIZON = 1000


def assert_within_ci(exact: float, returns: FloatArray, model: SchedulingModel = MODEL, horizon: int = HORIZON) -> None:
    """``|mean - J^N| <= 4 standard errors + truncation bias``.

    The Monte Carlo returns stop after ``horizon`` steps; the tail they miss is at most
    ``gamma^T c_d lambda / (1 - gamma)`` since the expected drops of a step never exceed its expected
    arrivals ``lambda = arrivals_per_step``.
    """
    bias = model.gamma**horizon * model.drop_penalty * model.arrivals_per_step / (1 - model.gamma)
    se = returns.std(ddof=1) / np.sqrt(returns.size)
    assert se > 0
    assert abs(returns.mean() - exact) <= 4 * se + bias, (returns.mean(), exact, se, bias)


def uniform_table(model: SchedulingModel) -> FloatArray:
    mask = np.asarray(model.action_mask, dtype=np.float64)
    rule = mask / mask.sum(-1, keepdims=True)
    return np.broadcast_to(rule, (model.n_env_states, *rule.shape)).copy()


def test_symmetric_policy_exact_and_monte_carlo_agree() -> None:
    table = jsq_policy(MODEL)
    exact, returns = evaluate_n_agent(MODEL, table, 2, HORIZON, 300, np.random.default_rng(0))
    assert exact == pytest.approx(float(np.asarray(MODEL.env_init) @ symmetric_value(MODEL, table, 2)), rel=1e-14)
    assert returns.shape == (300,) and returns.dtype == np.float64
    assert_within_ci(exact, returns)


def test_profile_exact_and_monte_carlo_agree() -> None:
    profile = np.stack([jsq_policy(MODEL), uniform_table(MODEL)])
    exact, returns = evaluate_n_agent(MODEL, profile, 2, HORIZON, 300, np.random.default_rng(1))
    assert_within_ci(exact, returns)
    # a profile of one policy is the symmetric policy
    same = np.stack([uniform_table(MODEL)] * 2)
    exact_profile, _ = evaluate_n_agent(MODEL, same, 2, 5, 2, np.random.default_rng(2))
    exact_symmetric, _ = evaluate_n_agent(MODEL, uniform_table(MODEL), 2, 5, 2, np.random.default_rng(2))
    assert exact_profile == pytest.approx(exact_symmetric, rel=1e-12)
    # and the two policies differ in value (JSQ beats uniform routing), so the profile test is not vacuous
    assert exact != pytest.approx(exact_symmetric, rel=1e-3)


def test_validation() -> None:
    rng = np.random.default_rng(0)
    table = jsq_policy(MODEL)
    with pytest.raises(TypeError, match="model"):
        evaluate_n_agent("model", table, 2, 5, 2, rng)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="n_agents"):
        evaluate_n_agent(MODEL, np.stack([table] * 3), 2, 5, 2, rng)
    with pytest.raises(ValueError, match="table"):
        evaluate_n_agent(MODEL, table[0], 2, 5, 2, rng)
    with pytest.raises(ValueError, match="n_runs"):
        evaluate_n_agent(MODEL, table, 2, 5, 0, rng)
    with pytest.raises(TypeError, match="rng"):
        evaluate_n_agent(MODEL, table, 2, 5, 2, 0)  # type: ignore[arg-type]
