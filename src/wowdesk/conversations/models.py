from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
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


class Status(enum.StrEnum):
    bot = "bot"
    queued = "queued"
    assigned = "assigned"
    wrapup = "wrapup"
    closed = "closed"


class AuthorKind(enum.StrEnum):
    customer = "customer"
    operator = "operator"
    bot = "bot"
    system = "system"


class Topic(Base):
    __tablename__ = "topic"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Conversation(Base):
    """Holds the timestamps KPIs are derived from; the service sets each as it happens."""

    __tablename__ = "conversation"
    __table_args__ = (
        CheckConstraint(
            "status IN ('bot', 'queued', 'assigned', 'wrapup', 'closed')", name="status"
        ),
        CheckConstraint("csat IS NULL OR (csat BETWEEN 1 AND 5)", name="csat"),
        Index("ix_conversation_status_queued", "status", "queued_at"),
        Index("ix_conversation_operator_status", "operator_id", "status"),
        Index("ix_conversation_created", "created_at"),
        Index("ix_conversation_customer_topic", "customer_id", "topic_id", "created_at"),
        # the operators' assistant reads newly rated conversations every minute
        Index("ix_conversation_csat_at", "csat_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    channel: Mapped[str] = mapped_column(String(32), default="web")
    status: Mapped[str] = mapped_column(String(16), default=Status.queued)
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topic.id", ondelete="SET NULL"))
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(String(200), default="")
    wrapup_note: Mapped[str] = mapped_column(Text, default="")
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    operator_delivered_seq: Mapped[int] = mapped_column(Integer, default=0)
    customer_delivered_seq: Mapped[int] = mapped_column(Integer, default=0)
    csat: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_message_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    first_bot_reply_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    handed_off_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    queued_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    assigned_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    first_human_reply_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    wrapup_done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    csat_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # passed from one operator to another (directly or through a queue): the transfer rate
    transfer_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Message(Base):
    __tablename__ = "message"
    __table_args__ = (
        UniqueConstraint("conversation_id", "seq", name="uq_message_conv_seq"),
        UniqueConstraint("conversation_id", "client_id", name="uq_message_conv_client"),
        CheckConstraint(
            "author_kind IN ('customer', 'operator', 'bot', 'system')", name="author_kind"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    client_id: Mapped[str] = mapped_column(String(64))
    author_kind: Mapped[str] = mapped_column(String(16))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    masked_text: Mapped[str] = mapped_column(Text)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


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
    # threading: an answer in an e-mail conversation refers to the customer's mails
    message_id: Mapped[str] = mapped_column(String(300), default="", server_default="")
    in_reply_to: Mapped[str] = mapped_column(String(300), default="", server_default="")
    references: Mapped[str] = mapped_column(Text, default="", server_default="")
    state: Mapped[str] = mapped_column(String(16), default=MailState.pending)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Note(Base):
    """An internal note on a conversation, never shown to the customer. `@login` mentions
    ask a colleague or a supervisor for help without transferring: they see it live and
    answer in the same thread (the conversation's notes in order)."""

    __tablename__ = "conversation_note"
    __table_args__ = (Index("ix_conversation_note_conv", "conversation_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    mentions: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class FollowUp(Base):
    """An operator's bookmark on a conversation with a reminder («узнать, чем закончилась
    история»): it comes back in their console at `due_at` until marked done."""

    __tablename__ = "conversation_follow_up"
    __table_args__ = (Index("ix_follow_up_user_due", "user_id", "done_at", "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
