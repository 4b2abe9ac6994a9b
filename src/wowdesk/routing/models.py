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
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from wowdesk.db import Base, UtcDateTime, utcnow


class TicketState(enum.StrEnum):
    waiting = "waiting"  # in a live queue
    assigned = "assigned"  # with an operator
    email = "email"  # the customer left a message and waits for an e-mail answer
    callback = "callback"  # the customer asked to be called back at a chosen time
    left = "left"  # out of the queues: back with the bot, or closed


class Ticket(Base):
    """A conversation's place in the queues; one per conversation, kept when it is assigned
    so that a return to the queue keeps its history (requeues, notes, escalation)."""

    __tablename__ = "routing_ticket"
    __table_args__ = (
        CheckConstraint(
            "state IN ('waiting', 'assigned', 'email', 'callback', 'left')", name="ticket_state"
        ),
        Index("ix_routing_ticket_state_priority", "state", "priority_at"),
        # every routing pass looks for conversations answered by e-mail: a handful among
        # all tickets ever made, found through this partial index instead of a table scan
        Index(
            "ix_routing_ticket_mailing",
            "conversation_id",
            sqlite_where=text("mail_to <> ''"),
            postgresql_where=text("mail_to <> ''"),
        ),
    )

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), primary_key=True
    )
    # the skill the queue is for: a topic name, "" for the general queue
    queue: Mapped[str] = mapped_column(String(100), default="")
    channel: Mapped[str] = mapped_column(String(32), default="web")
    language: Mapped[str] = mapped_column(String(8), default="ru")
    tier: Mapped[int] = mapped_column(Integer, default=0)
    risk: Mapped[list[Any]] = mapped_column(JSON, default=list)
    state: Mapped[str] = mapped_column(String(16), default=TicketState.waiting)
    # the order of the queue: the time it entered, moved earlier by tier, risk and returns
    priority_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    waiting_since: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    offered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    requeues: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # answers go by e-mail to this address (the customer left a message); "" when done
    mail_to: Mapped[str] = mapped_column(String(320), default="", server_default="")
    # the conversation's messages up to this seq have been looked at for mailing
    mailed_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # what the customer was last told, so an unchanged estimate is not sent again
    told_position: Mapped[int | None] = mapped_column(Integer)
    told_wait_seconds: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
