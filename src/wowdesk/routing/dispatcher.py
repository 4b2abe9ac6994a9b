"""The dispatcher beside the app: it wakes on queue events and on a steady tick.

Each pass brings tickets in step with conversations, returns the conversations of
operators who left, releases due callbacks, assigns what it can and tells waiting customers
their place. Every process may run one: the locking in `routing.service` makes concurrent
passes share the work instead of doubling it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from wowdesk import events
from wowdesk.config import Settings
from wowdesk.db import run_unit
from wowdesk.routing import queueing, service
from wowdesk.routing.service import Offer

log = logging.getLogger(__name__)

TICK_SECONDS = 1.0
# events that arrive together (a burst of handoffs) are served by one pass
COALESCE_SECONDS = 0.02
# under a stream of events, passes come at most this often: each pass looks at the whole
# queue, so one pass per event would spend the CPU the conversations themselves need
MIN_PASS_SECONDS = 0.2
TELL_EVERY_SECONDS = 2.0


@dataclass
class Dispatcher:
    factory: sessionmaker[Session]
    settings: Settings
    executor: ThreadPoolExecutor | None = None
    offers: list[Offer] = field(default_factory=list)
    _last_tell: float = 0.0

    def one_pass(self, db: Session) -> list[Offer]:
        s = self.settings
        service.do_sync(db)
        queueing.do_callbacks_due(db)
        queueing.do_collect_email_answers(db)
        service.do_requeue_abandoned(db, s.routing_grace_seconds)
        offers = service.do_dispatch(
            db, strategy=s.routing_strategy, presence_grace=s.routing_grace_seconds
        )
        now = time.monotonic()
        # a full batch means more passes follow at once: customers hear their new places
        # when the burst is over (or every few seconds), not once per batch of 25
        drained = 0 < len(offers) < service.PASS_LIMIT
        if now - self._last_tell >= TELL_EVERY_SECONDS or drained:
            self._last_tell = now
            queueing.do_tell_places(db, s.routing_offer_after_minutes, s.routing_grace_seconds)
        return offers

    async def run(self, bus: events.LocalBus) -> None:
        sub = bus.subscribe()
        sub.listen(events.QUEUE_CHANNEL, events.ROUTING_CHANNEL)
        last_pass = 0.0
        try:
            while True:
                closed: list[int] = []
                with contextlib.suppress(TimeoutError):
                    event = await asyncio.wait_for(sub.queue.get(), TICK_SECONDS)
                    since = time.monotonic() - last_pass
                    await asyncio.sleep(max(COALESCE_SECONDS, MIN_PASS_SECONDS - since))
                    batch = [event]
                    while not sub.queue.empty():
                        batch.append(sub.queue.get_nowait())
                    closed = [
                        e["id"]
                        for e in batch
                        if e.get("type") == "conversation" and e.get("op") == "closed"
                    ]
                sub.overflowed.clear()
                try:
                    for conversation_id in closed:
                        release = functools.partial(_release, conversation_id=conversation_id)
                        await run_unit(self.factory, self.executor, release)
                    last_pass = time.monotonic()
                    self.offers = await run_unit(self.factory, self.executor, self.one_pass)
                    while len(self.offers) >= service.PASS_LIMIT:  # more may be waiting
                        self.offers = await run_unit(self.factory, self.executor, self.one_pass)
                except Exception:  # a failed pass is retried at the next tick
                    log.exception("routing pass failed")
        finally:
            sub.close()


def _release(db: Session, conversation_id: int) -> None:
    service.do_release(db, conversation_id)


def start(dispatcher: Dispatcher, bus: events.LocalBus) -> asyncio.Task[None]:
    return asyncio.create_task(dispatcher.run(bus), name="wowdesk-routing")
