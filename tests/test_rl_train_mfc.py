"""Tests of mfcode.rl.budget, .training, .artifact and the command line mfcode.rl.train_mfc.

A tiny end-to-end run checks the artifact against recomputations with the documented seeds; the
committed paper-scale artifact (artifacts/mfc, from which the book's full-budget ledger is
computed) must load with the ``full`` budget and be internally consistent.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from mfcode.mfc import MFCMDP, SchedulingModel
from mfcode.provenance import jsonable
from mfcode.rl import budget as budget_module
from mfcode.rl.artifact import artifact_paths, combine, file_sha256, load_artifact, part_name
from mfcode.rl.budget import BUDGETS, Budget
from mfcode.rl.config import PPOConfig
from mfcode.rl.evaluation import evaluate_n_agent
from mfcode.rl.mfc_env import MFCEnv, policy_table, stochastic_policy_value
from mfcode.rl.ppo import PPO
from mfcode.rl.train_mfc import main
from mfcode.rl.training import train_agents, train_all, train_mf

TINY = Budget(mf_steps=40, agent_steps=40, n_agents=(1, 2), n_eval_runs=6, horizon=5, eval_horizon=7, num_envs=4)
CFG = PPOConfig(hidden=(8,), train_batch_size=40, sgd_minibatch_size=20, num_sgd_iter=1)
MODEL = SchedulingModel()
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "mfc"


def test_budget_validation() -> None:
    with pytest.raises(ValueError, match="horizon"):
        Budget(1, 1, (1,), horizon=0)
    with pytest.raises(ValueError, match="n_agents"):
        Budget(1, 1, (0,))
    with pytest.raises(ValueError, match="n_agents"):
        Budget(1, 1, ())
    with pytest.raises(ValueError, match="n_agents"):
        Budget(1, 1, (2, 2))
    with pytest.raises(ValueError, match="agent_steps"):
        Budget(1, -1, (1,))


def test_committed_artifact_is_the_full_budget_and_consistent() -> None:
    loaded = load_artifact(ARTIFACTS, "full", 0, require_all=False)
    assert loaded is not None, "artifacts/mfc no longer matches BUDGETS['full'] and Table I"
    arrays, provenance = loaded
    full = BUDGETS["full"]
    assert all(part["budget_settings"] == jsonable(full) for part in provenance["parts"])
    assert arrays["n_agents"].tolist() == list(full.n_agents)
    trained = arrays["n_agents_trained"].tolist()
    assert provenance["missing_n"] == [n for n in full.n_agents if n not in trained]
    assert arrays["eval_mf"].shape == (len(full.n_agents), full.n_eval_runs)
    assert arrays["eval_na"].shape == arrays["eval_ps"].shape == (len(trained), full.n_eval_runs)
    # the stored exact J^N is that of the stored policy (recomputed here), and its Monte Carlo returns
    # agree with it within their confidence interval (plus the tail the 1000 steps miss)
    exact, _ = evaluate_n_agent(MODEL, arrays["mf_policy"], 2, 1, 1, np.random.default_rng(0))
    assert exact == pytest.approx(float(arrays["exact_mf"][full.n_agents.index(2)]), rel=1e-10)
    bias = MODEL.gamma**full.eval_horizon * MODEL.drop_penalty * MODEL.arrivals_per_step / (1 - MODEL.gamma)
    for m, ns in (("mf", list(full.n_agents)), ("na", trained), ("ps", trained)):
        for i in range(len(ns)):
            returns = arrays[f"eval_{m}"][i]
            se = returns.std(ddof=1) / np.sqrt(returns.size)
            assert abs(returns.mean() - arrays[f"exact_{m}"][i]) <= 4 * se + bias, (m, ns[i])
    assert float(arrays["mf_objective"]) == pytest.approx(MFCMDP(MODEL).objective(arrays["mf_policy"]), rel=1e-10)


def test_train_all_is_what_its_docstrings_say() -> None:
    arrays, info = train_all(TINY, seed=1, config=CFG, device="cpu")
    mdp = MFCMDP(MODEL)
    assert arrays["mf_policy"].shape == arrays["mf_policy_avg"].shape == (36, 3, 2)
    assert arrays["na_policy_N2"].shape == (2, 36, 3, 2) and arrays["ps_policy_N2"].shape == (36, 3, 2)
    for m in ("mf", "na", "ps"):
        assert arrays[f"eval_{m}"].shape == (2, 6) and arrays[f"exact_{m}"].shape == (2,)
    # exact values and Monte Carlo returns are those of the stored tables, with the documented seeds
    for i, n in enumerate(TINY.n_agents):
        for index, m in enumerate(("mf", "na", "ps")):
            table = arrays["mf_policy"] if m == "mf" else arrays[f"{m}_policy_N{n}"]
            exact, returns = evaluate_n_agent(MODEL, table, n, TINY.eval_horizon, TINY.n_eval_runs, np.random.default_rng([1, n, index]))
            assert arrays[f"exact_{m}"][i] == exact
            np.testing.assert_array_equal(arrays[f"eval_{m}"][i], returns)
    # the MF arrays are those of the learner whose parameters are stored
    learner = PPO(MFCEnv(mdp, num_envs=TINY.num_envs).spec, CFG, device="cpu")
    learner.load_parameters_numpy({k.removeprefix("mf_param/"): v for k, v in arrays.items() if k.startswith("mf_param/")})
    np.testing.assert_array_equal(policy_table(learner, mdp), arrays["mf_policy"])
    np.testing.assert_array_equal(policy_table(learner, mdp, n_samples=500, seed=1), arrays["mf_policy_avg"])
    assert float(arrays["mf_objective"]) == mdp.objective(arrays["mf_policy"])
    stochastic = mdp.initial_distribution @ stochastic_policy_value(learner, mdp, n_samples=500, seed=1)
    assert float(arrays["mf_objective_stochastic"]) == pytest.approx(stochastic, rel=1e-12)
    assert arrays["mf_curve_objective"][-1] == pytest.approx(float(arrays["mf_objective"]))
    assert arrays["mf_curve_steps"].tolist() == [40]  # one iteration of 40 system steps
    assert info["device"] == "cpu" and set(info["times_s"]) == {"mf_s", "na_N1_s", "ps_N1_s", "na_N2_s", "ps_N2_s"}  # type: ignore[arg-type]
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
    with pytest.raises(TypeError, match="budget"):
        train_mf("ci", config=CFG)  # type: ignore[arg-type]


def test_artifact_paths_and_parts(tmp_path: Path) -> None:
    assert part_name("all") == "all" and part_name("mf") == "mf" and part_name(3) == "N3" and part_name("N3") == "N3"
    npz, meta = artifact_paths(tmp_path, "full", 0, 4)
    assert (npz.name, meta.name) == ("mfc_learners_full_seed0_N4.npz", "mfc_learners_full_seed0_N4.json")
    assert artifact_paths(tmp_path, "ci", 2)[0].name == "mfc_learners_ci_seed2.npz"
    with pytest.raises(ValueError, match="part"):
        part_name(0)
    with pytest.raises(TypeError, match="part"):
        part_name("n3")
    with pytest.raises(ValueError, match="seed"):
        artifact_paths(tmp_path, "ci", -1)
    with pytest.raises(ValueError, match="budget_name"):
        load_artifact(tmp_path, "nonexistent", 0)


def test_main_writes_artifact_with_provenance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(budget_module.BUDGETS, "ci", TINY)
    npz, meta = main(["--budget", "ci", "--seed", "2", "--out", str(tmp_path), "--device", "cpu"], config=CFG)
    record = json.loads(meta.read_text())
    assert set(record) == {"command", "budget", "part", "budget_settings", "seed", "git_commit", "torch", "threads",
                           "ppo_config", "wall_time_s", "device", "times_s", "npz_sha256"}
    assert record["command"] == f"python -m mfcode.rl.train_mfc --budget ci --seed 2 --out {tmp_path} --device cpu"
    assert record["seed"] == 2 and record["part"] == "all" and record["budget_settings"] == jsonable(TINY)
    assert record["npz_sha256"] == file_sha256(npz)
    assert record["ppo_config"] == jsonable(CFG) and record["device"] == "cpu"
    loaded = load_artifact(tmp_path, "ci", 2, config=CFG)
    assert loaded is not None
    arrays, _ = loaded
    with np.load(npz) as data:
        assert set(data.files) == set(arrays)
        np.testing.assert_array_equal(arrays["mf_policy"], data["mf_policy"])
    assert load_artifact(tmp_path, "ci", 2) is None  # Table I config differs from the saved one
    assert load_artifact(tmp_path, "ci", 3, config=CFG) is None


def test_parts_are_merged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(budget_module.BUDGETS, "ci", TINY)
    base = ["--budget", "ci", "--seed", "0", "--out", str(tmp_path), "--device", "cpu"]
    main([*base, "--part", "mf"], config=CFG)
    main([*base, "--part", "1"], config=CFG)
    assert load_artifact(tmp_path, "ci", 0, config=CFG) is None  # N = 2 still missing
    partial = load_artifact(tmp_path, "ci", 0, config=CFG, require_all=False)
    assert partial is not None
    assert partial[0]["n_agents_trained"].tolist() == [1] and partial[0]["n_agents"].tolist() == [1, 2]
    assert partial[0]["eval_na"].shape == (1, 6) and partial[0]["exact_mf"].shape == (2,)
    assert partial[1]["missing_n"] == [2] and len(partial[1]["parts"]) == 2
    assert [p["part"] for p in partial[1]["parts"]] == ["mf", "N1"]
    with pytest.raises(TypeError, match="require_all"):
        load_artifact(tmp_path, "ci", 0, config=CFG, require_all=1)  # type: ignore[arg-type]
    main([*base, "--part", "2"], config=CFG)
    loaded = load_artifact(tmp_path, "ci", 0, config=CFG)
    assert loaded is not None
    arrays, provenance = loaded
    assert arrays["eval_na"].shape == (2, 6) and len(provenance["parts"]) == 3
    assert arrays["n_agents_trained"].tolist() == [1, 2] and provenance["missing_n"] == []
    assert provenance["command"].count("--part") == 3 and provenance["device"] == "cpu"
    assert provenance["wall_time_s"] == pytest.approx(sum(r["wall_time_s"] for r in provenance["parts"]))
    whole, _ = train_all(TINY, seed=0, config=CFG, device="cpu")
    assert set(whole) == set(arrays)
    for key in whole:
        np.testing.assert_array_equal(arrays[key], whole[key], err_msg=key)
    assert not artifact_paths(tmp_path, "ci", 0)[0].exists()
    with pytest.raises(SystemExit):
        main([*base, "--part", "7"], config=CFG)
    with pytest.raises(SystemExit):
        main(["--budget", "ci", "--seed", "-1", "--out", str(tmp_path)], config=CFG)
