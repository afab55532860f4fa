"""Online natural actor-critic for mean-field games (Mao et al., NeurIPS 2022, seed ``001_00c545ba2a0e4aca.txt``).

- :mod:`mfcode.nac.features` -- feature maps and the log-linear softmax policy class (001 §2);
- :mod:`mfcode.nac.protocol` -- the oracles' contract with Algorithm 1's loop (:class:`Critic`,
  :class:`Actor`, :class:`Iterate`) and the run every variant returns (:class:`NACRun`);
- :mod:`mfcode.nac.algorithm` -- Algorithm 1 (:func:`nac`), its NPG step shared with
  :mod:`mfcode.nac.dl_nac` (DL-NAC, 001 §5.1, with warm or cold restarts);
- :mod:`mfcode.nac.schedules` -- constant steps and the theory's :math:`\\eta\\propto T^{-2/5}/\\lambda`,
  :math:`\\beta\\propto T^{-4/5}` (Algorithm 1, App. B.3);
- :mod:`mfcode.nac.exact` -- exact oracles and exact quantities (q, A, :math:`d^\\pi_\\mu`, the
  constrained minimiser of eq. (3)), batched over seeds; :mod:`mfcode.nac.scoring` -- App. D's exact
  exploitability of a batch of policies;
- :mod:`mfcode.nac.sampling`, :mod:`mfcode.nac.td` (Algorithm 2, projected TD(0)),
  :mod:`mfcode.nac.sgd` (Algorithm 3, projected SGD), :mod:`mfcode.nac.simulation` (App. D's
  empirical :math:`\\hat F^\\dagger\\hat\\nabla`) -- the stochastic oracles;
- :mod:`mfcode.nac.neural` and :mod:`mfcode.nac.neural_update` -- NAC-NN (001 App. E: one hidden
  layer of 64 units, the KL-penalty update), which import torch and are therefore not imported here.
"""

from mfcode.nac.algorithm import NACConfig, nac
from mfcode.nac.dl_nac import DLNACConfig, dl_nac
from mfcode.nac.exact import ExactActor, ExactCritic
from mfcode.nac.features import Features, one_hot
from mfcode.nac.protocol import Actor, Critic, CriticEstimate, Iterate, NACRun
from mfcode.nac.schedules import Constant, TheorySchedule

__all__ = [
    "Actor",
    "Constant",
    "Critic",
    "CriticEstimate",
    "DLNACConfig",
    "ExactActor",
    "ExactCritic",
    "Features",
    "Iterate",
    "NACConfig",
    "NACRun",
    "TheorySchedule",
    "dl_nac",
    "nac",
    "one_hot",
]
