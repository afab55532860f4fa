"""Mean-field control with a common environment state (seed ``002_7da79a39441e57df.txt``).

Modules:

- :mod:`~mfcode.mfc.model` -- the general finite model (μ₀, P⁰(x⁰, 𝔾), r(x⁰, 𝔾), γ) and eq. (9);
- :mod:`~mfcode.mfc.scheduling` -- the paper's queue-scheduling instance (Sec. II, Table I);
- :mod:`~mfcode.mfc.toy` -- a closed-form toy model (tests, derivations);
- :mod:`~mfcode.mfc.mdp` -- the MFC MDP (state x⁰, action a decision rule h);
- :mod:`~mfcode.mfc.dp` -- the Bellman equation of the MFC MDP (Sec. V, eqs. 26-28) solved exactly
  on decision-rule grids (value/policy iteration);
- :mod:`~mfcode.mfc.nagent` -- the vectorised finite-N simulator (eqs. 1-5);
- :mod:`~mfcode.mfc.finite_n` -- exact J^N and the exact finite-N optimum (Thm 1, 2, Cor. 1);
- :mod:`~mfcode.mfc.bounds` -- Lemma 1 and a quantitative Theorem 1;
- :mod:`~mfcode.mfc.jsq` -- Join-the-Shortest-Queue.
"""

from mfcode.mfc.dp import (
    DPResult,
    GridMDP,
    decision_rule_grid,
    grid_refinement,
    policy_iteration,
    solve_mfc_mdp_on_grid,
    value_iteration,
)
from mfcode.mfc.finite_n import FiniteNOptimum, finite_n_optimum, profile_value, symmetric_value
from mfcode.mfc.jsq import jsq_policy
from mfcode.mfc.mdp import MFCMDP
from mfcode.mfc.model import MFCModel, state_action_mean_field
from mfcode.mfc.nagent import NAgentSystem
from mfcode.mfc.scheduling import SchedulingModel
from mfcode.mfc.toy import BinaryToyModel

__all__ = [
    "MFCMDP",
    "BinaryToyModel",
    "DPResult",
    "FiniteNOptimum",
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
    "solve_mfc_mdp_on_grid",
    "state_action_mean_field",
    "symmetric_value",
    "value_iteration",
]
