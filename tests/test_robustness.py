"""The reproducers of the robustness review: each raises a clear error naming its argument, or now returns a correct result."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mfcode import limits, simplex
from mfcode.mfc.combinatorics import compositions, count_compositions
from mfcode.mfc.dp import simplex_grid, solve_mfc_mdp_on_grid
from mfcode.mfc.finite_n import finite_n_optimum, symmetric_value
from mfcode.mfc.mdp import MFCMDP
from mfcode.mfc.model import state_action_mean_field
from mfcode.mfc.nagent import NAgentSystem
from mfcode.mfc.scheduling import SchedulingModel
from mfcode.mfg import games, solvers
from mfcode.mfg.stationary import StationaryDynamics
from mfcode.rl.config import PPOConfig
from mfcode.rl.ppo import resolve_device

# -- invariants on valid input ---------------------------------------------------------------------


def test_projection_of_a_huge_entry_is_a_distribution() -> None:
    # the cumulative sum of (1e16, 0) - 1 cancelled: the old result was (5e15, 0)
    np.testing.assert_array_equal(simplex.project([1e16, 0.0]), [1.0, 0.0])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e15, 1e15), min_size=1, max_size=8), st.floats(-1e3, 1e3))
def test_projection_is_a_shift_invariant_distribution(x: list[float], shift: float) -> None:
    p = simplex.project(x)
    assert p.min() >= 0.0 and abs(p.sum() - 1.0) < 1e-9
    small = np.asarray(x) * 1e-12  # entries within 1e3, where x + shift rounds by at most ~1e-13
    np.testing.assert_allclose(simplex.project(small + shift), simplex.project(small), atol=1e-9)


def test_herding_garnet_keeps_its_kernel_stochastic_along_a_solver_run() -> None:
    # herding = 1 fed the mean field's rounding error back into the kernel rows step after step
    game = games.garnet(3, 1, herding=1.0, mixing=0.5, seed=0)
    for solver in (solvers.FixedPoint(temperature=0.1), solvers.FictitiousPlay(temperature=0.1)):
        result = solver.solve(game, max_iter=200)
        assert np.isfinite(result.exploitability).all()
    kernel = game.transition(np.array([0.2, 0.3, 0.5 + 1e-9]))
    np.testing.assert_allclose(kernel.sum(axis=-1), 1.0, atol=1e-15)


def test_finite_n_optimum_of_a_single_queue() -> None:
    # one class: the law of the class counts is a point mass (it crashed on a 0-d array)
    model = SchedulingModel(n_queues=1)
    opt = finite_n_optimum(model, 2)
    assert np.isfinite(opt.V).all()


def test_compositions_with_many_parts_do_not_recurse() -> None:
    assert compositions(0, 5000).shape == (1, 5000)
    assert simplex_grid(3000, 1).shape == (3000, 3000)
    rows = compositions(4, 3)
    assert rows.shape == (count_compositions(4, 3), 3) and (rows.sum(axis=1) == 4).all()
    assert [tuple(r) for r in rows] == sorted(tuple(r) for r in rows)  # lexicographic


# -- errors that name the argument -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: games.garnet(3, 2, coupling=float("inf")), "coupling"),
        (lambda: games.random_linear(m=-1.0), "m"),
        (lambda: games.garnet(0, 2), "n_states"),
        (lambda: simplex.softmax([np.nan, 1.0]), "x"),
        (lambda: simplex.softmax([np.inf, 1.0], 0.0), "x"),
        (lambda: simplex.entropy([-0.5, 1.5]), "p"),
        (lambda: state_action_mean_field([1.5], [[0.0, 1.0]]), "mu"),
        (lambda: state_action_mean_field([1.0], [[0.5, 1.0]]), "h"),
        (lambda: symmetric_value(SchedulingModel(n_queues=2), np.zeros(1), -1), "n_agents"),
        (lambda: PPOConfig(lr=float("inf")), "lr"),
        (lambda: resolve_device("gpu0"), "device"),
        (lambda: games.beach_bar().reward(0.5, games.beach_bar().initial), "t"),  # type: ignore[arg-type]
        (lambda: games.sis().check_dynamics(StationaryDynamics(np.zeros((2, 2)), -np.ones((2, 2, 2)))), "dynamics.kernel"),
        (lambda: games.sis().check_dynamics(StationaryDynamics(np.full((2, 2), np.nan), np.full((2, 2, 2), 0.5))),
         "dynamics.reward"),
        (lambda: MFCMDP(SchedulingModel()).decision_rule_from_action(np.full(MFCMDP(SchedulingModel()).action_shape, np.nan)),
         "action"),
    ],
)
def test_bad_input_names_its_argument(call: object, name: str) -> None:
    with pytest.raises((ValueError, TypeError), match=rf"\b{name}\b"):
        call()  # type: ignore[operator]


# -- no unbounded allocation or loop -------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda: games.lq_episodic(horizon=10**9),
        lambda: SchedulingModel(n_queues=40),
        lambda: games.garnet(10**5, 100),
        lambda: NAgentSystem(SchedulingModel(n_queues=2), 10**10).reset(np.random.default_rng(0)),
        lambda: compositions(200, 10),
        lambda: solve_mfc_mdp_on_grid(MFCMDP(SchedulingModel(n_queues=3)), 10),
    ],
)
def test_oversized_requests_are_refused_with_an_estimate(call: object) -> None:
    with pytest.raises(ValueError, match="above the limit"):
        call()  # type: ignore[operator]


def test_limits_are_overridable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MFCODE_MAX_ELEMENTS", "10")
    with pytest.raises(ValueError, match="MFCODE_MAX_ELEMENTS"):
        compositions(3, 3)  # 10 rows x 3
    monkeypatch.setenv("MFCODE_MAX_ELEMENTS", "30")
    assert compositions(3, 3).shape == (10, 3)
    monkeypatch.setenv("MFCODE_MAX_ELEMENTS", "many")
    with pytest.raises(ValueError, match="MFCODE_MAX_ELEMENTS"):
        limits.max_elements()


# -- files: rejected whole, with their name ---------------------------------------------------------


def test_openspiel_reference_reader_names_the_file(tmp_path: Path) -> None:
    from mfcode.mfg.openspiel_compat import load_reference

    bad = tmp_path / "ref.json"
    for text, match in (('{"cases": [', "malformed JSON"), ("[1, 2]", "not an OpenSpiel reference"),
                        ('{"cases": [{"game": "lq"}]}', "case 0 lacks"),
                        ('{"cases": [{"game": "g", "solver": "s", "params": {}, "nash_conv": ["a"], "policy_last": [1]}]}',
                         "numeric")):
        bad.write_text(text)
        with pytest.raises(ValueError, match=match) as info:
            load_reference(bad)
        assert str(bad) in str(info.value)
    assert len(load_reference()) > 0  # the packaged reference still loads


def test_claims_reject_wrong_types_and_non_finite_numbers() -> None:
    from mfcode.claims.schema import Claim

    base: dict[str, object] = dict(id="x", document="001_00c545ba2a0e4aca.txt", locator="App. D", statement="s",
                                   notebook="book/x.ipynb", kind="value", origin="measurement", fails_if="f", target=1.0)
    assert Claim(**base).target == 1.0  # type: ignore[arg-type]
    for change, err, name in (({"atol": float("nan"), "tolerance_reason": "r"}, ValueError, "atol"),
                              ({"target": float("inf")}, ValueError, "target"),
                              ({"statement": 3}, TypeError, "statement"),
                              ({"asserted_at": ["ci"]}, TypeError, "asserted_at")):
        with pytest.raises(err, match=name):
            Claim(**{**base, **change})  # type: ignore[arg-type]


def test_artifact_with_a_malformed_record_is_corrupt_not_stale(tmp_path: Path) -> None:
    import json
    import shutil

    from mfcode.rl.artifact import load_artifact

    root = Path(__file__).resolve().parents[1] / "artifacts" / "mfc"
    shutil.copytree(root, tmp_path / "mfc")
    meta = tmp_path / "mfc" / "mfc_learners_full_seed0_N4.json"
    record = json.loads(meta.read_text())
    record["budget_settings"] = "garbage"
    meta.write_text(json.dumps(record))
    with pytest.raises(ValueError, match=r"N4\.json: key 'budget_settings'"):
        load_artifact(tmp_path / "mfc", "full", 0, require_all=False)
    npz = tmp_path / "mfc" / "mfc_learners_full_seed0_N3.npz"
    npz.write_bytes(npz.read_bytes()[:100])
    with pytest.raises(ValueError, match=r"N3\.npz"):
        load_artifact(tmp_path / "mfc", "full", 0, require_all=False)
