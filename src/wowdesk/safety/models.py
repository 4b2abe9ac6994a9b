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


class BroadcastLevel(enum.StrEnum):
    info = "info"
    warning = "warning"
    critical = "critical"
    # a recognition (a confirmed WOW dialogue), not a warning
    positive = "positive"


class Broadcast(Base):
    """A warning to every operator or to one team. Who it was for is fixed when it is sent
    (`broadcast_recipient`), so people who join the team later do not change the picture of
    who has read it."""

    __tablename__ = "broadcast"
    __table_args__ = (
        CheckConstraint(
            "level IN ('info', 'warning', 'critical', 'positive')", name="broadcast_level"
        ),
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
