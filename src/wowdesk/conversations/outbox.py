"""The e-mail outbox: enqueue in the caller's transaction, send later with retries."""

from __future__ import annotations

import smtplib
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import cast

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from wowdesk import events
from wowdesk.conversations.models import MailState, OutgoingMail
from wowdesk.conversations.schemas import MailSent
from wowdesk.db import insert_missing, utcnow
from wowdesk.mail import Smtp, connect

MAX_ATTEMPTS = 10
SEND_BATCH = 20
_OUTBOX = cast(Table, OutgoingMail.__table__)


def do_enqueue(
    db: Session,
    *,
    key: str,
    to: str,
    subject: str,
    body: str,
    conversation_id: int | None,
    message_id: str = "",
    in_reply_to: str = "",
    references: str = "",
) -> None:
    """Idempotent by `key`: the same content asked twice (two processes, a retried pass) is
    one mail. `message_id`, `in_reply_to` and `references` thread it in the customer's
    mail program (an answer in an e-mail conversation)."""
    now = utcnow()
    row = {
        "key": key,
        "conversation_id": conversation_id,
        "to_address": to,
        "subject": subject,
        "body": body,
        "message_id": message_id,
        "in_reply_to": in_reply_to,
        "references": references,
        "state": MailState.pending,
        "attempts": 0,
        "last_error": "",
        "next_attempt_at": now,
        "created_at": now,
    }
    insert_missing(db, _OUTBOX, [row], ["key"])


def retry_delay(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, … capped at one hour: an SMTP outage is waited out, not hammered."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def _message(mail: OutgoingMail, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = mail.to_address
    msg["Subject"] = mail.subject
    # stable per outbox row: a mail resent after a lost acknowledgement threads as the same
    msg["Message-ID"] = mail.message_id or make_msgid(
        idstring=f"wowdesk-{mail.id}", domain="wowdesk.local"
    )
    if mail.in_reply_to:
        msg["In-Reply-To"] = mail.in_reply_to
    if mail.references:
        msg["References"] = mail.references
    msg.set_content(mail.body)
    return msg


def do_send_due(db: Session, smtp: Smtp) -> tuple[int, int]:
    """Sends what is due, one SMTP session per batch; returns (sent, failed attempts).
    Rows are locked while they are sent (SKIP LOCKED), so processes never send one twice."""
    now = utcnow()
    due = list(
        db.scalars(
            select(OutgoingMail)
            .where(OutgoingMail.state == MailState.pending, OutgoingMail.next_attempt_at <= now)
            .order_by(OutgoingMail.id)
            .limit(SEND_BATCH)
            .with_for_update(skip_locked=True)
        )
    )
    if not due:
        return 0, 0
    sent = failed = 0
    try:
        client = connect(smtp)
    except (smtplib.SMTPException, OSError) as exc:
        for mail in due:
            _failed(mail, f"{smtp.host}:{smtp.port}: {exc}")
        db.flush()
        return 0, len(due)
    with client:
        for mail in due:
            try:
                client.send_message(_message(mail, smtp.sender))
            except (smtplib.SMTPException, OSError) as exc:
                _failed(mail, str(exc))
                failed += 1
                continue
            mail.state = MailState.sent
            mail.sent_at = utcnow()
            mail.attempts += 1
            sent += 1
    db.flush()
    # supervisors' boards count unsent mail: they recount when some went out
    events.publish_on_commit(db, [events.QUEUE_CHANNEL], MailSent(sent=sent, failed=failed))
    return sent, failed


def _failed(mail: OutgoingMail, error: str) -> None:
    mail.attempts += 1
    mail.last_error = error[:2000]
    if mail.attempts >= MAX_ATTEMPTS:
        mail.state = MailState.failed
    else:
        mail.next_attempt_at = utcnow() + retry_delay(mail.attempts)


def count_by_state(db: Session) -> dict[str, int]:
    rows = db.execute(select(OutgoingMail.state, func.count()).group_by(OutgoingMail.state))
    return {state: n for state, n in rows}


def list_for_conversation(db: Session, conversation_id: int) -> list[OutgoingMail]:
    return list(
        db.scalars(
            select(OutgoingMail)
            .where(OutgoingMail.conversation_id == conversation_id)
            .order_by(OutgoingMail.id)
        )
    )
