"""Training's reactions to the lower layers' events, beside the app: an incident fixed or a
published article or reply template rewritten becomes a micro-lesson (`micro.py`).

In every process, in both modes: each hears every event (Redis fans them out) and the
lessons are unique per incident and per article version, so a second process's copy only
finds the lesson made; a losing insert race is logged and dropped. The sweep catches
incidents whose event was missed."""

from __future__ import annotations

import asyncio
import functools
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from wowdesk import events
from wowdesk.assist.schemas import TemplateChanged
from wowdesk.assist.service import TEMPLATES_CHANNEL
from wowdesk.db import run_unit
from wowdesk.kb.schemas import ArticleChanged
from wowdesk.kb.service import KB_CHANNEL
from wowdesk.quality.schemas import IncidentChanged
from wowdesk.training import micro, motivation

log = logging.getLogger(__name__)

SWEEP_EVERY_SECONDS = 300.0
POINTS_EVERY_SECONDS = 900.0
FIRST_SWEEP_SECONDS = 60.0


def unit_for(payload: dict[str, Any]) -> functools.partial[Any] | None:
    """The database work an event asks for, or None when it asks for none."""
    event = events.parse(payload)
    if isinstance(event, IncidentChanged) and event.status in micro.DONE_STATUSES:
        return functools.partial(_incident, incident_id=event.id)
    if isinstance(event, ArticleChanged) and event.op in ("updated", "published"):
        return functools.partial(_article, article_id=event.id)
    if isinstance(event, TemplateChanged):
        return functools.partial(_template, template_id=event.id, previous=event.previous)
    return None


def _incident(db: Session, incident_id: int) -> None:
    micro.do_lesson_for_incident(db, incident_id)


def _article(db: Session, article_id: int) -> None:
    micro.do_lesson_for_article(db, article_id)


def _template(db: Session, template_id: int, previous: str) -> None:
    micro.do_lesson_for_template(db, template_id, previous)


async def run(
    bus: events.LocalBus, factory: sessionmaker[Session], executor: ThreadPoolExecutor | None
) -> None:
    sub = bus.subscribe()
    sub.listen(events.QUALITY_CHANNEL, KB_CHANNEL, TEMPLATES_CHANNEL)
    try:
        while True:
            unit = unit_for(await sub.queue.get())
            if unit is None:
                continue
            try:
                await run_unit(factory, executor, unit)
            except IntegrityError:  # another process made the same lesson first
                log.info("micro-lesson already made by another process")
            except Exception:  # the sweep tries again
                log.exception("micro-lesson not made")
    finally:
        sub.close()


async def sweep(factory: sessionmaker[Session], executor: ThreadPoolExecutor | None) -> None:
    """Missed micro-lessons, and the points and contests (idempotent: every entry names its
    outcome once, so processes running it at once add nothing twice)."""
    since_points = POINTS_EVERY_SECONDS
    await asyncio.sleep(FIRST_SWEEP_SECONDS)  # not in the start-up rush
    while True:
        try:
            await run_unit(factory, executor, micro.do_sweep)
            if since_points >= POINTS_EVERY_SECONDS:
                since_points = 0.0
                await run_unit(factory, executor, motivation.do_refresh_all)
        except Exception:
            log.exception("the training sweep failed")
        await asyncio.sleep(SWEEP_EVERY_SECONDS)
        since_points += SWEEP_EVERY_SECONDS


def start(
    bus: events.LocalBus, factory: sessionmaker[Session], executor: ThreadPoolExecutor | None
) -> list[asyncio.Task[None]]:
    return [
        asyncio.create_task(run(bus, factory, executor), name="wowdesk-training-events"),
        asyncio.create_task(sweep(factory, executor), name="wowdesk-training-sweep"),
    ]
