"""An offline stand-in for the five vendors: job lifecycles, response bodies and result files read from the specs."""

from typing import Final

__all__ = ["MIN_SPEED", "RESULT_URL_LIFETIME_SECONDS"]

# The slowest --speed: Magic Hour's 24 h URL lifetime then lasts 1,000 days. Much slower and the expiry dates
# the sandbox writes leave the calendar (year 29405 at 1e-7), which no client could use.
MIN_SPEED: Final = 0.001

# How long a URL the sandbox hands out with an expiry time lives at speed 1: result URLs, for vendors whose
# status body carries `result_expires_at`, and presigned upload URLs. Magic Hour's download URLs expire 24 h
# after they are issued (docs/sandbox.md, "Results"). Divided by the speed.
RESULT_URL_LIFETIME_SECONDS: Final = 24 * 3600.0
