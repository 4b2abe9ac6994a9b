"""The one pure ASGI middleware does what the two @app.middleware("http") functions did."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocket

from wowdesk.http.per_request import PerRequest
from wowdesk.i18n import activate, current_language


async def language(_request: Request) -> Response:
    return PlainTextResponse(current_language(), headers={"Referrer-Policy": "no-referrer"})


async def echo_language(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_text(current_language())
    await websocket.close()


def _app(origins: list[str]) -> PerRequest:
    inner = Starlette(routes=[Route("/", language), WebSocketRoute("/ws", echo_language)])
    return PerRequest(
        inner,
        language="en",
        origin_known=lambda: bool(origins),
        learn_origin=origins.append,
    )


def test_language_headers_and_origin() -> None:
    activate("ru")
    origins: list[str] = []
    client = TestClient(_app(origins), base_url="http://desk.example:8080")
    first = client.get("/")
    assert first.text == "en"
    assert first.headers["x-content-type-options"] == "nosniff"
    assert first.headers["referrer-policy"] == "no-referrer"  # set by the route: kept
    client.get("/")
    assert origins == ["http://desk.example:8080/"]  # learnt from the first request only


def test_websockets_pass_through_untouched() -> None:
    activate("ru")
    with TestClient(_app([])).websocket_connect("/ws") as ws:
        assert ws.receive_text() == "ru"
