from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from wowdesk.db import Base, UtcDateTime, utcnow


class Category(enum.StrEnum):
    greeting = "greeting"
    clarification = "clarification"
    empathy = "empathy"
    transfer = "transfer"
    closing = "closing"
    objection = "objection"
    other = "other"


class Outcome(enum.StrEnum):
    used = "used"  # sent exactly as suggested
    edited = "edited"  # sent after the operator changed it
    ignored = "ignored"  # suggestions were there, the operator wrote something else


class Template(Base):
    """A scripted reply a supervisor maintains; `{customer.first_name}`-style placeholders
    are filled per conversation, and the ones that cannot be filled stay visible."""

    __tablename__ = "assist_template"
    __table_args__ = (
        CheckConstraint(
            "category IN ('greeting', 'clarification', 'empathy', 'transfer', 'closing', "
            "'objection', 'other')",
            name="category",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(32), default=Category.other)
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8), default="ru")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class SuggestionLog(Base):
    """The suggestions offered for one customer message and what the operator did with them:
    the signal for improving suggestions later."""

    __tablename__ = "assist_suggestion_log"
    __table_args__ = (
        UniqueConstraint("conversation_id", "message_id", name="uq_assist_log_message"),
        CheckConstraint(
            "outcome IS NULL OR outcome IN ('used', 'edited', 'ignored')", name="outcome"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # found by (conversation, message): the unique constraint's index serves both
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"))
    # the customer message the suggestions answer
    message_id: Mapped[int] = mapped_column(Integer)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    # [{rank, source, ref, title, text, missing, why, score}]
    suggestions: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # the customer's words the knowledge base was searched with (masked): a knowledge-base
    # suggestion the operator sends is a verdict on that search (`kb.verdicts`)
    query: Mapped[str | None] = mapped_column(Text)
    # what the operator put in the reply box: {source, ref, title, text, rank}
    chosen: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    outcome: Mapped[str | None] = mapped_column(String(16))
    # how close the sent reply is to the chosen suggestion (1.0 = unchanged)
    similarity: Mapped[float | None] = mapped_column(Float)
    sent_message_id: Mapped[int | None] = mapped_column(Integer)
    sent_text: Mapped[str | None] = mapped_column(Text)  # masked
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
