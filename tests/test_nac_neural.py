"""NAC-NN (mfcode.nac.neural, mfcode.nac.neural_update): the update, the KL rule, the loop on SIS against the exact NE."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
import torch

from mfcode.mfg import games
from mfcode.mfg.exploitability import exploitability
from mfcode.mfg.solvers import solve_equilibrium
from mfcode.mfg.stationary import StationaryMFG
from mfcode.nac.neural import NeuralNACConfig, _Simulator, neural_nac
from mfcode.nac.neural_update import (
    ActorCritic,
    TransitionBatch,
    UpdateSettings,
    adapt_kl_coefficient,
    critic_update,
    update,
)
from mfcode.nac.scoring import exploitability as batch_exploitability

LAM = 0.1

# The book's fast SIS setting for tests (each choice against the App. E defaults, all for a run of a
# few seconds): learning rates 10-30x App. E's 3e-4 so that 400 iterations suffice; one minibatch of
# the whole batch (32) and 2 epochs instead of minibatches of 5 and 5 epochs (10x fewer Adam steps);
# d_targ = 0.001 rather than 0.01 because SIS's equilibrium advantage in state S is only
# lambda*log(0.39/0.61) = -0.045, far below the critic's noise, so a KL step of 0.01 per iteration
# (with these learning rates) walks the policy in S across the whole simplex; beta = 0.02 (App. D's
# SIS value is 0.01) keeps the mean field slower than the critic's averaging window.
FAST = NeuralNACConfig(
    iterations=400, temperature=LAM, mean_field_step=0.02, actor_lr=3e-3, critic_lr=1e-2,
    epochs=2, minibatch_size=32, kl_target=0.001, score_every=100,
)
TINY = NeuralNACConfig(iterations=6, temperature=LAM, mean_field_step=0.1, minibatch_size=16, epochs=1, score_every=2)


@pytest.fixture(autouse=True)
def _one_thread() -> Iterator[None]:
    """Small networks run fastest (and reproducibly) on one CPU thread."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _generator(seed: int = 0) -> torch.Generator:
    g = torch.Generator()
    g.manual_seed(seed)
    return g


# ------------------------------------------------------------------------------------------------
# The loop on SIS
# ------------------------------------------------------------------------------------------------


def test_sis_learns_the_regularized_equilibrium() -> None:
    """Against solve_equilibrium's exact NE (pi*, mu*) of the stationary SIS game at lambda = 0.1.

    The iterates keep moving by about d_targ in KL per iteration around the NE (the adaptive rule
    holds the step size, and the critic's noise sets the direction where the advantage is as flat as
    in state S), so the claims are about the average of the second half of the run, Theorem 1's
    averaged pair after a burn-in, and about state I, where the advantage (-0.5) dwarfs the noise.
    Tolerances, each a small fraction of the uniform policy's value: exploitability 0.1 (uniform
    0.79; 12 seeds measured at most 0.05), Theorem 1's D(pi*, pi_bar) + ||mu* - mu_bar||_1 at most
    0.2 (uniform pair 0.97; measured at most 0.1), pi(D|I) at most 0.05 (pi* 0.0067, uniform 0.5).
    """
    game = games.sis()
    eq = solve_equilibrium(game, LAM)
    d_star = game.visitation(eq.policy, eq.mean_field)
    run = neural_nac(game, config=FAST, n_seeds=4, seed=0)
    half = run.iterations // 2
    pi_bar = run.policies[:, half:].mean(axis=1)
    mu_bar = run.mean_fields[:, half:-1].mean(axis=1)

    uniform = exploitability(game, game.uniform_policy(), LAM)
    assert uniform > 0.75
    assert np.all(run.exploitability[:, 0] > 0.75)  # the first policy is (nearly) uniform
    assert np.all(batch_exploitability(game, pi_bar, LAM) < 0.1)

    distance = np.abs(pi_bar - eq.policy).sum(-1) @ d_star + np.abs(mu_bar - eq.mean_field).sum(-1)
    uniform_distance = np.abs(game.uniform_policy() - eq.policy).sum(-1) @ d_star + np.abs(game.initial - eq.mean_field).sum()
    assert uniform_distance > 0.9
    assert np.all(distance < 0.2)
    assert np.all(run.policies[:, -1, 1, 0] < 0.05)


