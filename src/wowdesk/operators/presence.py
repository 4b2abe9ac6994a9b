"""Operators' status, capacity and skills: what routing needs to know about a person.

Every status change closes the previous period and opens a new one in an append-only
history, so occupancy and punctuality can later be computed from facts, never typed in.
Routing locks an operator's state row while it gives them work: on PostgreSQL with
`FOR UPDATE` (`SKIP LOCKED` for the dispatcher), on SQLite the single writer serialises.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, ScalarSelect, Table, delete, select, update
from sqlalchemy.orm import Session

from wowdesk import events
from wowdesk.db import insert_missing, utcnow
from wowdesk.errors import Invalid
from wowdesk.operators.models import (
    OperatorState,
    OperatorStatus,
    Skill,
    SkillKind,
    StatusChange,
    User,
)
from wowdesk.operators.schemas import OperatorStatusChanged

# a console writes its heartbeat at most this often
TOUCH_EVERY = timedelta(seconds=10)


@dataclass(frozen=True)
class SkillIn:
    kind: str
    value: str
    level: int = 3


def get_state(db: Session, user_id: int) -> OperatorState:
    """Created on first use, so accounts made before routing existed need no migration."""
    state = db.get(OperatorState, user_id)
    if state is None:  # two processes may get here at once for one operator
        row = {"user_id": user_id, "status": OperatorStatus.offline, "status_since": utcnow()}
        insert_missing(db, cast(Table, OperatorState.__table__), [row], ["user_id"])
        state = db.get(OperatorState, user_id)
        assert state is not None
    return state


def lock_state(db: Session, user_id: int) -> OperatorState:
    """Waits for any dispatcher holding this operator: capacity is then read after it."""
    get_state(db, user_id)
    state = db.scalar(
        select(OperatorState)
        .where(OperatorState.user_id == user_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert state is not None
    return state


def lock_available(db: Session, now: datetime, seen_after: datetime) -> list[OperatorState]:
    """Online operators whose console is alive; rows another dispatcher holds are skipped."""
    return list(
        db.scalars(
            select(OperatorState)
            .join(User, User.id == OperatorState.user_id)
            .where(
                OperatorState.status == OperatorStatus.online,
                OperatorState.last_seen_at >= seen_after,
                OperatorState.console_left_at.is_(None),
                User.is_active.is_(True),
            )
            .order_by(OperatorState.user_id)
            .with_for_update(skip_locked=True, of=OperatorState)
            .execution_options(populate_existing=True)
        )
    )


def check_status(status: str) -> OperatorStatus:
    try:
        return OperatorStatus(status)
    except ValueError as exc:
        raise Invalid("Unknown status {status}", status=status, code="invalid_status") from exc


def do_set_status(
    db: Session, user: User, status: OperatorStatus, reason: str = "manual"
) -> OperatorState:
    state = get_state(db, user.id)
    now = utcnow()
    if status == OperatorStatus.online:
        state.last_seen_at = now
    if state.status == status:
        return state
    db.execute(
        update(StatusChange)
        .where(StatusChange.user_id == user.id, StatusChange.ended_at.is_(None))
        .values(ended_at=now)
    )
    db.add(StatusChange(user_id=user.id, status=status, reason=reason, started_at=now))
    state.status = status
    state.status_since = now
    db.flush()
    events.publish_on_commit(
        db,
        [events.ROUTING_CHANNEL, events.operator_channel(user.id)],
        OperatorStatusChanged(id=user.id, status=status.value),
    )
    return state


def do_touch(db: Session, user_id: int, grace_seconds: float) -> None:
    """The console is alive; written at most every TOUCH_EVERY to keep writes rare, and
    often enough that a live console never looks silent for a whole grace period. A row a
    dispatcher holds is skipped, not waited for: the next heartbeat writes it, and a ping
    never queues behind a routing pass."""
    now = utcnow()
    state = get_state(db, user_id)
    every = min(TOUCH_EVERY, timedelta(seconds=grace_seconds / 4))
    recent = state.last_seen_at is not None and now - state.last_seen_at < every
    if recent and state.console_left_at is None:
        return
    free = db.scalar(
        select(OperatorState.user_id)
        .where(OperatorState.user_id == user_id)
        .with_for_update(skip_locked=True)
    )
    if free is not None:
        state.last_seen_at = now
        state.console_left_at = None
        db.flush()


def do_note_connected(db: Session, user_id: int) -> None:
    """A console opened: always written (waiting for the row, unlike a heartbeat), since it
    is what makes the operator of a closed console available again, and its time is what a
    late `do_note_left` from the console it replaced is compared with."""
    state = lock_state(db, user_id)
    state.last_seen_at = utcnow()
    state.console_left_at = None
    db.flush()


def do_note_watching(db: Session, user_id: int, conversation_id: int | None) -> None:
    """The console opened a conversation (None: the console closed). A plain UPDATE: the
    operator's own clicks are rare, and a routing pass holding the row is short."""
    get_state(db, user_id)
    db.execute(
        update(OperatorState)
        .where(
            OperatorState.user_id == user_id,
            OperatorState.watching_conversation_id.is_distinct_from(conversation_id),
        )
        .values(watching_conversation_id=conversation_id)
    )


def watching(user_id: ColumnElement[Any], conversation_id: ColumnElement[Any]) -> ScalarSelect[Any]:
    """Whether `user_id`'s console shows `conversation_id`, as a subquery: a statement of the
    conversations domain (the message's UPDATE … RETURNING) reads it without a query of its
    own, on every customer message."""
    return (
        select(OperatorState.watching_conversation_id == conversation_id)
        .where(OperatorState.user_id == user_id)
        .scalar_subquery()
    )


