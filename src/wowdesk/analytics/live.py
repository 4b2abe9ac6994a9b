"""KPIs over the last minutes, for monitoring (not the dashboards' day rollup)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from wowdesk.conversations.models import Conversation, Status


def service_level_since(
    db: Session, since: datetime, now: datetime, sl_seconds: float
) -> float | None:
    """Of the conversations handed to people since `since`: answered within `sl_seconds`
    / (answered + abandoned + still waiting longer than `sl_seconds`), the same formula
    as the dashboards' service level, with those already late counted as missed. None
    when nothing was offered."""
    rows = db.execute(
        select(Conversation.queued_at, Conversation.assigned_at, Conversation.status).where(
            Conversation.queued_at >= since
        )
    )
    met = total = 0
    for queued_at, assigned_at, status in rows:
        assert queued_at is not None  # the WHERE above
        if assigned_at is not None:
            total += 1
            met += (assigned_at - queued_at).total_seconds() <= sl_seconds
        elif status != Status.queued or (now - queued_at).total_seconds() > sl_seconds:
            total += 1
    return met / total if total else None
