"""Action distributions parametrised by the raw output of a policy network.

- :class:`DiagGaussian` -- network output ``[mean, log_std]`` (``2 dim`` numbers), as RLlib's
  ``DiagGaussian`` with a state-dependent standard deviation; seed ``002_7da79a39441e57df.txt``,
  Sec. VI: "the policy outputs parameters mu, sigma of a diagonal Gaussian distribution over
  actions". The deterministic policy is the mean ("we can easily obtain a deterministic policy if
  necessary by simply using the mean parameter of the Gaussian distribution").
- :class:`Categorical` -- network output = logits, softmax probabilities (the N-agent baselines).

Both give, for outputs of shape ``(..., n_outputs)``: log-likelihood, entropy, the KL divergence
``KL(old || new)`` in closed form (the quantity PPO's adaptive penalty controls), a sample and the
mode. For the diagonal Gaussian with means ``m``, standard deviations ``s``,

.. math::
    \\mathrm{KL}(p_0\\|p_1) = \\sum_j \\Big[\\log\\frac{s_{1j}}{s_{0j}}
    + \\frac{s_{0j}^2 + (m_{0j}-m_{1j})^2}{2 s_{1j}^2} - \\frac12\\Big].
"""

from __future__ import annotations

import math

import torch
from gymnasium import spaces

from mfcode.rl.env import ActionSpace
from mfcode.validation import check_int

__all__ = ["Categorical", "DiagGaussian", "Distribution", "make_distribution"]

# PPO calls these methods on every minibatch: the checks are O(1) (types and shapes); the values of
# the tensors are not scanned (NaN outputs give NaN log-likelihoods, as torch's do), which would
# synchronise a GPU on every minibatch.


def _output(out: object, width: int, name: str = "out") -> torch.Tensor:
    if not isinstance(out, torch.Tensor) or not out.is_floating_point():
        raise TypeError(f"{name} must be a floating-point torch.Tensor, got {type(out).__name__}")
    if out.ndim < 1 or out.shape[-1] != width:
        raise ValueError(f"{name} (a network output) last axis must have {width} entries, got shape {tuple(out.shape)}")
    return out


def _generator(generator: object) -> torch.Generator:
    if not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator, got {type(generator).__name__}")
    return generator


