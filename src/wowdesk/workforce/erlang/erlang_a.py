"""Erlang A (M/M/N+M): queues whose callers hang up after an exponential patience."""

from __future__ import annotations

from dataclasses import dataclass
from typing import overload

import numpy as np
from numpy.typing import ArrayLike

from ._numeric import (
    BoolArray,
    FloatArray,
    Scalar,
    _check_agents,
    _check_aht,
    _check_patience,
    _check_target_seconds,
    _check_traffic,
    _flat,
    _log_erlang_b,
    _log_gammainc,
    _log_pmf,
    _shape_back,
)
from .erlang_c import _erlang_c_values, _occupancy_values, _sl_from_c

# --------------------------------------------------------------------------------------------
# Erlang A (M/M/N+M)
#
# Notation: mu = 1/AHT, theta = 1/patience, lambda = a * mu, s = N mu / theta, y = lambda / theta.
# With j callers already queued, a newcomer's *offered* wait V (the wait if it never hung up)
# is a sum of exponentials with rates theta (s + k), k = 0..j; exp(-theta V) is then
# Beta(s, j + 1) distributed.  Summing over the stationary queue gives, with P the regularised
# lower incomplete gamma and A_s = P(s, y) / pmf(s; y) (= Mandelbaum & Zeltyn's A(s, y)):
#
#   P(wait)                 = A_s B / (1 - B + A_s B),          B = Erlang B(N, a)
#   P(answered | waited)    = (s / y) P(s + 1, y) / P(s, y)
#   P(abandon)              = P(wait) (1 - P(answered | waited))
#   P(answered within t)    = 1 - P(wait) + P(wait) (s / y) (P(s+1, y) - P(s+1, x y)) / P(s, y)
#                             with x = exp(-theta t)
#
# P(abandon) agrees with the published Mandelbaum & Zeltyn form
# P(Ab | W > 0) = 1 / (rho A(s, y)) + 1 - 1 / rho, rho = y / s.
#
# "Service level" here is the share of *all offered* contacts that are answered within t: a
# caller who hangs up counts as missed however early, so abandonment cannot flatter the figure.
# As patience grows it tends to the Erlang C service level; as patience shrinks to 0 it tends
# to 1 - Erlang B (whoever would have to wait is lost).
# --------------------------------------------------------------------------------------------


# Beyond this many AHTs of patience, abandonment changes the results by less than ~1e-8 while the
# incomplete gammas (whose arguments grow with patience) start losing more than that to
# rounding, so such queues are computed as Erlang C.
_PATIENCE_IS_FOREVER = 1e7


def _never_abandon(patience: FloatArray, aht: FloatArray) -> BoolArray:
    return patience >= _PATIENCE_IS_FOREVER * aht


@dataclass(frozen=True, slots=True)
class _ErlangAParts:
    wait: FloatArray
    abandon: FloatArray
    within: FloatArray | None


def _erlang_a_parts(
    n: FloatArray,
    a: FloatArray,
    aht: FloatArray,
    patience: FloatArray,
    target: FloatArray | None,
) -> _ErlangAParts:
    """Wait and abandonment probabilities (and service level if target is given), 1-D arrays."""
    size = n.size
    wait = np.zeros(size)
    abandon = np.zeros(size)
    within = np.ones(size) if target is not None else None

    empty = (a > 0.0) & (n == 0.0)
    wait[empty] = 1.0
    abandon[empty] = 1.0
    if within is not None:
        within[empty] = 0.0

    never = (a > 0.0) & (n > 0.0) & _never_abandon(patience, aht)
    if never.any():
        c = _erlang_c_values(n[never], a[never])
        wait[never] = c
        if within is not None and target is not None:
            nv, av = n[never], a[never]
            sl = np.zeros(nv.size)
            ok = nv > av
            sl[ok] = _sl_from_c(c[ok], nv[ok], av[ok], target[never][ok] / aht[never][ok])
            within[never] = sl

    m = (a > 0.0) & (n > 0.0) & ~_never_abandon(patience, aht)
    if m.any():
        nm, am, ratio = n[m], a[m], patience[m] / aht[m]
        s = nm * ratio
        y = am * ratio
        log_b = _log_erlang_b(nm, am)
        lp_s = _log_gammainc(s, y)
        log_as = lp_s - _log_pmf(s, y)
        with np.errstate(divide="ignore", over="ignore"):
            rest = np.exp(np.log1p(-np.exp(log_b)) - log_as - log_b)
        w = 1.0 / (1.0 + rest)
        lp_s1 = _log_gammainc(s + 1.0, y)
        answered_if_waited = (s / y) * np.exp(lp_s1 - lp_s)
        wait[m] = w
        abandon[m] = w * np.maximum(1.0 - answered_if_waited, 0.0)
        if within is not None and target is not None:
            x = np.exp(-target[m] / patience[m])
            lp_sx = _log_gammainc(s + 1.0, x * y)
            quick = (s / y) * (np.exp(lp_s1 - lp_s) - np.exp(lp_sx - lp_s))
            within[m] = np.clip(1.0 - w + w * quick, 0.0, 1.0)
    return _ErlangAParts(wait, abandon, within)


