"""Safety tables: what supervisors decide about the bot and what is audited about it."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from wowdesk.db import Base, UtcDateTime, utcnow

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


class RegressionCase(Base):
    """A question the bot once answered wrongly or unsafely, replayed before it comes back.

    `article_version` is the version of the article the bad answer came from: an answer from
    the same article at the same version is the same mistake."""

    __tablename__ = "bot_regression_case"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question: Mapped[str] = mapped_column(Text)
    topic: Mapped[str] = mapped_column(String(100), default="")
    channel: Mapped[str] = mapped_column(String(32), default="web")
    bad_answer: Mapped[str] = mapped_column(Text, default="")
    article_id: Mapped[int | None] = mapped_column(Integer)
    article_version: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="")
    must_contain: Mapped[list[Any]] = mapped_column(JSON, default=list)
    must_not_contain: Mapped[list[Any]] = mapped_column(JSON, default=list)
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversation.id", ondelete="SET NULL")
    )
    message_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
