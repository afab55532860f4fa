"""Command line: train the learners of seed ``002_7da79a39441e57df.txt`` (Sec. VI, Fig. 4(a)) and save an artifact.

``python -m mfcode.rl.train_mfc --budget {ci,full} --seed S --out DIR [--part all|mf|N]`` runs
:func:`~mfcode.rl.training.train_all` (or one part: ``mf`` = :func:`~mfcode.rl.training.train_mf`,
``N`` = :func:`~mfcode.rl.training.train_agents` at that N) with the sizes of
:data:`~mfcode.rl.budget.BUDGETS` and writes ``<DIR>/mfc_learners_<budget>_seed<S>[_<part>].npz``
plus its ``.json`` provenance record (:mod:`mfcode.rl.artifact`). The ``full`` budget (the
paper's scale; on a GPU when available) can so be spread over several machine sessions;
:func:`~mfcode.rl.artifact.load_artifact` merges the parts.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import torch

from mfcode.provenance import command_line
from mfcode.rl.artifact import save_artifact
from mfcode.rl.budget import BUDGETS
from mfcode.rl.config import PPOConfig
from mfcode.rl.training import train_agents, train_all, train_mf

__all__ = ["main"]

MODULE = "mfcode.rl.train_mfc"


def main(argv: Sequence[str] | None = None, config: PPOConfig | None = None) -> tuple[Path, Path]:
    """Parse ``argv`` (default ``sys.argv[1:]``), train, save; return the ``.npz`` and ``.json`` paths.

    ``--part all`` (default) trains everything; ``--part mf`` only MF-PPO; ``--part N`` (an
    integer of the budget's N list) only NA and PS at that N. ``config`` (Python callers only)
    replaces the Table I hyperparameters.
    """
    parser = argparse.ArgumentParser(prog=f"python -m {MODULE}", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--budget", choices=sorted(BUDGETS), required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--part", default="all", help="all, mf, or an N of the budget (NA and PS at that N)")
    parser.add_argument("--device", default=None, help="cpu, cuda, ... (default: cuda if available)")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's)")
    parser.add_argument("--progress", action="store_true")
    args_list = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(args_list)
    budget = BUDGETS[args.budget]
    if args.part not in ("all", "mf") and not (args.part.isdigit() and int(args.part) in budget.n_agents):
        parser.error(f"--part must be all, mf or one of {budget.n_agents}, got {args.part!r}")
    if args.seed < 0:
        parser.error(f"--seed must be non-negative, got {args.seed}")
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    config = PPOConfig() if config is None else config
    start = time.perf_counter()
    if args.part == "all":
        arrays, info = train_all(budget, args.seed, config, args.device, args.progress)
    elif args.part == "mf":
        arrays, info = train_mf(budget, args.seed, config, args.device, args.progress)
    else:
        arrays, info = train_agents(budget, int(args.part), args.seed, config, args.device, args.progress)
    part = args.part if args.part in ("all", "mf") else int(args.part)
    wall = time.perf_counter() - start
    command = command_line(MODULE, args_list)
    paths = save_artifact(args.out, args.budget, budget, args.seed, config, arrays, info, wall, command, part)
    print(f"wrote {paths[0]} and {paths[1]} ({wall:.1f} s on {info['device']})")
    return paths


if __name__ == "__main__":
    main()
