"""The process's own Prometheus instruments (the official `prometheus-client`).

Several app processes (`wowdesk serve --workers N`, or N services behind nginx) each count
their own requests; in multi-process mode (`PROMETHEUS_MULTIPROC_DIR`, set before the
process starts: the client reads it once, at import) every process writes its values to
files there and any process's `/metrics` adds them up. Gauges of live things (open
WebSockets, pooled connections in use) count only processes still alive (`livesum`).

What is read from the database at scrape time (queues, operators, the bot's backlog, the
service level) is not here: see `web/observability.py`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from prometheus_client import Counter, Gauge, Histogram
from sqlalchemy import Engine, event

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

HTTP_LATENCY = Histogram(
    "wowdesk_http_request_duration_seconds",
    "HTTP request latency by route template, method and status code",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
WEBSOCKETS = Gauge(
    "wowdesk_websocket_connections",
    "Open WebSocket connections by kind (chat, console)",
    ["kind"],
    multiprocess_mode="livesum",
)
MESSAGES = Counter(
    "wowdesk_messages",
    "Messages stored, by author kind (rate() gives messages per second)",
    ["author_kind"],
)
BOT_TURNS = Counter(
    "wowdesk_bot_turns",
    "Bot turns by outcome: answered, handed_off, rejected_ungrounded",
    ["outcome"],
)
LLM_LATENCY = Histogram(
    "wowdesk_llm_request_duration_seconds",
    "Latency of calls to the LLM endpoint",
    buckets=(0.25, 0.5, 1, 2, 4, 8, 15, 30, 60),
)
LLM_ERRORS = Counter("wowdesk_llm_errors", "LLM calls that failed (timeout, HTTP error, bad reply)")
DB_POOL_IN_USE = Gauge(
    "wowdesk_db_pool_connections_in_use",
    "Database connections checked out of the pools",
    multiprocess_mode="livesum",
)
DB_POOL_SIZE = Gauge(
    "wowdesk_db_pool_size",
    "Database connections the pools may hold (size + overflow)",
    multiprocess_mode="livesum",
)


def multiprocess() -> bool:
    return bool(os.environ.get(MULTIPROC_ENV))


def instrument_engine(engine: Engine, capacity: int) -> None:
    """Connections in use follow the pool's own checkout and checkin events."""
    DB_POOL_SIZE.inc(capacity)

    def checkout(*_args: Any) -> None:
        DB_POOL_IN_USE.inc()

    def checkin(*_args: Any) -> None:
        DB_POOL_IN_USE.dec()

    event.listen(engine, "checkout", checkout)
    event.listen(engine, "checkin", checkin)


@contextmanager
def llm_call() -> Iterator[None]:
    """Times an LLM call and counts it as an error when it raises."""
    start = time.perf_counter()
    try:
        yield
    except Exception:
        LLM_ERRORS.inc()
        raise
    finally:
        LLM_LATENCY.observe(time.perf_counter() - start)


def prepare_multiprocess(folder: Path) -> None:
    """`wowdesk serve --workers N`: the workers (fresh interpreters) share this folder for
    their metrics, emptied first so a previous run's dead processes are not counted. An
    operator's own PROMETHEUS_MULTIPROC_DIR wins (several services behind nginx share one)."""
    if multiprocess():
        return
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.db"):
        old.unlink()
    os.environ[MULTIPROC_ENV] = str(folder.resolve())


def process_exit() -> None:
    """A stopped process's live gauges stop counting (multi-process mode)."""
    if multiprocess():
        from prometheus_client import multiprocess as mp

        mp.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]
