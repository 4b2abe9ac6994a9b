"""What the channels hold of a customer: the Telegram chat and user ids their messages come
from, the mail threads' addresses and subjects, the senders and Message-IDs of mails read,
calls' caller numbers and recording links, and the files customers sent (on disk under
`var/attachments`).

On erasure (and at the end of the contacts' retention) each goes: ids are zeroed, addresses
blanked, Message-IDs replaced by a digest (the same mail read again is still recognised as
read, but a reply to it no longer threads into the erased conversation), attachments'
rows deleted and their files named for the caller to remove after the commit. The
conversations, calls' timestamps and counts stay, so KPIs do not change.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from wowdesk.channels.models import (
    Attachment,
    CallRecord,
    InboundMail,
    MailThread,
    TelegramConversation,
)
from wowdesk.nlp.pii import mask_text

ERASED_PREFIX = "erased:"


def erased_message_id(message_id: str) -> str:
    """What an erased mail's Message-ID becomes: a digest that still tells "read already"
    to the mailbox reader and says nothing of the sender."""
    if message_id.startswith(ERASED_PREFIX):
        return message_id
    return ERASED_PREFIX + hashlib.sha256(message_id.encode()).hexdigest()


@dataclass
class ChannelsErased:
    telegram_chats: int = 0
    mail_threads: int = 0
    inbound_mails: int = 0
    calls: int = 0
    attachments: list[str] = field(default_factory=list)  # files to remove after the commit


def do_erase_conversation_data(db: Session, conversation_ids: list[int]) -> ChannelsErased:
    done = ChannelsErased()
    if not conversation_ids:
        return done
    for tg in db.scalars(
        select(TelegramConversation).where(
            TelegramConversation.conversation_id.in_(conversation_ids)
        )
    ):
        if tg.chat_id or tg.user_id or tg.active:
            done.telegram_chats += 1
        tg.chat_id = 0
        tg.user_id = 0
        tg.active = False  # nobody to deliver to any more
        tg.lease_until = None
        tg.last_error = ""
    for thread in db.scalars(
        select(MailThread).where(MailThread.conversation_id.in_(conversation_ids))
    ):
        if thread.address or thread.references or thread.last_message_id:
            done.mail_threads += 1
        thread.address = ""
        thread.subject = mask_text(thread.subject)
        thread.last_message_id = ""
        thread.references = ""
        thread.active = False
    for mail in db.scalars(
        select(InboundMail).where(InboundMail.conversation_id.in_(conversation_ids))
    ):
        if mail.sender or not mail.message_id.startswith(ERASED_PREFIX):
            done.inbound_mails += 1
        mail.sender = ""
        mail.message_id = erased_message_id(mail.message_id)
    for call in db.scalars(
        select(CallRecord).where(CallRecord.conversation_id.in_(conversation_ids))
    ):
        if call.caller or call.recording_url:
            done.calls += 1
        call.caller = ""
        call.recording_url = ""
    done.attachments = _delete_attachments(
        db, select(Attachment).where(Attachment.conversation_id.in_(conversation_ids))
    )
    db.flush()
    return done


def _delete_attachments(db: Session, stmt: Any) -> list[str]:
    rows = list(db.scalars(stmt))
    names = [r.stored_name for r in rows]
    if rows:
        db.execute(delete(Attachment).where(Attachment.id.in_([r.id for r in rows])))
    return names


def attachments_before(db: Session, before: datetime) -> int:
    return int(
        db.scalar(
            select(func.count()).select_from(Attachment).where(Attachment.created_at < before)
        )
        or 0
    )


def do_expire_attachments(db: Session, before: datetime) -> list[str]:
    """Files customers sent before `before` go (rows deleted; the message that carried one
    says only that there was a file); returns the files to remove after the commit."""
    names = _delete_attachments(db, select(Attachment).where(Attachment.created_at < before))
    db.flush()
    return names


def do_expire_recordings(db: Session, before: datetime, *, dry_run: bool = False) -> int:
    """Calls started before `before` lose their recording's link (the call, its times and
    transcript's masked text stay)."""
    calls = list(
        db.scalars(
            select(CallRecord).where(CallRecord.started_at < before, CallRecord.recording_url != "")
        )
    )
    if not dry_run:
        for call in calls:
            call.recording_url = ""
        db.flush()
    return len(calls)


def export_conversations(db: Session, conversation_ids: list[int]) -> dict[str, list[Any]]:
    """The channels' part of an export: chats, mail threads and mails read, calls, files."""
    if not conversation_ids:
        return {"telegram": [], "mail_threads": [], "inbound_mails": [], "calls": [], "files": []}
    where_ids = conversation_ids

    def rows(model: Any) -> list[Any]:
        return list(
            db.scalars(select(model).where(model.conversation_id.in_(where_ids)).order_by(model.id))
        )

    return {
        "telegram": [
            {
                "conversation_id": t.conversation_id,
                "chat_id": t.chat_id,
                "user_id": t.user_id,
                "created_at": t.created_at.isoformat(),
            }
            for t in rows(TelegramConversation)
        ],
        "mail_threads": [
            {
                "conversation_id": m.conversation_id,
                "address": m.address,
                "subject": m.subject,
                "message_ids": [r for r in m.references.split() if r],
            }
            for m in rows(MailThread)
        ],
        "inbound_mails": [
            {
                "conversation_id": m.conversation_id,
                "message_id": m.message_id,
                "sender": m.sender,
                "kind": m.kind,
                "received_at": m.received_at.isoformat(),
            }
            for m in rows(InboundMail)
        ],
        "calls": [
            {
                "conversation_id": c.conversation_id,
                "call_id": c.call_id,
                "caller": c.caller,
                "started_at": c.started_at.isoformat(),
                "ended_at": c.ended_at.isoformat(),
                "recording_url": c.recording_url,
            }
            for c in rows(CallRecord)
        ],
        "files": [
            {
                "conversation_id": a.conversation_id,
                "id": a.id,
                "kind": a.kind,
                "content_type": a.content_type,
                "file_name": a.file_name,
                "size": a.size,
                "created_at": a.created_at.isoformat(),
            }
            for a in rows(Attachment)
        ],
    }
