"""Quality tables: flags on bot answers, the incidents they make, their reports, and the regression
cases replayed before the bot comes back."""

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


# --- incidents: operators flag wrong bot answers, flags group into incidents -------------


class FlagReason(enum.StrEnum):
    wrong_fact = "wrong_fact"
    wrong_action = "wrong_action"
    outdated = "outdated"
    other = "other"


class IncidentStatus(enum.StrEnum):
    open = "open"
    sent = "sent"  # the report reached technical support
    fixed = "fixed"
    verified = "verified"  # final: a later flag starts a new incident


class Incident(Base):
    """Flags about one article (or topic) close in time: one problem of the bot, tracked from
    the first flag to a verified fix. `began_at`/`last_flag_at` follow its flags."""

    __tablename__ = "incident"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'sent', 'fixed', 'verified')", name="status"),
        Index("ix_incident_status_last_flag", "status", "last_flag_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    topic: Mapped[str] = mapped_column(String(100), default="")
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("kb_article.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default=IncidentStatus.open)
    began_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_flag_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_by_hand: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Flag(Base):
    """One operator's «неверно» on one bot answer, with copies of what the bot said, from
    which sources and to which question: the evidence stays if the article changes."""

    __tablename__ = "incident_flag"
    __table_args__ = (
        UniqueConstraint("flagged_by", "message_id", name="uq_incident_flag_user_message"),
        CheckConstraint(
            "reason IN ('wrong_fact', 'wrong_action', 'outdated', 'other')", name="reason"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("message.id", ondelete="CASCADE"), index=True
    )
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), index=True
    )
    flagged_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(Text, default="")
    # a random file name under <var dir>/screenshots, never the client's name
    screenshot_name: Mapped[str] = mapped_column(String(64), default="")
    screenshot_type: Mapped[str] = mapped_column(String(32), default="")
    screenshot_bytes: Mapped[int] = mapped_column(Integer, default=0)
    answer_text: Mapped[str] = mapped_column(Text)
    answer_masked: Mapped[str] = mapped_column(Text)
    question_masked: Mapped[str] = mapped_column(Text, default="")
    sources: Mapped[list[Any]] = mapped_column(JSON, default=list)
    article_id: Mapped[int | None] = mapped_column(Integer)
    topic: Mapped[str] = mapped_column(String(100), default="")
    channel: Mapped[str] = mapped_column(String(32), default="")
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class IncidentChange(Base):
    """The incident's audit: created, each status change, each flag moved in or out."""

    __tablename__ = "incident_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(16))  # created | status | flag_moved
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    user_name: Mapped[str] = mapped_column(String(120), default="")
    from_status: Mapped[str] = mapped_column(String(16), default="")
    to_status: Mapped[str] = mapped_column(String(16), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class IncidentDelivery(Base):
    """One attempt to hand the report to technical support by one way (webhook or e-mail)."""

    __tablename__ = "incident_delivery"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(16))  # webhook | email
    target: Mapped[str] = mapped_column(String(500))
    ok: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


# --- broadcasts and raw-text views (part "broadcasts") -----------------------------------