def _erlang_a_answered_wait(
    n: FloatArray, a: FloatArray, aht: FloatArray, patience: FloatArray
) -> FloatArray:
    """Mean wait of *answered* contacts (what a contact centre reports as ASA), seconds.

    There is no closed form; we sum over the queue length j a newcomer finds.  Given j,
    E[V; answered] = E[V exp(-theta V)] = (s / (s + j + 1)) (psi(s + j + 2) - psi(s + 1)) / theta,
    and the queue length has weights w_j = y**j / ((s+1)...(s+j)) / A_s.  The weights are
    carried in log space from j = 0 and the sum stops once past the mode the weights have
    become negligible, which takes about max(0, y - s) + a few sqrt(y) terms: a few hundred
    for real contact centres, many more only for absurd patience-times-volume products.
    """
    size = n.size
    out = np.zeros(size)
    out[(a > 0.0) & (n == 0.0)] = np.nan
    never = (a > 0.0) & (n > 0.0) & _never_abandon(patience, aht)
    if never.any():
        nv, av, hv = n[never], a[never], aht[never]
        res = np.full(nv.size, np.inf)
        ok = nv > av
        res[ok] = _erlang_c_values(nv[ok], av[ok]) * hv[ok] / (nv[ok] - av[ok])
        out[never] = res
    m = np.flatnonzero((a > 0.0) & (n > 0.0) & ~_never_abandon(patience, aht))
    if m.size == 0:
        return out
    nm, am, hm, pm = n[m], a[m], aht[m], patience[m]
    parts = _erlang_a_parts(nm, am, hm, pm, None)
    ratio = pm / hm
    s, y = nm * ratio, am * ratio
    log_as = _log_gammainc(s, y) - _log_pmf(s, y)
    log_y = np.log(y)

    total = np.zeros(m.size)
    mass = np.zeros(m.size)  # sums to 1 in exact arithmetic; dividing by it absorbs rounding
    log_w = -log_as
    harmonic = 1.0 / (s + 1.0)
    active = np.arange(m.size)
    j = 0
    while active.size:
        sa = s[active]
        weight = np.exp(log_w[active])
        total[active] += weight * (sa / (sa + j + 1.0)) * harmonic[active]
        mass[active] += weight
        past_mode = j >= y[active] - sa
        keep = ~(past_mode & (weight <= 1e-17))
        active = active[keep]
        j += 1
        log_w[active] += log_y[active] - np.log(s[active] + j)
        harmonic[active] += 1.0 / (s[active] + j + 1.0)

    answered_after_wait = parts.wait * (total / mass) * pm
    answered = 1.0 - parts.abandon
    with np.errstate(invalid="ignore", divide="ignore"):
        out[m] = np.where(answered > 0.0, answered_after_wait / answered, np.nan)
    return out


def _erlang_a_inputs(
    n: ArrayLike, a: ArrayLike, aht_seconds: ArrayLike, patience_seconds: ArrayLike
) -> tuple[list[FloatArray], tuple[int, ...], bool]:
    arrays, shape, scalar = _flat(n, a, aht_seconds, patience_seconds)
    _check_agents(arrays[0])
    _check_traffic(arrays[1])
    _check_aht(arrays[2])
    _check_patience(arrays[3])
    return arrays, shape, scalar


@overload
def erlang_a_wait_probability(
    n: Scalar, a: Scalar, aht_seconds: Scalar, patience_seconds: Scalar
) -> float: ...
@overload
def erlang_a_wait_probability(
    n: ArrayLike, a: ArrayLike, aht_seconds: ArrayLike, patience_seconds: ArrayLike
) -> FloatArray: ...
def erlang_a_wait_probability(
    n: ArrayLike, a: ArrayLike, aht_seconds: ArrayLike, patience_seconds: ArrayLike
) -> float | FloatArray:
    """Probability that a contact is queued, when callers hang up after a mean patience.

    Unlike Erlang C this is below 1 even with n <= a: abandonment keeps the queue finite.
    """
    (nn, aa, aht, pat), shape, scalar = _erlang_a_inputs(n, a, aht_seconds, patience_seconds)
    return _shape_back(_erlang_a_parts(nn, aa, aht, pat, None).wait, shape, scalar)


