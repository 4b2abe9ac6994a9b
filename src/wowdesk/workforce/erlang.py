"""Erlang C (and Erlang A) staffing: the fewest agents that meet a service-level target.

Why not the textbook formula: Erlang C written with ``A**N / N!`` overflows a float long before
a busy contact centre's load (20 000 contacts an hour at a 3-minute AHT is 1 000 Erlangs), and
the common search "start at round(A + 1) and add agents" never tries floor(A) + 1 when the
load has a fraction >= .5, so it overstaffs by one agent whenever that head count would have
met the target (long target times, short AHTs: chat and back office).  This module instead:

* gets Erlang B at the first candidate from the Poisson ratio ``B(N, A) = pmf(N) / cdf(N)``
  with the pmf in Loader's saddle-point form, accurate to ~1e-15 relative at any load;
* walks up one agent at a time with the forward recursion ``B(N+1) = A B / (N + 1 + A B)``,
  which only handles numbers in (0, 1] and damps rounding errors instead of amplifying them;
* starts at the smallest integer *strictly* above A (the queue never empties at N <= A), so
  the answer is exactly the minimal N with SL(N) >= target, never one more;
* does all of it for a whole forecast at once: each step of the walk is a few numpy operations
  on only those intervals that still miss their target.

Units everywhere: volume is contacts per interval, AHT, target answer time and patience are in
seconds, interval length in minutes.  Traffic A = volume * AHT / (60 * interval_minutes) Erlangs.

Erlang A (M/M/N+M: callers abandon after an exponential patience) is used when
``patience_seconds`` is given; its formulas are in the section that implements it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

# scipy-stubs gives real types; without it mypy must not fail on the import.
from scipy import special  # type: ignore[import-untyped, unused-ignore]

__all__ = [
    "Staffing",
    "StaffingBatch",
    "asa",
    "erlang_a_abandonment",
    "erlang_a_asa",
    "erlang_a_occupancy",
    "erlang_a_service_level",
    "erlang_a_wait_probability",
    "erlang_b",
    "erlang_c",
    "occupancy",
    "service_level",
    "staffing",
    "staffing_json",
    "staffing_many",
    "traffic_intensity",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
Scalar = float | int | np.floating[Any] | np.integer[Any]

_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)
# Below this a regularised incomplete gamma (or Poisson cdf) from scipy has lost its relative
# precision to underflow; we switch to a convergent series computed in log space instead.
_TINY = 1e-280
# Inputs such as shrinkage 0.3 or max occupancy 0.85 are meant as decimals; their binary
# rounding pushes exact quotients a hair up (21 / (1 - 0.3) is 30.000000000000004 in floats,
# which a bare ceil makes 31).  Quotients within this distance of an integer are treated as
# that integer before rounding up.
_DECIMAL_SLACK = 1e-9


@dataclass(frozen=True, slots=True)
class Staffing:
    """Staffing for one interval.

    ``agents`` is the number of agents that must be logged in and taking contacts (before
    shrinkage); ``scheduled_agents`` is how many to put on the schedule so that, after
    shrinkage (breaks, training, absence), ``agents`` are still available:
    ``ceil(agents / (1 - shrinkage))``.  Service level, ASA and occupancy describe the
    ``agents`` on the phones, because that is what callers experience.
    """

    agents: int
    scheduled_agents: int
    service_level: float
    asa_seconds: float
    occupancy: float
    traffic_erlangs: float


@dataclass(frozen=True, slots=True)
class StaffingBatch:
    """The same fields as `Staffing`, one array element per interval of the forecast."""

    agents: IntArray
    scheduled_agents: IntArray
    service_level: FloatArray
    asa_seconds: FloatArray
    occupancy: FloatArray
    traffic_erlangs: FloatArray


# --------------------------------------------------------------------------------------------
# Input handling
# --------------------------------------------------------------------------------------------


def _flat(*values: ArrayLike) -> tuple[list[FloatArray], tuple[int, ...], bool]:
    """Broadcast inputs to one shape and flatten them, so every kernel works on 1-D arrays."""
    arrays = [np.asarray(v, dtype=np.float64) for v in values]
    scalar = all(a.ndim == 0 for a in arrays)
    broadcast = np.broadcast_arrays(*arrays)
    shape = broadcast[0].shape
    return [np.array(a, dtype=np.float64).reshape(-1) for a in broadcast], shape, scalar


def _shape_back(values: FloatArray, shape: tuple[int, ...], scalar: bool) -> float | FloatArray:
    return float(values[0]) if scalar else values.reshape(shape)


def _require(name: str, values: FloatArray, ok: BoolArray, rule: str) -> None:
    """Reject bad input with the offending value; NaN fails every rule because ok is False."""
    if not bool(np.all(ok)):
        i = int(np.flatnonzero(~ok)[0])
        where = f"got {float(values[i])!r}"
        if values.size > 1:
            where += f" at index {i}"
        raise ValueError(f"{name} must be {rule} ({where})")


def _check_agents(n: FloatArray) -> None:
    _require("n (agents)", n, (n >= 0) & np.isfinite(n) & (n == np.floor(n)), "a whole number >= 0")


def _check_traffic(a: FloatArray) -> None:
    _require("a (traffic, Erlangs)", a, (a >= 0) & np.isfinite(a), "finite and >= 0")


def _check_aht(aht: FloatArray) -> None:
    _require("aht_seconds", aht, (aht > 0) & np.isfinite(aht), "finite and > 0")


def _check_target_seconds(t: FloatArray) -> None:
    _require("target_seconds", t, (t >= 0) & np.isfinite(t), "finite and >= 0")


def _check_patience(p: FloatArray) -> None:
    _require("patience_seconds", p, p > 0, "> 0 (math.inf means callers never abandon)")


# --------------------------------------------------------------------------------------------
# Numerical kernels (1-D float arrays in, 1-D float arrays out)
# --------------------------------------------------------------------------------------------


def _stirlerr(x: FloatArray) -> FloatArray:
    """log(x!) minus its Stirling approximation, for x > 0.

    Kept separate so the huge terms of log(x!) and x log(lambda) cancel analytically instead of
    in floating point: that cancellation is what costs naive log-space Erlang formulas their
    last five or six digits at a few thousand Erlangs.
    """
    out = np.empty_like(x)
    big = x > 15.0
    xb = x[big]
    xx = xb * xb
    out[big] = (
        1.0 / 12.0
        - (1.0 / 360.0 - (1.0 / 1260.0 - (1.0 / 1680.0 - (1.0 / 1188.0) / xx) / xx) / xx) / xx
    ) / xb
    xs = x[~big]
    out[~big] = special.gammaln(xs + 1.0) - (xs + 0.5) * np.log(xs) + xs - _HALF_LOG_2PI
    return out


def _bd0(x: FloatArray, lam: FloatArray) -> FloatArray:
    """x log(x / lam) + lam - x for x, lam > 0 without cancellation (Loader, 2000).

    Near x == lam the two halves nearly cancel; there a series in v = (x - lam) / (x + lam)
    keeps full relative precision.  |v| < 0.1 there, so ten terms reach 1e-20.
    """
    out = np.empty_like(x)
    d = x - lam
    near = np.abs(d) < 0.1 * (x + lam)
    far = ~near
    xf, lf = x[far], lam[far]
    out[far] = xf * (np.log(xf) - np.log(lf)) + lf - xf  # no x / lam: it overflows for tiny lam
    xn, dn = x[near], d[near]
    v = dn / (xn + lam[near])
    total = dn * v
    term = 2.0 * xn * v
    v2 = v * v
    for j in range(1, 11):
        term = term * v2
        total = total + term / (2 * j + 1)
    out[near] = total
    return out


def _log_pmf(x: FloatArray, lam: FloatArray) -> FloatArray:
    """log(lam**x e**-lam / Gamma(x + 1)) for real x >= 0, lam >= 0 (Poisson pmf, extended)."""
    out = np.empty_like(x)
    zero_x = x == 0.0
    out[zero_x] = -lam[zero_x]
    zero_lam = (lam == 0.0) & ~zero_x
    out[zero_lam] = -np.inf
    m = ~zero_x & ~zero_lam
    xm = x[m]
    out[m] = -_stirlerr(xm) - _bd0(xm, lam[m]) - _HALF_LOG_2PI - 0.5 * np.log(xm)
    return out


def _log_erlang_b(n: FloatArray, a: FloatArray) -> FloatArray:
    """log B(n, a) for whole n >= 0 and a > 0.

    B = pmf(n) / cdf(n) of a Poisson(a) variable.  When the cdf underflows (n far below a, an
    overloaded queue) we use 1/B = sum_m n!/((n-m)! a**m) instead, whose terms shrink at
    least as fast as (n/a)**m there.
    """
    with np.errstate(divide="ignore"):
        cdf = special.gammaincc(n + 1.0, a)
    out = np.empty_like(n)
    ok = cdf > _TINY
    out[ok] = _log_pmf(n[ok], a[ok]) - np.log(cdf[ok])
    rest = np.flatnonzero(~ok)
    if rest.size:
        nr, ar = n[rest], a[rest]
        total = np.ones_like(nr)
        term = np.ones_like(nr)
        active = np.arange(rest.size)
        m = 0
        while active.size:
            m += 1
            term[active] *= (nr[active] - (m - 1)) / ar[active]
            total[active] += term[active]
            still = (term[active] > 1e-17 * total[active]) & (nr[active] > m)
            active = active[still]
        out[rest] = -np.log(total)
    return out


def _log_gammainc(s: FloatArray, z: FloatArray) -> FloatArray:
    """log P(s, z), the regularised lower incomplete gamma, for s > 0 and z >= 0.

    scipy's P underflows to 0 for a well-staffed Erlang A queue with long patience (s well
    above z), yet ratios of such values decide the service level.  There we use
    P(s, z) = pmf(s; z) * sum_k z**k / ((s+1)(s+2)...(s+k)), whose terms shrink by z/(s+1+k).
    """
    with np.errstate(divide="ignore"):
        p: FloatArray = special.gammainc(s, z)
        out: FloatArray = np.log(p)
    rest = np.flatnonzero((p <= _TINY) & (z > 0.0))
    if rest.size:
        sr, zr = s[rest], z[rest]
        total = np.ones_like(sr)
        term = np.ones_like(sr)
        active = np.arange(rest.size)
        k = 0
        while active.size:
            k += 1
            term[active] *= zr[active] / (sr[active] + k)
            total[active] += term[active]
            active = active[term[active] > 1e-17 * total[active]]
        out[rest] = _log_pmf(sr, zr) + np.log(total)
    return out


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


# --------------------------------------------------------------------------------------------
# Staffing
# --------------------------------------------------------------------------------------------


def _walk_erlang_c(
    a: FloatArray, t_over_aht: FloatArray, target: FloatArray, start: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Smallest N >= start meeting the target, and Erlang B there; needs a > 0, start > a.

    SL(N) increases with N, so walking up from a lower bound and stopping at the first success
    is exact.  Erlang B is computed directly only at the start; each step after that is the
    forward recursion, on only the intervals still short of their target.
    """
    size = a.size
    n_out = np.empty(size)
    b_out = np.empty(size)
    idx = np.arange(size)
    n = start.copy()
    b = np.exp(_log_erlang_b(n, a))
    aa, k, p = a, t_over_aht, target
    for _ in range(10_000_000):
        c = b / (1.0 - (aa / n) * (1.0 - b))
        ok = _sl_from_c(c, n, aa, k) >= p
        if ok.all():
            n_out[idx] = n
            b_out[idx] = b
            return n_out, b_out
        done = idx[ok]
        n_out[done] = n[ok]
        b_out[done] = b[ok]
        miss = ~ok
        idx, aa, k, p, n, b = idx[miss], aa[miss], k[miss], p[miss], n[miss] + 1.0, b[miss]
        ab = aa * b
        b = ab / (n + ab)
    raise RuntimeError("Erlang C staffing did not converge")  # pragma: no cover