class DiagGaussian:
    """Diagonal Gaussian over ``R^dim`` from outputs ``[mean (dim), log_std (dim)]``."""

    def __init__(self, dim: int) -> None:
        self.dim = check_int(dim, "dim", low=1)

    @property
    def n_outputs(self) -> int:
        """Width of the network output: ``dim`` means and ``dim`` log standard deviations."""
        return 2 * self.dim

    def _split(self, out: torch.Tensor, name: str = "out") -> tuple[torch.Tensor, torch.Tensor]:
        out = _output(out, 2 * self.dim, name)
        return out[..., : self.dim], out[..., self.dim :]

    def log_prob(self, out: torch.Tensor, action: torch.Tensor) -> torch.Tensor:
        """Log-density of ``action`` (shape ``(..., dim)``); returns shape ``(...)``."""
        mean, log_std = self._split(out)
        _output(action, self.dim, "action")
        if action.shape != mean.shape:
            raise ValueError(f"action must have shape {tuple(mean.shape)} (the means of out), got {tuple(action.shape)}")
        z = (action - mean) * torch.exp(-log_std)
        return (-0.5 * z.pow(2) - log_std - 0.5 * math.log(2 * math.pi)).sum(-1)

    def entropy(self, out: torch.Tensor) -> torch.Tensor:
        """Differential entropy, shape ``(...)``."""
        _, log_std = self._split(out)
        return (log_std + 0.5 * math.log(2 * math.pi * math.e)).sum(-1)

    def kl(self, old: torch.Tensor, new: torch.Tensor) -> torch.Tensor:
        """``KL(old || new)``, shape ``(...)``."""
        m0, ls0 = self._split(old, "old")
        m1, ls1 = self._split(new, "new")
        if m1.shape != m0.shape:
            raise ValueError(f"old and new must have one shape, got {tuple(old.shape)} and {tuple(new.shape)}")
        return (ls1 - ls0 + (torch.exp(2 * ls0) + (m0 - m1).pow(2)) / (2 * torch.exp(2 * ls1)) - 0.5).sum(-1)

    def sample(self, out: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        """One sample per leading index, shape ``(..., dim)``."""
        mean, log_std = self._split(out)
        noise = torch.randn(mean.shape, generator=_generator(generator), device=mean.device, dtype=mean.dtype)
        return mean + torch.exp(log_std) * noise

    def mode(self, out: torch.Tensor) -> torch.Tensor:
        """The mean, shape ``(..., dim)``."""
        return self._split(out)[0]


class Categorical:
    """Softmax distribution over ``{0, ..., n-1}`` from ``n`` logits."""

    def __init__(self, n: int) -> None:
        self.n = check_int(n, "n", low=1)

    @property
    def n_outputs(self) -> int:
        """Width of the network output: one logit per action."""
        return self.n

    def _logp_all(self, out: torch.Tensor, name: str = "out") -> torch.Tensor:
        return torch.log_softmax(_output(out, self.n, name), dim=-1)

    def log_prob(self, out: torch.Tensor, action: torch.Tensor) -> torch.Tensor:
        """Log-probability of integer ``action`` (shape ``(...)``)."""
        logp = self._logp_all(out)
        if not isinstance(action, torch.Tensor) or action.is_complex() or action.shape != logp.shape[:-1]:
            raise ValueError(f"action must be a real torch.Tensor of shape {tuple(logp.shape[:-1])}, got {getattr(action, 'shape', type(action).__name__)}")
        # indices out of 0..n-1 are refused by gather (a RuntimeError): scanning them here would
        # synchronise the device on every minibatch
        return logp.gather(-1, action.long().unsqueeze(-1)).squeeze(-1)

    def entropy(self, out: torch.Tensor) -> torch.Tensor:
        """Entropy, shape ``(...)``."""
        logp = self._logp_all(out)
        return -(logp.exp() * logp).sum(-1)

    def kl(self, old: torch.Tensor, new: torch.Tensor) -> torch.Tensor:
        """``KL(old || new)``, shape ``(...)``."""
        lp0 = self._logp_all(old, "old")
        lp1 = self._logp_all(new, "new")
        if lp1.shape != lp0.shape:
            raise ValueError(f"old and new must have one shape, got {tuple(lp0.shape)} and {tuple(lp1.shape)}")
        return (lp0.exp() * (lp0 - lp1)).sum(-1)

    def sample(self, out: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        """Integer samples, shape ``(...)`` (inverse-CDF sampling with ``generator``)."""
        probs = self._logp_all(out).exp()
        cdf = probs.cumsum(-1)
        u = torch.rand((*out.shape[:-1], 1), generator=_generator(generator), device=out.device, dtype=out.dtype)
        return torch.clamp((u * cdf[..., -1:] > cdf).sum(-1), max=self.n - 1)

    def mode(self, out: torch.Tensor) -> torch.Tensor:
        """Most likely action, shape ``(...)``."""
        return _output(out, self.n).argmax(-1)


Distribution = DiagGaussian | Categorical


def make_distribution(space: ActionSpace) -> Distribution:
    """The distribution matching an action space (a one-dimensional ``Box`` -> Gaussian, ``Discrete`` -> softmax)."""
    if isinstance(space, spaces.Box) and len(space.shape) == 1:
        return DiagGaussian(int(space.shape[0]))
    if isinstance(space, spaces.Discrete):
        return Categorical(int(space.n))
    raise TypeError(f"space must be a one-dimensional gymnasium Box or a Discrete, got {space!r}")
