"""The half-hour rollup read back for forecasts: per channel, what reached people."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from wowdesk.analytics.models import KpiInterval


@dataclass(frozen=True)
class Slot:
    day: date
    slot: int
    channel: str
    contacts: int  # every conversation created
    offered: int  # reached people: handed off by the bot or queued without it
    bot_contained: int  # the bot resolved it alone
    handled: int
    handle_seconds: float


def interval_series(db: Session, start: date, end: date) -> list[Slot]:
    """Every stored (day, half hour, channel) of local days start..end, in order."""
    k = KpiInterval
    rows = db.execute(
        select(
            k.day,
            k.slot,
            k.channel,
            k.contacts,
            k.offered,
            k.bot_contained,
            k.handled,
            k.handle_seconds,
        )
        .where(k.day >= start, k.day <= end)
        .order_by(k.day, k.slot, k.channel)
    )
    return [
        Slot(
            day if isinstance(day, date) else date.fromisoformat(str(day)),
            int(slot),
            str(ch),
            int(c),
            int(o),
            int(bc),
            int(h),
            float(hs),
        )
        for day, slot, ch, c, o, bc, h, hs in rows
    ]
