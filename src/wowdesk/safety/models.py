"""Safety tables: raw-text views, guard events and verification codes, each an audit of something
sensitive."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from wowdesk.db import Base, UtcDateTime, utcnow


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


# --- guards: secrets and verification (migration 0011) -----------------------------------


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
