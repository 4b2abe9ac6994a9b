"""What supervisors see: every operator's status and load, every queue's length."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from wowdesk.conversations import moves
from wowdesk.db import utcnow
from wowdesk.operators import presence
from wowdesk.operators.models import OperatorStatus, User
from wowdesk.routing.models import Ticket, TicketState

# --- what supervisors see ------------------------------------------------------------


@dataclass(frozen=True)
class OperatorRow:
    user_id: int
    name: str
    role: str
    status: str
    status_since: datetime
    load: int
    capacity: int
    present: bool


@dataclass(frozen=True)
class QueueRow:
    queue: str
    waiting: int
    oldest_wait_seconds: float
    email: int
    callback: int
    escalated: int


def board(db: Session, presence_grace: float = 60.0) -> tuple[list[OperatorRow], list[QueueRow]]:
    now = utcnow()
    states = presence.list_states(db)
    loads = moves.active_counts(db, {u.id for u, _s in states})
    people = [
        OperatorRow(
            user_id=u.id,
            name=u.display_name,
            role=u.role,
            status=s.status,
            status_since=s.status_since,
            load=loads.get(u.id, 0),
            capacity=s.capacity,
            present=s.last_seen_at is not None
            and s.last_seen_at >= now - timedelta(seconds=presence_grace),
        )
        for u, s in states
    ]
    queues: dict[str, dict[str, Any]] = {}
    for t in db.scalars(
        select(Ticket).where(
            Ticket.state.in_((TicketState.waiting, TicketState.email, TicketState.callback))
        )
    ):
        row = queues.setdefault(
            t.queue,
            {"waiting": 0, "oldest": 0.0, "email": 0, "callback": 0, "escalated": 0},
        )
        if t.state == TicketState.waiting:
            row["waiting"] += 1
            row["escalated"] += int(t.escalated)
            row["oldest"] = max(row["oldest"], (now - t.waiting_since).total_seconds())
        else:
            row[t.state] += 1
    rows = [
        QueueRow(q, r["waiting"], r["oldest"], r["email"], r["callback"], r["escalated"])
        for q, r in sorted(queues.items())
    ]
    return people, rows


def list_colleagues(db: Session, user: User) -> list[OperatorRow]:
    """Whom a conversation can be passed to: online, not me, with a free place."""
    people, _queues = board(db)
    return [
        p
        for p in people
        if p.user_id != user.id and p.status == OperatorStatus.online and p.load < p.capacity
    ]