def _erlang_a_meets(
    n: FloatArray,
    a: FloatArray,
    aht: FloatArray,
    t: FloatArray,
    patience: FloatArray,
    target: FloatArray,
    max_occ: FloatArray,
) -> BoolArray:
    parts = _erlang_a_parts(n, a, aht, patience, t)
    assert parts.within is not None
    occ = _occupancy_values(n, a * (1.0 - parts.abandon))
    return (parts.within >= target) & (occ <= max_occ)


def _search_erlang_a(
    a: FloatArray,
    aht: FloatArray,
    t: FloatArray,
    patience: FloatArray,
    target: FloatArray,
    max_occ: FloatArray,
    upper: FloatArray,
) -> FloatArray:
    """Smallest N meeting the target with abandonment, by vectorised bisection.

    Abandonment lets N fall to or below a, so there is no handy lower bound to walk up from;
    instead we bracket (0 always fails, `upper` is grown by doubling until it passes) and
    bisect, each round costing a few incomplete-gamma evaluations over the whole batch.
    """
    args = (a, aht, t, patience, target, max_occ)
    lo = np.zeros_like(a)
    hi = np.maximum(upper, 1.0)
    bad = np.flatnonzero(~_erlang_a_meets(hi, *args))
    while bad.size:
        lo[bad] = hi[bad]
        hi[bad] *= 2.0
        sub = tuple(x[bad] for x in args)
        bad = bad[~_erlang_a_meets(hi[bad], *sub)]
    gap = np.flatnonzero(hi - lo > 1.0)
    while gap.size:
        mid = np.floor((lo[gap] + hi[gap]) / 2.0)
        sub = tuple(x[gap] for x in args)
        ok = _erlang_a_meets(mid, *sub)
        hi[gap[ok]] = mid[ok]
        lo[gap[~ok]] = mid[~ok]
        gap = gap[hi[gap] - lo[gap] > 1.0]
    return hi


