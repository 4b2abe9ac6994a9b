"""The schedule page's numbers: forecast contacts per half hour, the agents Erlang C says
they need, the agents the shifts plan and the service level those planned agents give."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy.orm import Session

from wowdesk.errors import Invalid
from wowdesk.operators import schedule
from wowdesk.workforce import concurrency, erlang, forecast

MAX_AHEAD_DAYS = 14
CONCURRENCY_DAYS = 28  # the history measured concurrency is taken from


@dataclass(frozen=True)
class Interval:
    start: str  # local "HH:MM"
    volume: float
    aht_seconds: float
    agents: int  # on the phones
    scheduled_agents: int  # after shrinkage: what the schedule must hold
    planned: float  # on shift
    service_level: float  # with `agents` on the line: the target met
    occupancy: float  # with `agents` on the line
    planned_service_level: float  # with the planned agents, less shrinkage, on the line


@dataclass(frozen=True)
class ChannelPlan:
    channel: str
    contacts: int  # over the history
    offered: int  # of them, reached people
    containment: float  # resolved by the bot alone, share of contacts
    share: float  # of the forecast contacts reaching people
    aht_seconds: float
    concurrency: float  # measured


@dataclass(frozen=True)
class Plan:
    day: date
    intervals: list[Interval]
    model: str
    holdout: forecast.Holdout | None
    history_days: int
    concurrency: float = 1.0  # measured over all channels, what staffing divides AHT by
    channels: tuple[ChannelPlan, ...] = ()


def staffing_plan(
    db: Session,
    day: date,
    *,
    today: date,
    timezone: str,
    sl_target: float,
    target_seconds: float,
    shrinkage: float,
) -> Plan:
    if not today <= day <= today + timedelta(days=MAX_AHEAD_DAYS):
        raise Invalid(
            "Plans are made for today and the next {days} days",
            days=MAX_AHEAD_DAYS,
            code="invalid_day",
        )
    basis = min(today, day - timedelta(days=1))  # today: forecast from yesterday's history
    f = forecast.forecast(db, days=(day - basis).days, today=basis)
    volumes, aht = f.volumes[-1], f.aht[-1]
    low, high = facts_window(basis, timezone)
    measured = concurrency.measured(db, low, high)
    overall = measured.get("", 1.0)
    batch = erlang.staffing_many(
        volumes, aht / overall, sl_target, target_seconds, 30.0, shrinkage=shrinkage
    )
    planned = schedule.planned_agents(db, day, timezone)
    planned_sl = planned_service_level(
        volumes, aht / overall, planned, target_seconds=target_seconds, shrinkage=shrinkage
    )
    starts = schedule.slot_starts(day, timezone)
    intervals = [
        Interval(
            start=starts[i].strftime("%H:%M"),
            volume=round(float(volumes[i]), 1),
            aht_seconds=round(float(aht[i]), 1),
            agents=int(batch.agents[i]),
            scheduled_agents=int(batch.scheduled_agents[i]),
            planned=round(float(planned[i]), 2),
            service_level=float(np.round(batch.service_level[i], 4)),
            occupancy=float(np.round(batch.occupancy[i], 4)),
            planned_service_level=float(np.round(planned_sl[i], 4)),
        )
        for i in range(schedule.SLOTS)
    ]
    channels = tuple(
        ChannelPlan(
            channel=c.channel,
            contacts=c.contacts,
            offered=c.offered,
            containment=round(c.containment, 4),
            share=round(c.share, 4),
            aht_seconds=round(c.aht_seconds, 1),
            concurrency=round(measured.get(c.channel, 1.0), 2),
        )
        for c in f.channels
    )
    return Plan(day, intervals, f.model, f.holdout, f.history_days, round(overall, 2), channels)


def planned_service_level(
    volumes: np.ndarray,
    aht_seconds: np.ndarray,
    planned: np.ndarray,
    *,
    target_seconds: float,
    shrinkage: float,
) -> np.ndarray:
    """Erlang C's service level with the agents the shifts plan, per half hour.

    Of `planned` agents on shift, `planned × (1 − shrinkage)` are on the line: the inverse of
    the required count's `ceil(agents / (1 − shrinkage))`, so a schedule holding what is
    required meets the target. A fraction of an agent (7.7 on the line, or a shift starting
    at a quarter past) is that share of the way from the service level of the whole agents
    below to that of one more. Contacts with nobody on the line: 0; no contacts: 1.
    """
    on_line = np.asarray(planned, dtype=float) * (1.0 - shrinkage)
    whole = np.floor(on_line + 1e-9)
    part = np.clip(on_line - whole, 0.0, 1.0)
    a = erlang.traffic_intensity(volumes, aht_seconds, 30.0)
    below = erlang.service_level(whole, a, aht_seconds, target_seconds)
    above = erlang.service_level(whole + 1.0, a, aht_seconds, target_seconds)
    sl: np.ndarray = below + part * (above - below)
    return sl


def facts_window(basis: date, timezone: str) -> tuple[datetime, datetime]:
    """The UTC bounds of the CONCURRENCY_DAYS local days up to and including `basis`."""
    zone = ZoneInfo(timezone)
    high = datetime.combine(basis + timedelta(days=1), datetime.min.time(), zone)
    return high - timedelta(days=CONCURRENCY_DAYS), high
