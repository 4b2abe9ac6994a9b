"""Weak spots of the customer journey: topics where handoffs, repeats, low QA and low
CSAT come together, each with example conversations.

Read from the scores table (one row per scored conversation carries the topic, the total,
the "had to repeat" flag) joined with the conversations for handoffs and ratings; one
grouped query per period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from wowdesk.conversations import topics
from wowdesk.conversations.models import Conversation
from wowdesk.quality.models import Score, ScoreSource

MIN_CONVERSATIONS = 3


@dataclass(frozen=True)
class WeakSpot:
    topic_id: int | None
    topic: str
    conversations: int
    handoff_rate: float
    repeat_rate: float
    low_qa_rate: float
    low_csat_rate: float
    weakness: float  # the four rates together, 0–4
    examples: list[int]


def weak_spots(db: Session, since: datetime, limit: int = 20) -> list[WeakSpot]:
    low_qa = case((Score.total < 70, 1), else_=0)
    low_csat = case((Conversation.csat <= 2, 1), else_=0)
    handed = case((Conversation.handed_off_at.is_not(None), 1), else_=0)
    repeat = case((Score.repeat.is_(True), 1), else_=0)
    rows = db.execute(
        select(
            Score.topic_id,
            func.count(),
            func.sum(handed),
            func.sum(repeat),
            func.sum(low_qa),
            func.sum(low_csat),
            func.count(Conversation.csat),
        )
        .join(Conversation, Conversation.id == Score.conversation_id)
        .where(Score.source == ScoreSource.auto, Score.closed_at >= since)
        .group_by(Score.topic_id)
    ).all()
    names = {t.id: t.name for t in topics.list_topics(db)}
    spots = []
    for topic_id, n, h, r, q, c, rated in rows:
        if n < MIN_CONVERSATIONS:
            continue
        rates = (h / n, r / n, q / n, (c / rated) if rated else 0.0)
        spots.append(
            WeakSpot(
                topic_id=topic_id,
                topic=names.get(topic_id, "") if topic_id else "",
                conversations=n,
                handoff_rate=round(rates[0], 3),
                repeat_rate=round(rates[1], 3),
                low_qa_rate=round(rates[2], 3),
                low_csat_rate=round(rates[3], 3),
                weakness=round(sum(rates), 3),
                examples=[],
            )
        )
    spots.sort(key=lambda s: -s.weakness)
    spots = spots[:limit]
    return [WeakSpot(**{**s.__dict__, "examples": _examples(db, s.topic_id, since)}) for s in spots]


def _examples(db: Session, topic_id: int | None, since: datetime) -> list[int]:
    topic = Score.topic_id == topic_id if topic_id is not None else Score.topic_id.is_(None)
    return list(
        db.scalars(
            select(Score.conversation_id)
            .where(Score.source == ScoreSource.auto, Score.closed_at >= since, topic)
            .order_by(Score.total, Score.id)
            .limit(5)
        )
    )
