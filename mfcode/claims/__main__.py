"""``python -m mfcode.claims [--book PATH] [--budget ci|full] [--json]`` (see :mod:`mfcode.claims.cli`)."""

from mfcode.claims.cli import main

raise SystemExit(main())
