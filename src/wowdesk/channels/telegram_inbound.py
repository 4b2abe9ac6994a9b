"""A Telegram update into a conversation, in one transaction: the customer's message joins
the chat's open conversation or starts one (the bot answers first, exactly as in the web
chat: the same `conversations.do_start` and the same events), a pressed rating button rates
the conversation. Every update is handled once, however often Telegram delivers it."""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from wowdesk.bot import service as bot
from wowdesk.channels import attachments
from wowdesk.channels.attachments import Stored
from wowdesk.channels.models import TelegramConversation, TelegramUpdate
from wowdesk.channels.telegram import CHANNEL, Incoming, parse_csat
from wowdesk.conversations import service as conversations
from wowdesk.conversations.models import Conversation, Status
from wowdesk.customers import links
from wowdesk.customers import service as customers
from wowdesk.db import dialect_insert, utcnow
from wowdesk.errors import WowdeskError
from wowdesk.i18n import gettext
from wowdesk.routing import queueing

OPEN = (Status.bot, Status.queued, Status.assigned)


@dataclass(frozen=True)
class Received:
    """What happened, for the caller to answer Telegram (a button needs an answer)."""

    duplicate: bool = False
    conversation_id: int | None = None
    notice: str = ""  # said back to the customer at once (a pressed button, a refusal)
    choices: bool = False  # the notice carries the bot / person / callback buttons


def current_link(db: Session, chat_id: int) -> TelegramConversation | None:
    return db.scalar(
        select(TelegramConversation)
        .where(TelegramConversation.chat_id == chat_id)
        .order_by(TelegramConversation.id.desc())
        .limit(1)
    )


def link_for(db: Session, conversation_id: int) -> TelegramConversation | None:
    return db.scalar(
        select(TelegramConversation).where(TelegramConversation.conversation_id == conversation_id)
    )


@functools.cache
def _insert_update_once(dialect: str) -> Any:
    table = cast(Table, TelegramUpdate.__table__)
    insert = dialect_insert(dialect)
    return (
        insert(table)
        .on_conflict_do_nothing(index_elements=["update_id"])
        .returning(table.c.update_id)
    )


def _first_time(db: Session, update_id: int) -> bool:
    """One INSERT … ON CONFLICT DO NOTHING: a copy of an update already stored (or being
    stored by a concurrent request, which holds the row until it commits) inserts nothing."""
    connection = db.connection()
    values = {"update_id": update_id, "received_at": utcnow()}
    return connection.scalar(_insert_update_once(connection.dialect.name), values) is not None


def _text(incoming: Incoming, stored: Stored | None) -> str:
    if incoming.text.strip():
        return incoming.text
    if incoming.file_kind == "photo":
        return gettext("[photo]")
    return gettext("[document: {name}]", name=attachments.clean_name(incoming.file_name))


def _open(db: Session, incoming: Incoming) -> Conversation | None:
    link = current_link(db, incoming.chat_id)
    if link is None:
        return None
    conv = conversations.get_conversation(db, link.conversation_id)
    return conv if conv.status in OPEN else None