def _scheduled(agents: FloatArray, shrinkage: FloatArray) -> FloatArray:
    return np.maximum(np.ceil(agents / (1.0 - shrinkage) - _DECIMAL_SLACK), agents)


def staffing_many(
    volumes: ArrayLike,
    aht_seconds: ArrayLike,
    sl_target: ArrayLike,
    target_seconds: ArrayLike,
    interval_minutes: ArrayLike,
    shrinkage: ArrayLike = 0.0,
    max_occupancy: ArrayLike | None = None,
    patience_seconds: ArrayLike | None = None,
) -> StaffingBatch:
    """Staffing for every interval of a forecast at once; arguments broadcast like numpy.

    ``agents`` is the minimal whole number of agents on the phones such that the service level
    (share of contacts answered within ``target_seconds``) is at least ``sl_target`` and, if
    given, occupancy is at most ``max_occupancy``.  ``scheduled_agents`` adds shrinkage:
    ``ceil(agents / (1 - shrinkage))``.  An interval with no volume needs no agents and is
    reported with service level 1, ASA 0 and occupancy 0.

    With ``patience_seconds`` (mean time a caller waits before hanging up; ``math.inf`` for
    never) Erlang A is used: the service level then counts abandoned contacts as missed, ASA
    is the mean wait of answered contacts, and occupancy counts answered contacts only.
    Patience of ten million AHTs or more is treated as never abandoning (Erlang C).

    Erlang C runs 10 000 intervals in a few milliseconds; Erlang A needs a bisection over
    incomplete gamma functions and is some 30 times slower, still well under a second.
    """
    arrays, shape, _ = _flat(
        volumes,
        aht_seconds,
        sl_target,
        target_seconds,
        interval_minutes,
        shrinkage,
        1.0 if max_occupancy is None else max_occupancy,
        math.inf if patience_seconds is None else patience_seconds,
    )
    vol, aht, target, t, interval, shrink, max_occ, patience = arrays
    _require("volume", vol, (vol >= 0) & np.isfinite(vol), "finite and >= 0")
    _check_aht(aht)
    _require("sl_target", target, (target > 0) & (target < 1), "strictly between 0 and 1")
    _check_target_seconds(t)
    _require("interval_minutes", interval, (interval > 0) & np.isfinite(interval), "> 0")
    _require("shrinkage", shrink, (shrink >= 0) & (shrink < 1), "in [0, 1)")
    _require("max_occupancy", max_occ, (max_occ > 0) & (max_occ <= 1), "in (0, 1]")
    _check_patience(patience)

    a = vol * aht / (60.0 * interval)
    size = a.size
    agents = np.zeros(size)
    sl = np.ones(size)
    asa_s = np.zeros(size)
    occ = np.zeros(size)

    busy = a > 0.0
    never = _never_abandon(patience, aht)
    erlang_c_rows = np.flatnonzero(busy & never)
    erlang_a_rows = np.flatnonzero(busy & ~never)

    if erlang_c_rows.size:
        r = erlang_c_rows
        ar, hr = a[r], aht[r]
        start = np.floor(ar) + 1.0
        occ_floor = np.ceil(ar / max_occ[r] - _DECIMAL_SLACK)
        start = np.maximum(start, occ_floor)
        n, b = _walk_erlang_c(ar, t[r] / hr, target[r], start)
        c = b / (1.0 - (ar / n) * (1.0 - b))
        agents[r] = n
        sl[r] = _sl_from_c(c, n, ar, t[r] / hr)
        asa_s[r] = c * hr / (n - ar)
        occ[r] = ar / n

    if erlang_a_rows.size:
        r = erlang_a_rows
        ar, hr, tr, pr = a[r], aht[r], t[r], patience[r]
        # Erlang C's answer (ignoring occupancy) is a good first bracket for the bisection.
        upper, _ = _walk_erlang_c(ar, tr / hr, target[r], np.floor(ar) + 1.0)
        n = _search_erlang_a(ar, hr, tr, pr, target[r], max_occ[r], upper)
        parts = _erlang_a_parts(n, ar, hr, pr, tr)
        assert parts.within is not None
        agents[r] = n
        sl[r] = parts.within
        asa_s[r] = _erlang_a_answered_wait(n, ar, hr, pr)
        occ[r] = _occupancy_values(n, ar * (1.0 - parts.abandon))

    scheduled = _scheduled(agents, shrink)
    return StaffingBatch(
        agents=agents.astype(np.int64).reshape(shape),
        scheduled_agents=scheduled.astype(np.int64).reshape(shape),
        service_level=sl.reshape(shape),
        asa_seconds=asa_s.reshape(shape),
        occupancy=occ.reshape(shape),
        traffic_erlangs=a.reshape(shape),
    )


