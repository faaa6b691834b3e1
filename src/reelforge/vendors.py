"""The vendors reelforge has a generated client for, by the short name in `reelforge_<vendor>` and the sandbox's
URL prefixes."""

from typing import Final

__all__ = ["VENDORS"]

VENDORS: Final = ("hera", "hedra", "magichour", "argil", "oxen")
