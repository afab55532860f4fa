"""``python -m mfcode.reproduce``: see :mod:`mfcode.reproduce.cli`."""

import sys

from mfcode.reproduce.cli import main

sys.exit(main())
