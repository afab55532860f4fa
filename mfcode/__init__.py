"""mfcode: the code behind *mfbook*, a reproducible companion to papers on mean-field games (MFG)
and mean-field control (MFC) for cloud resource management and load balancing.

Subpackages (one idea of the papers each):

- :mod:`mfcode.claims` -- the claims ledger (every number the book asserts against a paper);
- :mod:`mfcode.simplex` -- softmax, entropy, KL, projection onto the simplex, policy distance;
- :mod:`mfcode.plotting` -- one house style for every figure;
- :mod:`mfcode.mfg` -- finite mean-field games (Mao et al., NeurIPS 2022, seed 001);
- :mod:`mfcode.mfc` -- mean-field control with environment states (seed 002);
- :mod:`mfcode.rl` -- one PPO implementation shared by the chapters.
"""

__version__ = "0.1.0"
