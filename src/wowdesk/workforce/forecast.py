"""Contacts that reach people per half hour for the coming days, from the rolled-up history.

What is forecast is the contacts people must answer: conversations the bot handed off plus
those started where the bot does not answer (the rollup's `offered`), not every conversation
created; counting the ones the bot resolved alone would overstaff by 1 / (1 - containment).
The total is forecast (one model fit, not one per channel) and split by each channel's share
of the last weeks; AHT per half hour of the week is that of the contacts people handled.

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

from wowdesk.analytics import intervals

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
class Channel:
    """One channel over the history the forecast was fitted on."""

    channel: str
    contacts: int  # every conversation created
    offered: int  # reached people
    bot_contained: int  # resolved by the bot alone
    share: float  # of the contacts reaching people: how the forecast is split
    containment: float  # bot_contained / contacts
    aht_seconds: float


@dataclass(frozen=True)
class Forecast:
    first_day: date
    volumes: np.ndarray  # days × 48, contacts reaching people
    aht: np.ndarray  # days × 48, seconds
    model: str
    holdout: Holdout | None
    history_days: int
    channels: tuple[Channel, ...] = ()


@dataclass
class _History:
    volume: np.ndarray  # offered (reaching people), all channels
    handled: np.ndarray
    handle: np.ndarray
    by_channel: dict[str, list[float]]  # contacts, offered, contained, handled, handle seconds


def _series(db: Session, start: date, end: date) -> _History:
    days = (end - start).days + 1
    h = _History(np.zeros(days * SLOTS), np.zeros(days * SLOTS), np.zeros(days * SLOTS), {})
    for s in intervals.interval_series(db, start, end):
        i = (s.day - start).days * SLOTS + s.slot
        h.volume[i] += s.offered
        h.handled[i] += s.handled
        h.handle[i] += s.handle_seconds
        sums = h.by_channel.setdefault(s.channel, [0.0] * 5)
        for k, v in enumerate(
            (s.contacts, s.offered, s.bot_contained, s.handled, s.handle_seconds)
        ):
            sums[k] += v
    return h


def _channels(by_channel: dict[str, list[float]]) -> tuple[Channel, ...]:
    offered = sum(v[1] for v in by_channel.values())
    out = [
        Channel(
            channel=ch,
            contacts=int(c),
            offered=int(o),
            bot_contained=int(bc),
            share=o / offered if offered else 0.0,
            containment=bc / c if c else 0.0,
            aht_seconds=hs / n if n else 0.0,
        )
        for ch, (c, o, bc, n, hs) in by_channel.items()
    ]
    return tuple(sorted(out, key=lambda x: -x.contacts))


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
    history = _series(db, start, end)
    volume, handled, handle = history.volume, history.handled, history.handle
    # drop leading empty days (a young installation): they are not "no contacts"
    nonzero = np.flatnonzero(volume)
    skip = int(nonzero[0]) // SLOTS * SLOTS if nonzero.size else len(volume)
    volume, handled, handle = (a[skip:] for a in (volume, handled, handle))
    # the history ends yesterday and the forecast starts tomorrow: today (its history not
    # complete yet) is forecast too and dropped, so each day keeps its own weekday
    gap = SLOTS
    horizon = gap + days * SLOTS
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
    # aht_week[0] is exactly one week (or several) before today's first half hour
    aht = np.resize(aht_week, horizon)[gap:]
    predicted = predicted[gap:]
    return Forecast(
        first_day=today + timedelta(days=1),
        volumes=predicted.reshape(days, SLOTS),
        aht=aht.reshape(days, SLOTS),
        model=model,
        holdout=holdout,
        history_days=len(volume) // SLOTS,
        channels=_channels(history.by_channel),
    )