def _choose(db: Session, incoming: Incoming, *, limit: int, secret: str) -> Received:
    """A person: the conversation goes to the queue at once (the bot is skipped or leaves);
    a call back: queued as a callback now to the number Telegram verified; the bot: the
    next question goes to it, as by default."""
    choice = incoming.callback_data.removeprefix("choice:")
    conv = _open(db, incoming)
    if choice == "bot":
        return Received(notice=gettext("Write your question: the bot answers at once."))
    customer = customers.do_identify(
        db, channel=CHANNEL, external_id=str(incoming.user_id), display_name=incoming.name
    )
    if choice == "callback" and not customer.phone:
        return Received(
            notice=gettext(
                "Share your phone number (📎 → Contact), then press «Call me back» again."
            )
        )
    if conv is None:
        text = (
            gettext("I would like to talk to a person")
            if choice == "human"
            else gettext("Please call me back")
        )
        conv, _token, _msg = conversations.do_start(
            db,
            identity=str(incoming.user_id),
            channel=CHANNEL,
            client_id=f"tg-choice-{incoming.update_id}",
            text=text,
            limit=limit,
            name=incoming.name,
            first_line=False,
            secret=secret,
        )
        db.add(
            TelegramConversation(
                conversation_id=conv.id, chat_id=incoming.chat_id, user_id=incoming.user_id
            )
        )
        db.flush()
    elif conv.status == Status.bot:
        bot.do_hand_over(db, conv.id, "asks_human")
        conv = conversations.get_conversation(db, conv.id)
    if choice == "callback" and customer.phone and conv.status == Status.queued:
        queueing.do_request_callback(db, conv, customer.phone, utcnow())
    return Received(conversation_id=conv.id, notice=gettext("Done."))


def _rate(db: Session, incoming: Incoming) -> Received:
    parsed = parse_csat(incoming.callback_data)
    if parsed is None:
        return Received()
    conversation_id, score = parsed
    link = link_for(db, conversation_id)
    if link is None or link.chat_id != incoming.chat_id:
        return Received()  # a forged button: nothing to say
    conv = conversations.get_conversation(db, conversation_id)
    try:
        conversations.do_rate(db, conv, score)
    except WowdeskError as exc:
        return Received(conversation_id=conv.id, notice=gettext(exc.message, **exc.params))
    return Received(conversation_id=conv.id, notice=gettext("Thank you for your rating!"))


def do_receive(
    db: Session,
    incoming: Incoming,
    *,
    stored: Stored | None = None,
    limit: int,
    first_line: bool,
    secret: str,
) -> Received:
    if not _first_time(db, incoming.update_id):
        return Received(duplicate=True)
    if incoming.callback_data.startswith("choice:"):
        return _choose(db, incoming, limit=limit, secret=secret)
    if incoming.callback_data:
        return _rate(db, incoming)
    link = current_link(db, incoming.chat_id)
    conv: Conversation | None = None
    if link is not None:
        conv = conversations.get_conversation(db, link.conversation_id)
        if conv.status not in OPEN:
            conv = None
    if conv is None and incoming.text.strip().split("@")[0] == "/start":
        # the customer chooses up front: the bot, a person, or a call back
        return Received(notice=gettext("Hello! How would you like to be helped?"), choices=True)
    if incoming.unsupported:
        return Received(
            conversation_id=conv.id if conv else None,
            notice=gettext("We can read text, photos and documents only."),
        )
    phone = ""
    if incoming.verified_phone:
        phone = customers.normalize_phone(incoming.verified_phone)
        incoming = replace(incoming, text=gettext("[phone number shared: {phone}]", phone=phone))
    text = _text(incoming, stored)
    client_id = f"tg-{incoming.chat_id}-{incoming.message_id}"
    row = None
    if stored is not None:
        row = attachments.do_record(
            db, stored, channel=CHANNEL, kind=incoming.file_kind, file_name=incoming.file_name
        )
    meta = {"attachment": attachments.ref(row)} if row is not None else None
    if conv is None:
        conv, _token, _msg = conversations.do_start(
            db,
            identity=str(incoming.user_id),
            channel=CHANNEL,
            client_id=client_id,
            text=text,
            limit=limit,
            name=incoming.name,
            first_line=first_line,
            secret=secret,
            meta=meta,
        )
        db.add(
            TelegramConversation(
                conversation_id=conv.id, chat_id=incoming.chat_id, user_id=incoming.user_id
            )
        )
    else:
        conversations.do_customer_message(
            db, conv, client_id=client_id, text=text, limit=limit, meta=meta
        )
    if row is not None:
        row.conversation_id = conv.id
    db.flush()
    if phone:  # proof: every record with this number is the same person
        links.do_link_verified_phone(db, conv.customer_id, phone)
    return Received(conversation_id=conv.id)