def test_run_records_the_exact_mean_field_step_and_scores() -> None:
    """mu_{t+1} = (1 - beta) mu_t + beta Gamma_2(pi_t, mu_t) with the stored tables, scored by mfcode.mfg's exploitability."""
    game = games.sis()
    run = neural_nac(game, config=TINY, n_seeds=3, seed=5)
    assert run.name == "NAC-NN" and run.parameters is None and run.seed == 5
    assert run.policies.shape == (3, 6, 2, 2) and run.mean_fields.shape == (3, 7, 2)
    np.testing.assert_allclose(run.policies.sum(-1), 1.0, atol=1e-12)
    np.testing.assert_allclose(run.policies[:, 0], 0.5, atol=0.05)  # actor head initialised near 0 (theta_0 = 0)
    np.testing.assert_array_equal(run.mean_fields[:, 0], np.tile(game.initial, (3, 1)))
    beta = TINY.mean_field_step
    for i in range(3):
        for t in range(run.iterations):
            mu, pi = run.mean_fields[i, t], run.policies[i, t]
            np.testing.assert_allclose(run.mean_fields[i, t + 1], (1 - beta) * mu + beta * game.push_forward(pi, mu), atol=1e-14)
    np.testing.assert_array_equal(run.scored_at, [0, 2, 4, 5])
    expected = [[exploitability(game, run.policies[i, t], LAM) for t in run.scored_at] for i in range(3)]
    np.testing.assert_allclose(run.exploitability, expected, atol=1e-10)


def test_batch_is_reproducible() -> None:
    """One generator drives the batch: same seed, same run; another seed, another run.

    Member i of an n-seed batch is not a 1-seed run (the initial weights are slices of joint
    draws); the members' independence is tested on the update instead.
    """
    game = games.sis()
    a = neural_nac(game, config=TINY, n_seeds=2, seed=1)
    b = neural_nac(game, config=TINY, n_seeds=2, seed=1)
    c = neural_nac(game, config=TINY, n_seeds=2, seed=2)
    np.testing.assert_array_equal(a.policies, b.policies)
    np.testing.assert_array_equal(a.mean_fields, b.mean_fields)
    np.testing.assert_array_equal(a.exploitability, b.exploitability)
    assert not np.array_equal(a.policies[:, -1], c.policies[:, -1])
    assert not np.array_equal(a.policies[0, -1], a.policies[1, -1])


def test_runs_on_lq() -> None:
    """LQ (25 states, 7 actions, a kernel that ignores mu, handed over as a read-only broadcast view) runs and gives valid tables."""
    run = neural_nac(games.lq(), config=TINY, n_seeds=1, seed=0)  # one seed: the view is contiguous, so nothing else copies it
    assert run.policies.shape == (1, 6, 25, 7)
    np.testing.assert_allclose(run.policies.sum(-1), 1.0, atol=1e-12)
    assert np.isfinite(run.exploitability).all() and np.all(run.exploitability > 0)


def test_encoding_of_another_width() -> None:
    """A one-dimensional state encoding (k = 1 instead of the one-hot k = S) runs and gives valid tables."""
    run = neural_nac(games.sis(), config=TINY, n_seeds=2, seed=0, encoding=[[-1.0], [1.0]])
    np.testing.assert_allclose(run.policies.sum(-1), 1.0, atol=1e-12)
    assert np.isfinite(run.exploitability).all()


def test_rollout_visits_the_discounted_visitation() -> None:
    """The restart chain's states follow d^pi_mu, its actions pi and its transitions the kernel and rewards (SIS at mu = rho)."""
    game = games.sis()
    pi = np.array([[0.3, 0.7], [0.6, 0.4]])
    mu = game.initial
    n, e, steps = 2, 2000, 40
    sim = _Simulator(
        torch.tensor(np.tile(pi, (n, 1, 1))), torch.tensor(np.tile(game.reward(mu), (n, 1, 1))),
        torch.tensor(np.tile(game.transition(mu), (n, 1, 1, 1))), torch.tensor(game.initial), game.gamma,
    )
    g = _generator(3)
    states = torch.zeros((n, e), dtype=torch.int64)
    _, states = sim.rollout(states, 60, torch.eye(2), g)  # burn-in: the restart chain mixes at rate gamma
    batch, _ = sim.rollout(states, steps, torch.eye(2), g)
    s = batch.obs.argmax(-1).numpy()
    freq = (s == 0).mean()
    d = game.visitation(pi, mu)
    # n * e * steps = 160000 correlated draws; the restart chain decorrelates within ~1/(1-gamma) = 10 steps
    assert abs(freq - d[0]) < 0.01
    a = batch.actions.numpy()
    assert abs((a[s == 1] == 0).mean() - pi[1, 0]) < 0.01
    nxt = batch.next_obs.argmax(-1).numpy()
    infect = (nxt[(s == 0) & (a == 1)] == 1).mean()
    assert abs(infect - game.transition(mu)[0, 1, 1]) < 0.01
    r = batch.rewards.numpy()
    np.testing.assert_allclose(r, game.reward(mu)[s, a], atol=1e-6)


