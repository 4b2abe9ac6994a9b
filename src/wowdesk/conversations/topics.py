"""Topics: what conversations are about, chosen at wrap-up and used by reports and the bot."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from wowdesk.conversations.models import Topic
from wowdesk.errors import Conflict, Invalid, NotFound


def list_topics(db: Session, active_only: bool = False) -> list[Topic]:
    stmt = select(Topic).order_by(Topic.name)
    if active_only:
        stmt = stmt.where(Topic.is_active.is_(True))
    return list(db.scalars(stmt))


def get_topic(db: Session, topic_id: int) -> Topic:
    topic = db.get(Topic, topic_id)
    if topic is None:
        raise NotFound("Topic not found")
    return topic


def do_create_topic(db: Session, name: str) -> Topic:
    name = name.strip()
    if not name:
        raise Invalid("Name must not be empty")
    if db.scalar(select(Topic.id).where(Topic.name == name)) is not None:
        raise Conflict("Topic {name} already exists", name=name)
    topic = Topic(name=name)
    db.add(topic)
    db.flush()
    return topic


def do_set_topic_active(db: Session, topic: Topic, active: bool) -> Topic:
    topic.is_active = active
    db.flush()
    return topic


def find_topic(db: Session, name: str) -> Topic | None:
    """By name, ignoring case and surrounding spaces: how other systems spell a topic."""
    wanted = name.strip().casefold()
    if not wanted:
        return None
    return next((t for t in list_topics(db) if t.name.casefold() == wanted), None)
