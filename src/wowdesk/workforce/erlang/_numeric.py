"""Shared numerics of the Erlang formulas: input checks and log-space kernels.

Every kernel takes and returns 1-D float arrays, so the public functions can broadcast
their inputs once (`_flat`) and hand flat arrays down; the kernels stay free of shapes.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

# scipy-stubs gives real types; without it mypy must not fail on the import.
from scipy import special  # type: ignore[import-untyped, unused-ignore]

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
