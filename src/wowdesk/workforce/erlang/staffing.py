"""Staffing: the fewest agents meeting a service-level target, for a forecast or one interval."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ._numeric import (
    _DECIMAL_SLACK,
    BoolArray,
    FloatArray,
    IntArray,
    _check_aht,
    _check_patience,
    _check_target_seconds,
    _flat,
    _log_erlang_b,
    _require,
)
from .erlang_a import _erlang_a_answered_wait, _erlang_a_parts, _never_abandon
from .erlang_c import _occupancy_values, _sl_from_c
from .single import erlang_c_staffing


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


def _checked(
    volumes: ArrayLike,
    aht_seconds: ArrayLike,
    sl_target: ArrayLike,
    target_seconds: ArrayLike,
    interval_minutes: ArrayLike,
    shrinkage: ArrayLike,
    max_occupancy: ArrayLike | None,
    patience_seconds: ArrayLike | None,
) -> tuple[list[FloatArray], tuple[int, ...]]:
    """The inputs broadcast, flattened and validated, in `staffing_many`'s argument order."""
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
    return arrays, shape


@dataclass(slots=True)
class _Rows:
    """The result columns being filled, flat; one row per interval."""

    agents: FloatArray
    sl: FloatArray
    asa: FloatArray
    occ: FloatArray


def _fill_erlang_c(
    out: _Rows,
    r: IntArray,
    a: FloatArray,
    aht: FloatArray,
    t: FloatArray,
    target: FloatArray,
    max_occ: FloatArray,
) -> None:
    ar, hr = a[r], aht[r]
    start = np.floor(ar) + 1.0
    occ_floor = np.ceil(ar / max_occ[r] - _DECIMAL_SLACK)
    start = np.maximum(start, occ_floor)
    n, b = _walk_erlang_c(ar, t[r] / hr, target[r], start)
    c = b / (1.0 - (ar / n) * (1.0 - b))
    out.agents[r] = n
    out.sl[r] = _sl_from_c(c, n, ar, t[r] / hr)
    out.asa[r] = c * hr / (n - ar)
    out.occ[r] = ar / n


def _fill_erlang_a(
    out: _Rows,
    r: IntArray,
    a: FloatArray,
    aht: FloatArray,
    t: FloatArray,
    target: FloatArray,
    max_occ: FloatArray,
    patience: FloatArray,
) -> None:
    ar, hr, tr, pr = a[r], aht[r], t[r], patience[r]
    # Erlang C's answer (ignoring occupancy) is a good first bracket for the bisection.
    upper, _ = _walk_erlang_c(ar, tr / hr, target[r], np.floor(ar) + 1.0)
    n = _search_erlang_a(ar, hr, tr, pr, target[r], max_occ[r], upper)
    parts = _erlang_a_parts(n, ar, hr, pr, tr)
    assert parts.within is not None
    out.agents[r] = n
    out.sl[r] = parts.within
    out.asa[r] = _erlang_a_answered_wait(n, ar, hr, pr)
    out.occ[r] = _occupancy_values(n, ar * (1.0 - parts.abandon))


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
    arrays, shape = _checked(
        volumes,
        aht_seconds,
        sl_target,
        target_seconds,
        interval_minutes,
        shrinkage,
        max_occupancy,
        patience_seconds,
    )
    vol, aht, target, t, interval, shrink, max_occ, patience = arrays
    a = vol * aht / (60.0 * interval)
    size = a.size
    out = _Rows(np.zeros(size), np.ones(size), np.zeros(size), np.zeros(size))
    busy = a > 0.0
    never = _never_abandon(patience, aht)
    erlang_c_rows = np.flatnonzero(busy & never)
    erlang_a_rows = np.flatnonzero(busy & ~never)
    if erlang_c_rows.size:
        _fill_erlang_c(out, erlang_c_rows, a, aht, t, target, max_occ)
    if erlang_a_rows.size:
        _fill_erlang_a(out, erlang_a_rows, a, aht, t, target, max_occ, patience)
    scheduled = _scheduled(out.agents, shrink)
    return StaffingBatch(
        agents=out.agents.astype(np.int64).reshape(shape),
        scheduled_agents=scheduled.astype(np.int64).reshape(shape),
        service_level=out.sl.reshape(shape),
        asa_seconds=out.asa.reshape(shape),
        occupancy=out.occ.reshape(shape),
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

    Erlang C runs on plain floats (`single.erlang_c_staffing`: the batch's steps without
    numpy's per-call cost); Erlang A and invalid input go through the batch version, so the
    errors and the Erlang A figures are the batch's own.
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
        if value is not None and type(value) not in (float, int) and np.ndim(value) != 0:
            raise ValueError(f"{name} must be a single number; use staffing_many for arrays")
    fast = erlang_c_staffing(
        volume,
        aht_seconds,
        sl_target,
        target_seconds,
        interval_minutes,
        shrinkage,
        1.0 if max_occupancy is None else max_occupancy,
        math.inf if patience_seconds is None else patience_seconds,
    )
    if fast is not None:
        return Staffing(*fast)
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
