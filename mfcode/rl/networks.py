"""Feed-forward networks with a leading *ensemble* axis: ``K`` independent MLPs evaluated at once.

Seed ``002_7da79a39441e57df.txt``, Sec. VI: "For policies and critics, we use separate feedforward
networks with two hidden layers of 256 nodes and tanh activations." One :class:`EnsembleMLP` holds
``K`` such networks with weights of shape ``(K, n_in, n_out)``; layer ``l`` maps ``(K, B, n_in)`` to
``(K, B, n_out)`` by a batched matrix product, so ``K`` independent PPO learners (the NA baseline,
"applying single-agent RL to each separate agent") train in one pass. Because the members share no
parameter and Adam is element-wise, training the sum of the members' losses is exactly training each
member on its own loss with its own Adam optimiser.

Initialisation follows RLlib's fully connected network (the paper used RLlib 1.2.0): weights drawn
by the "normc" initialiser -- Gaussian, then each output unit's incoming weight vector rescaled to
norm ``std`` -- with ``std = 1`` for hidden layers and a chosen ``std`` for the output layer
(0.01 for policy logits/means, 1.0 for the value head), biases zero.
"""

from __future__ import annotations

import itertools

import torch
from torch import nn

__all__ = ["EnsembleMLP", "normc_"]


def normc_(weight: torch.Tensor, std: float, generator: torch.Generator) -> torch.Tensor:
    """RLlib's ``normc_initializer`` for weights laid out ``(K, n_in, n_out)``, in place.

    Parameters
    ----------
    weight
        Tensor of shape ``(K, n_in, n_out)``.
    std
        Norm of every output unit's incoming weight vector after initialisation.
    generator
        Source of randomness (on the tensor's device).

    Returns
    -------
    torch.Tensor
        ``weight``, filled.
    """
    if weight.ndim != 3:
        raise ValueError(f"weight must have shape (K, n_in, n_out), got {tuple(weight.shape)}")
    if not std > 0:
        raise ValueError(f"std must be positive, got {std!r}")
    with torch.no_grad():
        sample = torch.randn(weight.shape, generator=generator, device=weight.device, dtype=weight.dtype)
        sample *= std / torch.sqrt(sample.pow(2).sum(dim=1, keepdim=True))
        weight.copy_(sample)
    return weight


class EnsembleMLP(nn.Module):
    """``K`` independent multilayer perceptrons with identical architecture.

    Parameters
    ----------
    num_members
        ``K``.
    n_in, n_out
        Input and output widths.
    hidden
        Hidden-layer widths, e.g. ``(256, 256)``.
    generator
        Generator used for the initial weights.
    out_std
        ``std`` of the normc initialiser of the output layer.
    activation
        ``"tanh"`` (the paper's choice) or ``"relu"``.
    device
        Device of the parameters.
    """

    def __init__(
        self,
        num_members: int,
        n_in: int,
        n_out: int,
        hidden: tuple[int, ...],
        generator: torch.Generator,
        out_std: float = 1.0,
        activation: str = "tanh",
        device: torch.device | str = "cpu",
    ) -> None:
        super().__init__()
        for name, value in (("num_members", num_members), ("n_in", n_in), ("n_out", n_out)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        if not all(isinstance(h, int) and h >= 1 for h in hidden):
            raise ValueError(f"hidden must be a tuple of positive ints, got {hidden!r}")
        if activation not in ("tanh", "relu"):
            raise ValueError(f"activation must be 'tanh' or 'relu', got {activation!r}")
        self.num_members = num_members
        self.activation = activation
        widths = (n_in, *hidden, n_out)
        self.weights = nn.ParameterList()
        self.biases = nn.ParameterList()
        for i, (a, b) in enumerate(itertools.pairwise(widths)):
            w = torch.empty(num_members, a, b, device=device)
            normc_(w, out_std if i == len(widths) - 2 else 1.0, generator)
            self.weights.append(nn.Parameter(w))
            self.biases.append(nn.Parameter(torch.zeros(num_members, 1, b, device=device)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Map ``(K, B, n_in)`` to ``(K, B, n_out)``."""
        if x.ndim != 3 or x.shape[0] != self.num_members:
            raise ValueError(f"x must have shape (K={self.num_members}, B, n_in), got {tuple(x.shape)}")
        act = torch.tanh if self.activation == "tanh" else torch.relu
        n_layers = len(self.weights)
        for i in range(n_layers):
            x = torch.baddbmm(self.biases[i], x, self.weights[i])
            if i < n_layers - 1:
                x = act(x)
        return x
