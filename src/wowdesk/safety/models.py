"""Safety tables: what supervisors decide about the bot and what is audited about it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from wowdesk.db import Base, UtcDateTime, utcnow

# --- guards: secrets and verification (migration 0011) -----------------------------------


class GuardEvent(Base):
    """What the secrets guards did, for the audit: an operator who sent a request for a
    secret anyway, a customer's secrets hidden (and the notice sent), a bot answer stopped.
    Never holds the secret itself, only its kind."""

    __tablename__ = "safety_guard_event"
    __table_args__ = (Index("ix_safety_guard_event_conv_kind", "conversation_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE")
    )
    message_id: Mapped[int | None] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)


class VerificationCode(Base):
    """A confirmation sent through the customer's registered channel, so a customer who
    doubts the chat can check it is really us: who sent it, where, and the code to say."""

    __tablename__ = "safety_verification"
    __table_args__ = (Index("ix_safety_verification_conv_time", "conversation_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(320))  # masked: the outbox has the real one
    code: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
