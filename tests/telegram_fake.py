"""A fake Telegram Bot API server on loopback that speaks the real HTTP protocol
(`POST /bot<token>/<method>` with form or multipart parameters, `{"ok": …, "result": …}`
answers, `GET /file/bot<token>/<path>` for downloads), so the tests run
python-telegram-bot's real client code. It plays the customer too: it makes updates, and in
webhook mode POSTs them to the URL given by setWebhook with the secret header, as
Telegram does."""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.helpers import free_port

TOKEN = "123456:TEST-token_for-the-fake"
BOT_ID = 123456


@dataclass
class Sent:
    method: str
    chat_id: int
    text: str
    reply_markup: dict[str, Any] | None
    message_id: int


@dataclass
class FakeTelegram:
    url: str
    token: str = TOKEN
    updates: list[dict[str, Any]] = field(default_factory=list)
    sent: list[Sent] = field(default_factory=list)
    callback_answers: list[dict[str, str]] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    webhook_url: str = ""
    webhook_secret: str = ""
    calls: list[str] = field(default_factory=list)
    # the next sends fail with this (error_code, description), e.g. (403, "Forbidden: bot
    # was blocked by the user") or (429, "Too Many Requests: retry after 1")
    fail_sends: list[tuple[int, str]] = field(default_factory=list)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1000))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- the customer's side ------------------------------------------------------------

    def _user(self, user_id: int, name: str) -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": name, "language_code": "ru"}

    def _message(self, chat_id: int, name: str, **content: Any) -> dict[str, Any]:
        with self._lock:
            update_id, message_id = next(self._ids), next(self._ids)
        return {
            "update_id": update_id,
            "message": {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private", "first_name": name},
                "from": self._user(chat_id, name),
                **content,
            },
        }

    def text(self, chat_id: int, text: str, name: str = "Мария") -> dict[str, Any]:
        return self._message(chat_id, name, text=text)

    def photo(
        self, chat_id: int, data: bytes, caption: str = "", name: str = "Мария"
    ) -> dict[str, Any]:
        file_id = f"photo-{len(self.files)}"
        self.files[file_id] = data
        sizes = [
            {"file_id": f"{file_id}-small", "file_unique_id": "s", "width": 90, "height": 90},
            {
                "file_id": file_id,
                "file_unique_id": file_id,
                "width": 800,
                "height": 600,
                "file_size": len(data),
            },
        ]
        extra = {"caption": caption} if caption else {}
        return self._message(chat_id, name, photo=sizes, **extra)

    def document(
        self, chat_id: int, data: bytes, file_name: str, mime: str, name: str = "Мария"
    ) -> dict[str, Any]:
        file_id = f"doc-{len(self.files)}"
        self.files[file_id] = data
        doc = {
            "file_id": file_id,
            "file_unique_id": file_id,
            "file_name": file_name,
            "mime_type": mime,
            "file_size": len(data),
        }
        return self._message(chat_id, name, document=doc)

    def press(self, chat_id: int, data: str, name: str = "Мария") -> dict[str, Any]:
        """The customer presses an inline button under the bot's last message."""
        last = next(s for s in reversed(self.sent) if s.chat_id == chat_id)
        with self._lock:
            update_id = next(self._ids)
        return {
            "update_id": update_id,
            "callback_query": {
                "id": f"cb-{update_id}",
                "from": self._user(chat_id, name),
                "chat_instance": "ci",
                "data": data,
                "message": {
                    "message_id": last.message_id,
                    "date": int(time.time()),
                    "chat": {"id": chat_id, "type": "private", "first_name": name},
                    "from": {"id": BOT_ID, "is_bot": True, "first_name": "wowdesk"},
                    "text": last.text,
                },
            },
        }

    def queue(self, update: dict[str, Any]) -> None:
        """For long polling: the update waits for getUpdates."""
        with self._lock:
            self.updates.append(update)

    def deliver(self, update: dict[str, Any], secret: str | None = None) -> httpx.Response:
        """For webhook mode: POSTed to the registered URL with the secret header."""
        assert self.webhook_url, "setWebhook was never called"
        headers = {
            "X-Telegram-Bot-Api-Secret-Token": self.webhook_secret if secret is None else secret
        }
        return httpx.post(self.webhook_url, json=update, headers=headers, timeout=30)

    def sent_to(self, chat_id: int) -> list[Sent]:
        return [s for s in self.sent if s.chat_id == chat_id]

    def wait_for(self, chat_id: int, count: int, timeout: float = 15) -> list[Sent]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.sent_to(chat_id)
            if len(got) >= count:
                return got
            time.sleep(0.05)
        raise AssertionError(f"{len(self.sent_to(chat_id))} messages sent, {count} expected")