# ------------------------------------------------------------------------------------------------
# The update
# ------------------------------------------------------------------------------------------------


def _iid_batch(game: StationaryMFG, pi: np.ndarray, mu: np.ndarray, n: int, b: int, rng: np.random.Generator) -> TransitionBatch:
    """Independent (s, a, r, s') with s ~ d^pi_mu exactly, a ~ pi, s' ~ P (numpy, independent of the module's sampler)."""
    d = game.visitation(pi, mu)
    kernel, reward = game.transition(mu), game.reward(mu)
    s = rng.choice(game.n_states, size=(n, b), p=d)
    a = (rng.random((n, b))[..., None] > np.cumsum(pi[s], -1)).sum(-1)
    nxt = (rng.random((n, b))[..., None] > np.cumsum(kernel[s, a], -1)).sum(-1)
    eye = torch.eye(game.n_states)
    return TransitionBatch(eye[torch.from_numpy(s)], torch.from_numpy(a).long(), torch.tensor(reward[s, a], dtype=torch.float32), eye[torch.from_numpy(nxt)])


def test_critic_converges_to_the_exact_soft_q() -> None:
    """At a fixed policy and mean field, TD(0) on sampled transitions reaches Q^{pi,lambda}_mu of the exact linear solve.

    SIS with gamma = 0.5 and lambda = 1 (values of order 1 that TD settles in a few hundred steps;
    with lambda = 1 a target without the entropy term would be off by gamma log 2 / (1 - gamma) =
    0.69). Tolerance 0.1: Adam's jitter at the final lr 1e-3 with 128 samples per step (measured
    errors at most 0.05 over three seeds).
    """
    lam = 1.0
    game = games.sis(gamma=0.5)
    mu = solve_equilibrium(game, lam).mean_field
    learner = ActorCritic(2, 2, 2, _generator(0), critic_lr=1e-2)
    pi = learner.policy_table(torch.eye(2))[0]
    exact = game.evaluate(pi, game.dynamics_at(mu), lam).q
    settings = UpdateSettings(lam, game.gamma, lam, epochs=1, minibatch_size=128)
    rng, g = np.random.default_rng(0), _generator(1)
    for step in range(500):
        if step == 300:
            for group in learner.critic_optimizer.param_groups:
                group["lr"] = 1e-3
        critic_update(learner, _iid_batch(game, pi, mu, 2, 128, rng), settings, g)
    with torch.no_grad():
        q_hat = learner.critic(torch.eye(2).expand(2, 2, 2)).numpy()
    np.testing.assert_allclose(q_hat, np.broadcast_to(exact, q_hat.shape), atol=0.1)
    np.testing.assert_array_equal(learner.policy_table(torch.eye(2))[0], pi)  # the critic step leaves the actor alone


def test_update_members_are_independent() -> None:
    """Member 0's networks after an update do not depend on member 1's data (batched bmm, summed losses, element-wise Adam)."""
    game = games.sis()
    settings = UpdateSettings(LAM, game.gamma, LAM, epochs=2, minibatch_size=8)
    pi, mu = np.full((2, 2), 0.5), game.initial
    base = _iid_batch(game, pi, mu, 2, 32, np.random.default_rng(0))
    other = _iid_batch(game, pi, mu, 2, 32, np.random.default_rng(1))

    def mixed(member1: TransitionBatch) -> TransitionBatch:
        return TransitionBatch(*(torch.stack([getattr(base, f)[0], getattr(member1, f)[1]]) for f in ("obs", "actions", "rewards", "next_obs")))

    results = []
    for batch in (mixed(base), mixed(other)):
        learner = ActorCritic(2, 2, 2, _generator(7), actor_lr=1e-2, critic_lr=1e-2)
        stats = update(learner, batch, settings, _generator(8))
        params = [p.detach()[0].clone() for net in (learner.actor, learner.critic) for p in net.parameters()]
        results.append((params, stats, [p.detach()[1].clone() for p in learner.actor.parameters()]))
    (p_a, s_a, m1_a), (p_b, s_b, m1_b) = results
    assert all(torch.equal(x, y) for x, y in zip(p_a, p_b, strict=True))
    assert s_a.kl[0] == s_b.kl[0] and s_a.critic_loss[0] == s_b.critic_loss[0] and s_a.kl_coeff[0] == s_b.kl_coeff[0]
    assert not all(torch.equal(x, y) for x, y in zip(m1_a, m1_b, strict=True))  # member 1 did see other data
    assert s_a.kl[0] > 0 and s_a.kl_coeff.shape == (2,)


