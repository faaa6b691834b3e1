"""`python -m reelforge`: the same as the `reelforge` command."""

import sys

from reelforge.cli import main

sys.exit(main())