def watches(db: Session, user_id: int, conversation_id: int) -> bool:
    """Whether the operator's console shows this conversation now."""
    return (
        db.scalar(
            select(OperatorState.watching_conversation_id).where(OperatorState.user_id == user_id)
        )
        == conversation_id
    )


def do_note_left(db: Session, user_id: int, closed_at: datetime) -> None:
    """The operator's last console in this process closed at `closed_at`. Without this,
    routing kept offering new conversations to a closed browser for the whole grace period,
    and those customers waited until the requeue. A console that connected after that
    moment (a reload, a tab elsewhere) has written a later `last_seen_at` and wins; one
    still open in another process clears it with its next heartbeat."""
    state = lock_state(db, user_id)
    if state.last_seen_at is None or state.last_seen_at <= closed_at:
        state.console_left_at = closed_at
        state.watching_conversation_id = None
        db.flush()


def do_note_assigned(state: OperatorState, now: datetime) -> None:
    state.last_assigned_at = now


def do_note_released(db: Session, user_id: int) -> None:
    get_state(db, user_id).last_released_at = utcnow()


def list_sessions_lost(db: Session, seen_before: datetime) -> list[int]:
    """Operators marked present whose console stopped writing its heartbeat."""
    return list(
        db.scalars(
            select(OperatorState.user_id).where(
                OperatorState.status != OperatorStatus.offline,
                (OperatorState.last_seen_at.is_(None)) | (OperatorState.last_seen_at < seen_before),
            )
        )
    )


def list_offline_since(db: Session, before: datetime, user_ids: set[int]) -> set[int]:
    """Of these operators, those offline since `before` or longer (the grace is over)."""
    states = {
        s.user_id: s
        for s in db.scalars(select(OperatorState).where(OperatorState.user_id.in_(user_ids)))
    }
    return {
        uid
        for uid in user_ids
        if (state := states.get(uid)) is None
        or (state.status == OperatorStatus.offline and state.status_since <= before)
    }


def list_states(db: Session) -> list[tuple[User, OperatorState]]:
    users = list(db.scalars(select(User).where(User.is_active.is_(True)).order_by(User.id)))
    return [(u, get_state(db, u.id)) for u in users]


def do_set_capacity(db: Session, user_id: int, capacity: int) -> OperatorState:
    if not 1 <= capacity <= 50:
        raise Invalid("Capacity must be from 1 to 50", code="invalid_capacity")
    state = get_state(db, user_id)
    state.capacity = capacity
    db.flush()
    return state


def do_set_skills(db: Session, user_id: int, skills: list[SkillIn]) -> list[Skill]:
    seen: set[tuple[str, str]] = set()
    rows = []
    for skill in skills:
        try:
            kind = SkillKind(skill.kind)
        except ValueError as exc:
            raise Invalid("Unknown skill kind {kind}", kind=skill.kind) from exc
        value = skill.value.strip()
        if not value or len(value) > 100:
            raise Invalid("A skill needs a name of up to 100 characters")
        if not 1 <= skill.level <= 5:
            raise Invalid("Skill level must be from 1 to 5")
        key = (kind.value, value.lower())
        if key in seen:
            raise Invalid("Skill {value} is given twice", value=value)
        seen.add(key)
        rows.append(Skill(user_id=user_id, kind=kind, value=value, level=skill.level))
    db.execute(delete(Skill).where(Skill.user_id == user_id))
    db.add_all(rows)
    db.flush()
    return rows


def skills_of(db: Session, user_ids: set[int]) -> dict[int, list[Skill]]:
    out: dict[int, list[Skill]] = {uid: [] for uid in user_ids}
    if user_ids:
        for skill in db.scalars(select(Skill).where(Skill.user_id.in_(user_ids))):
            out[skill.user_id].append(skill)
    return out


def status_history(
    db: Session, user_id: int, since: datetime | None = None, limit: int = 500
) -> list[StatusChange]:
    stmt = select(StatusChange).where(StatusChange.user_id == user_id)
    if since is not None:
        stmt = stmt.where((StatusChange.ended_at.is_(None)) | (StatusChange.ended_at >= since))
    return list(db.scalars(stmt.order_by(StatusChange.started_at.desc()).limit(limit)))


def staffed_topics(db: Session) -> set[str]:
    """Topics some operator has as a skill (lower case): only these have their own queue."""
    values = db.scalars(select(Skill.value).where(Skill.kind == SkillKind.topic).distinct())
    return {v.lower() for v in values}


def online_intervals(
    db: Session, low: datetime, high: datetime, user_ids: set[int] | None = None
) -> list[tuple[int, datetime, datetime]]:
    """(user, from, to) of every stretch spent online within [low, high), clipped to it;
    an open stretch runs until now. Occupancy and adherence are computed from these."""
    stmt = select(StatusChange.user_id, StatusChange.started_at, StatusChange.ended_at).where(
        StatusChange.status == OperatorStatus.online,
        StatusChange.started_at < high,
        (StatusChange.ended_at.is_(None)) | (StatusChange.ended_at > low),
    )
    if user_ids is not None:
        stmt = stmt.where(StatusChange.user_id.in_(user_ids))
    now = utcnow()
    out = []
    for uid, started, ended in db.execute(stmt):
        start, end = max(started, low), min(ended or now, high)
        if end > start:
            out.append((uid, start, end))
    return out