def staffing(
    volume: float,
    aht_seconds: float,
    sl_target: float,
    target_seconds: float,
    interval_minutes: float,
    shrinkage: float = 0.0,
    max_occupancy: float | None = None,
    patience_seconds: float | None = None,
) -> Staffing:
    """Staffing for one interval; see `staffing_many` for the meaning of every field.

    A thin wrapper over the batch version so that one interval and a whole forecast can never
    disagree.
    """
    for name, value in (
        ("volume", volume),
        ("aht_seconds", aht_seconds),
        ("sl_target", sl_target),
        ("target_seconds", target_seconds),
        ("interval_minutes", interval_minutes),
        ("shrinkage", shrinkage),
        ("max_occupancy", max_occupancy),
        ("patience_seconds", patience_seconds),
    ):
        if value is not None and np.ndim(value) != 0:
            raise ValueError(f"{name} must be a single number; use staffing_many for arrays")
    batch = staffing_many(
        volume,
        aht_seconds,
        sl_target,
        target_seconds,
        interval_minutes,
        shrinkage=shrinkage,
        max_occupancy=max_occupancy,
        patience_seconds=patience_seconds,
    )
    return Staffing(
        agents=int(batch.agents.reshape(-1)[0]),
        scheduled_agents=int(batch.scheduled_agents.reshape(-1)[0]),
        service_level=float(batch.service_level.reshape(-1)[0]),
        asa_seconds=float(batch.asa_seconds.reshape(-1)[0]),
        occupancy=float(batch.occupancy.reshape(-1)[0]),
        traffic_erlangs=float(batch.traffic_erlangs.reshape(-1)[0]),
    )


def staffing_json(
    volume: float,
    aht_seconds: float,
    sl_target: float,
    target_seconds: float,
    interval_minutes: float,
    shrinkage: float = 0.0,
    max_occupancy: float | None = None,
    patience_seconds: float | None = None,
) -> dict[str, int | float]:
    """`staffing` as a JSON-ready dict, so ``wowdesk wfm staffing --json`` only prints it.

    Keys: ``agents`` (to schedule: after shrinkage, the number a planner books, which is
    why ``--shrinkage`` changes it), ``agents_on_phones`` (before shrinkage: the Erlang
    result), then ``service_level``, ``asa_seconds`` and ``occupancy`` of the agents on the
    phones (what customers experience), and ``traffic_erlangs``.
    """
    result = staffing(
        volume,
        aht_seconds,
        sl_target,
        target_seconds,
        interval_minutes,
        shrinkage=shrinkage,
        max_occupancy=max_occupancy,
        patience_seconds=patience_seconds,
    )
    return {
        "agents": result.scheduled_agents,
        "agents_on_phones": result.agents,
        "service_level": result.service_level,
        "asa_seconds": result.asa_seconds,
        "occupancy": result.occupancy,
        "traffic_erlangs": result.traffic_erlangs,
    }
