from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wowdesk.db import Base, UtcDateTime, utcnow


class MailState(enum.StrEnum):
    pending = "pending"
    sent = "sent"
    failed = "failed"  # gave up after MAX_ATTEMPTS; a supervisor sees it on the board


class OutgoingMail(Base):
    """The outbox: a mail is written here in the transaction that decided to send it and
    sent afterwards, so a crash or an SMTP outage delays it but never loses it. `key` names
    what the mail carries (one operator message), so collecting it twice stores it once."""

    __tablename__ = "outgoing_mail"
    __table_args__ = (
        CheckConstraint("state IN ('pending', 'sent', 'failed')", name="mail_state"),
        Index("ix_outgoing_mail_due", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversation.id", ondelete="SET NULL"), index=True
    )
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default=MailState.pending)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class CallRecord(Base):
    """A phone call imported from a telephony or speech-recognition system. `call_id` is
    that system's id: importing the same call again finds this row instead of a second
    conversation. The timestamps are the telephony system's; the conversation holds them
    too, where the KPIs read them."""

    __tablename__ = "call_record"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[str] = mapped_column(String(100), unique=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), unique=True
    )
    caller: Mapped[str] = mapped_column(String(32))
    operator_login: Mapped[str] = mapped_column(String(100), default="")
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime] = mapped_column(UtcDateTime)
    acw_ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    recording_url: Mapped[str] = mapped_column(String(1000), default="")
    # lines of the customer reading out identification data, masked whole
    identification_lines: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = mapped_column(String(16), default="api")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
