"""Broadcasts: a supervisor (or an incident, automatically) warns every operator or one team.

The people it is for are fixed when it is sent - active operators and supervisors of the
audience, except its author - and stored one row each (`broadcast_recipient`). So the
supervisor's "who has read it" stays true to who was warned: somebody who joins the team
afterwards is not counted as "not acknowledged" and does not see an old banner.

Each recipient's consoles get a live event after commit (their `op:<id>` channel, through
Redis in distributed mode, so every app process shows the banner at once); supervisors'
consoles and the broadcasts page get every change on the routing channel.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wowdesk import events
from wowdesk.db import utcnow
from wowdesk.errors import Forbidden, Invalid, NotFound
from wowdesk.operators import service as operators
from wowdesk.operators.models import Broadcast, BroadcastLevel, BroadcastRecipient, Role, User
from wowdesk.operators.schemas import BroadcastAcknowledged, BroadcastChanged, BroadcastOut

MAX_TEXT = 2000
AUDIENCE_ROLES = (Role.operator, Role.supervisor)


@dataclass(frozen=True)
class Ack:
    user_id: int
    name: str
    acknowledged_at: datetime | None


@dataclass(frozen=True)
class Acks:
    broadcast: Broadcast
    acknowledged: list[Ack]
    not_acknowledged: list[Ack]


def check_broadcast(text: str, level: str) -> str:
    text = text.strip()
    if not text:
        raise Invalid("The broadcast text must not be empty", code="empty_broadcast")
    if len(text) > MAX_TEXT:
        raise Invalid(
            "The broadcast is too long: {n} characters, at most {limit}",
            code="broadcast_too_long",
            n=len(text),
            limit=MAX_TEXT,
        )
    if level not in BroadcastLevel.__members__:
        raise Invalid("Unknown level {level}: use info, warning or critical", level=level)
    return text


def audience(db: Session, team_id: int | None, author_id: int | None) -> list[User]:
    """Active operators and supervisors (of the team, if one is given), not the author."""
    if team_id is not None and team_id not in {t.id for t in operators.list_teams(db)}:
        raise Invalid("Unknown team")
    return [
        u
        for u in operators.list_users(db)
        if u.is_active
        and u.role in AUDIENCE_ROLES
        and u.id != author_id
        and (team_id is None or u.team_id == team_id)
    ]


def do_broadcast(
    db: Session,
    *,
    author_id: int | None,
    text: str,
    team_id: int | None = None,
    level: str = "warning",
    incident_id: int | None = None,
) -> Broadcast:
    """Sends a warning; `author_id` None means the system (an incident) sent it."""
    text = check_broadcast(text, level)
    people = audience(db, team_id, author_id)
    if not people:
        raise Invalid("Nobody is in this audience", code="empty_audience")
    broadcast = Broadcast(
        text=text,
        level=level,
        team_id=team_id,
        author_id=author_id,
        incident_id=incident_id,
        created_at=utcnow(),
    )
    db.add(broadcast)
    db.flush()
    db.add_all(BroadcastRecipient(broadcast_id=broadcast.id, user_id=u.id) for u in people)
    db.flush()
    _publish(db, broadcast, "created", [u.id for u in people])
    return broadcast


def get_broadcast(db: Session, broadcast_id: int) -> Broadcast:
    broadcast = db.get(Broadcast, broadcast_id)
    if broadcast is None:
        raise NotFound("Broadcast not found")
    return broadcast


def _recipient(db: Session, broadcast_id: int, user_id: int) -> BroadcastRecipient | None:
    return db.get(BroadcastRecipient, (broadcast_id, user_id))


def _recipient_ids(db: Session, broadcast_id: int) -> list[int]:
    return list(
        db.scalars(
            select(BroadcastRecipient.user_id).where(
                BroadcastRecipient.broadcast_id == broadcast_id
            )
        )
    )


def do_acknowledge(db: Session, user: User, broadcast_id: int) -> BroadcastRecipient:
    """Idempotent: a second click (another tab, a retry) keeps the first time."""
    get_broadcast(db, broadcast_id)
    row = _recipient(db, broadcast_id, user.id)
    if row is None:
        raise Forbidden("This broadcast was not sent to you", code="not_a_recipient")
    if row.acknowledged_at is None:
        row.acknowledged_at = utcnow()
        db.flush()
        done, total = counts(db, {broadcast_id})[broadcast_id]
        events.publish_on_commit(
            db,
            [events.operator_channel(user.id), events.ROUTING_CHANNEL],
            BroadcastAcknowledged(
                id=broadcast_id, user_id=user.id, acknowledged=done, recipients=total
            ),
        )
    return row


def do_close(db: Session, broadcast_id: int) -> Broadcast:
    """Takes the banner down from every console; who had read it stays recorded."""
    broadcast = get_broadcast(db, broadcast_id)
    if broadcast.closed_at is None:
        broadcast.closed_at = utcnow()
        db.flush()
        _publish(db, broadcast, "closed", _recipient_ids(db, broadcast_id))
    return broadcast


def pending_for(db: Session, user: User) -> list[Broadcast]:
    """Open broadcasts sent to this user and not acknowledged yet, newest first."""
    return list(
        db.scalars(
            select(Broadcast)
            .join(BroadcastRecipient, BroadcastRecipient.broadcast_id == Broadcast.id)
            .where(
                BroadcastRecipient.user_id == user.id,
                BroadcastRecipient.acknowledged_at.is_(None),
                Broadcast.closed_at.is_(None),
            )
            .order_by(Broadcast.created_at.desc(), Broadcast.id.desc())
        )
    )


def list_broadcasts(db: Session, limit: int = 50) -> list[Broadcast]:
    return list(
        db.scalars(
            select(Broadcast)
            .order_by(Broadcast.created_at.desc(), Broadcast.id.desc())
            .limit(limit)
        )
    )


def counts(db: Session, broadcast_ids: set[int]) -> dict[int, tuple[int, int]]:
    """(acknowledged, recipients) per broadcast."""
    if not broadcast_ids:
        return {}
    rows = db.execute(
        select(
            BroadcastRecipient.broadcast_id,
            func.count(BroadcastRecipient.acknowledged_at),
            func.count(),
        )
        .where(BroadcastRecipient.broadcast_id.in_(broadcast_ids))
        .group_by(BroadcastRecipient.broadcast_id)
    )
    found = {bid: (int(done), int(total)) for bid, done, total in rows}
    return {bid: found.get(bid, (0, 0)) for bid in broadcast_ids}


def acknowledgements(db: Session, broadcast_id: int) -> Acks:
    """Who has and who has not acknowledged, by name; the earliest acknowledgements first."""
    broadcast = get_broadcast(db, broadcast_id)
    rows = list(
        db.scalars(
            select(BroadcastRecipient).where(BroadcastRecipient.broadcast_id == broadcast_id)
        )
    )
    names = operators.user_names(db, {r.user_id for r in rows})
    acks = [Ack(r.user_id, names.get(r.user_id, f"#{r.user_id}"), r.acknowledged_at) for r in rows]
    done = sorted((a for a in acks if a.acknowledged_at), key=lambda a: a.acknowledged_at or 0)
    waiting = sorted((a for a in acks if a.acknowledged_at is None), key=lambda a: a.name)
    return Acks(broadcast, done, waiting)


def broadcast_out(db: Session, broadcasts: list[Broadcast]) -> list[BroadcastOut]:
    """Names of authors and teams, and the counts, looked up once per batch."""
    names = operators.user_names(db, {b.author_id for b in broadcasts if b.author_id})
    teams = {t.id: t.name for t in operators.list_teams(db)}
    numbers = counts(db, {b.id for b in broadcasts})
    out = []
    for b in broadcasts:
        item = BroadcastOut.model_validate(b)
        item.author_name = names.get(b.author_id, "") if b.author_id else ""
        item.team_name = teams.get(b.team_id, "") if b.team_id else ""
        item.acknowledged, item.recipients = numbers.get(b.id, (0, 0))
        out.append(item)
    return out


def _publish(db: Session, broadcast: Broadcast, op: str, recipient_ids: list[int]) -> None:
    payload = broadcast_out(db, [broadcast])[0].model_dump(mode="json")
    channels = [events.operator_channel(uid) for uid in recipient_ids]
    events.publish_on_commit(
        db,
        [*channels, events.ROUTING_CHANNEL],
        BroadcastChanged(op=op, id=broadcast.id, broadcast=payload),
    )
