"""reelforge's spec pipeline: vendored specs -> overlays -> effective spec -> generated client packages."""
