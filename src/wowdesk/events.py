"""Live events: published by services only after their transaction commits.

A service calls `publish_on_commit(db, channels, event)` with a typed `Event` (each domain
declares its kinds in its schemas.py: `MessageCreated`, `ConversationChanged`, …); the event
waits in the session and goes to the bus when (and only if) the transaction commits, so no
client ever sees a message that a rollback later erased. Both buses carry the event's JSON
form (`Event.wire`), so a subscriber reads the same thing in one process or many; `parse`
turns it back into its class. Events carry ids and masked text, never a customer's raw
words: a consumer that needs them reads them through the service, with the role check.

Subscribers are WebSocket connections, each with its own bounded queue: a client too slow
to keep up is told to resynchronise instead of making the server buffer without limit.

Channels: `conv:<id>` (one conversation), `op:<user id>` (one operator), `queue` (the
shared inbox of waiting conversations), `bot` (what the bot must answer), `routing`
(operators' statuses and queue changes).
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import itertools
import json
import logging
import threading
import uuid
from collections.abc import Iterable
from typing import Any, ClassVar

import redis
import redis.asyncio as aioredis
from pydantic import BaseModel, ConfigDict
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

Payload = dict[str, Any]
_PENDING = "wowdesk_pending_events"
_BUS = "wowdesk_bus"

QUEUE_LIMIT = 5000


class Event(BaseModel):
    """A live event. A kind is a subclass whose `type` (and, where one class is one
    operation, `op`) is a literal; it registers itself so `parse` can rebuild it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: str
    op: str

    _kinds: ClassVar[dict[tuple[str, str | None], builtins.type[Event]]] = {}

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        kind = cls.model_fields["type"].default
        op = cls.model_fields["op"].default
        if isinstance(kind, str):
            Event._kinds[(kind, op if isinstance(op, str) else None)] = cls

    def wire(self) -> Payload:
        return self.model_dump(mode="json")


def parse(payload: Payload) -> Event | None:
    """The event a payload from the bus carries, or None for a kind this process does not
    know (a newer process's event during a rolling upgrade)."""
    kind, op = payload.get("type"), payload.get("op")
    cls = Event._kinds.get((str(kind), str(op))) or Event._kinds.get((str(kind), None))
    if cls is None:
        return None
    return cls.model_validate({k: v for k, v in payload.items() if k != "event_id"})


def conversation_channel(conversation_id: int) -> str:
    return f"conv:{conversation_id}"


def operator_channel(user_id: int) -> str:
    return f"op:{user_id}"


QUEUE_CHANNEL = "queue"
# Customer messages of conversations the bot holds: the bot runner listens here.
BOT_CHANNEL = "bot"
# Operators' statuses and queue changes: supervisors' boards and the dispatchers listen here.
ROUTING_CHANNEL = "routing"
# Customer messages of conversations an operator holds: the assistant suggests replies.
ASSIST_CHANNEL = "assist"


class Subscription:
    """One client's view of the bus: the channels it listens to and what waits for it."""

    def __init__(self, bus: LocalBus) -> None:
        self._bus = bus
        self.channels: set[str] = set()
        self.queue: asyncio.Queue[Payload] = asyncio.Queue(maxsize=QUEUE_LIMIT)
        self.overflowed = asyncio.Event()

    def listen(self, *channels: str) -> None:
        for channel in channels:
            self.channels.add(channel)
            self._bus._subscribers.setdefault(channel, set()).add(self)

    def ignore(self, channel: str) -> None:
        self.channels.discard(channel)
        subs = self._bus._subscribers.get(channel)
        if subs is not None:
            subs.discard(self)
            if not subs:
                del self._bus._subscribers[channel]

    def close(self) -> None:
        for channel in list(self.channels):
            self.ignore(channel)

    def offer(self, payload: Payload) -> None:
        try:
            self.queue.put_nowait(payload)
        except asyncio.QueueFull:
            self.overflowed.set()


