"""Typed request dependencies: one database session per request, committed after the route."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import Annotated

import anyio.to_thread
from anyio import CapacityLimiter
from fastapi import Depends, Request
from pydantic import BeforeValidator
from sqlalchemy.orm import Session

from wowdesk.config import Settings
from wowdesk.events import LocalBus


async def _db(request: Request) -> AsyncIterator[Session]:
    """A request's session lives across several thread hops (the auth check, the route, the
    commit). Between hops it may hold a pooled connection while it waits for a thread; if
    every thread were meanwhile waiting for a connection, nothing could move until the pool
    timed out (seen under load as 30 s stalls). Fewer requests than pooled connections are
    let in at once, so a waiting thread always has a running one ahead of it."""
    gate: asyncio.Semaphore = request.app.state.db_admission
    async with gate:
        session: Session = request.app.state.sessionmaker()
        # the commit must not queue for a thread behind requests that wait for this
        # connection: it gets a limiter of its own, as FastAPI does for sync exits
        own = CapacityLimiter(1)
        try:
            yield session
            await anyio.to_thread.run_sync(session.commit, limiter=own)
        except BaseException:
            await anyio.to_thread.run_sync(session.rollback, limiter=own)
            raise
        finally:
            await anyio.to_thread.run_sync(session.close, limiter=own)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _bus(request: Request) -> LocalBus:
    bus: LocalBus = request.app.state.bus
    return bus


# "function": the transaction commits before the response leaves. FastAPI's default ends a
# yield dependency after the response is sent, so a client could hear "stored" about a
# write that a crash or a failed commit then lost (the reliability test caught exactly that).
DbSession = Annotated[Session, Depends(_db, scope="function")]
AppSettings = Annotated[Settings, Depends(_settings)]
Bus = Annotated[LocalBus, Depends(_bus)]


def _iso_date(value: object) -> object:
    """A date in a query is YYYY-MM-DD: pydantic alone would read `0` as 1970-01-01."""
    if not isinstance(value, str | date) or (
        isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)
    ):
        raise ValueError("expected a date as YYYY-MM-DD")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date)]


def _iso_datetime(value: object) -> object:
    """A moment in a query is ISO 8601: pydantic alone would read `0.5` as a Unix time."""
    if isinstance(value, str) and not re.match(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("expected a date and time as ISO 8601")
    return value


IsoDateTime = Annotated[datetime, BeforeValidator(_iso_datetime)]


def csrf_token_of(request: Request) -> str:
    """The logged-in session's CSRF token, put on the request by the role guard."""
    token: str = getattr(request.state, "csrf_token", "")
    return token
