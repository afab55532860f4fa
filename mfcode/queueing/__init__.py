"""Sparse mean-field load balancing on graphs (Tahir, Cui, Koeppl; seed ``003_99f599d21fa4851c.txt``).

One module per job:

:mod:`~mfcode.queueing.graphs`
    the topologies of 003 §2.1 as a neighbour-index array plus a degree vector, their node-count
    formulas, and empirical depth-2 neighbourhood statistics (local weak convergence, §1.3.1);
:mod:`~mfcode.queueing.system`
    the system parameters of 003 Table 1 and the Markov-modulated arrival rate, eq. (2);
:mod:`~mfcode.queueing.policies`
    the routing policies of 003 §2.2 (OWN, RND, JSQ, SED, a mean-field decision rule, a per-agent
    hook) behind one protocol, and the per-queue arrival rates [U1] they induce;
:mod:`~mfcode.queueing.simulator`
    the exact epoch simulator of eq. (1), vectorized over queues and replicate episodes: per-queue
    uniformization with counted drops, or the epoch kernel with expected (Rao-Blackwellized) drops;
:mod:`~mfcode.queueing.exact`
    expected drops by the matrix exponential of the birth-death generator with a drop accumulator
    (003 App. A, with the epoch length inside the exponential), a table of those kernels by arrival
    rate for the simulator, and the exact per-queue episode value of OWN (and RND on regular graphs)
    by the modulated single-queue chain;
:mod:`~mfcode.queueing.observations`
    what a learner observes: own state, neighbour histogram, global histogram, arrival regime.
"""
