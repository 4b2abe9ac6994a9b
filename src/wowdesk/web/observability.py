"""For load balancers, orchestrators and monitoring: `/healthz` (the process answers),
`/readyz` (it can serve: database reachable and migrated to head, Redis reachable when
configured, model files loaded) and `/metrics` (Prometheus), plus the middleware that
times requests, counts WebSockets and gives every request its id for the logs.

`/metrics` is read by a token (`WOWDESK_METRICS_TOKEN`, sent as a bearer token) or, with
no token set, only from the loopback interface; nginx in `deploy/` refuses it outright.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import redis
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import REGISTRY
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wowdesk import db as database
from wowdesk import migrate, telemetry
from wowdesk.analytics import live
from wowdesk.conversations import service as conversations
from wowdesk.errors import Forbidden
from wowdesk.http.routes import Routes
from wowdesk.logformat import CONVERSATION_ID, REQUEST_ID, request_id_from
from wowdesk.routing import board
from wowdesk.security import same

log = logging.getLogger("wowdesk.http")
router = APIRouter(include_in_schema=False)
SL_WINDOW = timedelta(minutes=15)
_CONVERSATION_IN_PATH = re.compile(r"/conversations/(\d+)")
LOOPBACK = re.compile(r"^(127\.\d+\.\d+\.\d+|::1)$")


# --- the middleware -------------------------------------------------------------------


class Observe:
    """Pure ASGI (no BaseHTTPMiddleware: it would break WebSockets and streaming): times
    each HTTP request by its route template, counts open WebSockets, and sets the request
    and conversation ids that log lines carry."""

    def __init__(self, app: ASGIApp, *, access_log: bool = False) -> None:
        self.app = app
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        request_id = request_id_from(headers.get(b"x-request-id", b"").decode("latin-1"))
        found = _CONVERSATION_IN_PATH.search(scope.get("path", ""))
        rid = REQUEST_ID.set(request_id)
        cid = CONVERSATION_ID.set(int(found.group(1)) if found else None)
        status = 500
        start = time.perf_counter()

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            elapsed = time.perf_counter() - start
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            method = scope.get("method", "")
            telemetry.HTTP_LATENCY.labels(method, route, str(status)).observe(elapsed)
            if self.access_log:
                log.info(
                    "%s %s %s",
                    method,
                    route,
                    status,
                    extra={
                        "method": method,
                        "route": route,
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 1),
                    },
                )
            REQUEST_ID.reset(rid)
            CONVERSATION_ID.reset(cid)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope.get("path", "").rstrip("/").rsplit("/", 1)[-1] or "other"
        gauge = telemetry.WEBSOCKETS.labels(kind)
        opened = False

        async def sending(message: Message) -> None:
            nonlocal opened
            if message["type"] == "websocket.accept" and not opened:
                opened = True
                gauge.inc()
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            if opened:
                gauge.dec()


# --- health ---------------------------------------------------------------------------


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process answers; nothing else is checked (a restart would not help otherwise)."""
    return {"status": "ok"}


def _check(name: str, problems: dict[str, str], fn: Any, *args: Any) -> str:
    try:
        problem = fn(*args)
    except Exception as exc:
        problem = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
    if problem:
        problems[name] = str(problem)
        return "fail"
    return "ok"


def _redis_problem(url: str) -> str | None:
    client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    finally:
        client.close()
    return None


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    """200 when this process can serve traffic, else 503 with what is wrong."""
    state = request.app.state
    problems: dict[str, str] = {}
    schema: list[str | None] = []

    def reachable() -> None:  # a connection lost between the two queries is the database's
        database.ping(state.sessionmaker)
        schema.append(migrate.pending(state.sessionmaker))

    checks = {"database": _check("database", problems, reachable)}
    if schema:
        checks["migrations"] = _check("migrations", problems, lambda: schema[0])
    if state.settings.redis_url:
        checks["redis"] = _check("redis", problems, _redis_problem, state.settings.redis_url)
    checks["models"] = _check("models", problems, state.bot.models_problem)
    ready = not problems
    body = {"status": "ready" if ready else "not_ready", "checks": checks, "problems": problems}
    return JSONResponse(body, status_code=200 if ready else 503)


# --- metrics --------------------------------------------------------------------------


@dataclass
class LiveState:
    """What is read from the database at scrape time: the same for every process, so it is
    not summed across them."""

    sessionmaker: Any
    sl_seconds: float

    def collect(self) -> Iterable[GaugeMetricFamily]:
        now = database.utcnow()
        with database.unit_of_work(self.sessionmaker) as db:
            people, queues = board.board(db)
            backlog = len(conversations.list_bot_pending(db))
            level = live.service_level_since(db, now - SL_WINDOW, now, self.sl_seconds)
        length = GaugeMetricFamily(
            "wowdesk_queue_length", "Conversations waiting per queue", labels=["queue"]
        )
        oldest = GaugeMetricFamily(
            "wowdesk_queue_oldest_wait_seconds",
            "Longest wait in each queue",
            labels=["queue"],
        )
        for q in queues:
            length.add_metric([q.queue or "general"], q.waiting)
            oldest.add_metric([q.queue or "general"], q.oldest_wait_seconds)
        statuses = GaugeMetricFamily("wowdesk_operators", "Operators by status", labels=["status"])
        counts: dict[str, int] = {}
        for p in people:
            counts[p.status] = counts.get(p.status, 0) + 1
        for status, count in sorted(counts.items()):
            statuses.add_metric([status], count)
        pending = GaugeMetricFamily(
            "wowdesk_bot_backlog", "Customer messages waiting for the bot's turn"
        )
        pending.add_metric([], backlog)
        sl = GaugeMetricFamily(
            "wowdesk_service_level_15m",
            "Share answered within WOWDESK_SERVICE_LEVEL_SECONDS, last 15 minutes "
            "(NaN when nothing was offered)",
        )
        sl.add_metric([], float("nan") if level is None else level)
        return [length, oldest, statuses, pending, sl]


class _LiveCollector:
    def __init__(self, live_state: LiveState) -> None:
        self.live_state = live_state

    def collect(self) -> Iterable[GaugeMetricFamily]:
        try:
            return self.live_state.collect()
        except Exception:  # the process's own series still go out when the database is down
            log.exception("metrics from the database not collected")
            return []


def _allowed(request: Request) -> None:
    token = request.app.state.settings.metrics_token
    if token:
        sent = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if not sent or not same(sent, token):
            raise Forbidden("Metrics need the metrics token", code="metrics_forbidden")
        return
    host = request.client.host if request.client else ""
    if not LOOPBACK.match(host):
        raise Forbidden(
            "Metrics are served to the loopback interface only; set WOWDESK_METRICS_TOKEN",
            code="metrics_forbidden",
        )


@router.get("/metrics")
def metrics(request: Request) -> Response:
    """Prometheus text format: this process's series (all processes' in multi-process
    mode) and the live state read from the database."""
    _allowed(request)
    registry = CollectorRegistry()
    if telemetry.multiprocess():
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry = REGISTRY
    state = request.app.state
    live_registry = CollectorRegistry()
    live_registry.register(
        _LiveCollector(LiveState(state.sessionmaker, state.settings.service_level_seconds))
    )
    output = generate_latest(registry) + generate_latest(live_registry)
    return Response(output, media_type=CONTENT_TYPE_LATEST)


# /metrics checks its token or the loopback interface itself
routes = Routes(public=(router,))
