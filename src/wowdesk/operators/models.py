from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
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


class Role(enum.StrEnum):
    operator = "operator"
    supervisor = "supervisor"
    admin = "admin"


ROLE_RANK = {Role.operator: 1, Role.supervisor: 2, Role.admin: 3}


class Team(Base):
    __tablename__ = "team"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class User(Base):
    __tablename__ = "app_user"
    __table_args__ = (CheckConstraint("role IN ('operator', 'supervisor', 'admin')", name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"))
    password_hash: Mapped[str] = mapped_column(String(256))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # "m" or "f" for Russian grammar in system lines; empty: inferred from the first name
    gender: Mapped[str | None] = mapped_column(String(1))


class LoginSession(Base):
    """Server-side sessions: the cookie holds a random token, the table only its hash."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


class LoginThrottle(Base):
    """Failed logins per account and per address: after a few, each next try waits twice as
    long (`operators.throttle`). Shared by every app process through the database."""

    __tablename__ = "login_throttle"
    __table_args__ = (UniqueConstraint("kind", "key", name="uq_login_throttle_kind_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # account | address
    key: Mapped[str] = mapped_column(String(128))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_failure_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class LoginEvent(Base):
    """The audit of logins that went wrong: failures, lockouts, refusals while locked and
    unlocks by an admin."""

    __tablename__ = "login_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # failed | locked | refused | unlocked
    username: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64), default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)


class OperatorStatus(enum.StrEnum):
    online = "online"
    on_break = "break"
    training = "training"
    offline = "offline"


class SkillKind(enum.StrEnum):
    topic = "topic"
    channel = "channel"
    language = "language"


class OperatorState(Base):
    """Where an operator is now: routing reads it, and locks it while it assigns work, so
    two processes can never push one operator past their capacity."""

    __tablename__ = "operator_state"
    __table_args__ = (
        CheckConstraint(
            "status IN ('online', 'break', 'training', 'offline')", name="operator_status"
        ),
        CheckConstraint("capacity BETWEEN 1 AND 50", name="capacity"),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(String(16), default=OperatorStatus.offline)
    status_since: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    capacity: Mapped[int] = mapped_column(Integer, default=3)
    last_assigned_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_released_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # refreshed by the console's socket; a stale value means the session died
    last_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # the console's socket closed: no new conversations until a console writes again (a
    # reload reconnects at once; conversations already held wait out the grace as before)
    console_left_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # the conversation the operator's console shows (the last opened, in any tab): its
    # suggestions are computed as the customer writes, the others' when they are opened
    watching_conversation_id: Mapped[int | None] = mapped_column(Integer)


class StatusChange(Base):
    """Append-only history of statuses: punctuality and occupancy are computed from it."""

    __tablename__ = "operator_status_change"
    __table_args__ = (Index("ix_status_change_user_started", "user_id", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(32), default="manual")
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Skill(Base):
    __tablename__ = "operator_skill"
    __table_args__ = (
        UniqueConstraint("user_id", "kind", "value", name="uq_operator_skill"),
        CheckConstraint("kind IN ('topic', 'channel', 'language')", name="skill_kind"),
        CheckConstraint("level BETWEEN 1 AND 5", name="skill_level"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(100))
    level: Mapped[int] = mapped_column(Integer, default=3)


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


class Shift(Base):
    """A planned stretch of work: what schedule adherence compares the status history with,
    and what the schedule page counts as planned agents per half hour."""

    __tablename__ = "workforce_shift"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="shift_order"),
        Index("ix_workforce_shift_starts", "starts_at"),
        Index("ix_workforce_shift_user_starts", "user_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
