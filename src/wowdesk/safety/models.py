"""Safety tables: what supervisors decide about the bot and what is audited about it."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from wowdesk.db import Base, UtcDateTime, utcnow

# --- broadcasts and raw-text views (part "broadcasts") -----------------------------------


class BroadcastLevel(enum.StrEnum):
    info = "info"
    warning = "warning"
    critical = "critical"


class Broadcast(Base):
    """A warning to every operator or to one team. Who it was for is fixed when it is sent
    (`broadcast_recipient`), so people who join the team later do not change the picture of
    who has read it."""

    __tablename__ = "broadcast"
    __table_args__ = (
        CheckConstraint("level IN ('info', 'warning', 'critical')", name="broadcast_level"),
        Index("ix_broadcast_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    level: Mapped[str] = mapped_column(String(16), default=BroadcastLevel.warning)
    # None: every operator and supervisor
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"))
    # None: sent by the system (an incident)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    # the incidents table belongs to the incidents part: a plain number, no foreign key
    incident_id: Mapped[int | None] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class BroadcastRecipient(Base):
    """One row per person the broadcast was sent to; `acknowledged_at` is their «Ознакомлен»."""

    __tablename__ = "broadcast_recipient"
    __table_args__ = (Index("ix_broadcast_recipient_user", "user_id", "acknowledged_at"),)

    broadcast_id: Mapped[int] = mapped_column(
        ForeignKey("broadcast.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class RawTextView(Base):
    """Audit: somebody looked at a message's raw text outside the conversation they serve.
    Message and conversation are plain numbers so the audit outlives deleted conversations,
    and the viewer's login is copied for the same reason."""

    __tablename__ = "raw_text_view"
    __table_args__ = (Index("ix_raw_text_view_created", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL"), index=True
    )
    username: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    message_id: Mapped[int] = mapped_column(Integer, index=True)
    conversation_id: Mapped[int] = mapped_column(Integer, index=True)
    # the screen it was asked from (console, bot, api) and the viewer's stated reason
    place: Mapped[str] = mapped_column(String(40), default="api")
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
