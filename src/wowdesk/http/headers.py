"""Security headers on every response.

The Content-Security-Policy allows scripts only from this server (no inline script: pages
pass their data as JSON blocks read by /static/js/page-data.js), so an injected `<script>`
or `onerror=` runs nowhere. Staff pages may not be framed (`frame-ancestors 'none'`, and
`X-Frame-Options: DENY` for old browsers), against clickjacking; the customer chat is the
one page other sites frame (the widget), so it may be framed anywhere.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

FRAMEABLE = ("/chat",)
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'"
)


def headers_for(path: str) -> list[tuple[bytes, bytes]]:
    frameable = path in FRAMEABLE
    ancestors = "frame-ancestors *" if frameable else "frame-ancestors 'none'"
    out = [
        (b"content-security-policy", f"{POLICY}; {ancestors}".encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
    ]
    if not frameable:
        out.append((b"x-frame-options", b"DENY"))
    return out


class SecurityHeaders:
    """Pure ASGI: adds the headers to the response start, leaves the body streaming."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = headers_for(scope["path"])

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _v in message.get("headers", [])}
                message["headers"] = [
                    *message.get("headers", []),
                    *[(k, v) for k, v in extra if k not in present],
                ]
            await send(message)

        await self.app(scope, receive, with_headers)