def _ok(result: Any) -> JSONResponse:
    return JSONResponse({"ok": True, "result": result})


def _error(code: int, description: str) -> JSONResponse:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if code == 429:
        body["parameters"] = {"retry_after": 1}
    return JSONResponse(body, status_code=code)


def _app(fake: FakeTelegram) -> Starlette:
    async def method(request: Request) -> Response:
        if request.path_params["token"] != fake.token:
            return _error(401, "Unauthorized")
        name = request.path_params["method"].lower()
        form = await request.form()
        params: dict[str, Any] = dict(form.items())
        fake.calls.append(name)
        if name == "getme":
            return _ok(
                {
                    "id": BOT_ID,
                    "is_bot": True,
                    "first_name": "wowdesk",
                    "username": "wowdesk_bot",
                    "can_join_groups": False,
                    "can_read_all_group_messages": False,
                    "supports_inline_queries": False,
                }
            )
        if name == "setwebhook":
            fake.webhook_url = str(params["url"])
            fake.webhook_secret = str(params.get("secret_token", ""))
            return _ok(True)
        if name == "deletewebhook":
            fake.webhook_url = ""
            return _ok(True)
        if name == "getupdates":
            offset = int(params.get("offset") or 0)
            timeout = float(params.get("timeout") or 0)
            deadline = time.monotonic() + min(timeout, 2.0)
            while True:
                with fake._lock:
                    fake.updates = [u for u in fake.updates if u["update_id"] >= offset]
                    ready = list(fake.updates)
                if ready or time.monotonic() >= deadline:
                    return _ok(ready)
                await asyncio.sleep(0.05)
        if name in ("sendmessage", "sendphoto", "senddocument"):
            if fake.fail_sends:
                code, description = fake.fail_sends.pop(0)
                return _error(code, description)
            chat_id = int(params["chat_id"])
            markup = json.loads(params["reply_markup"]) if params.get("reply_markup") else None
            text = str(params.get("text") or params.get("caption") or "")
            with fake._lock:
                message_id = next(fake._ids)
                fake.sent.append(Sent(name, chat_id, text, markup, message_id))
            return _ok({"message_id": message_id, "date": int(time.time()),
                        "chat": {"id": chat_id, "type": "private"},
                        "from": {"id": BOT_ID, "is_bot": True, "first_name": "wowdesk"},
                        "text": text})  # fmt: skip
        if name == "getfile":
            file_id = str(params["file_id"])
            if file_id not in fake.files:
                return _error(400, "Bad Request: invalid file_id")
            size = len(fake.files[file_id])
            return _ok(
                {
                    "file_id": file_id,
                    "file_unique_id": file_id,
                    "file_size": size,
                    "file_path": f"files/{file_id}",
                }
            )
        if name == "answercallbackquery":
            fake.callback_answers.append(
                {"id": str(params["callback_query_id"]), "text": str(params.get("text", ""))}
            )
            return _ok(True)
        if name in ("close", "logout"):
            return _ok(True)
        return _error(404, "Not Found: method not found")

    async def download(request: Request) -> Response:
        if request.path_params["token"] != fake.token:
            return Response(status_code=401)
        file_id = request.path_params["path"].removeprefix("files/")
        if file_id not in fake.files:
            return Response(status_code=404)
        return Response(fake.files[file_id], media_type="application/octet-stream")

    return Starlette(
        routes=[
            Route("/bot{token}/{method}", method, methods=["GET", "POST"]),
            Route("/file/bot{token}/{path:path}", download, methods=["GET"]),
        ]
    )


@contextmanager
def fake_telegram() -> Iterator[FakeTelegram]:
    port = free_port()
    fake = FakeTelegram(f"http://127.0.0.1:{port}")
    config = uvicorn.Config(_app(fake), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the fake Bot API did not start")
        time.sleep(0.02)
    try:
        yield fake
    finally:
        server.should_exit = True
        thread.join(timeout=10)
