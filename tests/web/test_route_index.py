"""The route index picks what the router's own loop picks, for every route of the real app:
the same route, the same kind of match (FULL, or PARTIAL: a 405 with Allow) and the same
path parameters; and answers over HTTP are the same with and without it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi import routing as fastapi_routing
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from starlette.routing import Match, Mount, Route, WebSocketRoute

from wowdesk.app import create_app
from wowdesk.config import Settings
from wowdesk.http import route_index
from wowdesk.http.route_index import RouteIndex

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
SAMPLE = {
    "int": "7",
    "path": "a/b.txt",
    "float": "1.5",
    "uuid": "0" * 8 + "-0000-0000-0000-" + "0" * 12,
}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    tmp = tmp_path_factory.mktemp("route-index")
    settings = Settings(var_dir=tmp, database_url=f"sqlite:///{tmp / 'db.sqlite'}", secret_key="k")
    return create_app(settings)


def _leaves(routes: list[Any]) -> Iterator[tuple[str, Any]]:
    for route in routes:
        if isinstance(route, fastapi_routing._IncludedRouter):
            yield from _leaves(route.effective_candidates())
        else:
            yield getattr(route, "path_format", None) or getattr(route, "path", ""), route


def _concrete(path_format: str) -> str:
    return re.sub(r"{(\w+)(?::(\w+))?}", lambda m: SAMPLE.get(m.group(2) or "", "x1"), path_format)


def _paths(app: FastAPI) -> list[tuple[str, str]]:
    found = []
    for path_format, route in _leaves(app.router.routes):
        path = _concrete(path_format) or "/"
        kind = "websocket" if isinstance(route, WebSocketRoute) else "http"
        original = getattr(route, "original_route", None)
        if isinstance(original, WebSocketRoute | fastapi_routing.APIWebSocketRoute):
            kind = "websocket"
        if isinstance(route, Mount):
            path = path.rstrip("/") + "/css/x.css"
        found += [(kind, path), (kind, path + "/"), (kind, path.rstrip("/") + "/extra")]
    found += [("http", "/nowhere"), ("http", "/api/v1/nowhere"), ("websocket", "/ws/nowhere")]
    return found


def _scope(kind: str, method: str, path: str) -> dict[str, Any]:
    scope: dict[str, Any] = {"type": kind, "path": path, "root_path": "", "headers": []}
    if kind == "http":
        scope["method"] = method
    return scope


def _pick(routes: Any, scope: dict[str, Any]) -> tuple[Any, Match, Any]:
    partial = None
    for route in routes:
        match, child = route.matches(scope)
        if match == Match.FULL:
            return route, match, child.get("path_params")
        if match == Match.PARTIAL and partial is None:
            partial = (route, match, child.get("path_params"))
    return partial or (None, Match.NONE, None)


def test_the_index_is_installed(app: FastAPI) -> None:
    assert isinstance(app.router.middleware_stack, RouteIndex)
    assert len(list(_leaves(app.router.routes))) > 300


def test_every_route_is_picked_as_the_router_picks_it(app: FastAPI) -> None:
    index = app.router.middleware_stack
    assert isinstance(index, RouteIndex)
    checked = full = partial = 0
    for kind, path in _paths(app):
        for method in METHODS if kind == "http" else ("",):
            expected = _pick(app.router.routes, _scope(kind, method, path))
            got = _pick(index.candidates(path), _scope(kind, method, path))
            assert got == expected, (kind, method, path)
            checked += 1
            full += expected[1] == Match.FULL
            partial += expected[1] == Match.PARTIAL
    assert full > 300 and partial > 100, (checked, full, partial)


def test_a_route_of_unknown_kind_is_asked_for_every_path() -> None:
    class Odd(Route):
        pass

    assert route_index.prefixes_of(Route("/a/{x}/b", lambda r: None)) == ("/a/",)
    assert route_index.prefixes_of(Mount("/static", routes=[])) == ("/static",)
    assert route_index.prefixes_of(object()) == route_index.ANY
    assert route_index._minimal(["/a/b", "/a/", "/c", "/a/"]) == ("/a/", "/c")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/healthz"),
        ("DELETE", "/healthz"),  # 405 with Allow
        ("GET", "/api/v1/nowhere"),  # 404
        ("GET", "/healthz/"),  # the slash redirect
        ("GET", "/static/css/app.css"),  # a mount
        ("GET", "/static/nothing.css"),
        ("POST", "/api/v1/telegram/webhook"),
        ("GET", "/api/v1/conversations/7"),  # a path parameter (401: nobody signed in)
        ("GET", "/api/v1/conversations/x"),
    ],
)
def test_answers_are_the_same_without_the_index(
    settings: Settings, factory: sessionmaker[Session], method: str, path: str
) -> None:
    app = create_app(settings, factory)
    index = app.router.middleware_stack
    with TestClient(app) as client:
        with_index = client.request(method, path, follow_redirects=False)
        app.router.middleware_stack = app.router.app
        try:
            without = client.request(method, path, follow_redirects=False)
        finally:
            app.router.middleware_stack = index
    drop = {"x-request-id", "date", "content-length"}
    assert with_index.status_code == without.status_code
    assert {k: v for k, v in with_index.headers.items() if k not in drop} == {
        k: v for k, v in without.headers.items() if k not in drop
    }
    assert with_index.content == without.content or with_index.status_code == 200


def test_websockets_are_routed_through_it(app: FastAPI) -> None:
    index = app.router.middleware_stack
    assert isinstance(index, RouteIndex)
    paths = [p for kind, p in _paths(app) if kind == "websocket"]
    assert paths
    for path in paths:
        route, match, _params = _pick(index.candidates(path), _scope("websocket", "", path))
        assert (route, match) == _pick(app.router.routes, _scope("websocket", "", path))[:2]
