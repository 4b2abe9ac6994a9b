"""An inbound e-mail into a conversation in channel `email`.

Threading, most certain first: our own Message-IDs in In-Reply-To/References (signed, so a
forged header cannot reach another customer's conversation), the Message-IDs of mails
already stored, then a ticket number in the subject («№ 123», «#123») only when the sender
is that conversation's customer. Never by subject text alone. A mail into a closed
conversation opens a new one. Auto-replies and bounces are kept as a note for the operator
and never answered; each Message-ID is stored once."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from wowdesk.channels import attachments, personal_data
from wowdesk.channels.attachments import Stored
from wowdesk.channels.mail_parse import ParsedMail, Part
from wowdesk.channels.models import InboundMail, MailThread
from wowdesk.conversations import service as conversations
from wowdesk.conversations.models import Conversation, Status
from wowdesk.customers import links
from wowdesk.customers import service as customers
from wowdesk.errors import Invalid
from wowdesk.i18n import gettext

CHANNEL = "email"
OPEN = (Status.bot, Status.queued, Status.assigned)
OUR_ID = re.compile(r"^<wd\.(\d+)\.(\d+)\.([0-9a-f]{16})@[^>]+>$")
TICKET = re.compile(r"(?:№|\bNo\.?|#)\s?(\d{1,12})\b", re.IGNORECASE)
MAX_REFERENCES = 20


@dataclass(frozen=True)
class Ingested:
    duplicate: bool = False
    conversation_id: int | None = None
    kind: str = "message"
    opened: bool = False


def _signature(secret: str, conversation_id: int, message_id: int) -> str:
    key = f"mail:{conversation_id}:{message_id}".encode()
    return hmac.new(secret.encode(), key, hashlib.sha256).hexdigest()[:16]


def our_message_id(secret: str, conversation_id: int, message_id: int, domain: str) -> str:
    """The Message-ID of an answer: the customer's reply names it in In-Reply-To, and the
    signature proves it is ours."""
    sig = _signature(secret, conversation_id, message_id)
    return f"<wd.{conversation_id}.{message_id}.{sig}@{domain}>"


def _ours(secret: str, message_id: str) -> int | None:
    match = OUR_ID.match(message_id)
    if match is None:
        return None
    conv, msg, sig = int(match[1]), int(match[2]), match[3]
    return conv if hmac.compare_digest(sig, _signature(secret, conv, msg)) else None


def thread_of(db: Session, mail: ParsedMail, secret: str) -> int | None:
    """The conversation a mail continues, or None."""
    ids = [*mail.in_reply_to, *reversed(mail.references)]
    for message_id in ids:
        conv = _ours(secret, message_id)
        if conv is not None:
            return conv
    if ids:
        found = db.scalar(
            select(InboundMail.conversation_id)
            .where(InboundMail.message_id.in_(ids[:50]), InboundMail.conversation_id.is_not(None))
            .order_by(InboundMail.id.desc())
            .limit(1)
        )
        if found is not None:
            return int(found)
    for number in TICKET.findall(mail.subject):
        thread = db.scalar(select(MailThread).where(MailThread.conversation_id == int(number)))
        if thread is not None and thread.address == mail.sender:
            return thread.conversation_id
    return None


def _client_id(message_id: str) -> str:
    return "mail-" + hashlib.sha1(message_id.encode(), usedforsecurity=False).hexdigest()


def _text(mail: ParsedMail, refused: list[tuple[Part, str]], limit: int, first: bool) -> str:
    body = mail.text or mail.full_text
    subject = mail.subject
    text = f"{subject}\n\n{body}".strip() if first and subject else body.strip()
    for part, reason in refused:
        name = attachments.clean_name(part.file_name) or part.content_type
        text += "\n" + gettext(
            "[attachment not accepted: {name} — {reason}]", name=name, reason=reason
        )
    text = text.strip() or gettext("(an empty mail)")
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def _references(thread: MailThread, message_id: str) -> str:
    ids = [*thread.references.split(), message_id]
    return " ".join(dict.fromkeys(ids[-MAX_REFERENCES:]))


def do_ingest(
    db: Session,
    mail: ParsedMail,
    *,
    stored: list[tuple[Part, Stored]],
    refused: list[tuple[Part, str]],
    mailbox: str,
    limit: int,
    secret: str,
) -> Ingested:
    # an erased customer's mail keeps only a digest of its Message-ID: still read already
    seen = (mail.message_id, personal_data.erased_message_id(mail.message_id))
    if db.scalar(select(InboundMail.id).where(InboundMail.message_id.in_(seen)).limit(1)):
        return Ingested(duplicate=True)
    sender = customers.normalize_email(mail.sender) if mail.sender else ""
    found = thread_of(db, mail, secret)
    conv: Conversation | None = conversations.get_conversation(db, found) if found else None
    record = InboundMail(
        message_id=mail.message_id, sender=sender, kind=mail.automatic or "message", mailbox=mailbox
    )
    db.add(record)
    if mail.automatic or not sender:
        # a machine's answer: the operator may want to know, nobody answers it
        if conv is not None and conv.status in (*OPEN, Status.wrapup):
            label = gettext("Bounce") if mail.automatic == "bounce" else gettext("Auto-reply")
            note = f"{label}: {mail.subject}\n{(mail.text or mail.full_text)[:500]}".strip()
            conversations.do_system_note(db, conv, note, f"mail_{mail.automatic or 'unknown'}")
            record.conversation_id = conv.id
        db.flush()
        return Ingested(conversation_id=record.conversation_id, kind=record.kind)
    rows = [
        attachments.do_record(db, s, channel=CHANNEL, kind="document", file_name=p.file_name)
        for p, s in stored
    ]
    meta = None
    if rows:
        refs = [attachments.ref(r) for r in rows]
        meta = {"attachment": refs[0], "attachments": refs}
    client_id = _client_id(mail.message_id)
    opened = conv is None or conv.status not in OPEN
    if opened:
        conv, _token, _msg = conversations.do_start(
            db,
            identity=sender,
            channel=CHANNEL,
            client_id=client_id,
            text=_text(mail, refused, limit, first=True),
            limit=limit,
            name=mail.sender_name,
            email=sender,
            first_line=False,  # mail waits for a person: the bot's answers are for chats
            secret=secret,
            meta=meta,
        )
        # a From header proves nothing: a chat customer with this address is only proposed
        links.do_propose_by_contacts(db, conv.customer_id)
        thread = MailThread(
            conversation_id=conv.id,
            address=sender,
            subject=mail.subject,
            last_message_id=mail.message_id,
            references=mail.message_id,
        )
        db.add(thread)
    else:
        assert conv is not None
        conversations.do_customer_message(
            db,
            conv,
            client_id=client_id,
            text=_text(mail, refused, limit, first=False),
            limit=limit,
            meta=meta,
        )
        existing = db.scalar(select(MailThread).where(MailThread.conversation_id == conv.id))
        if existing is None:  # a web conversation answered by mail: mail goes on
            existing = MailThread(conversation_id=conv.id, address=sender, subject=mail.subject)
            db.add(existing)
        thread = existing
        thread.last_message_id = mail.message_id
        thread.references = _references(thread, mail.message_id)
        thread.active = True
    record.conversation_id = conv.id
    for row in rows:
        row.conversation_id = conv.id
    db.flush()
    return Ingested(conversation_id=conv.id, opened=opened)


def check_message_id(mail: ParsedMail, raw: bytes) -> None:
    """A mail without a Message-ID gets one from its bytes: the same mail read twice is
    still one message."""
    if not mail.message_id:
        digest = hashlib.sha256(raw).hexdigest()[:40]
        mail.message_id = f"<{digest}@no-message-id>"
    if len(mail.message_id) > 300:
        raise Invalid("The Message-ID is too long", code="invalid_mail")