def test_actor_update_moves_towards_the_larger_advantage() -> None:
    """With a critic that has learnt the exact soft Q of SIS's state I (D costs 0.5 more than U), the actor lowers pi(D|I)."""
    game = games.sis()
    mu = solve_equilibrium(game, LAM).mean_field
    learner = ActorCritic(1, 2, 2, _generator(0), actor_lr=1e-2, critic_lr=3e-2)
    settings = UpdateSettings(LAM, game.gamma, LAM, epochs=1, minibatch_size=256)
    pi0 = learner.policy_table(torch.eye(2))[0]
    rng, g = np.random.default_rng(2), _generator(2)
    for _ in range(60):
        update(learner, _iid_batch(game, learner.policy_table(torch.eye(2))[0], mu, 1, 256, rng), settings, g)
    pi = learner.policy_table(torch.eye(2))[0]
    assert pi[1, 0] < pi0[1, 0] - 0.2


# ------------------------------------------------------------------------------------------------
# The adaptive KL rule
# ------------------------------------------------------------------------------------------------


def test_adaptive_kl_rule() -> None:
    """PPO paper §4: halve below d_targ/1.5, double above 1.5 d_targ, keep in between (ends included); then the floor."""
    target = 0.01
    beta = torch.tensor([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.3])
    kl = torch.tensor([0.0, 0.0066, target / 1.5, 0.01, 0.015, 0.02, 0.001])
    out = adapt_kl_coefficient(beta, kl, target, floor=0.2)
    torch.testing.assert_close(out, torch.tensor([0.5, 0.5, 1.0, 1.0, 1.0, 2.0, 0.2]))
    assert adapt_kl_coefficient(torch.tensor([8.0]), torch.tensor([1.0]), target, floor=0.1).item() == 16.0
    with pytest.raises(ValueError, match="shape"):
        adapt_kl_coefficient(torch.ones(2), torch.ones(3), target, floor=0.1)
    with pytest.raises(ValueError, match="kl_target"):
        adapt_kl_coefficient(torch.ones(2), torch.ones(2), 0.0, floor=0.1)
    with pytest.raises(ValueError, match="floor"):
        adapt_kl_coefficient(torch.ones(2), torch.ones(2), target, floor=0.0)
    with pytest.raises(TypeError, match="tensors"):
        adapt_kl_coefficient(np.ones(2), torch.ones(2), target, floor=0.1)  # type: ignore[arg-type]


def test_update_adapts_the_coefficient() -> None:
    """A step far above target doubles beta_KL; a step far below halves it (down to the floor lambda)."""
    game = games.sis()
    batch = _iid_batch(game, np.full((2, 2), 0.5), game.initial, 1, 64, np.random.default_rng(0))
    big = ActorCritic(1, 2, 2, _generator(0), actor_lr=0.3, kl_coeff=1.0)
    stats = update(big, batch, UpdateSettings(LAM, game.gamma, LAM, kl_target=1e-6), _generator(1))
    assert stats.kl[0] > 1.5e-6 and stats.kl_coeff[0] == 2.0
    small = ActorCritic(1, 2, 2, _generator(0), actor_lr=1e-9, kl_coeff=0.15)
    stats = update(small, batch, UpdateSettings(LAM, game.gamma, LAM, kl_target=1.0), _generator(1))
    assert stats.kl[0] < 1.0 / 1.5 and stats.kl_coeff[0] == pytest.approx(LAM)


# ------------------------------------------------------------------------------------------------
# Devices and bad input
# ------------------------------------------------------------------------------------------------


