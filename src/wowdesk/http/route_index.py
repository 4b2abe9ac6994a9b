"""The router tries only the routes that could match the path.

The app has ~70 top-level routes (one per included router, each with its own routes: ~400
in all), and the router asks each in turn, every route matching its regex against the
path. A route's regex starts with its path's literal part (up to the first `{`), so a route
whose literal prefixes the path does not start with answers NONE: the index keeps, for each
path, the top-level routes in their order whose prefixes it starts with, and the router's
own loop runs over those alone. The first FULL match, or else the first PARTIAL one (a 405
with its Allow header), is the one the full loop would pick; when none matches, the router
runs as before (slash redirects, low-priority routes, the 404). A route type the index does
not know (a Host, a custom BaseRoute) is asked for every path.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import routing as fastapi_routing
from starlette._utils import get_route_path
from starlette.routing import BaseRoute, Match, Mount, Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send

MAX_CACHED_PATHS = 4096
ANY = ("",)  # the empty prefix: every path starts with it


def _literal(path_format: str) -> str:
    return path_format.split("{", 1)[0]


def prefixes_of(route: Any) -> tuple[str, ...]:
    """The literal starts of the paths a top-level route can match; ANY when unknown."""
    if isinstance(route, fastapi_routing._IncludedRouter):
        found: list[str] = []
        for candidate in route.effective_candidates():
            found += prefixes_of(candidate)
        return _minimal(found)
    if isinstance(route, fastapi_routing._EffectiveRouteContext):
        starlette_route = route.starlette_route
        if starlette_route is not None and not isinstance(starlette_route, Route | Mount):
            return ANY  # a Host, or a route of another kind: no literal to rely on
        path_format = getattr(route, "path_format", None)
        return (_literal(path_format),) if isinstance(path_format, str) else ANY
    if isinstance(route, Mount):
        return (_literal(route.path),) if route.path else ANY
    if isinstance(route, Route | WebSocketRoute):
        return (_literal(route.path_format),)
    return ANY


def _minimal(prefixes: Iterable[str]) -> tuple[str, ...]:
    """Fewer prefixes, same paths: one that starts with another one is dropped."""
    kept: list[str] = []
    for prefix in sorted(set(prefixes)):
        if not kept or not prefix.startswith(kept[-1]):
            kept.append(prefix)
    return tuple(kept)


class RouteIndex:
    """Stands in for the router's `middleware_stack` (its `app` method)."""

    def __init__(self, router: fastapi_routing.APIRouter, app: ASGIApp) -> None:
        self.router = router
        self.app = app  # the router's own dispatch: whatever the index does not decide
        self._version: object = None
        self._table: list[tuple[BaseRoute, tuple[str, ...]]] = []
        self._cache: dict[str, tuple[BaseRoute, ...]] = {}

    def _routes_version(self) -> object:
        return (self.router._get_routes_version(), len(self.router.routes))

    def candidates(self, path: str) -> tuple[BaseRoute, ...]:
        version = self._routes_version()
        if version != self._version:
            self._table = [(route, prefixes_of(route)) for route in self.router.routes]
            self._cache = {}
            self._version = version
        found = self._cache.get(path)
        if found is None:
            found = tuple(route for route, starts in self._table if path.startswith(starts))
            if len(self._cache) >= MAX_CACHED_PATHS:
                self._cache.clear()
            self._cache[path] = found
        return found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        router = self.router
        fastapi_routing._apply_router_form_limits(scope, router.form_limits)
        if "router" not in scope:
            scope["router"] = router
        partial: tuple[BaseRoute, Scope] | None = None
        for route in self.candidates(get_route_path(scope)):
            match, child_scope = route.matches(scope)
            if match == Match.FULL:
                partial = (route, child_scope)
                break
            if match == Match.PARTIAL and partial is None:
                partial = (route, child_scope)
        if partial is None:  # no route: the router's redirects, low-priority routes, 404
            await self.app(scope, receive, send)
            return
        route, child_scope = partial
        fastapi_routing._update_scope(scope, child_scope)
        route_selected = fastapi_routing._route_selected  # type: ignore[attr-defined]
        route_selected(
            scope=scope, path=getattr(route, "path_format", None), mount=isinstance(route, Mount)
        )
        await route.handle(scope, receive, send)


def install(app: Any) -> bool:
    """Put the index in front of the app's router; False (nothing done) when the router
    already has middleware of its own or the FastAPI internals it relies on are missing."""
    router = app.router
    needed = ("_apply_router_form_limits", "_update_scope", "_route_selected", "_IncludedRouter")
    if router.middleware_stack != router.app or not all(
        hasattr(fastapi_routing, name) for name in needed
    ):
        return False
    router.middleware_stack = RouteIndex(router, router.app)
    return True
