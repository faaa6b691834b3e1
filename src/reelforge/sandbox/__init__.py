"""An offline stand-in for the five vendors: job lifecycles, response bodies and result files read from the specs."""

__all__: list[str] = []
