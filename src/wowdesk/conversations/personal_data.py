"""What conversations hold of a customer's personal data, and how it goes: raw message text
is replaced by its masked copy (at the end of retention, or on erasure), operators' wrap-up
notes are masked too. Timestamps, topics, scores and masked text stay, so KPIs and quality
reviews over the period do not change."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from wowdesk.conversations.models import (
    Conversation,
    FollowUp,
    MailState,
    Message,
    Note,
    OutgoingMail,
)
from wowdesk.nlp.pii import mask_text

ERASED_CLIENT = "erased-"


def customer_conversation_ids(db: Session, customer_id: int) -> list[int]:
    return list(
        db.scalars(
            select(Conversation.id)
            .where(Conversation.customer_id == customer_id)
            .order_by(Conversation.id)
        )
    )


def active_customers(db: Session, customer_ids: list[int], since: datetime) -> set[int]:
    """Those of `customer_ids` with a conversation started or written in since `since`."""
    if not customer_ids:
        return set()
    last = func.coalesce(Conversation.last_message_at, Conversation.created_at)
    rows = db.scalars(
        select(Conversation.customer_id)
        .where(Conversation.customer_id.in_(customer_ids), last >= since)
        .distinct()
    )
    return set(rows)


def do_erase_raw_text(db: Session, conversation_ids: list[int]) -> int:
    """Every message of these conversations keeps only its masked text; wrap-up notes are
    masked. Returns the messages changed."""
    if not conversation_ids:
        return 0
    changed = db.execute(
        update(Message)
        .where(Message.conversation_id.in_(conversation_ids), Message.text != Message.masked_text)
        .values(text=Message.masked_text)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    for conv in db.scalars(
        select(Conversation).where(
            Conversation.id.in_(conversation_ids), Conversation.wrapup_note != ""
        )
    ):
        conv.wrapup_note = mask_text(conv.wrapup_note)
    db.flush()
    return int(changed or 0)


def do_mask_notes(db: Session, conversation_ids: list[int], *, dry_run: bool = False) -> int:
    """What operators wrote about these conversations' customers (internal notes,
    follow-up reminders, wrap-up notes) and the subjects customers gave keep only their
    masked copy.
    Returns the rows changed."""
    if not conversation_ids:
        return 0
    changed = 0
    rows: list[tuple[Any, str]] = [
        *(
            (n, "text")
            for n in db.scalars(select(Note).where(Note.conversation_id.in_(conversation_ids)))
        ),
        *(
            (f, "note")
            for f in db.scalars(
                select(FollowUp).where(FollowUp.conversation_id.in_(conversation_ids))
            )
        ),
    ]
    for conv in db.scalars(select(Conversation).where(Conversation.id.in_(conversation_ids))):
        rows += [(conv, "subject"), (conv, "wrapup_note")]
    for row, attr in rows:
        value = getattr(row, attr)
        masked = mask_text(value) if value else value
        if masked != value:
            if not dry_run:
                setattr(row, attr, masked)
            changed += 1
    db.flush()
    return changed


def _file_refs(meta: dict[str, Any]) -> dict[str, Any]:
    """A message's file references without the customer's file names (the file itself is
    the channel's and goes with it)."""
    out = dict(meta)
    if isinstance(out.get("attachment"), dict):
        out["attachment"] = {k: v for k, v in out["attachment"].items() if k != "name"}
    if isinstance(out.get("attachments"), list):
        out["attachments"] = [
            {k: v for k, v in a.items() if k != "name"} if isinstance(a, dict) else a
            for a in out["attachments"]
        ]
    return out


def do_erase_identifiers(db: Session, conversation_ids: list[int]) -> int:
    """Messages' client ids (a Telegram one names the chat: «tg-<chat>-<message>») become
    digests, and their file references lose the customer's file names. Returns the
    messages changed."""
    if not conversation_ids:
        return 0
    changed = 0
    for msg in db.scalars(select(Message).where(Message.conversation_id.in_(conversation_ids))):
        touched = False
        # the customer's side only: bots' and operators' ids name messages, not people
        if msg.author_kind == "customer" and not msg.client_id.startswith(ERASED_CLIENT):
            digest = hashlib.sha256(msg.client_id.encode()).hexdigest()[:40]
            msg.client_id = ERASED_CLIENT + digest
            touched = True
        if msg.meta and ("attachment" in msg.meta or "attachments" in msg.meta):
            meta = _file_refs(msg.meta)
            if meta != msg.meta:
                msg.meta = meta
                touched = True
        changed += touched
    db.flush()
    return changed


def count_raw_text_before(db: Session, before: datetime) -> int:
    return int(
        db.scalar(
            select(func.count())
            .select_from(Message)
            .where(Message.created_at < before, Message.text != Message.masked_text)
        )
        or 0
    )


def conversations_with_raw_text_before(db: Session, before: datetime) -> list[int]:
    """Conversations with raw text older than `before` (other domains' copies of their
    customers' words expire with them)."""
    return list(
        db.scalars(
            select(Message.conversation_id)
            .where(Message.created_at < before, Message.text != Message.masked_text)
            .distinct()
        )
    )


def do_expire_raw_text(db: Session, before: datetime) -> int:
    """Messages written before `before` keep only their masked copy."""
    changed = db.execute(
        update(Message)
        .where(Message.created_at < before, Message.text != Message.masked_text)
        .values(text=Message.masked_text)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    return int(changed or 0)


def export_conversations(db: Session, customer_id: int) -> list[dict[str, Any]]:
    """The customer's conversations with every message as stored (raw where it still is)."""
    convs = list(
        db.scalars(
            select(Conversation)
            .where(Conversation.customer_id == customer_id)
            .order_by(Conversation.created_at)
        )
    )
    messages: dict[int, list[Message]] = {}
    if convs:
        for m in db.scalars(
            select(Message)
            .where(Message.conversation_id.in_([c.id for c in convs]))
            .order_by(Message.conversation_id, Message.seq)
        ):
            messages.setdefault(m.conversation_id, []).append(m)
    notes: dict[int, list[Note]] = {}
    follow_ups: dict[int, list[FollowUp]] = {}
    ids = [c.id for c in convs]
    if ids:
        for n in db.scalars(select(Note).where(Note.conversation_id.in_(ids)).order_by(Note.id)):
            notes.setdefault(n.conversation_id, []).append(n)
        for f in db.scalars(
            select(FollowUp).where(FollowUp.conversation_id.in_(ids)).order_by(FollowUp.id)
        ):
            follow_ups.setdefault(f.conversation_id, []).append(f)
    return [
        {
            "id": c.id,
            "channel": c.channel,
            "status": c.status,
            "subject": c.subject,
            "created_at": c.created_at.isoformat(),
            "closed_at": c.closed_at.isoformat() if c.closed_at else None,
            "csat": c.csat,
            "wrapup_note": c.wrapup_note,
            "notes": [
                {"text": n.text, "created_at": n.created_at.isoformat()}
                for n in notes.get(c.id, [])
            ],
            "follow_ups": [
                {"note": f.note, "due_at": f.due_at.isoformat()} for f in follow_ups.get(c.id, [])
            ],
            "messages": [
                {
                    "seq": m.seq,
                    "author_kind": m.author_kind,
                    "text": m.text,
                    "created_at": m.created_at.isoformat(),
                }
                for m in messages.get(c.id, [])
            ],
        }
        for c in convs
    ]


# --- the outbox ---------------------------------------------------------------------------

ERASED = "erased"


def _erase(mail: OutgoingMail) -> None:
    mail.to_address = ""
    mail.body = mask_text(mail.body)
    mail.subject = mask_text(mail.subject)
    # the customer's own Message-IDs (threading) and a server's answer naming the address
    mail.in_reply_to = ""
    mail.references = ""
    mail.last_error = mask_text(mail.last_error) if mail.last_error else ""
    if mail.state == MailState.pending:  # nobody to send it to any more
        mail.state = MailState.failed
        mail.last_error = ERASED


def do_erase_mail(db: Session, conversation_ids: list[int]) -> int:
    """The outbox holds the customer's address and operators' answers as written: both go
    with the customer. Returns the mails changed."""
    if not conversation_ids:
        return 0
    mails = list(
        db.scalars(select(OutgoingMail).where(OutgoingMail.conversation_id.in_(conversation_ids)))
    )
    for mail in mails:
        _erase(mail)
    db.flush()
    return len(mails)


def do_expire_mail(db: Session, before: datetime, *, dry_run: bool = False) -> int:
    """Mails created before `before` and no longer waiting lose address and raw text."""
    mails = list(
        db.scalars(
            select(OutgoingMail).where(
                OutgoingMail.created_at < before,
                OutgoingMail.state != MailState.pending,
                OutgoingMail.to_address != "",
            )
        )
    )
    if not dry_run:
        for mail in mails:
            _erase(mail)
        db.flush()
    return len(mails)
