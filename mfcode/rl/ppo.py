"""Proximal policy optimisation with a clipped surrogate and an adaptive KL penalty (RLlib 1.x).

Seed ``002_7da79a39441e57df.txt``, Sec. VI trains every policy "via the PPO algorithm [31] using
the RLlib 1.2.0 Pytorch implementation" with the settings of Table I (:class:`~.config.PPOConfig`).
This module reimplements that algorithm. Per learner and per SGD minibatch the loss is

.. math::
    L(\\theta, \\psi) = \\mathbb E\\Big[-\\min\\big(\\rho_t \\hat A_t,\\;
        \\mathrm{clip}(\\rho_t, 1-\\epsilon, 1+\\epsilon)\\hat A_t\\big)
      + \\beta\\,\\mathrm{KL}\\big(\\pi_{\\theta_\\text{old}}(\\cdot|s_t)\\,\\|\\,\\pi_\\theta(\\cdot|s_t)\\big)
      + c_V \\max\\big((V_\\psi(s_t) - \\hat R_t)^2,
        (V_\\text{old} + \\mathrm{clip}(V_\\psi(s_t) - V_\\text{old}, \\pm v_\\text{clip}) - \\hat R_t)^2\\big)
      - c_H\\,\\mathcal H(\\pi_\\theta(\\cdot|s_t))\\Big],

with ratio ``rho_t = pi_theta(a_t|s_t) / pi_old(a_t|s_t)``, GAE advantages (:func:`~.gae.gae`,
standardised per batch) and targets ``R_t``. After the ``num_sgd_iter`` epochs of an iteration the
KL coefficient ``beta`` adapts to the mean KL of the last epoch (:func:`update_kl_coeff`).

The policy is a separate actor and critic (:class:`~.networks.EnsembleMLP`), each holding ``K``
independent members: ``K = 1`` for one policy (the mean-field solver MF and the parameter-shared
baseline PS), ``K = N`` for independent learners (NA). Everything is batched over learners and
environment copies; ``device=None`` selects CUDA when available. Given a seed, a run is
deterministic on a given device (all randomness flows from one ``torch.Generator`` and the
environment's own seed).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from gymnasium import spaces
from numpy.typing import NDArray
from tqdm.std import tqdm  # plain text bars on stderr (no ipywidgets needed; the book drops stderr)

from mfcode.arrays import BoolArray, FloatArray, IntArray
from mfcode.limits import check_steps
from mfcode.rl.config import PPOConfig, rollout_length
from mfcode.rl.distributions import make_distribution
from mfcode.rl.env import EnvSpec, StepResult, VectorEnv
from mfcode.rl.gae import gae
from mfcode.rl.networks import EnsembleMLP, resolve_device
from mfcode.validation import check_bool, check_int, check_real

__all__ = ["PPO", "Rollout", "TrainHistory", "clip_grad_norm_per_learner", "resolve_device", "update_kl_coeff"]


def update_kl_coeff(kl_coeff: torch.Tensor, sampled_kl: torch.Tensor, kl_target: float) -> torch.Tensor:
    """RLlib's adaptive KL rule: ``beta <- 1.5 beta`` if ``KL > 2 d_targ``, ``0.5 beta`` if
    ``KL < d_targ / 2``, unchanged otherwise (element-wise over learners).

    Parameters
    ----------
    kl_coeff, sampled_kl
        Tensors of shape ``(K,)``.
    kl_target
        ``d_targ`` (Table I: 0.01).
    """
    for name, tensor in (("kl_coeff", kl_coeff), ("sampled_kl", sampled_kl)):
        if not isinstance(tensor, torch.Tensor) or not tensor.is_floating_point():
            raise TypeError(f"{name} must be a floating-point torch.Tensor, got {type(tensor).__name__}")
    if kl_coeff.shape != sampled_kl.shape:
        raise ValueError(f"sampled_kl must have the shape of kl_coeff {tuple(kl_coeff.shape)}, got {tuple(sampled_kl.shape)}")
    kl_target = check_real(kl_target, "kl_target", low=0.0, low_open=True)
    factor = torch.where(
        sampled_kl > 2.0 * kl_target,
        torch.full_like(kl_coeff, 1.5),
        torch.where(sampled_kl < 0.5 * kl_target, torch.full_like(kl_coeff, 0.5), torch.ones_like(kl_coeff)),
    )
    return kl_coeff * factor


def clip_grad_norm_per_learner(params: list[torch.nn.Parameter], max_norm: float) -> torch.Tensor:
    """Rescale the gradients of each ensemble member to global norm at most ``max_norm``, in place.

    ``params`` have a leading learner axis ``K``; member ``k``'s norm is taken over slice ``k`` of
    every parameter (the per-learner analogue of ``torch.nn.utils.clip_grad_norm_``). Returns the
    norms before clipping, shape ``(K,)``.
    """
    max_norm = check_real(max_norm, "max_norm", low=0.0, low_open=True)
    if not isinstance(params, (list, tuple)) or not all(isinstance(p, torch.Tensor) for p in params):
        raise TypeError(f"params must be a list of tensors (parameters), got {type(params).__name__}")
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        raise ValueError("params have no gradients")
    norms = torch.stack([g.pow(2).reshape(g.shape[0], -1).sum(1) for g in grads]).sum(0).sqrt()
    scale = (max_norm / (norms + 1e-6)).clamp(max=1.0)
    for g in grads:
        g.mul_(scale.reshape(-1, *([1] * (g.ndim - 1))))
    return norms


@dataclass
class Rollout:
    """One iteration's training batch, flattened to ``(K, n, ...)`` with ``n = T E`` samples.

    Attributes
    ----------
    obs, actions, dist_outputs, logp, values, advantages, value_targets
        Tensors on the learner's device; ``actions`` are the unclipped samples.
    episode_returns
        Per learner, the undiscounted returns of the episodes that ended during the rollout.
    env_steps
        Environment steps the rollout took (counted as in :class:`~.env.EnvSpec`).
    """

    obs: torch.Tensor
    actions: torch.Tensor
    dist_outputs: torch.Tensor
    logp: torch.Tensor
    values: torch.Tensor
    advantages: torch.Tensor
    value_targets: torch.Tensor
    episode_returns: list[list[float]]
    env_steps: int


def _check_rollout(batch: Rollout, k: int, obs_dim: int, n_outputs: int) -> None:
    """The tensors of a batch have the shapes :meth:`PPO.collect` gives them (O(1): no values are scanned)."""
    logp = batch.logp
    if not isinstance(logp, torch.Tensor) or logp.ndim != 2 or logp.shape[0] != k or logp.shape[1] == 0:
        raise ValueError(f"batch.logp must be a tensor of shape (K={k}, n >= 1), got {getattr(logp, 'shape', type(logp).__name__)}")
    n = logp.shape[1]
    want = {"obs": (k, n, obs_dim), "dist_outputs": (k, n, n_outputs), "values": (k, n), "advantages": (k, n), "value_targets": (k, n)}
    for name, shape in want.items():
        tensor = getattr(batch, name)
        if not isinstance(tensor, torch.Tensor) or not tensor.is_floating_point() or tuple(tensor.shape) != shape:
            raise ValueError(f"batch.{name} must be a float tensor of shape {shape}, got {getattr(tensor, 'shape', type(tensor).__name__)}")
    if not isinstance(batch.actions, torch.Tensor) or tuple(batch.actions.shape[:2]) != (k, n):
        raise ValueError(f"batch.actions must be a tensor of shape ({k}, {n}, ...), got {getattr(batch.actions, 'shape', None)}")


@dataclass
class TrainHistory:
    """Per-iteration training statistics (arrays of shape ``(iterations, K)`` unless noted).

    Attributes
    ----------
    env_steps
        ``(iterations,)`` cumulative environment steps.
    episode_return_mean
        Mean undiscounted return of the episodes ended in the iteration (``nan`` if none).
    kl, kl_coeff, policy_loss, value_loss, entropy
        Last-epoch means of the sampled KL, the KL coefficient after adaptation, the surrogate
        loss, the value loss and the policy entropy.
    wall_time
        ``(iterations,)`` cumulative seconds.
    evaluation
        ``(iterations, m)`` values of the ``evaluate`` callback of :meth:`PPO.train` (empty without).
    """

    env_steps: list[int] = field(default_factory=list)
    episode_return_mean: list[FloatArray] = field(default_factory=list)
    kl: list[FloatArray] = field(default_factory=list)
    kl_coeff: list[FloatArray] = field(default_factory=list)
    policy_loss: list[FloatArray] = field(default_factory=list)
    value_loss: list[FloatArray] = field(default_factory=list)
    entropy: list[FloatArray] = field(default_factory=list)
    wall_time: list[float] = field(default_factory=list)
    evaluation: list[FloatArray] = field(default_factory=list)

    def as_arrays(self) -> dict[str, FloatArray | IntArray]:
        """All statistics as numpy arrays keyed by field name."""
        return {name: np.asarray(getattr(self, name)) for name in self.__dataclass_fields__}


class PPO:
    """A batch of ``K`` PPO learners for one environment specification.

    Parameters
    ----------
    spec
        The environment's :class:`~.env.EnvSpec` (observation size, action space, ``K``).
    config
        Hyperparameters (defaults: Table I of seed 002).
    seed
        Seeds the ``torch.Generator`` behind initial weights, action sampling and minibatches.
    device
        ``None`` (CUDA if available), ``"cpu"``, ``"cuda"``, ...
    """

    def __init__(
        self,
        spec: EnvSpec,
        config: PPOConfig | None = None,
        seed: int = 0,
        device: torch.device | str | None = None,
    ) -> None:
        if not isinstance(spec, EnvSpec):
            raise TypeError(f"spec must be an EnvSpec, got {type(spec).__name__}")
        config = PPOConfig() if config is None else config
        if not isinstance(config, PPOConfig):
            raise TypeError(f"config must be a PPOConfig, got {type(config).__name__}")
        seed = check_int(seed, "seed", low=0, high=2**63 - 1)
        self.spec = spec
        self.config = config
        self.seed = seed
        self.device = resolve_device(device)
        self.generator = torch.Generator(device=self.device)
        self.generator.manual_seed(seed)
        self.dist = make_distribution(spec.action_space)
        k = spec.num_learners
        n_out = self.dist.n_outputs
        self.policy_net = EnsembleMLP(
            k, spec.obs_dim, n_out, config.hidden, self.generator, config.policy_out_std, config.activation, self.device
        )
        self.value_net = EnsembleMLP(
            k, spec.obs_dim, 1, config.hidden, self.generator, config.value_out_std, config.activation, self.device
        )
        # fused Adam: the same update rule as RLlib's torch.optim.Adam, several times faster on CPU
        self.optimizer = torch.optim.Adam(
            list(self.policy_net.parameters()) + list(self.value_net.parameters()), lr=config.lr, fused=True
        )
        self.kl_coeff = torch.full((k,), float(config.kl_coeff), device=self.device)
        self.rollout_length = rollout_length(config, spec.num_envs)
        space = spec.action_space
        self._clip = (
            (
                torch.as_tensor(space.low, dtype=torch.float32, device=self.device),
                torch.as_tensor(space.high, dtype=torch.float32, device=self.device),
            )
            if isinstance(space, spaces.Box) and config.clip_actions
            else None
        )

    # ------------------------------------------------------------------ acting
    def _obs_tensor(self, obs: FloatArray) -> torch.Tensor:
        k = self.spec.num_learners
        if not isinstance(obs, np.ndarray) or obs.ndim != 3 or obs.shape[0] != k or obs.shape[2] != self.spec.obs_dim:
            got = getattr(obs, "shape", type(obs).__name__)
            raise ValueError(f"obs must be an array of shape (K={k}, B, obs_dim={self.spec.obs_dim}), got {got}")
        # numpy observations of a few entries per copy: scanning them costs nothing next to the networks
        if obs.dtype.kind not in "biuf" or not np.isfinite(obs).all():
            raise ValueError(f"obs must hold finite real numbers, got dtype {obs.dtype}")
        return torch.as_tensor(obs, dtype=torch.float32, device=self.device)

    def _env_action(self, action: torch.Tensor) -> FloatArray | IntArray:
        if self._clip is not None:
            action = action.clamp(*self._clip)
        if isinstance(self.spec.action_space, spaces.Box):
            box: FloatArray = action.cpu().numpy().astype(np.float64)
            return box
        discrete: IntArray = action.cpu().numpy().astype(np.int64)
        return discrete

    @torch.no_grad()
    def act(self, obs: FloatArray, deterministic: bool = False, generator: torch.Generator | None = None) -> FloatArray | IntArray:
        """Environment-ready actions for observations ``(K, B, obs_dim)`` (any ``B``).

        ``deterministic=True`` takes the mode (the Gaussian mean, Sec. VI); Box actions are
        clipped to the bounds when ``config.clip_actions``. Samples are drawn with ``generator``
        (on the learner's device), by default the learner's own (which training also uses).
        """
        if generator is not None and not isinstance(generator, torch.Generator):
            raise TypeError(f"generator must be a torch.Generator or None, got {type(generator).__name__}")
        check_bool(deterministic, "deterministic")
        out = self.policy_net(self._obs_tensor(obs))
        if deterministic:
            return self._env_action(self.dist.mode(out))
        return self._env_action(self.dist.sample(out, self.generator if generator is None else generator))

    @torch.no_grad()
    def probabilities(self, obs: FloatArray) -> FloatArray:
        """Action probabilities ``(K, B, n)`` of a policy on a ``Discrete`` action space."""
        if not isinstance(self.spec.action_space, spaces.Discrete):
            raise ValueError("probabilities needs a Discrete action space")
        probs: FloatArray = torch.softmax(self.policy_net(self._obs_tensor(obs)), dim=-1).cpu().numpy().astype(np.float64)
        return probs

    # ------------------------------------------------------------- collecting
    @torch.no_grad()
    def collect(self, env: VectorEnv, obs: FloatArray, running_returns: FloatArray) -> tuple[Rollout, FloatArray]:
        """Run ``rollout_length`` steps from ``obs`` and build the training batch.

        ``running_returns`` (``(K, E)``, updated in place) carries the returns of unfinished
        episodes across iterations. Returns the batch and the observation to continue from.
        """
        k, e = self.spec.batch_shape
        if getattr(env, "spec", None) != self.spec:
            raise ValueError(f"env must be an environment of the learner's spec {self.spec}, got {type(env).__name__}")
        if (not isinstance(running_returns, np.ndarray) or running_returns.shape != (k, e) or running_returns.dtype != np.float64
                or not np.isfinite(running_returns).all()):
            raise ValueError(f"running_returns must be a finite float64 array of shape {(k, e)}")
        steps = self.rollout_length
        obs_t = self._obs_tensor(obs)
        last_obs = obs
        obs_buf, act_buf, out_buf, logp_buf, val_buf = [], [], [], [], []
        rew_buf, term_buf, trunc_buf, final_buf = [], [], [], []
        finished: list[list[float]] = [[] for _ in range(k)]
        for _ in range(steps):
            out = self.policy_net(obs_t)
            action = self.dist.sample(out, self.generator)
            obs_buf.append(obs_t)
            out_buf.append(out)
            act_buf.append(action)
            logp_buf.append(self.dist.log_prob(out, action))
            val_buf.append(self.value_net(obs_t).squeeze(-1))
            result: StepResult = env.step(self._env_action(action))
            running_returns += result.reward
            done = result.terminated | result.truncated
            if done.any():
                for kk, ee in zip(*np.nonzero(done), strict=True):
                    finished[kk].append(float(running_returns[kk, ee]))
                running_returns[done] = 0.0
            rew_buf.append(result.reward)
            term_buf.append(result.terminated)
            trunc_buf.append(result.truncated)
            final_buf.append(result.final_obs)
            last_obs = result.obs
            obs_t = self._obs_tensor(last_obs)

        def stack(xs: list[torch.Tensor]) -> torch.Tensor:  # (T, K, E, ...) -> (K, T, E, ...)
            return torch.stack(xs).transpose(0, 1)

        def stack_np(xs: list[FloatArray] | list[BoolArray], dtype: torch.dtype) -> torch.Tensor:
            return torch.as_tensor(np.stack(xs, axis=1), dtype=dtype, device=self.device)

        values = stack(val_buf)
        final_obs = stack_np(final_buf, torch.float32)
        next_values = self.value_net(final_obs.reshape(k, steps * e, -1)).reshape(k, steps, e)
        rewards = stack_np(rew_buf, torch.float32)
        adv, targets = gae(
            rewards.transpose(0, 1),
            values.transpose(0, 1),
            next_values.transpose(0, 1),
            stack_np(term_buf, torch.bool).transpose(0, 1),
            stack_np(trunc_buf, torch.bool).transpose(0, 1),
            self.config.gamma,
            self.config.gae_lambda,
        )
        n = steps * e
        actions = stack(act_buf)
        rollout = Rollout(
            obs=stack(obs_buf).reshape(k, n, -1),
            actions=actions.reshape(k, n, *actions.shape[3:]),
            dist_outputs=stack(out_buf).reshape(k, n, -1),
            logp=stack(logp_buf).reshape(k, n),
            values=values.reshape(k, n),
            advantages=adv.transpose(0, 1).reshape(k, n),
            value_targets=targets.transpose(0, 1).reshape(k, n),
            episode_returns=finished,
            env_steps=steps * e // self.spec.agents_per_env,
        )
        return rollout, last_obs

    # --------------------------------------------------------------- updating
    def update(self, batch: Rollout) -> dict[str, FloatArray]:
        """``num_sgd_iter`` epochs of minibatch SGD on ``batch``, then adapt the KL coefficient.

        Returns last-epoch means (shape ``(K,)``) of ``kl``, ``policy_loss``, ``value_loss``,
        ``entropy`` and the adapted ``kl_coeff``.
        """
        if not isinstance(batch, Rollout):
            raise TypeError(f"batch must be a Rollout, got {type(batch).__name__}")
        cfg = self.config
        _check_rollout(batch, self.spec.num_learners, self.spec.obs_dim, self.dist.n_outputs)
        k, n = batch.logp.shape
        adv = batch.advantages
        if cfg.standardize_advantages:
            # RLlib's ``standardized``: (A - mean) / max(1e-4, std), population std, per learner
            adv = (adv - adv.mean(1, keepdim=True)) / adv.std(1, unbiased=False, keepdim=True).clamp(min=1e-4)
        m = cfg.sgd_minibatch_size
        rows = torch.arange(k, device=self.device).unsqueeze(1)
        params = list(self.policy_net.parameters()) + list(self.value_net.parameters())
        for epoch in range(cfg.num_sgd_iter):
            perm = torch.argsort(torch.rand(k, n, generator=self.generator, device=self.device), dim=1)
            last = epoch == cfg.num_sgd_iter - 1
            sums = torch.zeros(4, k, device=self.device)
            n_mb = 0
            for start in range(0, n, m):
                idx = perm[:, start : start + m]
                obs = batch.obs[rows, idx]
                out = self.policy_net(obs)
                old_out = batch.dist_outputs[rows, idx]
                logp = self.dist.log_prob(out, batch.actions[rows, idx])
                ratio = torch.exp(logp - batch.logp[rows, idx])
                a = adv[rows, idx]
                surrogate = torch.minimum(a * ratio, a * ratio.clamp(1 - cfg.clip_param, 1 + cfg.clip_param))
                kl = self.dist.kl(old_out, out)
                entropy = self.dist.entropy(out)
                v = self.value_net(obs).squeeze(-1)
                v_old = batch.values[rows, idx]
                target = batch.value_targets[rows, idx]
                v_clipped = v_old + (v - v_old).clamp(-cfg.vf_clip_param, cfg.vf_clip_param)
                vf_loss = torch.maximum((v - target).pow(2), (v_clipped - target).pow(2))
                per_sample = (
                    -surrogate
                    + self.kl_coeff.unsqueeze(1) * kl
                    + cfg.vf_loss_coeff * vf_loss
                    - cfg.entropy_coeff * entropy
                )
                loss = per_sample.mean(1).sum()
                self.optimizer.zero_grad(set_to_none=True)
                torch.autograd.backward(loss)
                if cfg.max_grad_norm is not None:
                    clip_grad_norm_per_learner(params, cfg.max_grad_norm)
                self.optimizer.step()
                if last:
                    with torch.no_grad():
                        sums += torch.stack([kl.mean(1), -surrogate.mean(1), vf_loss.mean(1), entropy.mean(1)])
                    n_mb += 1
        means = (sums / n_mb).detach()
        self.kl_coeff = update_kl_coeff(self.kl_coeff, means[0], cfg.kl_target)
        stats = means.cpu().numpy().astype(np.float64)
        return {
            "kl": stats[0],
            "policy_loss": stats[1],
            "value_loss": stats[2],
            "entropy": stats[3],
            "kl_coeff": self.kl_coeff.cpu().numpy().astype(np.float64),
        }

    # --------------------------------------------------------------- training
    def train(
        self,
        env: VectorEnv,
        total_env_steps: int,
        progress: bool = False,
        evaluate: Callable[[PPO], float | Sequence[float]] | None = None,
        desc: str = "PPO env steps",
        position: int | None = None,
    ) -> TrainHistory:
        """Alternate :meth:`collect` and :meth:`update` until ``total_env_steps`` are taken.

        The environment is reset with this learner's ``seed``. ``evaluate`` (optional) is called
        with the learner after every iteration and its value(s) recorded in
        ``TrainHistory.evaluation`` (e.g. the exact value of the current deterministic policy); it
        must not draw from the learner's generator if runs are to stay reproducible. ``desc`` and
        ``position`` label and place the progress bar (``position``: its line, for the bars of
        several parts running side by side). Returns the per-iteration :class:`TrainHistory`.
        """
        if evaluate is not None and not callable(evaluate):
            raise TypeError(f"evaluate must be callable or None, got {type(evaluate).__name__}")
        if getattr(env, "spec", None) != self.spec:
            raise ValueError(f"env must be an environment of the learner's spec {self.spec}, got {type(env).__name__}")
        total_env_steps = check_int(total_env_steps, "total_env_steps", low=1)
        per_iteration = self.rollout_length * self.spec.num_envs
        check_steps(-(-total_env_steps // per_iteration), f"training for total_env_steps={total_env_steps} ({per_iteration} per iteration)")
        check_bool(progress, "progress")
        history = TrainHistory()
        obs = env.reset(self.seed)
        running = np.zeros(self.spec.batch_shape)
        start = time.perf_counter()
        steps = 0
        if not isinstance(desc, str):
            raise TypeError(f"desc must be a str, got {type(desc).__name__}")
        if position is not None and (not isinstance(position, int) or isinstance(position, bool) or position < 0):
            raise ValueError(f"position must be a non-negative int or None, got {position!r}")
        with tqdm(total=total_env_steps, disable=not progress, desc=desc, position=position, leave=position is None) as bar:
            while steps < total_env_steps:
                batch, obs = self.collect(env, obs, running)
                stats = self.update(batch)
                steps += batch.env_steps
                bar.update(batch.env_steps)
                history.env_steps.append(steps)
                history.episode_return_mean.append(
                    np.array([np.mean(r) if r else np.nan for r in batch.episode_returns])
                )
                for name in ("kl", "kl_coeff", "policy_loss", "value_loss", "entropy"):
                    getattr(history, name).append(stats[name])
                history.wall_time.append(time.perf_counter() - start)
                if evaluate is not None:
                    history.evaluation.append(np.atleast_1d(np.asarray(evaluate(self), dtype=float)))
        return history

    # ------------------------------------------------------------ persistence
    def parameters_numpy(self) -> dict[str, NDArray[np.float32]]:
        """Actor and critic parameters (and the KL coefficient) as numpy arrays."""
        out = {f"policy.{k}": v.detach().cpu().numpy() for k, v in self.policy_net.state_dict().items()}
        out |= {f"value.{k}": v.detach().cpu().numpy() for k, v in self.value_net.state_dict().items()}
        out["kl_coeff"] = self.kl_coeff.cpu().numpy()
        return out

    def load_parameters_numpy(self, params: Mapping[str, NDArray[np.floating[Any]]]) -> None:
        """Inverse of :meth:`parameters_numpy` (optimizer state is not restored).

        Every entry is checked (names, shapes, finite numbers) before the first network is
        changed, so a bad ``params`` leaves the learner as it was.
        """
        if not isinstance(params, Mapping):
            raise TypeError(f"params must be a mapping of arrays, got {type(params).__name__}")
        if "kl_coeff" not in params:
            raise ValueError("params must contain 'kl_coeff'")
        states: list[tuple[torch.nn.Module, dict[str, torch.Tensor]]] = []
        for prefix, net in (("policy.", self.policy_net), ("value.", self.value_net)):
            current = net.state_dict()
            state: dict[str, NDArray[Any]] = {k[len(prefix) :]: np.asarray(v) for k, v in params.items() if k.startswith(prefix)}
            if set(state) != set(current):
                raise ValueError(f"params lack or add entries for the {prefix[:-1]} network")
            for key, value in state.items():
                if value.dtype.kind not in "fiu" or tuple(value.shape) != tuple(current[key].shape):
                    raise ValueError(f"params[{prefix + key!r}] must be a numeric array of shape {tuple(current[key].shape)}, "
                                     f"got {value.dtype} {value.shape}")
                if not np.isfinite(value).all():
                    raise ValueError(f"params[{prefix + key!r}] holds non-finite values")
            states.append((net, {k: torch.as_tensor(v) for k, v in state.items()}))
        kl = np.asarray(params["kl_coeff"])
        if kl.dtype.kind not in "fiu" or not np.isfinite(kl).all() or (kl < 0).any():
            raise ValueError(f"params['kl_coeff'] must hold finite non-negative numbers, got {kl!r}")
        for module, tensors in states:
            module.load_state_dict(tensors)
        self.kl_coeff = torch.as_tensor(kl, dtype=torch.float32, device=self.device)
