"""Typed request dependencies: one database session per request, committed after the route."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from wowdesk.config import Settings
from wowdesk.events import LocalBus


def _db(request: Request) -> Iterator[Session]:
    session: Session = request.app.state.sessionmaker()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _bus(request: Request) -> LocalBus:
    bus: LocalBus = request.app.state.bus
    return bus


DbSession = Annotated[Session, Depends(_db)]
AppSettings = Annotated[Settings, Depends(_settings)]
Bus = Annotated[LocalBus, Depends(_bus)]
