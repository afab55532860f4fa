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

from mfcode.limits import check_elements
from mfcode.validation import check_int, check_real

__all__ = ["EnsembleMLP", "normc_", "resolve_device"]


def resolve_device(device: torch.device | str | None) -> torch.device:
    """``device`` as a :class:`torch.device`; ``None`` means CUDA if available, else CPU."""
    if device is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if not isinstance(device, (torch.device, str)):
        raise TypeError(f"device must be a torch.device, str or None, got {type(device).__name__}")
    try:
        resolved = torch.device(device)
    except RuntimeError as error:
        raise ValueError(f"device must name a torch device ('cpu', 'cuda', 'cuda:0', ...), got {device!r} ({error})") from None
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device {device!r} was requested but CUDA is not available on this machine")
    return resolved


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
    if not isinstance(weight, torch.Tensor) or not weight.is_floating_point():
        raise TypeError(f"weight must be a floating-point torch.Tensor, got {type(weight).__name__}")
    if weight.ndim != 3:
        raise ValueError(f"weight must have shape (K, n_in, n_out), got {tuple(weight.shape)}")
    std = check_real(std, "std", low=0.0, high=float(torch.finfo(weight.dtype).max), low_open=True)
    if not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator, got {type(generator).__name__}")
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
            check_int(value, name, low=1)
        if not isinstance(hidden, tuple) or not all(isinstance(h, int) and not isinstance(h, bool) and h >= 1 for h in hidden):
            raise ValueError(f"hidden must be a tuple of positive ints, got {hidden!r}")
        if not isinstance(activation, str) or activation not in ("tanh", "relu"):
            raise ValueError(f"activation must be 'tanh' or 'relu', got {activation!r}")
        check_elements(num_members * sum(a * b for a, b in itertools.pairwise((n_in, *hidden, n_out))),
                       f"the weights of num_members={num_members} networks of n_in={n_in}, hidden={hidden}, n_out={n_out}")
        check_real(out_std, "out_std", low=0.0, high=float(torch.finfo(torch.float32).max), low_open=True)
        device = resolve_device(device)
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
        if not isinstance(x, torch.Tensor) or x.dtype != self.weights[0].dtype:
            raise TypeError(f"x must be a torch.Tensor of dtype {self.weights[0].dtype}, got {getattr(x, 'dtype', type(x).__name__)}")
        n_in = self.weights[0].shape[1]
        if x.ndim != 3 or x.shape[0] != self.num_members or x.shape[2] != n_in:
            raise ValueError(f"x must have shape (K={self.num_members}, B, n_in={n_in}), got {tuple(x.shape)}")
        act = torch.tanh if self.activation == "tanh" else torch.relu
        n_layers = len(self.weights)
        for i in range(n_layers):
            x = torch.baddbmm(self.biases[i], x, self.weights[i])
            if i < n_layers - 1:
                x = act(x)
        return x
