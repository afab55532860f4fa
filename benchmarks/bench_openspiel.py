"""Per-iteration speed of mfcode vs OpenSpiel 2.0.2 (and mfglib 0.3.0) on OpenSpiel's mean-field games.

Run from the repository root (single-threaded BLAS is set below, before numpy is imported):

    .venv/bin/python benchmarks/bench_openspiel.py [--iterations 5] [--no-mfglib]

On crowd modelling (size 10, horizon 10; OpenSpiel's Python game ``python_mfg_crowd_modelling``)
and the linear-quadratic game of 001_00c545ba2a0e4aca.txt App. D (size 25, horizon 10, terminal
cost 0; ``mean_field_lin_quad``), every library runs the same solver for the same number of
iterations in this one process; the table gives the median wall time of one solver step (scoring
excluded; mfcode: median over 20 runs of the mean step), OpenSpiel's and mfglib's time over mfcode's, and the largest
gaps between the exploitability histories (to OpenSpiel: asserted to 1e-8 by the tests; to mfglib:
its fictitious play splits ties evenly and its mirror descent is the plain update, see the book page).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402

from mfcode.mfg.openspiel_compat import compare  # noqa: E402

CASES = [
    ("crowd_modelling", {"size": 10, "horizon": 10}, "fictitious_play", None, None),
    ("crowd_modelling", {"size": 10, "horizon": 10}, "mirror_descent", 1.0, None),
    ("crowd_modelling", {"size": 10, "horizon": 10}, "fixed_point", None, 1.0),
    ("linear_quadratic", {"size": 25, "horizon": 10, "terminal_cost": 0.0}, "fictitious_play", None, None),
    ("linear_quadratic", {"size": 25, "horizon": 10, "terminal_cost": 0.0}, "mirror_descent", 1.0, None),
    ("linear_quadratic", {"size": 25, "horizon": 10, "terminal_cost": 0.0}, "fixed_point", None, 1.0),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=5, help="solver iterations per library (default 5)")
    parser.add_argument("--no-mfglib", action="store_true", help="skip mfglib")
    args = parser.parse_args()
    print(
        "| game | solver | OpenSpiel [s/it] | mfglib [s/it] | mfcode [s/it] | OpenSpiel / mfcode "
        "| mfglib / mfcode | gap to OpenSpiel | gap to mfglib |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for game, params, solver, lr, temp in CASES:
        with_mfglib = not args.no_mfglib and solver != "fixed_point"
        c = compare(game, params, solver, args.iterations, lr=lr, temperature=temp, mfglib=with_mfglib)  # type: ignore[arg-type]
        secs = c.seconds_per_iteration
        mfglib_cols = (f"{secs['mfglib']:.3g}", f"{c.speedup('mfglib'):.3g}") if with_mfglib else ("-", "-")
        mfglib_gap = f"{c.max_gap('mfglib'):.1e}" if with_mfglib else "-"
        label = f"{game} ({params['size']})"
        name = solver + (f" lr={lr}" if lr else "") + (f" T={temp}" if temp else "")
        print(
            f"| {label} | {name} | {secs['openspiel']:.3g} | {mfglib_cols[0]} | {secs['mfcode']:.3g} "
            f"| {c.speedup():.0f} | {mfglib_cols[1]} | {c.max_gap():.1e} | {mfglib_gap} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
