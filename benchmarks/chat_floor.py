"""The chat benchmark's floor: a bare uvicorn app relaying chat frames from memory.

Run by `benchmarks/chat_load.py`, or alone: python benchmarks/chat_floor.py [PORT] (8765).

It speaks the part of wowdesk's protocol the load test uses (login form, /api/v1/me, users,
routing capacity, starting and taking conversations, /ws/console, /ws/chat, the messages
list) and does the least a chat server must do per message: parse the frame, keep the
message once per client_id, ack the customer, and push the message to the customer's and
the owning operator's sockets. No database, no validation models, no event bus: the
distance between this and wowdesk is the cost of everything wowdesk adds.
"""

from __future__ import annotations

import itertools
import json
import secrets
import sys
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect


@dataclass
class Conversation:
    id: int
    token: str
    operator_id: int | None = None
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)
    customer: WebSocket | None = None


@dataclass
class State:
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    users: dict[str, int] = field(default_factory=dict)  # username -> id
    sessions: dict[str, int] = field(default_factory=dict)  # cookie -> user id
    consoles: dict[int, set[WebSocket]] = field(default_factory=dict)
    conversations: dict[int, Conversation] = field(default_factory=dict)


STATE = State()


def _user(request: Request | WebSocket) -> int | None:
    return STATE.sessions.get(request.cookies.get("wowdesk_session", ""))


async def login_page(request: Request) -> Response:
    response = Response("login", media_type="text/html")
    response.set_cookie("wowdesk_csrf", secrets.token_hex(8), path="/login")
    return response


async def login(request: Request) -> Response:
    form = await request.form()
    name = str(form.get("username", ""))
    user_id = STATE.users.setdefault(name, next(STATE.ids))
    cookie = secrets.token_hex(16)
    STATE.sessions[cookie] = user_id
    response = RedirectResponse("/console", status_code=303)
    response.set_cookie("wowdesk_session", cookie)
    return response


async def me(request: Request) -> Response:
    user_id = _user(request)
    if user_id is None:
        return JSONResponse({"code": "unauthorized"}, status_code=401)
    return JSONResponse({"id": user_id, "csrf_token": "floor"})


async def create_user(request: Request) -> Response:
    body = await request.json()
    user_id = STATE.users.setdefault(body["username"], next(STATE.ids))
    return JSONResponse({"id": user_id}, status_code=201)


async def routing(request: Request) -> Response:
    return JSONResponse({"user_id": int(request.path_params["user_id"])})


def _message(conv: Conversation, client_id: str, text: str) -> tuple[dict[str, Any], bool]:
    if client_id in conv.messages:
        return conv.messages[client_id], False
    msg = {
        "id": next(STATE.ids),
        "seq": len(conv.messages) + 1,
        "client_id": client_id,
        "text": text,
        "author": "customer",
    }
    conv.messages[client_id] = msg
    return msg, True


async def start(request: Request) -> Response:
    body = await request.json()
    conv = Conversation(id=next(STATE.ids), token=secrets.token_hex(16))
    STATE.conversations[conv.id] = conv
    _message(conv, body["message"]["client_id"], body["message"]["text"])
    return JSONResponse(
        {"conversation": {"id": conv.id, "status": "queued"}, "token": conv.token},
        status_code=201,
    )


async def assign(request: Request) -> Response:
    conv = STATE.conversations[int(request.path_params["conv_id"])]
    conv.operator_id = _user(request)
    return JSONResponse({"operator_id": conv.operator_id, "status": "assigned"})


async def messages(request: Request) -> Response:
    conv = STATE.conversations[int(request.path_params["conv_id"])]
    return JSONResponse(list(conv.messages.values()))


async def console(ws: WebSocket) -> None:
    user_id = _user(ws)
    await ws.accept()
    if user_id is None:
        await ws.close(4401)
        return
    STATE.consoles.setdefault(user_id, set()).add(ws)
    await ws.send_text(json.dumps({"type": "ready"}))
    try:
        while True:
            await ws.receive_text()
    except WebSocketDisconnect:
        STATE.consoles[user_id].discard(ws)


async def chat(ws: WebSocket) -> None:
    await ws.accept()
    hello = json.loads(await ws.receive_text())
    conv = STATE.conversations.get(hello.get("conversation_id"))
    if conv is None or not secrets.compare_digest(conv.token, str(hello.get("token"))):
        await ws.close(4401)
        return
    conv.customer = ws
    await ws.send_text(json.dumps({"type": "ready"}))
    try:
        while True:
            frame = json.loads(await ws.receive_text())
            if frame.get("type") != "send":
                continue
            msg, created = _message(conv, str(frame["client_id"]), str(frame["text"]))
            ack = {"type": "ack", "client_id": msg["client_id"], "id": msg["id"]}
            await ws.send_text(json.dumps({**ack, "seq": msg["seq"], "created": created}))
            if not created:
                continue
            event = json.dumps({"type": "message", "message": msg}, ensure_ascii=False)
            await ws.send_text(event)
            for console_ws in list(STATE.consoles.get(conv.operator_id or 0, ())):
                await console_ws.send_text(event)
    except WebSocketDisconnect:
        conv.customer = None


app = Starlette(
    routes=[
        Route("/login", login_page, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/api/v1/me", me),
        Route("/api/v1/users", create_user, methods=["POST"]),
        Route("/api/v1/operators/{user_id:int}/routing", routing, methods=["PUT"]),
        Route("/api/v1/chat/conversations", start, methods=["POST"]),
        Route("/api/v1/conversations/{conv_id:int}/assign", assign, methods=["POST"]),
        Route("/api/v1/conversations/{conv_id:int}/messages", messages),
        WebSocketRoute("/ws/console", console),
        WebSocketRoute("/ws/chat", chat),
    ]
)


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8765
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
