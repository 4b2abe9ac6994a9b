"""Telegram through python-telegram-bot: its typed `Bot` client (on httpx, which wowdesk
already uses) and its `Update` parser, without its Application framework, because wowdesk's
own event flow decides what happens to a message. `WOWDESK_TELEGRAM_API_URL` points the
client at another Bot API server (a local one, or the tests' fake that speaks the protocol).

This module only turns updates into plain values and builds the client; storing is
`telegram_inbound`, sending `telegram_delivery`, the loops `telegram_runner`."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.request import HTTPXRequest

from wowdesk.i18n import gettext

CHANNEL = "telegram"
WEBHOOK_PATH = "/api/v1/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
UPDATES = ["message", "callback_query"]
POLL_SECONDS = 25


@dataclass(frozen=True)
class Incoming:
    """What one update means to wowdesk. `file_id` set: a photo or document to fetch;
    `callback_data` set: a button pressed; `unsupported`: a sticker, voice, location…"""

    update_id: int
    chat_id: int
    user_id: int
    name: str
    message_id: int = 0
    text: str = ""
    file_id: str = ""
    file_kind: str = ""  # photo | document
    file_name: str = ""
    file_size: int | None = None
    callback_id: str = ""
    callback_data: str = ""
    unsupported: bool = False
    # the user shared their own contact: Telegram verified this number for them
    verified_phone: str = ""


def make_bot(token: str, api_url: str, *, pool: int = 32) -> Bot:
    base = api_url.rstrip("/")
    return Bot(
        token,
        base_url=f"{base}/bot",
        base_file_url=f"{base}/file/bot",
        request=HTTPXRequest(connection_pool_size=pool, read_timeout=15, write_timeout=30),
        # a long poll waits up to POLL_SECONDS for Telegram's answer
        get_updates_request=HTTPXRequest(connection_pool_size=1, read_timeout=POLL_SECONDS + 10),
    )


def _name(user: Any) -> str:
    parts = [user.first_name or "", user.last_name or ""]
    return " ".join(p for p in parts if p)[:200] or (user.username or "")[:200]


def parse(data: dict[str, Any], bot: Bot) -> Incoming | None:
    """None for what wowdesk does not serve: groups and channels, edits, service messages."""
    update = Update.de_json(data, bot)
    if update is None:
        return None
    query = update.callback_query
    if query is not None:
        chat = query.message.chat if query.message is not None else None
        if chat is None or chat.type != "private":
            return None
        return Incoming(
            update_id=update.update_id,
            chat_id=chat.id,
            user_id=query.from_user.id,
            name=_name(query.from_user),
            callback_id=query.id,
            callback_data=query.data or "",
        )
    message = update.message
    if message is None or message.chat.type != "private" or message.from_user is None:
        return None
    base = Incoming(
        update_id=update.update_id,
        chat_id=message.chat.id,
        user_id=message.from_user.id,
        name=_name(message.from_user),
        message_id=message.message_id,
    )
    if message.text:
        return replace(base, text=message.text)
    if message.photo:
        biggest = max(message.photo, key=lambda p: (p.file_size or 0, p.width * p.height))
        return replace(
            base,
            text=message.caption or "",
            file_id=biggest.file_id,
            file_kind="photo",
            file_name="photo.jpg",
            file_size=biggest.file_size,
        )
    if message.document:
        doc = message.document
        return replace(
            base,
            text=message.caption or "",
            file_id=doc.file_id,
            file_kind="document",
            file_name=doc.file_name or "document",
            file_size=doc.file_size,
        )
    contact = message.contact
    if contact is not None and contact.user_id == message.from_user.id and contact.phone_number:
        return replace(base, verified_phone=contact.phone_number)
    return replace(base, unsupported=True)


def csat_keyboard(conversation_id: int) -> InlineKeyboardMarkup:
    """The rating question's answers as buttons: 1 … 5."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(f"{n} ★", callback_data=f"csat:{conversation_id}:{n}")
                for n in range(1, 6)
            ]
        ]
    )


def choice_keyboard() -> InlineKeyboardMarkup:
    """The customer's up-front choice, as in the web chat: the bot, a person, a call back."""
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(gettext("The bot answers at once"), callback_data="choice:bot")],
            [InlineKeyboardButton(gettext("A person"), callback_data="choice:human")],
            [InlineKeyboardButton(gettext("Call me back"), callback_data="choice:callback")],
        ]
    )


def parse_csat(data: str) -> tuple[int, int] | None:
    parts = data.split(":")
    if len(parts) != 3 or parts[0] != "csat" or not parts[1].isdigit() or not parts[2].isdigit():
        return None
    return int(parts[1]), int(parts[2])
