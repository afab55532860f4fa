"""One module per chapter: the functions its notebooks call, returning typed results.

Notebooks only call these, :func:`mfcode.claims.check` and plot; the computations live here, tested
like the rest of mfcode.

- :mod:`.foundations` -- the exact SIS notebook (001 App. D);
- :mod:`.mfg` -- exact equilibria, contraction and solvers vs mfglib (001 §2, §4, Lemma 6);
- :mod:`.parity` -- mfcode vs OpenSpiel vs mfglib (crowd modelling, LQ);
- :mod:`.mfc` -- the MFC MDP: exact optimum and finite-N values (002 Sec. III-V);
- :mod:`.fig4` -- Fig. 4 of 002: learned MF/NA/PS policies against the exact optimum.
"""
