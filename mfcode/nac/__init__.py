"""Online natural actor-critic for mean-field games (Mao et al., NeurIPS 2022, seed ``001_00c545ba2a0e4aca.txt``).

- :mod:`mfcode.nac.features` -- feature maps and the log-linear softmax policy class (001 §2);
- :mod:`mfcode.nac.protocol` -- the oracles' contract with Algorithm 1's loop and the run every
  variant returns.
"""
