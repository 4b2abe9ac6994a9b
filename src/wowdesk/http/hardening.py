"""What the app guarantees about bad input and faults, before and around every route:

- a request body larger than `WOWDESK_MAX_REQUEST_BYTES` is refused with 413, counted as it
  arrives (a lying or missing Content-Length changes nothing), so nobody fills the memory;
- a NUL character in a JSON or form body, a query or a path is refused with 422: PostgreSQL
  cannot store it and no person types it;
- a JSON string holding half of a surrogate pair (`"\\ud8b2"` alone) is refused with 422: it is
  no character at all, and no database or log could encode it further down;
- a number no database column can hold (ids and seqs past 2^63) is a 404 in a path and a
  422 in a query or a body (SQLite's OverflowError, PostgreSQL's DataError), not a crash;
- a database that does not answer is a 503 with `Retry-After` and the usual JSON error
  body, and the app recovers by itself when it is back (the pool checks connections).

Pure ASGI, so WebSockets pass through untouched and a refused body is never read whole.
"""

from __future__ import annotations

import json
import re

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wowdesk.db import DATABASE_FAULTS, database_unavailable, value_out_of_range
from wowdesk.i18n import gettext

RETRY_AFTER_SECONDS = 5
INT64_MAX = 2**63 - 1
TEXT_BODIES = ("application/json", "application/x-www-form-urlencoded", "text/")
NUL_MARKERS = (b"\x00", b"\\u0000", b"%00")
SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def _error_body(status: int, code: str, message: str) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    body = json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    return body, headers


async def _refuse(send: Send, status: int, code: str, message: str) -> None:
    body, headers = _error_body(status, code, message)
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class RequestLimits:
    """Size and NUL checks on every HTTP request. The body is read here (up to the limit)
    and replayed to the app, so a refusal never reaches a route half-parsed."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw_path = scope.get("raw_path") or scope["path"].encode()
        query = scope.get("query_string", b"")
        if any(m in raw_path.lower() or m in query.lower() for m in NUL_MARKERS):
            await _refuse(
                send, 422, "nul_character", gettext("Text must not contain NUL characters")
            )
            return
        if any(_too_big(part) for part in scope["path"].split("/")):
            # no object has an id no database integer can hold
            await _refuse(send, 404, "not_found", gettext("Not found"))
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await _refuse(send, 413, "request_too_large", self._too_large())
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await _refuse(send, 413, "request_too_large", self._too_large())
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        kind = headers.get(b"content-type", b"").decode("latin-1").lower()
        if body and kind.startswith(TEXT_BODIES) and any(m in body for m in NUL_MARKERS[:2]):
            await _refuse(
                send, 422, "nul_character", gettext("Text must not contain NUL characters")
            )
            return
        if kind.startswith("application/json") and _lone_surrogate(body):
            await _refuse(send, 422, "invalid_utf8", gettext("Text is not valid UTF-8"))
            return
        if b"%00" in body and kind.startswith("application/x-www-form-urlencoded"):
            await _refuse(
                send, 422, "nul_character", gettext("Text must not contain NUL characters")
            )
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    def _too_large(self) -> str:
        return gettext(
            "The request is larger than {limit} bytes",
            limit=f"{self.max_bytes:,}".replace(",", " "),
        )


def _lone_surrogate(body: bytes) -> bool:
    """Only bodies with a surrogate escape are decoded here: a pair (an emoji written as
    escapes) is one real character, half of one is not."""
    if not SURROGATE_ESCAPE.search(body):
        return False
    try:
        decoded = json.loads(body)
    except ValueError:
        return False  # the route's own parsing answers a broken body
    try:
        json.dumps(decoded, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _too_big(text: str) -> bool:
    return text.isascii() and text.isdigit() and int(text) > INT64_MAX  # not «³»


def unavailable_response() -> JSONResponse:
    return JSONResponse(
        {
            "error": {
                "code": "database_unavailable",
                "message": gettext("The service is briefly unavailable; try again in a moment"),
            }
        },
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def out_of_range_response() -> JSONResponse:
    return JSONResponse(
        {"error": {"code": "out_of_range", "message": gettext("A number is out of range")}},
        status_code=422,
    )


def install(app: FastAPI, max_request_bytes: int) -> None:
    """The limits middleware and the handlers of database faults and overflowing numbers."""
    app.add_middleware(RequestLimits, max_bytes=max_request_bytes)

    async def database_fault(request: Request, exc: Exception) -> Response:
        if database_unavailable(exc):
            return unavailable_response()
        if value_out_of_range(exc):
            return out_of_range_response()
        raise exc

    for fault in DATABASE_FAULTS:
        app.add_exception_handler(fault, database_fault)
