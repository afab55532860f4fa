"""Learning in mean-field games, after the slides "MARL from a mean-field perspective" (seed ``004_ae508d4ce3677c60.txt``).

- :mod:`mfcode.slides.lecture` -- "When does the lecture start?" (Guéant, Lasry & Lions): Proposition 1's
  first-order condition, the map :math:`T\\mapsto T^{\\ast\\ast}`, Proposition 2's Banach iteration;
- :mod:`mfcode.slides.smoothing` -- argmax-e, :math:`\\mathrm{softmax}_c` and MellowMax, the outer step's rules;
- :mod:`mfcode.slides.qlearning` -- the three-step fixed point :math:`\\Gamma_2\\circ\\Gamma_1` on the
  state-action mean field :math:`L`, naive Q-learning (Algorithm 1) and GMF-Q (Algorithm 2) with
  softmax, MellowMax and momentum smoothing;
- :mod:`mfcode.slides.auction` -- a repeated second-price ad auction in the spirit of the slides'
  Taobao example, as a stationary MFG of :mod:`mfcode.mfg`;
- :mod:`mfcode.slides.anarchy` -- the MFC social optimum (the IQ-function Bellman equation) against the
  MFG equilibrium, and the price of anarchy.

The N-player evaluation of any mean-field policy is :mod:`mfcode.nplayer`.
"""
