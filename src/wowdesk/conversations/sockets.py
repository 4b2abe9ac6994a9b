"""WebSockets for the customer's chat and the operator's console.

Protocol (JSON text frames, typed like the live events):
- customer: first frame `{"type": "hello", "conversation_id", "token", "after_seq"}`; the
  server answers `ready` (the conversation as the customer sees it) and then every message
  after `after_seq`, in order, then live events. A reconnecting client sends its last seq and
  so receives exactly what it missed.
- staff: authenticated by the session cookie (Origin checked); it may `watch` one
  conversation at a time and always receives the queue and its own conversations.
- both: `send` (`client_id`, `text`) is answered with `ack` only after the message is
  committed, or with `error`; the same `client_id` sent again is stored once and acked
  again; staff may add `confirm_secret_request: true` to send a message the secrets guard
  held (error `secret_request_warning`). `typing` and `seen` (delivered marks) are relayed
  to the other side.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import functools
import json
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any, TypeVar

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from sqlalchemy.orm import Session, sessionmaker

from wowdesk import events
from wowdesk.config import Settings
from wowdesk.conversations import service
from wowdesk.db import database_unavailable, run_unit, utcnow
from wowdesk.errors import WowdeskError
from wowdesk.http.routes import Routes
from wowdesk.i18n import activate, gettext
from wowdesk.operators import presence
from wowdesk.operators import service as operators
from wowdesk.operators.auth import socket_user
from wowdesk.operators.models import Role, User

public = APIRouter()
T = TypeVar("T")
HELLO_TIMEOUT = 15.0
CLOSE_AUTH = 4401
CLOSE_RESYNC = 4409
# the database did not answer: the client reconnects after a pause and resumes from its seq
CLOSE_TRY_AGAIN = 1013


def _error(exc: WowdeskError, **extra: Any) -> dict[str, Any]:
    return {
        "type": "error",
        "code": exc.code,
        "status": exc.status,
        "message": gettext(exc.message, **exc.params),
        **extra,
    }


# what a socket does with each bus event before its client sees it (None: nothing; a list:
# several frames, e.g. messages that were missing before this one)
Transform = Callable[[dict[str, Any]], Awaitable[dict[str, Any] | list[dict[str, Any]] | None]]
GAP_WAIT_SECONDS = 2.0  # how long a message waits for an earlier one still being committed


class Link:
    """One open socket: its bus subscription, a writer task, and DB access off the loop."""

    def __init__(self, ws: WebSocket) -> None:
        self.ws = ws
        state = ws.app.state
        self.factory: sessionmaker[Session] = state.sessionmaker
        self.settings: Settings = state.settings
        self.bus: events.LocalBus = state.bus
        self.executor: ThreadPoolExecutor | None = state.db_executor
        self.sub = self.bus.subscribe()
        # per conversation, the highest seq this client has been sent (in_order)
        self.delivered: dict[int, int] = {}
        activate(self.settings.language)

    async def db(self, fn: Callable[[Session], T]) -> T:
        return await run_unit(self.factory, self.executor, fn)

    async def send(self, payload: dict[str, Any]) -> None:
        await self.ws.send_text(json.dumps(payload, ensure_ascii=False, default=str))

    async def in_order(self, event: dict[str, Any], *, raw: bool) -> list[dict[str, Any]]:
        """Messages of a conversation reach this client in seq order with no gap: a message
        published before an earlier one (the worker's bot answer committed first but
        announced later) brings the missing ones from the database first, and a message
        already delivered is not sent twice. A missing seq not committed yet is waited for
        briefly; after that the client's resume-from-contiguous-seq covers it."""
        message = event["message"]
        conv_id, seq = int(message["conversation_id"]), int(message["seq"])
        last = self.delivered.get(conv_id)
        if last is None:
            self.delivered[conv_id] = seq
            return [await self.message_for(event, raw=raw)]
        if seq <= last:
            return []
        frames: list[dict[str, Any]] = []
        if seq > last + 1:
            missing = await self._missing(conv_id, last, seq, raw)
            deadline = asyncio.get_running_loop().time() + GAP_WAIT_SECONDS
            while len(missing) < seq - last - 1 and asyncio.get_running_loop().time() < deadline:
                await asyncio.sleep(0.1)
                missing = await self._missing(conv_id, last, seq, raw)
            frames = [
                {"type": "message", "op": "created", "id": m["id"], "message": m} for m in missing
            ]
        frames.append(await self.message_for(event, raw=raw))
        self.delivered[conv_id] = seq
        return frames

    async def _missing(
        self, conv_id: int, after: int, before: int, raw: bool
    ) -> list[dict[str, Any]]:
        def load(db: Session) -> list[dict[str, Any]]:
            conv = service.get_conversation(db, conv_id)
            found = service.list_messages(db, conv, after, limit=before - after - 1)
            return [
                m.model_dump(mode="json")
                for m in service.message_out(db, [x for x in found if x.seq < before], raw=raw)
            ]

        return await self.db(load)

    async def message_for(self, event: dict[str, Any], *, raw: bool) -> dict[str, Any]:
        """A live message as this client may see it: the bus carries the masked copy; the
        customer and the serving operator (`raw`) get the raw words, read from the database."""
        out = {k: v for k, v in event.items() if k != "served_by"}
        message = event["message"]
        if raw and message["masked"]:
            text = await self.db(lambda db: service.raw_text_of(db, int(message["id"])))
            out["message"] = {**message, "text": text, "masked": False}
        return out

    async def pump(self, transform: Transform) -> None:
        """Forwards bus events; a client that fell too far behind is told to reload."""
        overflow = asyncio.ensure_future(self.sub.overflowed.wait())
        get: asyncio.Future[dict[str, Any]] | None = None
        try:
            while True:
                get = asyncio.ensure_future(self.sub.queue.get())
                done, _pending = await asyncio.wait(
                    {get, overflow}, return_when=asyncio.FIRST_COMPLETED
                )
                if overflow in done:
                    await self.ws.close(CLOSE_RESYNC, "resync")
                    return
                out = await transform(get.result())
                for frame in out if isinstance(out, list) else [out]:
                    if frame is not None:
                        await self.send(frame)
        finally:
            overflow.cancel()
            if get is not None:
                get.cancel()

    async def close_for_retry(self) -> None:
        """The database is down: the socket is closed with a code that tells the client to
        reconnect (and resume from its last contiguous seq) instead of crashing."""
        with contextlib.suppress(Exception):
            await self.ws.close(CLOSE_TRY_AGAIN, "database_unavailable")

    async def frames(self) -> Any:
        """Yields parsed frames; answers a malformed one with an error and goes on."""
        while True:
            raw = await self.ws.receive_text()
            try:
                frame = json.loads(raw)
                if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
                    raise ValueError
            except ValueError:
                await self.send(
                    {
                        "type": "error",
                        "code": "bad_frame",
                        "status": 400,
                        "message": gettext("Frames must be JSON objects with a type"),
                    }
                )
                continue
            yield frame

    async def serve(
        self,
        handle: Callable[[dict[str, Any]], Awaitable[None]],
        transform: Transform,
    ) -> None:
        writer = asyncio.create_task(self.pump(transform))
        try:
            async for frame in self.frames():
                if writer.done():
                    break
                try:
                    await handle(frame)
                except WowdeskError as exc:
                    await self.send(_error(exc, client_id=frame.get("client_id")))
        except WebSocketDisconnect:
            pass
        except Exception as exc:
            if not database_unavailable(exc):
                raise
            await self.close_for_retry()
        finally:
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await writer
            self.sub.close()