def test_device_validation() -> None:
    sis = games.sis()
    with pytest.raises(TypeError, match="device"):
        neural_nac(sis, config=TINY, n_seeds=1, seed=0, device=0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="device"):
        neural_nac(sis, config=TINY, n_seeds=1, seed=0, device="not-a-device")
    with pytest.raises(ValueError, match="'cpu' or 'cuda'"):
        neural_nac(sis, config=TINY, n_seeds=1, seed=0, device="meta")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="'cuda' was requested but CUDA is not available"):
            neural_nac(sis, config=TINY, n_seeds=1, seed=0, device="cuda")
        run = neural_nac(sis, config=TINY, n_seeds=1, seed=0, device=None)  # None: CUDA if available, here the CPU
        np.testing.assert_array_equal(run.policies, neural_nac(sis, config=TINY, n_seeds=1, seed=0).policies)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_runs_on_cuda() -> None:
    run = neural_nac(games.sis(), config=TINY, n_seeds=2, seed=0, device="cuda")
    np.testing.assert_allclose(run.policies.sum(-1), 1.0, atol=1e-12)
    assert np.isfinite(run.exploitability).all()


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("iterations", 0, ValueError),
        ("iterations", 2.5, TypeError),
        ("temperature", 0.0, ValueError),
        ("mean_field_step", 1.5, ValueError),
        ("hidden_units", 0, ValueError),
        ("activation", "sigmoid", ValueError),
        ("actor_lr", 0.0, ValueError),
        ("critic_lr", -1.0, ValueError),
        ("epochs", 0, ValueError),
        ("minibatch_size", 0, ValueError),
        ("kl_target", 0.0, ValueError),
        ("kl_coeff", float("nan"), ValueError),
        ("n_envs", 0, ValueError),
        ("rollout_length", True, TypeError),
        ("score_every", 7, ValueError),
    ],
)
def test_config_rejects_bad_values(field: str, value: object, error: type[Exception]) -> None:
    kwargs = {"iterations": 6, "score_every": 1, field: value}
    with pytest.raises(error, match=field):
        NeuralNACConfig(**kwargs)  # type: ignore[arg-type]


def test_neural_nac_rejects_bad_arguments() -> None:
    sis = games.sis()
    with pytest.raises(TypeError, match="game"):
        neural_nac(games.sis_episodic(), config=TINY, n_seeds=1, seed=0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="config"):
        neural_nac(sis, config={"iterations": 3}, n_seeds=1, seed=0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="n_seeds"):
        neural_nac(sis, config=TINY, n_seeds=0, seed=0)
    with pytest.raises(ValueError, match="seed"):
        neural_nac(sis, config=TINY, n_seeds=1, seed=-1)
    with pytest.raises(TypeError, match="progress"):
        neural_nac(sis, config=TINY, n_seeds=1, seed=0, progress="yes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="encoding"):
        neural_nac(sis, config=TINY, n_seeds=1, seed=0, encoding=np.eye(3))
    with pytest.raises(TypeError, match="encoding"):
        neural_nac(sis, config=TINY, n_seeds=1, seed=0, encoding=np.eye(2, dtype=bool))
    with pytest.raises(ValueError, match="encoding"):
        neural_nac(sis, config=TINY, n_seeds=1, seed=0, encoding=[[np.inf], [0.0]])


def test_update_pieces_reject_bad_arguments() -> None:
    with pytest.raises(ValueError, match="discount"):
        UpdateSettings(LAM, 1.0, LAM)
    with pytest.raises(ValueError, match="min_kl_coeff"):
        UpdateSettings(LAM, 0.9, 0.0)
    with pytest.raises(ValueError, match="temperature"):
        UpdateSettings(-0.1, 0.9, LAM)
    with pytest.raises(ValueError, match="minibatch_size"):
        UpdateSettings(LAM, 0.9, LAM, minibatch_size=0)
    obs = torch.zeros(2, 4, 3)
    with pytest.raises(ValueError, match="actions and rewards"):
        TransitionBatch(obs, torch.zeros(2, 5, dtype=torch.int64), torch.zeros(2, 4), obs)
    with pytest.raises(ValueError, match="next_obs"):
        TransitionBatch(obs, torch.zeros(2, 4, dtype=torch.int64), torch.zeros(2, 4), torch.zeros(2, 4, 2))
    with pytest.raises(TypeError, match="int64"):
        TransitionBatch(obs, torch.zeros(2, 4), torch.zeros(2, 4), obs)
    with pytest.raises(TypeError, match="rewards"):
        TransitionBatch(obs, torch.zeros(2, 4, dtype=torch.int64), np.zeros((2, 4)), obs)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="generator"):
        ActorCritic(2, 3, 2, np.random.default_rng(0))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="actor_lr"):
        ActorCritic(2, 3, 2, _generator(), actor_lr=0.0)
    learner = ActorCritic(2, 3, 2, _generator())
    batch = TransitionBatch(torch.zeros(3, 4, 3), torch.zeros(3, 4, dtype=torch.int64), torch.zeros(3, 4), torch.zeros(3, 4, 3))
    with pytest.raises(ValueError, match="members"):
        update(learner, batch, UpdateSettings(LAM, 0.9, LAM), _generator())
    with pytest.raises(TypeError, match="settings"):
        update(learner, batch, {"temperature": LAM}, _generator())  # type: ignore[arg-type]
