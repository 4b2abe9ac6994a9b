from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wowdesk.db import Base, UtcDateTime, utcnow


class BotDecision(Base):
    """Why the bot took or passed a message: kept so a supervisor can see the reasons."""

    __tablename__ = "bot_decision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), index=True
    )
    message_id: Mapped[int] = mapped_column(Integer, unique=True)
    action: Mapped[str] = mapped_column(String(16))  # answer | handoff
    topic: Mapped[str] = mapped_column(String(100), default="")
    topic_confidence: Mapped[float] = mapped_column(Float, default=0.0)
    complexity: Mapped[str] = mapped_column(String(16), default="simple")
    flags: Mapped[list[Any]] = mapped_column(JSON, default=list)
    reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    retrieval_confidence: Mapped[float] = mapped_column(Float, default=0.0)
    article_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class HandoffCard(Base):
    """What the operator reads first, so the customer never has to repeat themselves."""

    __tablename__ = "handoff_card"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), index=True
    )
    summary: Mapped[str] = mapped_column(Text)
    facts: Mapped[list[Any]] = mapped_column(JSON, default=list)
    bot_answers: Mapped[list[Any]] = mapped_column(JSON, default=list)
    reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class RejectedAnswer(Base):
    """A generated answer the grounding check stopped: a caught hallucination, never sent."""

    __tablename__ = "bot_rejected_answer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), index=True
    )
    message_id: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    sources: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class TopicPolicy(Base):
    """Per-topic thresholds a supervisor tunes: how sure the bot must be to answer alone."""

    __tablename__ = "bot_topic_policy"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    topic: Mapped[str] = mapped_column(String(100), unique=True)
    bot_allowed: Mapped[bool] = mapped_column(Boolean, default=True)
    min_topic_confidence: Mapped[float] = mapped_column(Float, default=0.0)
    min_retrieval_confidence: Mapped[float] = mapped_column(Float, default=0.35)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