def _int(frame: dict[str, Any], key: str, default: int | None = None) -> int:
    value = frame.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2**63:
        raise WowdeskError("Field {key} must be a non-negative integer", code="bad_frame", key=key)
    return value


async def _customer_event(
    link: Link, event: dict[str, Any]
) -> dict[str, Any] | list[dict[str, Any]] | None:
    """What the customer's chat sees of a bus event: their conversation's messages (raw:
    they wrote them or are their addressee), queue places, the operator's typing and
    delivered marks, and the conversation's state without its internals."""
    kind = event["type"]
    if kind == "message":
        return await link.in_order(event, raw=True)
    if kind == "queue":
        return event
    if kind in ("typing", "delivered"):
        return event if event["op"] == "operator" else None
    if kind == "conversation":
        c = event["conversation"]
        return {
            "type": "conversation",
            "op": event["op"],
            "id": c["id"],
            "event_id": event["event_id"],
            "conversation": {
                "id": c["id"],
                "status": c["status"],
                "last_seq": c["last_seq"],
                "operator_name": c["operator_name"],
                "operator_delivered_seq": c["operator_delivered_seq"],
                "csat": c["csat"],
            },
        }
    return None


async def _customer_frame(link: Link, conv_id: int, token: str, frame: dict[str, Any]) -> None:
    kind = frame["type"]
    if kind == "send":
        client_id, text = frame.get("client_id", ""), frame.get("text", "")

        def send(db: Session) -> dict[str, Any]:
            conv = service.access_conversation_by_token(db, conv_id, token)
            msg, created = service.do_customer_message(
                db,
                conv,
                client_id=client_id,
                text=text,
                limit=link.settings.max_message_chars,
            )
            return {
                "type": "ack",
                "client_id": msg.client_id,
                "seq": msg.seq,
                "id": msg.id,
                "created": created,
            }

        await link.send(await link.db(send))
    elif kind == "typing":
        conv = await link.db(lambda db: service.access_conversation_by_token(db, conv_id, token))
        service.publish_typing(link.bus, conv, "customer")
    elif kind == "seen":
        seq = _int(frame, "seq")

        def seen(db: Session) -> None:
            conv = service.access_conversation_by_token(db, conv_id, token)
            service.do_mark_delivered(db, conv, "customer", seq)

        await link.db(seen)
    elif kind == "ping":
        await link.send({"type": "pong"})


