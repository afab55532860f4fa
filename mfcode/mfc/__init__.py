"""Mean-field control with a common environment state (seed ``002_7da79a39441e57df.txt``).

Modules:

- :mod:`~mfcode.mfc.model` -- the general finite model (μ₀, P⁰(x⁰, 𝔾), r(x⁰, 𝔾), γ) and eq. (9);
- :mod:`~mfcode.mfc.scheduling` -- the paper's queue-scheduling instance (Sec. II, Table I);
- :mod:`~mfcode.mfc.toy` -- a closed-form toy model (tests, derivations);
- :mod:`~mfcode.mfc.mdp` -- the MFC MDP (state x⁰, action a decision rule h);
- :mod:`~mfcode.mfc.dp` -- exact value/policy iteration on decision-rule grids (Sec. V);
- :mod:`~mfcode.mfc.nagent` -- the vectorised finite-N simulator (eqs. 1-5);
- :mod:`~mfcode.mfc.finite_n` -- exact J^N and the exact finite-N optimum (Thm 1, 2, Cor. 1);
- :mod:`~mfcode.mfc.jsq` -- Join-the-Shortest-Queue;
- :mod:`~mfcode.mfc.flow` -- agent dynamics, state (μ, x⁰) (beyond the paper).
"""

from mfcode.mfc.dp import GridMDP, decision_rule_grid, grid_refinement, policy_iteration, solve, value_iteration
from mfcode.mfc.finite_n import finite_n_optimum, profile_value, symmetric_value
from mfcode.mfc.flow import FlowMFC
from mfcode.mfc.jsq import jsq_policy
from mfcode.mfc.mdp import MFCMDP
from mfcode.mfc.model import MFCModel, state_action_mean_field
from mfcode.mfc.nagent import NAgentSystem
from mfcode.mfc.scheduling import SchedulingModel
from mfcode.mfc.toy import BinaryToyModel

__all__ = [
    "MFCMDP",
    "BinaryToyModel",
    "FlowMFC",
    "GridMDP",
    "MFCModel",
    "NAgentSystem",
    "SchedulingModel",
    "decision_rule_grid",
    "finite_n_optimum",
    "grid_refinement",
    "jsq_policy",
    "policy_iteration",
    "profile_value",
    "solve",
    "state_action_mean_field",
    "symmetric_value",
    "value_iteration",
]
