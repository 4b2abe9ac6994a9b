"""Conversations an operator starts: the company writes first (to bring a result back, to
answer a question left elsewhere). The conversation is born assigned to that operator with
their message as its first line; it was never offered to a queue, so it counts as handled
by them (handle time from the first message) and never in wait or service level."""

from __future__ import annotations

import secrets

from sqlalchemy.orm import Session

from wowdesk.conversations.messages import append, publish_conversation
from wowdesk.conversations.models import AuthorKind, Conversation, Message, Status
from wowdesk.conversations.service import check_client_id, check_text
from wowdesk.db import utcnow
from wowdesk.nlp.pii import mask_text
from wowdesk.operators.models import User
from wowdesk.security import token_hash


def do_start_outbound(
    db: Session,
    *,
    customer_id: int,
    channel: str,
    user: User,
    client_id: str,
    text: str,
    limit: int,
) -> tuple[Conversation, Message]:
    check_client_id(client_id)
    text = check_text(text, limit)
    now = utcnow()
    conv = Conversation(
        token_hash=token_hash(secrets.token_urlsafe(32)),
        customer_id=customer_id,
        channel=channel,
        status=Status.assigned,
        operator_id=user.id,
        subject=mask_text(text)[:200],
        created_at=now,
        assigned_at=now,
    )
    db.add(conv)
    db.flush()
    msg, _created = append(
        db,
        conv,
        author_kind=AuthorKind.operator,
        author_id=user.id,
        client_id=client_id,
        text=text,
        meta={"kind": "outbound"},
    )
    publish_conversation(db, conv, "created")
    return conv, msg
