"""Internal notes with @mentions (help from a colleague without a transfer) and follow-up
reminders on conversations. Neither is ever shown to the customer.

Who hears of a note live: the operator holding the conversation, everyone who wrote in its
thread and everyone mentioned in it, on their own operator channel, so an answer in the
thread reaches the one who asked even if they have moved on to another conversation."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from wowdesk import events
from wowdesk.conversations.models import Conversation, FollowUp, Note
from wowdesk.conversations.schemas import NoteAdded
from wowdesk.db import utcnow
from wowdesk.errors import Forbidden, Invalid, NotFound
from wowdesk.operators import service as operators
from wowdesk.operators.models import User

MAX_NOTE = 2000
MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9_.-]{2,64})")
MAX_AHEAD = timedelta(days=365)


def check_note(text: str) -> str:
    text = text.strip()
    if not text:
        raise Invalid("Write the note", code="empty_note")
    if len(text) > MAX_NOTE:
        raise Invalid("A note has at most {n} characters", n=MAX_NOTE, code="note_too_long")
    return text


def mentioned(db: Session, text: str) -> list[User]:
    """Active staff named by `@login` in the text; an unknown login is refused, so a typo
    never leaves a question nobody sees."""
    found: dict[int, User] = {}
    for login in MENTION.findall(text):
        user = operators.find_user(db, login.rstrip("."))
        if user is None or not user.is_active:
            raise Invalid("Nobody has the login {login}", login=login, code="unknown_mention")
        found[user.id] = user
    return list(found.values())


def list_notes(db: Session, conv: Conversation) -> list[Note]:
    stmt = select(Note).where(Note.conversation_id == conv.id).order_by(Note.id)
    return list(db.scalars(stmt))


def do_add_note(db: Session, user: User, conv: Conversation, text: str) -> Note:
    text = check_note(text)
    people = mentioned(db, text)
    note = Note(
        conversation_id=conv.id,
        author_id=user.id,
        text=text,
        mentions=[p.id for p in people if p.id != user.id],
    )
    db.add(note)
    db.flush()
    earlier = list_notes(db, conv)
    listeners = {n.author_id for n in earlier} | {m for n in earlier for m in n.mentions}
    if conv.operator_id:
        listeners.add(conv.operator_id)
    listeners.discard(user.id)
    if listeners:
        events.publish_on_commit(
            db,
            [events.operator_channel(uid) for uid in sorted(listeners)],
            NoteAdded(
                conversation_id=conv.id,
                note_id=note.id,
                author_id=user.id,
                author_name=user.display_name,
                mentions=list(note.mentions),
            ),
        )
    return note


def open_mentions(db: Session, user: User, limit: int = 50) -> list[tuple[Note, Conversation]]:
    """Questions to this person not answered yet: notes mentioning them with no note of
    theirs after it in the same thread."""
    notes = db.scalars(select(Note).order_by(Note.id.desc()).limit(2000))
    asked = [n for n in notes if user.id in (n.mentions or [])]
    out = []
    for note in asked:
        answered = db.scalar(
            select(Note.id).where(
                Note.conversation_id == note.conversation_id,
                Note.author_id == user.id,
                Note.id > note.id,
            )
        )
        conv = db.get(Conversation, note.conversation_id)
        if answered is None and conv is not None:
            out.append((note, conv))
        if len(out) >= limit:
            break
    return out


# --- follow-ups -----------------------------------------------------------------------------


def do_add_follow_up(
    db: Session, user: User, conv: Conversation, due_at: datetime, note: str
) -> FollowUp:
    if due_at.tzinfo is None:
        raise Invalid("Give the time with its time zone", code="invalid_time")
    now = utcnow()
    if not now - timedelta(minutes=1) <= due_at <= now + MAX_AHEAD:
        raise Invalid("Set the reminder between now and a year ahead", code="invalid_due")
    if len(note) > 500:
        raise Invalid("A reminder's note has at most 500 characters", code="note_too_long")
    item = FollowUp(conversation_id=conv.id, user_id=user.id, due_at=due_at, note=note.strip())
    db.add(item)
    db.flush()
    return item


def list_follow_ups(db: Session, user: User) -> list[FollowUp]:
    """The person's open reminders, the soonest first (due ones are those in the past)."""
    stmt = (
        select(FollowUp)
        .where(FollowUp.user_id == user.id, FollowUp.done_at.is_(None))
        .order_by(FollowUp.due_at)
        .limit(200)
    )
    return list(db.scalars(stmt))


def do_finish_follow_up(db: Session, user: User, follow_up_id: int) -> FollowUp:
    item = db.get(FollowUp, follow_up_id)
    if item is None:
        raise NotFound("No such reminder", code="follow_up_not_found")
    if item.user_id != user.id:
        raise Forbidden("This is a colleague's reminder", code="not_yours")
    if item.done_at is None:
        item.done_at = utcnow()
        db.flush()
    return item
