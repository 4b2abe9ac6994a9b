"""Conversations that happened elsewhere and arrive finished: a phone call's transcript.

A live chat stamps its KPI timestamps as things happen (`service`); a call is over before
wowdesk hears of it, so its timestamps come from the telephony system's clock (the call's
start, answer, hang-up and the end of after-call work) and every line keeps the moment it
was said. Stored this way, AHT, ACW, wait and service level come out of the same rollup as
for chats, per channel, with nothing typed in.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from wowdesk import events
from wowdesk.conversations.messages import publish_conversation
from wowdesk.conversations.models import AuthorKind, Conversation, Message, Status
from wowdesk.errors import Invalid
from wowdesk.security import token_hash


@dataclass(frozen=True)
class Line:
    """One utterance: raw `text` (secrets already removed by the caller) and its masked copy."""

    author_kind: AuthorKind
    text: str
    masked_text: str
    at: datetime
    author_id: int | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Timeline:
    """`assigned_at` None: nobody answered (an abandoned call); `wrapup_done_at` None: the
    after-call work was not reported, so ACW is unknown rather than zero."""

    created_at: datetime
    queued_at: datetime
    closed_at: datetime
    assigned_at: datetime | None = None
    first_human_reply_at: datetime | None = None
    wrapup_done_at: datetime | None = None

    def check(self) -> None:
        order = [self.created_at, self.queued_at, self.assigned_at, self.closed_at]
        known = [t for t in order if t is not None]
        if known != sorted(known) or (
            self.wrapup_done_at is not None and self.wrapup_done_at < self.closed_at
        ):
            raise Invalid("The call's times are out of order", code="times_out_of_order")


def do_record_finished(
    db: Session,
    *,
    customer_id: int,
    channel: str,
    operator_id: int | None,
    topic_id: int | None,
    subject: str,
    timeline: Timeline,
    lines: list[Line],
) -> Conversation:
    """Stores a finished conversation with its lines in order (seq 1..n) and announces it
    after commit. The caller makes it idempotent (a call id is imported once)."""
    timeline.check()
    if operator_id is None and timeline.assigned_at is not None:
        raise Invalid("An answered call needs its operator", code="operator_required")
    conv = Conversation(
        token_hash=token_hash(secrets.token_urlsafe(32)),  # no customer holds a chat token
        customer_id=customer_id,
        channel=channel,
        status=Status.closed,
        topic_id=topic_id,
        operator_id=operator_id,
        subject=subject[:200],
        created_at=timeline.created_at,
        handed_off_at=None,
        queued_at=timeline.queued_at,
        assigned_at=timeline.assigned_at,
        first_human_reply_at=timeline.first_human_reply_at,
        closed_at=timeline.closed_at,
        wrapup_done_at=timeline.wrapup_done_at,
        last_seq=len(lines),
        last_message_at=lines[-1].at if lines else None,
    )
    db.add(conv)
    db.flush()
    db.add_all(
        Message(
            conversation_id=conv.id,
            seq=seq,
            client_id=f"line-{seq}",
            author_kind=line.author_kind,
            author_id=line.author_id,
            text=line.text,
            masked_text=line.masked_text,
            meta=line.meta,
            created_at=line.at,
        )
        for seq, line in enumerate(lines, start=1)
    )
    db.flush()
    # channels_of a closed conversation: its own and its operator's; the queue board too
    publish_conversation(db, conv, "imported", extra=(events.QUEUE_CHANNEL,))
    return conv
