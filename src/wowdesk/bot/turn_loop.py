"""Runs the bot beside the app: it reacts to customer messages of conversations it holds.

On start it first answers whatever was left waiting (a crash between a customer's message
and the bot's reply loses nothing); a failing turn hands the conversation to a human rather
than leaving the customer unanswered.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from wowdesk import events, logformat
from wowdesk.bot import answer, service
from wowdesk.bot.engine import BotEngine
from wowdesk.conversations import service as conversations
from wowdesk.db import in_thread, unit_of_work

log = logging.getLogger(__name__)


def turn(
    factory: sessionmaker[Session],
    engine: BotEngine,
    conversation_id: int,
    message_id: int,
    start_within: timedelta | None = None,
) -> None:
    context = logformat.CONVERSATION_ID.set(conversation_id)  # on every log line of the turn
    try:
        with unit_of_work(factory) as db:
            service.handle_message(db, engine, conversation_id, message_id, start_within)
    except Exception:
        log.exception("bot turn failed for conversation %s; handing off", conversation_id)
        with unit_of_work(factory) as db:
            conv = conversations.get_conversation(db, conversation_id)
            conversations.do_handoff(db, conv, answer.handoff_notice())
    finally:
        logformat.CONVERSATION_ID.reset(context)


def warm_up(factory: sessionmaker[Session], engine: BotEngine) -> None:
    started = time.perf_counter()
    with unit_of_work(factory) as db:
        engine.warm_up(db)
    log.info("bot models loaded in %.1f s", time.perf_counter() - started)


def pending(factory: sessionmaker[Session]) -> list[tuple[int, int]]:
    with unit_of_work(factory) as db:
        return conversations.list_bot_pending(db)


def hand_off_overdue(factory: sessionmaker[Session], waited: timedelta) -> int:
    with unit_of_work(factory) as db:
        return service.do_hand_off_overdue(db, waited)


async def run(
    bus: events.LocalBus,
    factory: sessionmaker[Session],
    engine: BotEngine,
    start_within: timedelta | None = None,
) -> None:
    sub = bus.subscribe()
    sub.listen(events.BOT_CHANNEL)
    try:
        while True:
            while not sub.queue.empty():  # after an overflow the scan below covers it all
                sub.queue.get_nowait()
            for conversation_id, message_id in await in_thread(pending, factory):
                await in_thread(turn, factory, engine, conversation_id, message_id, start_within)
            sub.overflowed.clear()
            while not sub.overflowed.is_set():
                found = conversations.new_customer_message(await sub.queue.get())
                if found is not None:
                    await in_thread(turn, factory, engine, *found, start_within)
    finally:
        sub.close()


def start(
    bus: events.LocalBus,
    factory: sessionmaker[Session],
    engine: BotEngine,
    start_within: timedelta | None = None,
) -> asyncio.Task[None]:
    return asyncio.create_task(run(bus, factory, engine, start_within), name="wowdesk-bot")
