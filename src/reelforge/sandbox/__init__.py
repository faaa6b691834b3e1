"""An offline stand-in for the five vendors: job lifecycles, response bodies and result files read from the specs."""

from typing import Final

__all__ = ["MIN_SPEED"]

# The slowest --speed: Magic Hour's 24 h URL lifetime then lasts 1,000 days. Much slower and the expiry dates
# the sandbox writes leave the calendar (year 29405 at 1e-7), which no client could use.
MIN_SPEED: Final = 0.001
