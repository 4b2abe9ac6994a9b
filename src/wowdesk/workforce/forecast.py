"""Contacts per half hour for the coming days, from the rolled-up history.

Model: Holt-Winters (statsmodels) with an additive weekly season of 336 half hours; its
error is measured on the held-out last week of history (fit on the weeks before it) next to
the seasonal-naive forecast (the same half hour a week earlier), and the better of the two
forecasts the future. Fewer than three weeks of history: seasonal naive (or the mean day)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from sqlalchemy.orm import Session

from wowdesk.analytics import service as analytics

SLOTS = 48
WEEK = 7 * SLOTS
DEFAULT_AHT = 420.0
MIN_VOLUME = 0.05


@dataclass(frozen=True)
class Holdout:
    mae: float  # contacts per half hour
    wape: float  # Σ|error| / Σ actual
    baseline_wape: float  # seasonal naive on the same week


@dataclass(frozen=True)
class Forecast:
    first_day: date
    volumes: np.ndarray  # days × 48
    aht: np.ndarray  # days × 48, seconds
    model: str
    holdout: Holdout | None
    history_days: int


def _series(db: Session, start: date, end: date) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    days = (end - start).days + 1
    volume = np.zeros(days * SLOTS)
    handled = np.zeros(days * SLOTS)
    handle = np.zeros(days * SLOTS)
    for day, slot, contacts, n, seconds in analytics.interval_series(db, start, end):
        i = (day - start).days * SLOTS + slot
        volume[i], handled[i], handle[i] = contacts, n, seconds
    return volume, handled, handle


def _holt_winters(y: np.ndarray, horizon: int) -> np.ndarray:
    from statsmodels.tsa.holtwinters import (  # type: ignore[import-untyped]
        ExponentialSmoothing,
    )

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter; the hold-out error judges it
        fit = ExponentialSmoothing(
            y, seasonal="add", seasonal_periods=WEEK, initialization_method="estimated"
        ).fit()
        predicted: np.ndarray = np.clip(np.asarray(fit.forecast(horizon), dtype=float), 0, None)
        return predicted


def _naive(y: np.ndarray, horizon: int) -> np.ndarray:
    if len(y) >= WEEK:
        return np.resize(y[-WEEK:], horizon)
    day = (
        y[: len(y) // SLOTS * SLOTS].reshape(-1, SLOTS).mean(axis=0)
        if len(y) >= SLOTS
        else np.zeros(SLOTS)
    )
    return np.resize(day, horizon)


def _wape(actual: np.ndarray, predicted: np.ndarray) -> float:
    total = float(actual.sum())
    return float(np.abs(actual - predicted).sum() / total) if total else 0.0


def forecast(db: Session, *, days: int, today: date, history_days: int = 56) -> Forecast:
    """From tomorrow (`today` + 1) for `days` days, fitted on the `history_days` before today."""
    end = today - timedelta(days=1)
    start = end - timedelta(days=history_days - 1)
    volume, handled, handle = _series(db, start, end)
    # drop leading empty days (a young installation): they are not "no contacts"
    nonzero = np.flatnonzero(volume)
    skip = int(nonzero[0]) // SLOTS * SLOTS if nonzero.size else len(volume)
    volume, handled, handle = (a[skip:] for a in (volume, handled, handle))
    horizon = days * SLOTS
    holdout = None
    model = "seasonal_naive"
    if len(volume) >= 3 * WEEK:
        train, test = volume[:-WEEK], volume[-WEEK:]
        hw = _holt_winters(train, WEEK)
        naive = train[-WEEK:]
        holdout = Holdout(
            mae=float(np.abs(test - hw).mean()),
            wape=_wape(test, hw),
            baseline_wape=_wape(test, naive),
        )
        if holdout.wape <= holdout.baseline_wape:
            model = "holt_winters"
            predicted = _holt_winters(volume, horizon)
        else:
            predicted = _naive(volume, horizon)
            holdout = Holdout(
                float(np.abs(test - naive).mean()), holdout.baseline_wape, holdout.baseline_wape
            )
    else:
        predicted = _naive(volume, horizon)

    # a few hundredths of a contact is the model's noise, not a reason to staff a half hour
    predicted = np.where(predicted < MIN_VOLUME, 0.0, predicted)
    # AHT per half hour of the week from the same history, the overall mean where thin
    overall = float(handle.sum() / handled.sum()) if handled.sum() else DEFAULT_AHT
    weeks = len(volume) // WEEK
    aht_week = np.full(WEEK, overall)
    if weeks:
        h = handled[-weeks * WEEK :].reshape(weeks, WEEK).sum(axis=0)
        s = handle[-weeks * WEEK :].reshape(weeks, WEEK).sum(axis=0)
        enough = h >= 5
        aht_week[enough] = s[enough] / h[enough]
    # aht_week[0] is exactly one week (or several) before tomorrow's first half hour
    aht = np.resize(aht_week, horizon)
    return Forecast(
        first_day=today + timedelta(days=1),
        volumes=predicted.reshape(days, SLOTS),
        aht=aht.reshape(days, SLOTS),
        model=model,
        holdout=holdout,
        history_days=len(volume) // SLOTS,
    )
