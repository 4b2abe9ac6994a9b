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
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
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


# --- manual mode (the bot's kill switch) and regression cases --------------------------

# where the bot can be off: everywhere (value ""), one topic, one channel
SCOPE_KINDS = ("global", "topic", "channel")


class RequestStatus(enum.StrEnum):
    pending = "pending"
    approved = "approved"
    declined = "declined"


class BotSwitch(Base):
    """Whether the bot is off for one scope: the whole line (value ""), a topic or a channel.

    One row per scope, updated in place; the history lives in `BotSwitchChange`. The bot reads
    it on every turn, so the index on (is_off, kind, value) keeps that one query cheap
    however many scopes were ever switched."""

    __tablename__ = "bot_switch"
    __table_args__ = (
        UniqueConstraint("scope_kind", "scope_value", name="uq_bot_switch_scope"),
        CheckConstraint("scope_kind IN ('global', 'topic', 'channel')", name="scope_kind"),
        Index("ix_bot_switch_off", "is_off", "scope_kind", "scope_value"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope_kind: Mapped[str] = mapped_column(String(16))
    scope_value: Mapped[str] = mapped_column(String(100), default="")
    is_off: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(Text, default="")
    changed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class BotSwitchChange(Base):
    """The append-only audit of the switch: who turned what off or on, when, why, who approved
    it, whether failing regression cases were overridden, and the report at re-enable."""

    __tablename__ = "bot_switch_change"
    __table_args__ = (
        CheckConstraint("scope_kind IN ('global', 'topic', 'channel')", name="scope_kind"),
        CheckConstraint("action IN ('off', 'on')", name="action"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope_kind: Mapped[str] = mapped_column(String(16))
    scope_value: Mapped[str] = mapped_column(String(100), default="")
    action: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(Text, default="")
    changed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    changed_by_name: Mapped[str] = mapped_column(String(120), default="")
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    approved_by_name: Mapped[str] = mapped_column(String(120), default="")
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("bot_switch_request.id", ondelete="SET NULL")
    )
    override: Mapped[bool] = mapped_column(Boolean, default=False)
    # at re-enable: {"cases", "passed", "failed", "failed_ids"}; at switch-off: {}
    regression: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    handed_over: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)


class BotSwitchRequest(Base):
    """An operator asks for manual mode; a supervisor approves (the switch goes off) or not."""

    __tablename__ = "bot_switch_request"
    __table_args__ = (
        CheckConstraint("scope_kind IN ('global', 'topic', 'channel')", name="scope_kind"),
        CheckConstraint("status IN ('pending', 'approved', 'declined')", name="status"),
        Index("ix_bot_switch_request_status", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope_kind: Mapped[str] = mapped_column(String(16))
    scope_value: Mapped[str] = mapped_column(String(100), default="")
    reason: Mapped[str] = mapped_column(Text)
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversation.id", ondelete="SET NULL")
    )
    requested_by: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default=RequestStatus.pending)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decision_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
