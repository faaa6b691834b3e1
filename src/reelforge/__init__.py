"""reelforge: one facade over the generated vendor clients, and an offline sandbox that behaves like each vendor."""

__all__: list[str] = []
