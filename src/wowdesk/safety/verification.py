"""Proving we are the company: a customer who got a call or a chat "from support" and doubts
it asks the operator to prove it. Two helpers, shown in the console:

- facts only the company knows (the subject and date of the customer's previous contact,
  the last product they bought), which a fraudster does not have;
- a one-click confirmation through the channel the customer registered with us (their
  e-mail): a random code the operator then says in the chat. A fraudster in the chat cannot
  make our mail server write to the customer.

Every confirmation is audited (who, when, where), and there is at most one a minute per
conversation, so the button cannot be used to flood a customer's mailbox.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from wowdesk.conversations import outbox as channels
from wowdesk.conversations import service as conversations
from wowdesk.conversations import topics
from wowdesk.conversations.models import Conversation
from wowdesk.customers import orders
from wowdesk.customers import service as customers
from wowdesk.db import utcnow
from wowdesk.errors import Conflict
from wowdesk.i18n import gettext as _
from wowdesk.operators.models import User
from wowdesk.safety.models import VerificationCode

RATE_LIMIT = timedelta(seconds=60)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class PreviousContact:
    conversation_id: int
    date: datetime
    subject: str
    topic: str
    channel: str


@dataclass(frozen=True)
class Purchase:
    product: str
    date: datetime | None


@dataclass(frozen=True)
class Facts:
    previous: PreviousContact | None
    purchase: Purchase | None
    address: str  # masked registered e-mail; empty when there is none
    last_sent: VerificationCode | None


def mask_address(email: str) -> str:
    """ "o***@example.com": enough for the customer to recognise, little for anyone else."""
    local, _at, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def previous_contact(db: Session, conv: Conversation) -> PreviousContact | None:
    earlier = [
        c
        for c in conversations.list_customer_conversations(db, conv.customer_id, exclude_id=conv.id)
        if c.created_at < conv.created_at
    ]
    if not earlier:
        return None
    last = earlier[0]
    topic = topics.get_topic(db, last.topic_id).name if last.topic_id else ""
    return PreviousContact(last.id, last.created_at, last.subject, topic, last.channel)


def last_purchase(db: Session, customer_id: int) -> Purchase | None:
    """The customer's last order: a question only the real customer answers easily."""
    order = orders.last_order(db, customer_id)
    if order is None or not order.products:
        return None
    return Purchase(", ".join(order.products), order.placed_at)


def registered_email(db: Session, customer_id: int) -> str:
    customer = customers.get_customer(db, customer_id)
    if customer.email and EMAIL.match(customer.email):
        return customer.email
    for identity in customers.list_identities(db, customer_id):
        if identity.channel in ("email", "mail") and EMAIL.match(identity.external_id):
            return identity.external_id
    return ""


def last_sent(db: Session, conversation_id: int) -> VerificationCode | None:
    return db.scalar(
        select(VerificationCode)
        .where(VerificationCode.conversation_id == conversation_id)
        .order_by(VerificationCode.created_at.desc(), VerificationCode.id.desc())
        .limit(1)
    )


def verification_facts(db: Session, conv: Conversation) -> Facts:
    email = registered_email(db, conv.customer_id)
    return Facts(
        previous=previous_contact(db, conv),
        purchase=last_purchase(db, conv.customer_id),
        address=mask_address(email) if email else "",
        last_sent=last_sent(db, conv.id),
    )


def confirmation_text(operator_name: str, code: str) -> str:
    return _(
        "A wowdesk employee, {name}, is writing to you in the chat. Confirmation code: "
        "{code}. If you did not start a conversation, do not tell them anything and call the "
        "number on your card.",
        name=operator_name,
        code=code,
    )


def do_send_confirmation(db: Session, conv: Conversation, user: User) -> VerificationCode:
    """Mails the customer a code through their registered e-mail (the outbox sends it) and
    tells them in the chat where to look; the operator reads the code from the console."""
    conversations.check_can_write(conv, user)
    email = registered_email(db, conv.customer_id)
    if not email:
        raise Conflict(
            "The customer has no registered e-mail: a confirmation cannot be sent. Use the "
            "facts only we know instead.",
            code="no_registered_channel",
        )
    now = utcnow()
    previous = last_sent(db, conv.id)
    if previous is not None and now - previous.created_at < RATE_LIMIT:
        wait = int((RATE_LIMIT - (now - previous.created_at)).total_seconds()) + 1
        raise Conflict(
            "A confirmation was sent less than a minute ago; try again in {seconds} s.",
            code="verification_rate_limited",
            seconds=wait,
        )
    code = f"{secrets.randbelow(10_000):04d}"
    row = VerificationCode(
        conversation_id=conv.id,
        customer_id=conv.customer_id,
        user_id=user.id,
        channel="email",
        address=mask_address(email),
        code=code,
        created_at=now,
    )
    db.add(row)
    db.flush()
    channels.do_enqueue(
        db,
        key=f"verification-{row.id}",
        to=email,
        subject=_("Confirmation: it is really us"),
        body=confirmation_text(user.display_name, code),
        conversation_id=conv.id,
    )
    conversations.do_system_note(
        db,
        conv,
        _(
            "We have sent a confirmation code to your e-mail {address}. The operator will tell "
            "you the same code here.",
            address=row.address,
        ),
        "verification_sent",
    )
    return row
