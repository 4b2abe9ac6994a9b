"""The Telegram channel at run time, in every app process that has a token: updates come in
by the webhook route (Telegram POSTs them, with the secret header) or by long polling; a
loop sends what the bot and the operators wrote.

Network waits never hold a database connection: a photo is fetched and stored first, then
one short transaction records the message; a reply is sent, then one short transaction
moves the watermark."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import warnings
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from telegram import Bot
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter, TelegramError

from wowdesk.channels import attachments, telegram, telegram_delivery, telegram_inbound
from wowdesk.channels.attachments import Stored
from wowdesk.channels.telegram import Incoming
from wowdesk.channels.telegram_delivery import Batch
from wowdesk.config import Settings
from wowdesk.db import run_unit
from wowdesk.errors import WowdeskError
from wowdesk.i18n import gettext

log = logging.getLogger(__name__)
DELIVER_EVERY_SECONDS = 0.3
RETRY_SECONDS = 5.0


def _retry_after(exc: TelegramError) -> float | None:
    """Seconds Telegram asked to wait (PTB 22 warns that the attribute becomes a timedelta)."""
    if not isinstance(exc, RetryAfter):
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value: Any = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TelegramChannel:
    def __init__(self, settings: Settings, factory: sessionmaker[Session], bot: Bot) -> None:
        self.settings = settings
        self.factory = factory
        self.bot = bot
        self.executor: ThreadPoolExecutor | None = None
        self.folder = Path(settings.var_dir) / "attachments"
        self.wake = asyncio.Event()

    # --- in ---------------------------------------------------------------------------

    async def _fetch(self, incoming: Incoming) -> Stored | str:
        """The file stored, or why it was refused (said back to the customer)."""
        limit = self.settings.attachment_max_bytes
        if incoming.file_size is not None and incoming.file_size > limit:
            return gettext("The file is too large: at most {limit} KB", limit=limit // 1024)
        file = await self.bot.get_file(incoming.file_id)
        if file.file_size is not None and file.file_size > limit:
            return gettext("The file is too large: at most {limit} KB", limit=limit // 1024)
        data = bytes(await file.download_as_bytearray())
        try:
            return attachments.write_file(self.folder, data, limit)
        except WowdeskError as exc:
            return gettext(exc.message, **exc.params)

    async def handle(self, data: dict[str, Any]) -> telegram_inbound.Received | None:
        """One update, from the webhook or a poll. Raises on a database failure, so the
        webhook answers 500 and Telegram delivers the update again."""
        incoming = telegram.parse(data, self.bot)
        if incoming is None:
            return None
        stored: Stored | None = None
        if incoming.file_id:
            fetched = await self._fetch(incoming)
            if isinstance(fetched, str):
                await self._say(incoming.chat_id, fetched)
                return telegram_inbound.Received(notice=fetched)
            stored = fetched
        receive = functools.partial(
            telegram_inbound.do_receive,
            incoming=incoming,
            stored=stored,
            limit=self.settings.max_message_chars,
            first_line=self.settings.bot_enabled,
            secret=self.settings.resolved_secret_key(),
        )
        try:
            received = await run_unit(self.factory, self.executor, receive)
        except WowdeskError as exc:  # a text too long, control characters: say why
            notice = gettext(exc.message, **exc.params)
            await self._say(incoming.chat_id, notice)
            return telegram_inbound.Received(notice=notice)
        if incoming.callback_id and not received.duplicate:
            await self.bot.answer_callback_query(incoming.callback_id, text=received.notice or None)
        elif received.notice:
            markup = telegram.choice_keyboard() if received.choices else None
            await self._say(incoming.chat_id, received.notice, markup)
        self.wake.set()  # the bot's answer may follow soon: look for it
        return received

    async def _say(self, chat_id: int, text: str, markup: Any = None) -> None:
        try:
            await self.bot.send_message(chat_id, text, reply_markup=markup)
        except TelegramError:
            log.warning("telegram notice to chat %s not sent", chat_id, exc_info=True)

    # --- out --------------------------------------------------------------------------

    async def _send(self, batch: Batch) -> None:
        upto = batch.upto
        for message in batch.messages:
            markup = telegram.csat_keyboard(batch.conversation_id) if message.csat else None
            try:
                await self.bot.send_message(batch.chat_id, message.text, reply_markup=markup)
            except (Forbidden, BadRequest) as exc:
                fail = functools.partial(
                    telegram_delivery.do_mark_failed,
                    batch=batch,
                    seq=message.seq,
                    error=str(exc),
                    permanent=True,
                )
                await run_unit(self.factory, self.executor, fail)
                return
            except TelegramError as exc:  # network, RetryAfter, Telegram's 5xx
                wait = _retry_after(exc)
                log.warning("telegram send to chat %s failed, will retry: %s", batch.chat_id, exc)
                fail = functools.partial(
                    telegram_delivery.do_mark_failed,
                    batch=batch,
                    seq=message.seq,
                    error=str(exc),
                    permanent=False,
                    retry_after=wait,
                )
                await run_unit(self.factory, self.executor, fail)
                return
        done = functools.partial(telegram_delivery.do_mark_sent, batch=batch, upto=upto)
        await run_unit(self.factory, self.executor, done)

    async def deliver_once(self) -> int:
        batches = await run_unit(self.factory, self.executor, telegram_delivery.do_claim_due)
        await asyncio.gather(*(self._send(b) for b in batches))
        return len(batches)

    async def deliver_forever(self) -> None:
        while True:
            try:
                sent = await self.deliver_once()
            except Exception:
                log.exception("telegram delivery pass failed")
                sent = 0
            if not sent:
                self.wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wake.wait(), DELIVER_EVERY_SECONDS)

    # --- polling and the webhook ------------------------------------------------------

    async def poll_forever(self) -> None:
        """Long polling: an update is confirmed to Telegram (the next offset) only after
        it was stored, so a crash loses none."""
        offset: int | None = None
        while True:
            try:
                updates = await self.bot.get_updates(
                    offset=offset, timeout=telegram.POLL_SECONDS, allowed_updates=telegram.UPDATES
                )
                for update in updates:
                    await self.handle(update.to_dict())
                    offset = update.update_id + 1
            except asyncio.CancelledError:
                raise
            except InvalidToken:
                log.error("WOWDESK_TELEGRAM_TOKEN was refused by the Bot API: polling stops")
                return
            except Exception:
                log.exception("telegram polling failed; retrying")
                await asyncio.sleep(RETRY_SECONDS)

    async def _connect(self) -> bool:
        """getMe, then the webhook set (or removed for polling); retried while Telegram is
        out of reach, so the app starts whatever the network does."""
        while True:
            try:
                await self.bot.initialize()
                if self.settings.telegram_mode == "webhook":
                    url = self.settings.public_url.rstrip("/") + telegram.WEBHOOK_PATH
                    await self.bot.set_webhook(
                        url,
                        secret_token=self.settings.telegram_secret(),
                        allowed_updates=telegram.UPDATES,
                    )
                else:
                    await self.bot.delete_webhook()  # getUpdates is refused while one is set
                return True
            except InvalidToken:
                log.error("WOWDESK_TELEGRAM_TOKEN was refused by the Bot API")
                return False
            except TelegramError:
                log.warning("Telegram is out of reach; retrying", exc_info=True)
                await asyncio.sleep(RETRY_SECONDS)

    async def _run(self) -> None:
        if await self._connect() and self.settings.telegram_mode == "polling":
            await self.poll_forever()

    def start(self, executor: ThreadPoolExecutor | None) -> list[asyncio.Task[None]]:
        self.executor = executor
        return [
            asyncio.create_task(self.deliver_forever()),
            asyncio.create_task(self._run()),
        ]

    async def stop(self) -> None:
        await self.bot.shutdown()


def from_settings(settings: Settings, factory: sessionmaker[Session]) -> TelegramChannel | None:
    if not settings.telegram_token:
        return None
    bot = telegram.make_bot(settings.telegram_token, settings.telegram_api_url)
    return TelegramChannel(settings, factory, bot)
