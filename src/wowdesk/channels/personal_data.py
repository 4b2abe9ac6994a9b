"""The outbox holds the customer's address and the operators' answers as written: erased
with the customer, masked at the end of raw-text retention."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from wowdesk.channels.models import MailState, OutgoingMail
from wowdesk.safety.pii import mask_text

ERASED = "erased"


def _erase(mail: OutgoingMail) -> None:
    mail.to_address = ""
    mail.body = mask_text(mail.body)
    mail.subject = mask_text(mail.subject)
    if mail.state == MailState.pending:  # nobody to send it to any more
        mail.state = MailState.failed
        mail.last_error = ERASED


def do_erase_conversation_data(db: Session, conversation_ids: list[int]) -> int:
    """Returns the mails changed."""
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
