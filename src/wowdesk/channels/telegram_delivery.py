"""What goes out to Telegram: the bot's, the operators' and the service's messages of each
Telegram conversation, in seq order, each once.

A conversation's `sent_seq` moves past a message only after Telegram accepted it, so a
crash or an outage delays messages and loses none (a crash between Telegram's answer and
the commit can resend one: at-least-once, the same as any webhook). One process at a time
holds a conversation (a lease), so several app processes never send a message twice. What
Telegram accepted is marked delivered (the console's ✓✓); what it refuses for good (the
customer blocked the bot) is told to the operator in the conversation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from wowdesk.channels.models import TelegramConversation
from wowdesk.conversations import service as conversations
from wowdesk.conversations.models import AuthorKind, Status
from wowdesk.db import utcnow
from wowdesk.i18n import gettext

LEASE_SECONDS = 30
BATCH = 50
# service lines that are for staff only
INTERNAL_KINDS = {"delivery_failed", "transfer_note", "escalated"}
DONE = (Status.closed,)


@dataclass(frozen=True)
class Outgoing:
    seq: int
    text: str
    csat: bool = False  # the rating question: sent with its buttons


@dataclass
class Batch:
    link_id: int
    conversation_id: int
    chat_id: int
    upto: int  # the last seq looked at: customer lines are passed over
    messages: list[Outgoing] = field(default_factory=list)


def _claim(db: Session, link_id: int) -> bool:
    now = utcnow()
    result = db.execute(
        update(TelegramConversation)
        .where(
            TelegramConversation.id == link_id,
            or_(
                TelegramConversation.lease_until.is_(None),
                TelegramConversation.lease_until < now,
            ),
        )
        .values(lease_until=now + timedelta(seconds=LEASE_SECONDS))
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def do_claim_due(db: Session) -> list[Batch]:
    """The conversations with messages not sent yet, each claimed for this process."""
    links = list(
        db.scalars(
            select(TelegramConversation)
            .where(TelegramConversation.active.is_(True))
            .order_by(TelegramConversation.id)
            .limit(500)
        )
    )
    states = conversations.progress(db, {link.conversation_id for link in links})
    batches: list[Batch] = []
    for link in links:
        last_seq, status = states.get(link.conversation_id, (0, Status.closed))
        if last_seq <= link.sent_seq:
            if status in DONE:
                link.active = False
            continue
        if len(batches) >= BATCH or not _claim(db, link.id):
            continue
        conv = conversations.get_conversation(db, link.conversation_id)
        batch = Batch(link.id, link.conversation_id, link.chat_id, upto=link.sent_seq)
        pending = conversations.list_messages(db, conv, after_seq=link.sent_seq, limit=100)
        for msg in pending:
            batch.upto = msg.seq
            kind = (msg.meta or {}).get("kind", "")
            if msg.author_kind == AuthorKind.customer or kind in INTERNAL_KINDS:
                continue
            batch.messages.append(Outgoing(msg.seq, msg.text, csat=kind == "closed"))
        if batch.messages or len(pending) >= 100:  # a full page: the next pass comes at once
            batches.append(batch)
        else:  # only the customer's own lines: nothing to send, the watermark moves now
            _pass_over(db, batch)
    db.flush()
    return batches


def _pass_over(db: Session, batch: Batch) -> None:
    """What do_mark_sent would do for a batch with nothing in it, without the round trip
    (one update would otherwise cost two more units of work and a send pass)."""
    db.execute(
        update(TelegramConversation)
        .where(TelegramConversation.id == batch.link_id)
        .values(sent_seq=batch.upto, lease_until=None, failures=0, last_error="")
        .execution_options(synchronize_session=False)
    )


def do_mark_sent(db: Session, batch: Batch, upto: int) -> None:
    """Telegram took everything up to `upto`: the watermark moves, the console shows ✓✓."""
    link = db.get(TelegramConversation, batch.link_id, with_for_update=True)
    if link is None:
        return
    link.sent_seq = max(link.sent_seq, upto)
    link.lease_until = None
    link.failures = 0
    link.last_error = ""
    conv = conversations.get_conversation(db, batch.conversation_id)
    delivered = max((m.seq for m in batch.messages if m.seq <= upto), default=0)
    if delivered:
        conversations.do_mark_delivered(db, conv, "customer", delivered)
    db.flush()


def retry_delay(failures: int, retry_after: float | None) -> timedelta:
    """Telegram's own `retry_after` when it gave one, else 1 s, 2 s, 4 s … up to a minute."""
    if retry_after:
        return timedelta(seconds=retry_after)
    return timedelta(seconds=min(2 ** max(failures - 1, 0), 60))


def do_mark_failed(
    db: Session,
    batch: Batch,
    seq: int,
    error: str,
    *,
    permanent: bool,
    retry_after: float | None = None,
) -> None:
    """A temporary failure (network, Telegram busy) is tried again after a pause; a
    permanent one (blocked by the customer, chat gone) passes the message and tells the
    operator. Messages before `seq` went out: the watermark moves to them."""
    link = db.get(TelegramConversation, batch.link_id, with_for_update=True)
    if link is None:
        return
    link.failures += 1
    link.last_error = error[:2000]
    link.sent_seq = max(link.sent_seq, seq - 1)
    if not permanent:
        link.lease_until = utcnow() + retry_delay(link.failures, retry_after)
        db.flush()
        return
    link.sent_seq = max(link.sent_seq, seq)
    link.lease_until = None
    conv = conversations.get_conversation(db, batch.conversation_id)
    if conv.status in (Status.bot, Status.queued, Status.assigned, Status.wrapup):
        note = gettext("Not delivered to Telegram: {error}", error=error[:300])
        conversations.do_system_note(db, conv, note, "delivery_failed")
    db.flush()