@overload
def erlang_a_abandonment(
    n: Scalar, a: Scalar, aht_seconds: Scalar, patience_seconds: Scalar
) -> float: ...
@overload
def erlang_a_abandonment(
    n: ArrayLike, a: ArrayLike, aht_seconds: ArrayLike, patience_seconds: ArrayLike
) -> FloatArray: ...
def erlang_a_abandonment(
    n: ArrayLike, a: ArrayLike, aht_seconds: ArrayLike, patience_seconds: ArrayLike
) -> float | FloatArray:
    """Share of offered contacts that hang up before being answered."""
    (nn, aa, aht, pat), shape, scalar = _erlang_a_inputs(n, a, aht_seconds, patience_seconds)
    return _shape_back(_erlang_a_parts(nn, aa, aht, pat, None).abandon, shape, scalar)


@overload
def erlang_a_service_level(
    n: Scalar, a: Scalar, aht_seconds: Scalar, target_seconds: Scalar, patience_seconds: Scalar
) -> float: ...
@overload
def erlang_a_service_level(
    n: ArrayLike,
    a: ArrayLike,
    aht_seconds: ArrayLike,
    target_seconds: ArrayLike,
    patience_seconds: ArrayLike,
) -> FloatArray: ...
def erlang_a_service_level(
    n: ArrayLike,
    a: ArrayLike,
    aht_seconds: ArrayLike,
    target_seconds: ArrayLike,
    patience_seconds: ArrayLike,
) -> float | FloatArray:
    """Share of *offered* contacts answered within target_seconds, with abandonment.

    Contacts that hang up count as missed even if they hang up before target_seconds, so a
    queue cannot reach its target by losing callers.
    """
    arrays, shape, scalar = _flat(n, a, aht_seconds, target_seconds, patience_seconds)
    nn, aa, aht, t, pat = arrays
    _check_agents(nn)
    _check_traffic(aa)
    _check_aht(aht)
    _check_target_seconds(t)
    _check_patience(pat)
    within = _erlang_a_parts(nn, aa, aht, pat, t).within
    assert within is not None
    return _shape_back(within, shape, scalar)


@overload
def erlang_a_asa(n: Scalar, a: Scalar, aht_seconds: Scalar, patience_seconds: Scalar) -> float: ...
@overload
def erlang_a_asa(
    n: ArrayLike, a: ArrayLike, aht_seconds: ArrayLike, patience_seconds: ArrayLike
) -> FloatArray: ...
def erlang_a_asa(
    n: ArrayLike, a: ArrayLike, aht_seconds: ArrayLike, patience_seconds: ArrayLike
) -> float | FloatArray:
    """Average speed of answer of the contacts that *are* answered, in seconds.

    Callers who hang up are left out, as in a contact centre's ASA report; their time in queue
    is what `erlang_a_abandonment` accounts for.  NaN for zero agents (nobody is answered).
    """
    (nn, aa, aht, pat), shape, scalar = _erlang_a_inputs(n, a, aht_seconds, patience_seconds)
    return _shape_back(_erlang_a_answered_wait(nn, aa, aht, pat), shape, scalar)


@overload
def erlang_a_occupancy(
    n: Scalar, a: Scalar, aht_seconds: Scalar, patience_seconds: Scalar
) -> float: ...
@overload
def erlang_a_occupancy(
    n: ArrayLike, a: ArrayLike, aht_seconds: ArrayLike, patience_seconds: ArrayLike
) -> FloatArray: ...
def erlang_a_occupancy(
    n: ArrayLike, a: ArrayLike, aht_seconds: ArrayLike, patience_seconds: ArrayLike
) -> float | FloatArray:
    """Agent occupancy when callers abandon: only answered contacts keep agents busy."""
    (nn, aa, aht, pat), shape, scalar = _erlang_a_inputs(n, a, aht_seconds, patience_seconds)
    parts = _erlang_a_parts(nn, aa, aht, pat, None)
    return _shape_back(_occupancy_values(nn, aa * (1.0 - parts.abandon)), shape, scalar)
