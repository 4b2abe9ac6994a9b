"""The confirmation code by SMS or push, through the company's own provider: wowdesk POSTs
`{"channel": "sms"|"push", "to", "text", "conversation_id", "code_id"}` as JSON to
`WOWDESK_SMS_WEBHOOK_URL` / `WOWDESK_PUSH_WEBHOOK_URL` (header `X-Wowdesk-Event:
verification.code`; any 2xx is accepted, redirects are not followed). SMS goes to the phone
the customer has with us, push to their mobile-app identity (channel `app`).

Three steps so the request never holds a database connection while the provider answers:
`prepare` (checks, the code row), `post`, `do_record` (the note in the chat, or the row
removed when the provider refused, so the rate limit is not spent on nothing)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import httpx
from sqlalchemy.orm import Session

from wowdesk.conversations import service as conversations
from wowdesk.customers import service as customers
from wowdesk.db import utcnow
from wowdesk.errors import Conflict, WowdeskError
from wowdesk.i18n import gettext as _
from wowdesk.operators.models import User
from wowdesk.safety.models import VerificationCode
from wowdesk.safety.verification import RATE_LIMIT, confirmation_text, last_sent

CHANNELS = ("sms", "push")


class NotDelivered(WowdeskError):
    status = 502
    code = "verification_not_delivered"


@dataclass(frozen=True)
class Pending:
    code_id: int
    conversation_id: int
    channel: str
    to: str
    text: str
    url: str


def mask_phone(phone: str) -> str:
    return f"{phone[:2]} *** ***-{phone[-4:-2]}-{phone[-2:]}" if len(phone) >= 6 else "***"


def target(db: Session, customer_id: int, channel: str) -> str:
    if channel == "sms":
        customer = customers.get_customer(db, customer_id)
        return customer.phone or ""
    app = [i.external_id for i in customers.list_identities(db, customer_id) if i.channel == "app"]
    return app[0] if app else ""


def prepare(db: Session, *, conversation_id: int, user: User, channel: str, url: str) -> Pending:
    conv = conversations.access_conversation(db, user, conversation_id)
    conversations.check_can_write(conv, user)
    if not url:
        raise Conflict("No provider is set up for {channel}", code="no_provider", channel=channel)
    to = target(db, conv.customer_id, channel)
    if not to:
        raise Conflict(
            "The customer has no registered phone or app for {channel}",
            code="no_registered_channel",
            channel=channel,
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
        channel=channel,
        address=mask_phone(to) if channel == "sms" else _("the app"),
        code=code,
        created_at=now,
    )
    db.add(row)
    db.flush()
    return Pending(row.id, conv.id, channel, to, confirmation_text(user.display_name, code), url)


def post(pending: Pending, timeout: float) -> str:
    """ "" when the provider took it, else why not."""
    body = {
        "channel": pending.channel,
        "to": pending.to,
        "text": pending.text,
        "conversation_id": pending.conversation_id,
        "code_id": pending.code_id,
    }
    try:
        response = httpx.post(
            pending.url,
            json=body,
            headers={"X-Wowdesk-Event": "verification.code"},
            timeout=timeout,
            follow_redirects=False,
        )
    except httpx.HTTPError as exc:
        return str(exc) or type(exc).__name__
    return "" if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"


def do_record(db: Session, pending: Pending, error: str) -> VerificationCode | None:
    row = db.get(VerificationCode, pending.code_id)
    if row is None:
        return None
    if error:
        db.delete(row)
        db.flush()
        return None
    conv = conversations.get_conversation(db, pending.conversation_id)
    where = (
        _("by SMS to {address}", address=row.address)
        if pending.channel == "sms"
        else _("to the app")
    )
    conversations.do_system_note(
        db,
        conv,
        _(
            "We have sent a confirmation code {where}. The operator will tell you the same "
            "code here.",
            where=where,
        ),
        "verification_sent",
    )
    return row