@public.websocket("/ws/chat")
async def customer_socket(ws: WebSocket) -> None:
    await ws.accept()
    link = Link(ws)
    try:
        hello = json.loads(await asyncio.wait_for(ws.receive_text(), HELLO_TIMEOUT))
        conv_id = _int(hello, "conversation_id")
        token = str(hello.get("token", ""))
        after = _int(hello, "after_seq", 0)
    except (TimeoutError, ValueError, WowdeskError, WebSocketDisconnect):
        with contextlib.suppress(Exception):
            await ws.close(CLOSE_AUTH, "hello expected")
        return
    # Listen before reading the backlog, so nothing falls between the two.
    link.sub.listen(events.conversation_channel(conv_id))

    def load(db: Session) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        conv = service.access_conversation_by_token(db, conv_id, token)
        view = service.customer_view(db, conv).model_dump(mode="json")
        msgs = service.message_out(
            db, service.list_messages(db, conv, after, limit=100_000), raw=True
        )
        return view, [m.model_dump(mode="json") for m in msgs]

    try:
        view, backlog = await link.db(load)
    except WowdeskError as exc:
        link.sub.close()
        await link.send(_error(exc))
        await ws.close(CLOSE_AUTH, exc.code)
        return
    except Exception as exc:
        link.sub.close()
        if not database_unavailable(exc):
            raise
        await link.close_for_retry()
        return
    await link.send({"type": "ready", "conversation": view})
    for msg in backlog:
        await link.send({"type": "message", "op": "created", "id": msg["id"], "message": msg})
    link.delivered[conv_id] = backlog[-1]["seq"] if backlog else after

    await link.serve(
        functools.partial(_customer_frame, link, conv_id, token),
        functools.partial(_customer_event, link),
    )


async def _console_frame(
    link: Link, user: User, expires_at: datetime, watching: list[int], frame: dict[str, Any]
) -> None:
    grace = link.settings.routing_grace_seconds
    ws = link.ws
    if utcnow() >= expires_at:
        await link.send(
            _error(
                WowdeskError(
                    "Your session has expired, please log in again", code="session_expired"
                )
            )
        )
        await ws.close(CLOSE_AUTH, "session_expired")
        return
    kind = frame["type"]
    if kind == "ping":
        await link.db(lambda db: presence.do_touch(db, user.id, grace))
        await link.send({"type": "pong"})
        return
    conv_id = _int(frame, "conversation_id")
    if kind == "watch":

        def watch(db: Session) -> int:
            conv = service.access_conversation(db, user, conv_id)
            presence.do_note_watching(db, user.id, conv.id)  # its suggestions follow it
            return conv.last_seq

        last_seq = await link.db(watch)
        for old in watching:
            link.sub.ignore(events.conversation_channel(old))
            link.delivered.pop(old, None)
        link.delivered[conv_id] = last_seq  # from here on: in order, no gap
        watching[:] = [conv_id]
        link.sub.listen(events.conversation_channel(conv_id))
        await link.send({"type": "watching", "conversation_id": conv_id})
    elif kind == "send":
        client_id, text = frame.get("client_id", ""), frame.get("text", "")
        confirmed = frame.get("confirm_secret_request") is True

        def send(db: Session) -> dict[str, Any]:
            me = operators.get_user(db, user.id)
            conv = service.access_conversation(db, me, conv_id)
            msg, created = service.do_operator_message(
                db,
                conv,
                me,
                client_id=client_id,
                text=text,
                limit=link.settings.max_message_chars,
                secret_policy=link.settings.secret_request_policy,
                confirm_secret_request=confirmed,
            )
            return {
                "type": "ack",
                "client_id": msg.client_id,
                "seq": msg.seq,
                "id": msg.id,
                "conversation_id": conv_id,
                "created": created,
            }

        await link.send(await link.db(send))
    elif kind == "typing":
        conv = await link.db(lambda db: service.access_conversation(db, user, conv_id))
        service.publish_typing(link.bus, conv, "operator")
    elif kind == "seen":
        seq = _int(frame, "seq")

        def seen(db: Session) -> None:
            conv = service.access_conversation(db, user, conv_id)
            if conv.operator_id == user.id:
                service.do_mark_delivered(db, conv, "operator", seq)

        await link.db(seen)


