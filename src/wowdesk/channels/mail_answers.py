"""Operators' answers in e-mail conversations go out through the SMTP outbox, threaded:
`In-Reply-To` the customer's last mail, `References` the thread, a signed Message-ID of our
own (the customer's reply finds the conversation by it) and the subject «Re: … [№ id]».
One mail per operator message, keyed by it, so a second pass adds nothing."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from wowdesk.channels.mail_inbound import MAX_REFERENCES, TICKET, our_message_id
from wowdesk.channels.models import MailThread
from wowdesk.conversations import outbox
from wowdesk.conversations import service as conversations
from wowdesk.conversations.models import AuthorKind, Status
from wowdesk.i18n import gettext
from wowdesk.operators import service as operators

COLLECT_LIMIT = 200


def answer_subject(subject: str, conversation_id: int) -> str:
    base = subject.strip() or gettext("Your request")
    if not base.lower().startswith(("re:", "ответ:")):
        base = f"Re: {base}"
    if str(conversation_id) not in TICKET.findall(base):
        base = f"{base} [№ {conversation_id}]"
    return base[:300]


def do_collect_answers(db: Session, *, secret: str, domain: str) -> int:
    queued = 0
    threads = db.scalars(
        select(MailThread).where(MailThread.active.is_(True)).with_for_update(skip_locked=True)
    )
    for thread in threads:
        conv = conversations.get_conversation(db, thread.conversation_id)
        messages = conversations.list_messages(
            db, conv, after_seq=thread.mailed_seq, limit=COLLECT_LIMIT
        )
        answers = [m for m in messages if m.author_kind == AuthorKind.operator]
        names = operators.user_names(db, {m.author_id for m in answers if m.author_id})
        for m in answers:
            name = names.get(m.author_id or 0, "")
            mine = our_message_id(secret, conv.id, m.id, domain)
            outbox.do_enqueue(
                db,
                key=f"email-answer:{m.id}",
                to=thread.address,
                subject=answer_subject(thread.subject, conv.id),
                body=f"{m.text}\n\n-- \n{name}" if name else m.text,
                conversation_id=conv.id,
                message_id=mine,
                in_reply_to=thread.last_message_id,
                references=thread.references,
            )
            ids = [*thread.references.split(), mine]
            thread.references = " ".join(ids[-MAX_REFERENCES:])
            queued += 1
        if messages:
            thread.mailed_seq = messages[-1].seq
        if conv.status in (Status.wrapup, Status.closed) and len(messages) < COLLECT_LIMIT:
            thread.active = False  # a later mail of the customer makes it active again
    db.flush()
    return queued
