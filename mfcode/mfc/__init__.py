"""Mean-field control with a common environment state (seed ``002_7da79a39441e57df.txt``).

Modules:

- :mod:`~mfcode.mfc.model` -- the general finite model (μ₀, P⁰(x⁰, 𝔾), r(x⁰, 𝔾), γ) and eq. (9);
- :mod:`~mfcode.mfc.scheduling` -- the paper's queue-scheduling instance (Sec. II, Table I);
- :mod:`~mfcode.mfc.mdp` -- the MFC MDP (state x⁰, action a decision rule h);
- :mod:`~mfcode.mfc.nagent` -- the vectorised finite-N simulator (eqs. 1-5).
"""

from mfcode.mfc.mdp import MFCMDP
from mfcode.mfc.model import MFCModel, state_action_mean_field
from mfcode.mfc.nagent import NAgentSystem
from mfcode.mfc.scheduling import SchedulingModel

__all__ = ["MFCMDP", "MFCModel", "NAgentSystem", "SchedulingModel", "state_action_mean_field"]
