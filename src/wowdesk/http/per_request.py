"""What every HTTP request needs before its route, in one pure ASGI middleware.

It replaces two `@app.middleware("http")` functions (Starlette's BaseHTTPMiddleware, which
runs each request in a task of its own and streams the response through a memory channel:
about a millisecond a request): the language of the request, two security headers as a
fallback for responses that bypass `headers.SecurityHeaders`, and the app's public origin
learnt from the first request when `WOWDESK_PUBLIC_URL` is unset. WebSockets and the
lifespan pass through untouched, as they did.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wowdesk.i18n import activate

FALLBACK_HEADERS = ((b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"))


class PerRequest:
    def __init__(
        self,
        app: ASGIApp,
        *,
        language: str,
        origin_known: Callable[[], bool] = lambda: True,
        learn_origin: Callable[[str], None] = lambda _origin: None,
    ) -> None:
        self.app = app
        self.language = language
        self.origin_known = origin_known
        self.learn_origin = learn_origin

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if not self.origin_known():  # links are built from the request until it is known
            self.learn_origin(str(Request(scope).base_url))
        activate(self.language)

        async def with_fallbacks(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _v in headers}
                headers += [(k, v) for k, v in FALLBACK_HEADERS if k not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_fallbacks)
