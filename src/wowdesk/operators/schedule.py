"""Shifts, planned agents per half hour and schedule adherence (punctuality)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from wowdesk.db import utcnow
from wowdesk.errors import Invalid
from wowdesk.operators import presence
from wowdesk.operators.models import Shift

SLOTS = 48
MAX_SHIFT = timedelta(hours=16)


def do_add_shift(db: Session, user_id: int, starts_at: datetime, ends_at: datetime) -> Shift:
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise Invalid("Give shift times with their time zone", code="invalid_time")
    if not starts_at < ends_at <= starts_at + MAX_SHIFT:
        raise Invalid("A shift ends after it starts and lasts at most 16 h", code="invalid_shift")
    shift = Shift(user_id=user_id, starts_at=starts_at, ends_at=ends_at)
    db.add(shift)
    db.flush()
    return shift


def list_shifts(
    db: Session, low: datetime, high: datetime, user_ids: set[int] | None = None
) -> list[Shift]:
    stmt = select(Shift).where(Shift.starts_at < high, Shift.ends_at > low)
    if user_ids is not None:
        stmt = stmt.where(Shift.user_id.in_(user_ids))
    return list(db.scalars(stmt.order_by(Shift.starts_at)))


def slot_starts(day: date, timezone: str) -> list[datetime]:
    zone = ZoneInfo(timezone)
    first = datetime.combine(day, datetime.min.time(), zone)
    return [first + timedelta(minutes=30 * i) for i in range(SLOTS)]


def planned_agents(db: Session, day: date, timezone: str) -> np.ndarray:
    """Agents on shift in each half hour of a local day (time-weighted: a shift covering
    half of a slot counts one half)."""
    starts = slot_starts(day, timezone)
    low, high = starts[0], starts[-1] + timedelta(minutes=30)
    planned = np.zeros(SLOTS)
    for shift in list_shifts(db, low, high):
        for i, a in enumerate(starts):
            b = a + timedelta(minutes=30)
            overlap = (min(b, shift.ends_at) - max(a, shift.starts_at)).total_seconds()
            if overlap > 0:
                planned[i] += overlap / 1800
    return planned


def adherence(
    db: Session, low: datetime, high: datetime, timezone: str, user_ids: set[int] | None = None
) -> dict[tuple[int, date], tuple[float, float]]:
    """(scheduled seconds, seconds of those spent online) per operator and local day of the
    shift's start: adherence is the second over the first. Time online outside a shift does
    not count; time away inside one counts against. A shift counts up to now: its hours to
    come are not missed yet (today's figure was a third at noon of a shift kept to the
    minute)."""
    zone = ZoneInfo(timezone)
    now = utcnow()
    shifts = list_shifts(db, low, high, user_ids)
    online: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for uid, a, b in presence.online_intervals(db, low, high, {s.user_id for s in shifts}):
        online[uid].append((a, b))
    out: dict[tuple[int, date], tuple[float, float]] = {}
    for shift in shifts:
        a, b = max(shift.starts_at, low), min(shift.ends_at, high, now)
        if b <= a:
            continue
        kept = sum(
            max(0.0, (min(b, y) - max(a, x)).total_seconds()) for x, y in online[shift.user_id]
        )
        key = (shift.user_id, shift.starts_at.astimezone(zone).date())
        scheduled, adhered = out.get(key, (0.0, 0.0))
        out[key] = (scheduled + (b - a).total_seconds(), adhered + kept)
    return out
