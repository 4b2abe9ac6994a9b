"""Suggestions beside the app (embedded mode): when a customer writes in a conversation an
operator holds, the suggestions are computed off the request path and pushed to that
operator's console after commit.

A burst of messages is coalesced: only each conversation's newest message is worth
suggesting for. Nothing is lost when events are dropped (an overflow, a restart): the
console asks for the suggestions whenever it opens a conversation.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.orm import Session, sessionmaker

from wowdesk import events
from wowdesk.assist import service
from wowdesk.assist.indexes import Assistant
from wowdesk.conversations import service as conversations
from wowdesk.db import in_thread, unit_of_work

log = logging.getLogger(__name__)


def suggest(
    factory: sessionmaker[Session], assistant: Assistant, conversation_id: int, message_id: int
) -> None:
    """One job: for the worker (distributed mode) and the app's own task alike."""
    try:
        with unit_of_work(factory) as db:
            service.do_suggest(db, assistant, conversation_id, message_id)
    except Exception:  # a hint that failed must not stop the next ones
        log.exception("suggestions failed for conversation %s", conversation_id)


def refresh(factory: sessionmaker[Session], assistant: Assistant) -> int:
    with unit_of_work(factory) as db:
        return assistant.refresh(db)


async def run(bus: events.LocalBus, factory: sessionmaker[Session], assistant: Assistant) -> None:
    sub = bus.subscribe()
    sub.listen(events.ASSIST_CHANNEL)
    try:
        while True:
            latest: dict[int, int] = {}
            found = conversations.new_customer_message(await sub.queue.get())
            if found:
                latest[found[0]] = found[1]
            while not sub.queue.empty():
                found = conversations.new_customer_message(sub.queue.get_nowait())
                if found:
                    latest[found[0]] = max(found[1], latest.get(found[0], 0))
            sub.overflowed.clear()
            for conversation_id, message_id in latest.items():
                await in_thread(suggest, factory, assistant, conversation_id, message_id)
    finally:
        sub.close()


def start(
    bus: events.LocalBus, factory: sessionmaker[Session], assistant: Assistant
) -> asyncio.Task[None]:
    return asyncio.create_task(run(bus, factory, assistant), name="wowdesk-assist")
