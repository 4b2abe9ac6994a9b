"""Closed conversations customers rated well, read in bulk for the operators' assistant:
what colleagues answered to which question (masked text only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from wowdesk.conversations.models import AuthorKind, Conversation, Message

CHUNK = 500


@dataclass(frozen=True)
class RatedThread:
    conversation_id: int
    csat: int
    rated_at: datetime
    # (author kind, masked text) of the customer's and operators' messages, in order
    messages: list[tuple[str, str]]


def rated_threads(
    db: Session, *, min_csat: int, since: datetime | None, limit: int
) -> list[RatedThread]:
    """Rated at or after `since`, oldest rating first; without `since`, the newest `limit`."""
    stmt = select(Conversation.id, Conversation.csat, Conversation.csat_at).where(
        Conversation.csat >= min_csat, Conversation.csat_at.is_not(None)
    )
    if since is not None:
        stmt = stmt.where(Conversation.csat_at >= since).order_by(Conversation.csat_at)
    else:
        stmt = stmt.order_by(Conversation.csat_at.desc())
    heads = [
        (cid, int(csat or 0), at)
        for cid, csat, at in db.execute(stmt.limit(limit))
        if at is not None
    ]
    if since is None:
        heads.reverse()
    texts: dict[int, list[tuple[str, str]]] = {cid: [] for cid, _c, _a in heads}
    ids = list(texts)
    for i in range(0, len(ids), CHUNK):
        rows = db.execute(
            select(Message.conversation_id, Message.author_kind, Message.masked_text)
            .where(
                Message.conversation_id.in_(ids[i : i + CHUNK]),
                Message.author_kind.in_((AuthorKind.customer, AuthorKind.operator)),
            )
            .order_by(Message.conversation_id, Message.seq)
        )
        for cid, kind, text in rows:
            texts[cid].append((kind, text))
    return [RatedThread(cid, csat, at, texts[cid]) for cid, csat, at in heads]
