"""Erlang B and C: blocking, waiting probability, service level, ASA and occupancy."""

from __future__ import annotations

from typing import overload

import numpy as np
from numpy.typing import ArrayLike

from ._numeric import (
    FloatArray,
    Scalar,
    _check_agents,
    _check_aht,
    _check_target_seconds,
    _check_traffic,
    _flat,
    _log_erlang_b,
    _require,
    _shape_back,
)

# --------------------------------------------------------------------------------------------
# Erlang C primitives
# --------------------------------------------------------------------------------------------


def _erlang_b_values(n: FloatArray, a: FloatArray) -> FloatArray:
    out = np.where(n == 0.0, 1.0, 0.0)
    pos = a > 0.0
    out[pos] = np.exp(_log_erlang_b(n[pos], a[pos]))
    return out


def _erlang_c_values(n: FloatArray, a: FloatArray) -> FloatArray:
    """C(n, a); 1 when n <= a (everyone waits, the queue grows without bound); 0 when a == 0."""
    out = np.where(a > 0.0, 1.0, 0.0)
    stable = (a > 0.0) & (n > a)
    ns, as_ = n[stable], a[stable]
    b = _erlang_b_values(ns, as_)
    out[stable] = b / (1.0 - (as_ / ns) * (1.0 - b))
    return out


def _sl_from_c(c: FloatArray, n: FloatArray, a: FloatArray, t_over_aht: FloatArray) -> FloatArray:
    return 1.0 - c * np.exp(-(n - a) * t_over_aht)


@overload
def traffic_intensity(volume: Scalar, aht_seconds: Scalar, interval_minutes: Scalar) -> float: ...
@overload
def traffic_intensity(
    volume: ArrayLike, aht_seconds: ArrayLike, interval_minutes: ArrayLike
) -> FloatArray: ...
def traffic_intensity(
    volume: ArrayLike, aht_seconds: ArrayLike, interval_minutes: ArrayLike
) -> float | FloatArray:
    """Offered load in Erlangs: the average number of agents busy if nobody ever waited."""
    (v, aht, interval), shape, scalar = _flat(volume, aht_seconds, interval_minutes)
    _require("volume", v, (v >= 0) & np.isfinite(v), "finite and >= 0")
    _check_aht(aht)
    _require("interval_minutes", interval, (interval > 0) & np.isfinite(interval), "> 0")
    return _shape_back(v * aht / (60.0 * interval), shape, scalar)


@overload
def erlang_b(n: Scalar, a: Scalar) -> float: ...
@overload
def erlang_b(n: ArrayLike, a: ArrayLike) -> FloatArray: ...
def erlang_b(n: ArrayLike, a: ArrayLike) -> float | FloatArray:
    """Blocking probability of n lines offered a Erlangs; also the building block of C and A."""
    (nn, aa), shape, scalar = _flat(n, a)
    _check_agents(nn)
    _check_traffic(aa)
    return _shape_back(_erlang_b_values(nn, aa), shape, scalar)


@overload
def erlang_c(n: Scalar, a: Scalar) -> float: ...
@overload
def erlang_c(n: ArrayLike, a: ArrayLike) -> FloatArray: ...
def erlang_c(n: ArrayLike, a: ArrayLike) -> float | FloatArray:
    """Probability that a contact has to wait, with n agents and a Erlangs of traffic.

    Returns 1 when n <= a: with that few agents the queue grows for ever, so everyone waits.
    """
    (nn, aa), shape, scalar = _flat(n, a)
    _check_agents(nn)
    _check_traffic(aa)
    return _shape_back(_erlang_c_values(nn, aa), shape, scalar)


@overload
def service_level(n: Scalar, a: Scalar, aht_seconds: Scalar, target_seconds: Scalar) -> float: ...
@overload
def service_level(
    n: ArrayLike, a: ArrayLike, aht_seconds: ArrayLike, target_seconds: ArrayLike
) -> FloatArray: ...
def service_level(
    n: ArrayLike, a: ArrayLike, aht_seconds: ArrayLike, target_seconds: ArrayLike
) -> float | FloatArray:
    """Share of contacts answered within target_seconds (Erlang C: nobody hangs up).

    0 when n <= a, because the waiting time then has no steady state; 1 when there is no
    traffic at all.
    """
    (nn, aa, aht, t), shape, scalar = _flat(n, a, aht_seconds, target_seconds)
    _check_agents(nn)
    _check_traffic(aa)
    _check_aht(aht)
    _check_target_seconds(t)
    c = _erlang_c_values(nn, aa)
    sl = np.where(aa > 0.0, 0.0, 1.0)
    stable = (aa > 0.0) & (nn > aa)
    sl[stable] = _sl_from_c(c[stable], nn[stable], aa[stable], t[stable] / aht[stable])
    return _shape_back(sl, shape, scalar)


@overload
def asa(n: Scalar, a: Scalar, aht_seconds: Scalar) -> float: ...
@overload
def asa(n: ArrayLike, a: ArrayLike, aht_seconds: ArrayLike) -> FloatArray: ...
def asa(n: ArrayLike, a: ArrayLike, aht_seconds: ArrayLike) -> float | FloatArray:
    """Average speed of answer in seconds, averaged over all contacts including unqueued ones.

    Infinite when n <= a: the backlog, and with it the wait, grows without limit.
    """
    (nn, aa, aht), shape, scalar = _flat(n, a, aht_seconds)
    _check_agents(nn)
    _check_traffic(aa)
    _check_aht(aht)
    out = np.where(aa > 0.0, np.inf, 0.0)
    stable = (aa > 0.0) & (nn > aa)
    c = _erlang_c_values(nn[stable], aa[stable])
    out[stable] = c * aht[stable] / (nn[stable] - aa[stable])
    return _shape_back(out, shape, scalar)


def _occupancy_values(n: FloatArray, busy: FloatArray) -> FloatArray:
    out = np.zeros_like(n)
    has = n > 0
    out[has] = np.minimum(busy[has] / n[has], 1.0)
    return out


@overload
def occupancy(n: Scalar, a: Scalar) -> float: ...
@overload
def occupancy(n: ArrayLike, a: ArrayLike) -> FloatArray: ...
def occupancy(n: ArrayLike, a: ArrayLike) -> float | FloatArray:
    """Share of logged-in time agents spend handling contacts: a / n, at most 1.

    Capped at 1 because with n <= a every agent is busy all the time (and the queue grows);
    0 for zero agents, who have no time to occupy.
    """
    (nn, aa), shape, scalar = _flat(n, a)
    _check_agents(nn)
    _check_traffic(aa)
    return _shape_back(_occupancy_values(nn, aa), shape, scalar)