async def _console_event(
    link: Link, user_id: int, event: dict[str, Any]
) -> dict[str, Any] | list[dict[str, Any]] | None:
    """Everything on the operator's channels but their own typing and delivered marks;
    raw words only to the operator serving the conversation."""
    if event["type"] in ("typing", "delivered") and event["op"] == "operator":
        return None
    if event["type"] == "message":
        raw = event.get("served_by") == user_id
        if event["message"]["conversation_id"] in link.delivered:
            return await link.in_order(event, raw=raw)  # the watched conversation
        return await link.message_for(event, raw=raw)
    return event


@public.websocket("/ws/console")
async def console_socket(ws: WebSocket) -> None:
    link = Link(ws)
    origins = _allowed_origins(ws, link.settings)
    # a page reload connects its new socket before the old one is seen closing: count
    # this process's consoles per operator and note the leave only when none is open
    open_consoles = _open_consoles(ws)
    counted: list[int] = []

    def auth(db: Session) -> tuple[User, datetime]:
        user = socket_user(db, ws, origins)
        _user, login = operators.check_session(db, ws.cookies.get("wowdesk_session", ""))
        if not counted:
            # counted before the connect is written, not once accepted: the reload's old
            # socket closing in between saw no console, noted a leave after this connect,
            # and routing offered the reloaded console nothing until its next ping
            _count_console(open_consoles, user.id, +1)
            counted.append(user.id)
        presence.do_note_connected(db, user.id)  # a live operator again
        return user, login.expires_at

    try:
        try:
            user, expires_at = await link.db(auth)
        except BaseException:
            for user_id in counted:  # never opened: no console of theirs to wait for
                _count_console(open_consoles, user_id, -1)
            raise
    except WowdeskError as exc:
        link.sub.close()
        await ws.close(CLOSE_AUTH, exc.code)
        return
    except Exception as exc:
        link.sub.close()
        if not database_unavailable(exc):
            raise
        await ws.accept()
        await link.close_for_retry()
        return
    watching: list[int] = []
    try:
        await ws.accept()
        link.sub.listen(events.operator_channel(user.id), events.QUEUE_CHANNEL)
        if operators.has_role(user, Role.supervisor):
            link.sub.listen(events.ROUTING_CHANNEL)
        await link.send({"type": "ready", "user_id": user.id})
        await link.serve(
            functools.partial(_console_frame, link, user, expires_at, watching),
            functools.partial(_console_event, link, user.id),
        )
    finally:
        closed_at = utcnow()
        if _count_console(open_consoles, user.id, -1) == 0:

            def leave(db: Session) -> None:
                if not open_consoles.get(user.id):  # no console came back meanwhile
                    presence.do_note_left(db, user.id, closed_at)

            # the database may be what closed the socket: then the heartbeat going
            # silent does the same job after the grace period
            with contextlib.suppress(Exception):
                await link.db(leave)


_CONSOLES_LOCK = threading.Lock()


def _count_console(open_consoles: collections.Counter[int], user_id: int, step: int) -> int:
    """Consoles open in this process for the operator after the step. Under a lock: a
    connect counts from a database thread while a close counts from the event loop."""
    with _CONSOLES_LOCK:
        open_consoles[user_id] += step
        left = open_consoles[user_id]
        if left <= 0:
            del open_consoles[user_id]
        return max(left, 0)


def _open_consoles(ws: WebSocket) -> collections.Counter[int]:
    counter: collections.Counter[int] = ws.app.state.open_consoles  # set by create_app
    return counter


def _allowed_origins(ws: WebSocket, settings: Settings) -> set[str]:
    host = ws.headers.get("host", "")
    allowed = {f"http://{host}", f"https://{host}"}
    if settings.public_url:
        allowed.add(settings.public_url.rstrip("/"))
    return allowed


routes = Routes(public=(public,))
