"""Tests of mfcode.rl.train_mfc: a tiny end-to-end run, the artifact and its provenance."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from mfcode.rl import train_mfc
from mfcode.rl.config import PPOConfig
from mfcode.rl.train_mfc import BUDGETS, Budget, artifact_paths, combine, load_artifact, main, train_agents, train_all, train_mf

TINY = Budget(mf_steps=40, agent_steps=40, n_agents=(1, 2), n_eval_runs=6, horizon=5, eval_horizon=7, num_envs=4)
CFG = PPOConfig(hidden=(8,), train_batch_size=40, sgd_minibatch_size=20, num_sgd_iter=1)


def test_budgets_match_the_paper() -> None:
    assert BUDGETS["full"].mf_steps == 2_000_000 and BUDGETS["full"].agent_steps == 400_000
    assert BUDGETS["full"].n_eval_runs == 500
    with pytest.raises(ValueError, match="horizon"):
        Budget(1, 1, (1,), horizon=0)
    with pytest.raises(ValueError, match="n_agents"):
        Budget(1, 1, (0,))
    with pytest.raises(ValueError, match="n_agents"):
        Budget(1, 1, ())


def test_train_all_shapes() -> None:
    arrays, info = train_all(TINY, seed=1, config=CFG, device="cpu")
    assert arrays["mf_policy"].shape == arrays["mf_policy_avg"].shape == (36, 3, 2)
    for m in ("mf", "na", "ps"):
        assert arrays[f"eval_{m}"].shape == (2, 6) and arrays[f"exact_{m}"].shape == (2,)
        assert np.all(arrays[f"exact_{m}"] < 0) and np.all(arrays[f"eval_{m}"] <= 0)
    # MF at N is the exact finite-N value of the lifted policy; in the limit it is mf_objective
    assert abs(arrays["exact_mf"][1] - float(arrays["mf_objective"])) < abs(arrays["exact_mf"][0] - float(arrays["mf_objective"])) + 1e-9
    assert arrays["na_policy_N2"].shape == (2, 36, 3, 2) and arrays["ps_policy_N2"].shape == (36, 3, 2)
    assert -100 < float(arrays["mf_objective"]) < 0
    assert arrays["mf_curve_objective"][-1] == pytest.approx(float(arrays["mf_objective"]))
    assert info["device"] == "cpu" and set(info["times_s"]) == {"mf_s", "na_N1_s", "ps_N1_s", "na_N2_s", "ps_N2_s"}
    # the pieces give the same result as the whole (seeds do not depend on the order of N)
    mf, _ = train_mf(TINY, seed=1, config=CFG, device="cpu")
    n2, _ = train_agents(TINY, 2, seed=1, config=CFG, device="cpu")
    np.testing.assert_array_equal(mf["mf_policy"], arrays["mf_policy"])
    np.testing.assert_array_equal(n2["na_policy_N2"], arrays["na_policy_N2"])
    np.testing.assert_array_equal(n2["ps_eval_N2"], arrays["eval_ps"][1])
    with pytest.raises(ValueError, match="N = \\[1\\]"):
        combine(TINY, mf, [n2])
    partial = combine(TINY, mf, [n2], require_all=False)
    assert partial["n_agents_trained"].tolist() == [2] and partial["exact_na"].tolist() == [float(n2["na_exact_N2"])]
    with pytest.raises(ValueError, match="N = \\[1, 2\\]"):
        combine(TINY, mf, [], require_all=False)
    with pytest.raises(ValueError, match="n_agents"):
        train_agents(TINY, 3, config=CFG, device="cpu")


def test_main_writes_artifact_with_provenance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(train_mfc.BUDGETS, "ci", TINY)
    npz, meta = main(["--budget", "ci", "--seed", "2", "--out", str(tmp_path), "--device", "cpu"], config=CFG)
    record = json.loads(meta.read_text())
    for key in ("command", "seed", "git_commit", "device", "wall_time_s", "budget_settings", "ppo_config"):
        assert key in record
    assert record["seed"] == 2 and record["command"].startswith("python -m mfcode.rl.train_mfc --budget ci")
    loaded = load_artifact(tmp_path, "ci", 2, config=CFG)
    assert loaded is not None
    arrays, _ = loaded
    with np.load(npz) as data:
        np.testing.assert_array_equal(arrays["mf_policy"], data["mf_policy"])
    assert load_artifact(tmp_path, "ci", 2) is None  # Table I config differs from the saved one
    assert load_artifact(tmp_path, "ci", 3, config=CFG) is None


def test_parts_are_merged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(train_mfc.BUDGETS, "ci", TINY)
    base = ["--budget", "ci", "--seed", "0", "--out", str(tmp_path), "--device", "cpu"]
    main([*base, "--part", "mf"], config=CFG)
    main([*base, "--part", "1"], config=CFG)
    assert load_artifact(tmp_path, "ci", 0, config=CFG) is None  # N = 2 still missing
    partial = load_artifact(tmp_path, "ci", 0, config=CFG, require_all=False)
    assert partial is not None
    assert partial[0]["n_agents_trained"].tolist() == [1] and partial[0]["n_agents"].tolist() == [1, 2]
    assert partial[0]["eval_na"].shape == (1, 6) and partial[0]["exact_mf"].shape == (2,)
    assert partial[1]["missing_n"] == [2] and len(partial[1]["parts"]) == 2  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="require_all"):
        load_artifact(tmp_path, "ci", 0, config=CFG, require_all=1)  # type: ignore[arg-type]
    main([*base, "--part", "2"], config=CFG)
    loaded = load_artifact(tmp_path, "ci", 0, config=CFG)
    assert loaded is not None
    arrays, provenance = loaded
    assert arrays["eval_na"].shape == (2, 6) and len(provenance["parts"]) == 3  # type: ignore[arg-type]
    assert arrays["n_agents_trained"].tolist() == [1, 2] and provenance["missing_n"] == []
    assert provenance["command"].count("--part") == 3 and provenance["device"] == "cpu"  # type: ignore[union-attr]
    assert provenance["wall_time_s"] == pytest.approx(sum(r["wall_time_s"] for r in provenance["parts"]))  # type: ignore[attr-defined]
    whole, _ = train_all(TINY, seed=0, config=CFG, device="cpu")
    for key in ("exact_mf", "exact_na", "exact_ps", "mf_policy"):
        np.testing.assert_array_equal(arrays[key], whole[key])
    assert not artifact_paths(tmp_path, "ci", 0)[0].exists()
    with pytest.raises(SystemExit):
        main([*base, "--part", "7"], config=CFG)
