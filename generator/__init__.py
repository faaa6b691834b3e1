"""reelforge's spec pipeline: vendored specs -> overlays -> effective spec -> generated client packages."""

import sys
from pathlib import Path

# The pipeline reads OpenAPI documents through reelforge.specs, the project's one reader, but it cannot rely on
# reelforge being installed: the project depends on the packages the pipeline generates, so it can only be
# installed after generation (the `generate` nox group never installs it). This tree's src/ goes first on
# sys.path so that its own reader, the one these sources were written against, wins over any installed copy.
# reelforge/__init__.py stays cheap (lazy exports), so this brings in reelforge.specs and nothing else.
_SRC = str(Path(__file__).resolve().parent.parent / "src")
if sys.path[:1] != [_SRC]:
    sys.path.insert(0, _SRC)