class LocalBus:
    """The embedded-mode bus: fan-out inside one process, on the event loop's thread."""

    def __init__(self) -> None:
        self._subscribers: dict[str, set[Subscription]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None
        self._counter = itertools.count(1)
        self._prefix = uuid.uuid4().hex[:8]

    def bind_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._loop_thread = threading.get_ident()

    def subscribe(self) -> Subscription:
        return Subscription(self)

    def publish(self, channels: Iterable[str], event: Event) -> None:
        """Thread-safe: services run in worker threads, subscribers live on the loop."""
        stamped = {**event.wire(), "event_id": f"{self._prefix}-{next(self._counter)}"}
        targets = tuple(channels)
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        if threading.get_ident() == self._loop_thread:
            self._deliver(targets, stamped)
        else:
            loop.call_soon_threadsafe(self._deliver, targets, stamped)

    def _deliver(self, channels: tuple[str, ...], payload: Payload) -> None:
        seen: set[int] = set()
        for channel in channels:
            for sub in tuple(self._subscribers.get(channel, ())):
                if id(sub) not in seen:
                    seen.add(id(sub))
                    sub.offer(payload)


# every app process publishes to and listens on this one Redis channel
REDIS_CHANNEL = "wowdesk:events"
RECONNECT_SECONDS = (0.2, 0.5, 1.0, 2.0, 5.0)


class RedisBus(LocalBus):
    """Distributed mode: every event goes through Redis pub/sub and comes back to every app
    process (this one too), which fans it out to its own WebSockets exactly as `LocalBus`
    does. One publishing connection per process keeps one process's events in order.

    Pub/sub delivers to whoever listens at that moment: a process that loses Redis tells its
    clients to resynchronise (the overflow signal) once it is back, and they reload state
    from the database, where nothing was lost."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self._publisher = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._listener: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()

    def publish(self, channels: Iterable[str], event: Event) -> None:
        stamped = {**event.wire(), "event_id": f"{self._prefix}-{next(self._counter)}"}
        data = json.dumps({"channels": list(channels), "payload": stamped}, default=str)
        try:
            self._publisher.publish(REDIS_CHANNEL, data)
        except redis.RedisError:  # the database has it; clients resync when Redis is back
            log.exception("event %s not published to Redis", stamped["event_id"])

    async def start(self) -> None:
        """Listens until cancelled; returns once the first subscription is in place, so no
        event published after startup is missed."""
        self.bind_loop(asyncio.get_running_loop())
        self._listener = asyncio.create_task(self._listen(), name="wowdesk-redis-bus")
        waiting = asyncio.ensure_future(self.connected.wait())
        await asyncio.wait({waiting, self._listener}, return_when=asyncio.FIRST_COMPLETED)
        if self._listener.done():
            waiting.cancel()
            self._listener.result()  # raises why Redis could not be reached

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        self._publisher.close()

    async def _listen(self) -> None:
        attempt = 0
        while True:
            client = aioredis.Redis.from_url(self.url)
            try:
                async with client.pubsub() as pubsub:
                    await pubsub.subscribe(REDIS_CHANNEL)
                    if attempt:  # events may have passed while we were away
                        self._resync_all()
                    attempt = 0
                    self.connected.set()
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            event = json.loads(message["data"])
                            self._deliver(tuple(event["channels"]), event["payload"])
            except (redis.RedisError, OSError) as exc:
                if not self.connected.is_set() and attempt >= len(RECONNECT_SECONDS):
                    raise RuntimeError(f"Redis at {self.url} is not reachable: {exc}") from exc
                log.warning("Redis bus connection lost (%s); reconnecting", exc)
                await asyncio.sleep(RECONNECT_SECONDS[min(attempt, len(RECONNECT_SECONDS) - 1)])
                attempt += 1
            finally:
                await client.aclose()

    def _resync_all(self) -> None:
        for subs in tuple(self._subscribers.values()):
            for sub in tuple(subs):
                sub.overflowed.set()


def make_bus(redis_url: str) -> LocalBus:
    return RedisBus(redis_url) if redis_url else LocalBus()


async def start_bus(bus: LocalBus) -> None:
    if isinstance(bus, RedisBus):
        await bus.start()
    else:
        bus.bind_loop(asyncio.get_running_loop())


async def stop_bus(bus: LocalBus) -> None:
    if isinstance(bus, RedisBus):
        await bus.stop()


def attach_bus(session_info: dict[str, Any], bus: LocalBus) -> None:
    session_info[_BUS] = bus


def publish_on_commit(db: Session, channels: Iterable[str], event: Event) -> None:
    db.info.setdefault(_PENDING, []).append((tuple(channels), event))


@event.listens_for(Session, "after_commit")
def _publish_pending(session: Session) -> None:
    pending = session.info.pop(_PENDING, [])
    bus: LocalBus | None = session.info.get(_BUS)
    if bus is None:
        return
    for channels, pending_event in pending:
        bus.publish(channels, pending_event)


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)
