"""An operator writes first, through a channel the customer has: Telegram (the chat with
the user who wrote to the bot before) or e-mail (their address). The conversation is then
served like any other of that channel: the Telegram sender and the mail collector deliver
its messages, and the customer's answer joins it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from wowdesk.channels.mail_answers import answer_subject
from wowdesk.channels.models import MailThread, TelegramConversation
from wowdesk.conversations import outbound
from wowdesk.conversations.models import Conversation
from wowdesk.customers import service as customers
from wowdesk.errors import Conflict, Invalid
from wowdesk.i18n import gettext
from wowdesk.operators.models import User

CHANNELS = ("telegram", "email")


def reachable(db: Session, customer_id: int) -> dict[str, str]:
    """channel -> where a first message would go, for the channels the customer has."""
    found: dict[str, str] = {}
    for identity in customers.list_identities(db, customer_id):
        if identity.channel == "telegram" and identity.external_id.lstrip("-").isdigit():
            found.setdefault("telegram", identity.external_id)
        if identity.channel == "email":
            found.setdefault("email", identity.external_id)
    customer = customers.get_customer(db, customer_id)
    if "email" not in found and customer.email:
        found["email"] = customer.email
    return found


def do_start(
    db: Session,
    user: User,
    *,
    customer_id: int,
    channel: str,
    text: str,
    client_id: str,
    limit: int,
) -> Conversation:
    if channel not in CHANNELS:
        raise Invalid("Unknown channel {channel}", code="invalid_channel", channel=channel)
    target = reachable(db, customer_id).get(channel)
    if not target:
        raise Conflict(
            "The customer cannot be reached by {channel}",
            code="no_registered_channel",
            channel=channel,
        )
    conv, _msg = outbound.do_start_outbound(
        db,
        customer_id=customer_id,
        channel=channel,
        user=user,
        client_id=client_id,
        text=text,
        limit=limit,
    )
    if channel == "telegram":
        db.add(
            TelegramConversation(conversation_id=conv.id, chat_id=int(target), user_id=int(target))
        )
    else:
        subject = answer_subject(gettext("Message from support"), conv.id).removeprefix("Re: ")
        db.add(MailThread(conversation_id=conv.id, address=target, subject=subject))
    db.flush()
    return conv
