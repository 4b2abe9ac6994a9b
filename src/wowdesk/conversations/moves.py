"""Moving a conversation between people: back to the queue, to a colleague, back to the bot.

Routing decides *who*; these functions change the conversation itself, tell the customer
in plain words, and publish the change after commit. Each is a conditional update, so a
move that lost a race changes nothing.
"""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from wowdesk import events
from wowdesk.conversations.messages import joined_line, publish_conversation, system_message
from wowdesk.conversations.models import Conversation, Status
from wowdesk.db import utcnow
from wowdesk.errors import Conflict
from wowdesk.i18n import gettext as _
from wowdesk.operators.models import User


def active_counts(db: Session, user_ids: set[int]) -> dict[int, int]:
    """Conversations each operator holds now: what capacity is measured against."""
    counts = dict.fromkeys(user_ids, 0)
    if user_ids:
        rows = db.execute(
            select(Conversation.operator_id, func.count())
            .where(Conversation.operator_id.in_(user_ids), Conversation.status == Status.assigned)
            .group_by(Conversation.operator_id)
        )
        counts.update({uid: n for uid, n in rows if uid is not None})
    return counts


def list_held(db: Session, user_ids: set[int]) -> list[Conversation]:
    if not user_ids:
        return []
    return list(
        db.scalars(
            select(Conversation)
            .where(Conversation.operator_id.in_(user_ids), Conversation.status == Status.assigned)
            .order_by(Conversation.id)
        )
    )


def holders(db: Session) -> set[int]:
    """Operators holding at least one conversation now."""
    ids = db.scalars(
        select(Conversation.operator_id)
        .where(Conversation.status == Status.assigned, Conversation.operator_id.is_not(None))
        .distinct()
    )
    return {uid for uid in ids if uid is not None}


def queued_ids(db: Session) -> set[int]:
    """Every waiting conversation, however long the queue: ids only, so a pass over a
    queue of thousands costs one narrow query, not thousands of loaded rows."""
    return set(db.scalars(select(Conversation.id).where(Conversation.status == Status.queued)))


def list_by_ids(db: Session, ids: set[int]) -> list[Conversation]:
    if not ids:
        return []
    return list(db.scalars(select(Conversation).where(Conversation.id.in_(ids))))


def recent_handle_seconds(db: Session, limit: int = 200) -> list[float]:
    """Assigned-to-closed durations of the latest closed conversations (for wait estimates)."""
    rows = db.execute(
        select(Conversation.assigned_at, Conversation.closed_at)
        .where(Conversation.closed_at.is_not(None), Conversation.assigned_at.is_not(None))
        .order_by(Conversation.closed_at.desc())
        .limit(limit)
    )
    return [(closed - assigned).total_seconds() for assigned, closed in rows if closed and assigned]


def do_requeue(db: Session, conv: Conversation, *, reason: str) -> bool:
    """Back to the queue from an operator who left; the customer keeps their history."""
    previous = conv.operator_id
    result = db.execute(
        update(Conversation)
        .where(Conversation.id == conv.id, Conversation.status == Status.assigned)
        .values(
            status=Status.queued,
            operator_id=None,
            transfer_count=Conversation.transfer_count + (1 if reason == "transfer" else 0),
        )
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        return False
    db.refresh(conv)
    text = (
        _(
            "Your operator had to leave. You are back at the head of the queue; "
            "your history is kept."
        )
        if reason == "operator_left"
        else _("The conversation was passed on. The next free operator will pick it up.")
    )
    system_message(db, conv, text, "requeued")
    extra: tuple[str, ...] = (events.QUEUE_CHANNEL,)
    if previous:
        extra += (events.operator_channel(previous),)
    publish_conversation(db, conv, "requeued", extra=extra)
    return True


def do_transfer(db: Session, conv: Conversation, to_user: User) -> Conversation:
    """From one operator (or the queue) straight to a colleague."""
    previous = conv.operator_id
    result = db.execute(
        update(Conversation)
        .where(
            Conversation.id == conv.id,
            Conversation.status.in_((Status.assigned, Status.queued)),
            Conversation.operator_id == previous
            if previous is not None
            else Conversation.operator_id.is_(None),
        )
        .values(
            status=Status.assigned,
            operator_id=to_user.id,
            assigned_at=func.coalesce(Conversation.assigned_at, utcnow()),
            transfer_count=Conversation.transfer_count + (1 if previous is not None else 0),
        )
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        raise Conflict("The conversation has moved meanwhile", code="moved")
    db.refresh(conv)
    system_message(
        db,
        conv,
        joined_line(to_user),
        "joined",
        to_user.id,
    )
    extra: tuple[str, ...] = (events.QUEUE_CHANNEL,)
    if previous:
        extra += (events.operator_channel(previous),)
    publish_conversation(db, conv, "assigned", extra=extra)
    return conv


def do_return_to_bot(db: Session, conv: Conversation) -> Conversation:
    """The customer chose to go on with the bot instead of waiting."""
    result = db.execute(
        update(Conversation)
        .where(Conversation.id == conv.id, Conversation.status == Status.queued)
        .values(status=Status.bot)
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        raise Conflict("The conversation is no longer waiting", code="not_queued")
    db.refresh(conv)
    system_message(db, conv, _("The assistant is with you again. Ask your question."), "to_bot")
    publish_conversation(db, conv, "to_bot", extra=(events.QUEUE_CHANNEL,))
    return conv
