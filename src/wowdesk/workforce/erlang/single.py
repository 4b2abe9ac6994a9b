"""Erlang C staffing for one interval in plain floats: no arrays, no per-call numpy set-up.

`staffing_many` pays some fifty numpy calls of fixed cost whatever the batch size, which
made one `wowdesk wfm staffing` call slower than a pure-Python library.  This module runs
the very same steps (Erlang B at the first candidate from the Poisson pmf/cdf ratio, then
the forward recursion) on Python floats, so a single interval costs what one element of a
batch costs.  Only Erlang C is done here; Erlang A (finite patience) needs the bisection
over incomplete gammas and stays with the batch code.  The property tests check that both
paths give the same agents and the same figures.
"""

from __future__ import annotations

import math

# scipy-stubs gives real types; without it mypy must not fail on the import.
from scipy import special  # type: ignore[import-untyped, unused-ignore]

from ._numeric import _DECIMAL_SLACK, _HALF_LOG_2PI, _TINY

_PATIENCE_IS_FOREVER = 1e7  # the same cut-off as erlang_a._PATIENCE_IS_FOREVER


def _stirlerr(x: float) -> float:
    """log(x!) minus its Stirling approximation (see `_numeric._stirlerr`)."""
    if x > 15.0:
        xx = x * x
        return (
            1.0 / 12.0
            - (1.0 / 360.0 - (1.0 / 1260.0 - (1.0 / 1680.0 - (1.0 / 1188.0) / xx) / xx) / xx) / xx
        ) / x
    return math.lgamma(x + 1.0) - (x + 0.5) * math.log(x) + x - _HALF_LOG_2PI


def _bd0(x: float, lam: float) -> float:
    """x log(x / lam) + lam - x without cancellation (see `_numeric._bd0`)."""
    d = x - lam
    if abs(d) >= 0.1 * (x + lam):
        return x * (math.log(x) - math.log(lam)) + lam - x
    v = d / (x + lam)
    total = d * v
    term = 2.0 * x * v
    v2 = v * v
    for j in range(1, 11):
        term = term * v2
        total = total + term / (2 * j + 1)
    return total


def _log_erlang_b(n: float, a: float) -> float:
    """log B(n, a) for whole n >= 1 and a > 0 (see `_numeric._log_erlang_b`)."""
    cdf = float(special.gammaincc(n + 1.0, a))
    if cdf > _TINY:
        log_pmf = -_stirlerr(n) - _bd0(n, a) - _HALF_LOG_2PI - 0.5 * math.log(n)
        return log_pmf - math.log(cdf)
    total = term = 1.0
    m = 0
    while True:
        m += 1
        term *= (n - (m - 1)) / a
        total += term
        if not (term > 1e-17 * total and n > m):
            return -math.log(total)


def _valid(
    vol: float,
    aht: float,
    target: float,
    t: float,
    interval: float,
    shrink: float,
    max_occ: float,
    patience: float,
) -> bool:
    """The batch's input rules; on False the caller lets the batch raise its exact error."""
    finite = math.isfinite
    return (
        vol >= 0.0
        and finite(vol)
        and aht > 0.0
        and finite(aht)
        and 0.0 < target < 1.0
        and t >= 0.0
        and finite(t)
        and interval > 0.0
        and finite(interval)
        and 0.0 <= shrink < 1.0
        and 0.0 < max_occ <= 1.0
        and patience > 0.0
    )


def erlang_c_staffing(
    volume: float,
    aht_seconds: float,
    sl_target: float,
    target_seconds: float,
    interval_minutes: float,
    shrinkage: float,
    max_occupancy: float,
    patience_seconds: float,
) -> tuple[int, int, float, float, float, float] | None:
    """(agents, scheduled, service level, ASA, occupancy, traffic) for one interval.

    None when the batch code must answer instead: invalid input (so the error message is
    the batch's) or a finite patience (Erlang A).
    """
    vol, aht, target = float(volume), float(aht_seconds), float(sl_target)
    t, interval, shrink = float(target_seconds), float(interval_minutes), float(shrinkage)
    max_occ, patience = float(max_occupancy), float(patience_seconds)
    if not _valid(vol, aht, target, t, interval, shrink, max_occ, patience):
        return None
    if patience < _PATIENCE_IS_FOREVER * aht:
        return None
    a = vol * aht / (60.0 * interval)
    if a == 0.0:
        return 0, 0, 1.0, 0.0, 0.0, a
    k = t / aht
    n = float(max(math.floor(a) + 1, math.ceil(a / max_occ - _DECIMAL_SLACK)))
    b = math.exp(_log_erlang_b(n, a))
    exp = math.exp
    while True:
        c = b / (1.0 - (a / n) * (1.0 - b))
        sl = 1.0 - c * exp(-(n - a) * k)
        if sl >= target:
            break
        n += 1.0
        ab = a * b
        b = ab / (n + ab)
    scheduled = max(math.ceil(n / (1.0 - shrink) - _DECIMAL_SLACK), n)
    return int(n), int(scheduled), sl, c * aht / (n - a), a / n, a
