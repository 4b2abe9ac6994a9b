"""How long a customer will wait: position, handle times and the operators who can help.

A queue served by `slots` concurrent chat places, each freeing after a mean handle time,
releases one place every `aht / slots` seconds on average; the customer at position p
waits for p of those releases, less the places free right now. Kept free of the database
so the benchmark's simulated day measures exactly the function the customers see.
"""

from __future__ import annotations

import math
import statistics

DEFAULT_HANDLE_SECONDS = 300.0


def mean_handle_seconds(recent: list[float]) -> float:
    """A trimmed mean: one chat left open over lunch must not triple everyone's estimate."""
    values = sorted(v for v in recent if v > 0)
    if len(values) < 5:
        return DEFAULT_HANDLE_SECONDS if not values else statistics.fmean(values)
    cut = len(values) // 10
    return statistics.fmean(values[cut : len(values) - cut] or values)


def estimate_wait(position: int, slots: int, free: int, handle_seconds: float) -> float | None:
    """Seconds until the customer at `position` (1 = next) is offered to an operator;
    None when nobody who can take the conversation is working."""
    if slots <= 0:
        return None
    ahead = position - free
    if ahead <= 0:
        return 0.0
    return ahead * handle_seconds / slots


def rounded_minutes(seconds: float) -> int:
    """What the customer is told: whole minutes, at least one."""
    return max(1, math.ceil(seconds / 60))
