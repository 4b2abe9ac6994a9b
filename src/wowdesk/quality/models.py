"""Quality tables: flags on bot answers, the incidents they make, their reports, the regression
cases replayed before the bot comes back; scorecards with versions, scores with their evidence,
the audit of overrides, disputes, calibration, WOW candidates, the case library, proposals and
the drafts mined from knowledge gaps."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
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


# --- scorecards, scores, review, WOW, the case library, proposals, gaps ----------------


class ScorecardKind(enum.StrEnum):
    operator = "operator"
    bot = "bot"


class ScoreSource(enum.StrEnum):
    auto = "auto"
    manual = "manual"


class DisputeStatus(enum.StrEnum):
    open = "open"
    accepted = "accepted"
    rejected = "rejected"


class WowStatus(enum.StrEnum):
    candidate = "candidate"
    confirmed = "confirmed"
    rejected = "rejected"


class ProposalStatus(enum.StrEnum):
    new = "new"
    in_review = "in_review"
    accepted = "accepted"
    rejected = "rejected"


class Scorecard(Base):
    """A named scorecard; its criteria live in versions, so an edit never rewrites what an
    earlier score was measured against."""

    __tablename__ = "qa_scorecard"
    __table_args__ = (CheckConstraint("kind IN ('operator', 'bot')", name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default=ScorecardKind.operator)
    # the scorecard auto-QA uses for its kind of conversation
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ScorecardVersion(Base):
    __tablename__ = "qa_scorecard_version"
    __table_args__ = (UniqueConstraint("scorecard_id", "version", name="uq_qa_scorecard_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("qa_scorecard.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    # {"sections": [{"title", "criteria": [{"key", "title", "weight", "mode", "critical",
    #   "rule"}]}]}
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Score(Base):
    """One scoring of one conversation. The review queue reads this table alone (risk and the
    random sample key are stored), so it stays fast at millions of rows."""

    __tablename__ = "qa_score"
    __table_args__ = (
        CheckConstraint("source IN ('auto', 'manual')", name="source"),
        # one automatic score per conversation, however many processes score at once
        UniqueConstraint("auto_key", name="uq_qa_score_auto_key"),
        Index("ix_qa_score_queue", "source", "reviewed", "risk", "id"),
        Index("ix_qa_score_sample", "source", "reviewed", "sample"),
        Index("ix_qa_score_closed", "closed_at"),
        Index("ix_qa_score_operator", "operator_id", "closed_at"),
        Index("ix_qa_score_conversation", "conversation_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"))
    auto_key: Mapped[int | None] = mapped_column(Integer)  # the conversation id when automatic
    version_id: Mapped[int] = mapped_column(ForeignKey("qa_scorecard_version.id"))
    source: Mapped[str] = mapped_column(String(16), default=ScoreSource.auto)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    operator_id: Mapped[int | None] = mapped_column(Integer)
    topic_id: Mapped[int | None] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(32), default="")
    total: Mapped[float] = mapped_column(Float)
    critical_failed: Mapped[bool] = mapped_column(Boolean, default=False)
    repeat: Mapped[bool] = mapped_column(Boolean, default=False)  # the customer had to repeat
    # [{"key", "title", "value": 1|0|null, "critical", "weight", "evidence": [{seq, phrase}],
    #   "note", "overridden"}]
    results: Mapped[list[Any]] = mapped_column(JSON, default=list)
    risk: Mapped[float] = mapped_column(Float, default=0.0)
    risk_reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    sample: Mapped[float] = mapped_column(Float, default=1.0)
    reviewed: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ScoreChange(Base):
    """The audit of every hand change of a score: an override, a dispute's resolution."""

    __tablename__ = "qa_score_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    score_id: Mapped[int] = mapped_column(ForeignKey("qa_score.id", ondelete="CASCADE"), index=True)
    criterion: Mapped[str] = mapped_column(String(64))
    old_value: Mapped[int | None] = mapped_column(Integer)
    new_value: Mapped[int | None] = mapped_column(Integer)
    old_total: Mapped[float] = mapped_column(Float)
    new_total: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    dispute_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Dispute(Base):
    __tablename__ = "qa_dispute"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'accepted', 'rejected')", name="status"),
        Index("ix_qa_dispute_status", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    score_id: Mapped[int] = mapped_column(ForeignKey("qa_score.id", ondelete="CASCADE"))
    criterion: Mapped[str] = mapped_column(String(64))
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    comment: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=DisputeStatus.open)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    resolution: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Calibration(Base):
    __tablename__ = "qa_calibration"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    version_id: Mapped[int] = mapped_column(ForeignKey("qa_scorecard_version.id"))
    conversation_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    reviewer_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class CalibrationRating(Base):
    """One reviewer's blind scoring of one conversation in a session."""

    __tablename__ = "qa_calibration_rating"
    __table_args__ = (
        UniqueConstraint(
            "calibration_id", "conversation_id", "reviewer_id", name="uq_qa_calibration_rating"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    calibration_id: Mapped[int] = mapped_column(ForeignKey("qa_calibration.id", ondelete="CASCADE"))
    conversation_id: Mapped[int] = mapped_column(Integer)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # criterion -> 1|0|null
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Wow(Base):
    __tablename__ = "qa_wow"
    __table_args__ = (
        CheckConstraint("status IN ('candidate', 'confirmed', 'rejected')", name="status"),
        Index("ix_qa_wow_day", "day", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE"), unique=True
    )
    day: Mapped[date] = mapped_column(Date)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    points: Mapped[float] = mapped_column(Float, default=0.0)
    reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default=WowStatus.candidate)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    case_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class LibraryCase(Base):
    """A masked dialogue in the library: a confirmed WOW, a mentor's pick or an operator's
    own saved non-standard case (with a follow-up: how it ended)."""

    __tablename__ = "qa_case"
    __table_args__ = (
        CheckConstraint("source IN ('wow', 'mentor', 'operator')", name="source"),
        Index("ix_qa_case_owner", "owner_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversation.id", ondelete="SET NULL")
    )
    source: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(300))
    transcript: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [{author, text}] masked
    tags: Mapped[list[Any]] = mapped_column(JSON, default=list)
    profile: Mapped[str] = mapped_column(String(300), default="")
    what_good: Mapped[str] = mapped_column(Text, default="")
    ideal_scenario: Mapped[str] = mapped_column(Text, default="")
    follow_up: Mapped[str] = mapped_column(Text, default="")
    follow_up_due: Mapped[date | None] = mapped_column(Date)
    shared: Mapped[bool] = mapped_column(Boolean, default=True)  # an operator's own: False
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Proposal(Base):
    __tablename__ = "qa_proposal"
    __table_args__ = (
        CheckConstraint("status IN ('new', 'in_review', 'accepted', 'rejected')", name="status"),
        CheckConstraint("target IN ('article', 'template', 'regulation')", name="target"),
        Index("ix_qa_proposal_status", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversation.id", ondelete="SET NULL")
    )
    target: Mapped[str] = mapped_column(String(16))
    target_ref: Mapped[str] = mapped_column(String(300), default="")
    comment: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=ProposalStatus.new)
    proposer_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    decision: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class GapDraft(Base):
    """A knowledge-base draft mined from a cluster of questions the bot passed to people."""

    __tablename__ = "qa_gap_draft"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    signature: Mapped[str] = mapped_column(String(300), unique=True)
    article_id: Mapped[int | None] = mapped_column(ForeignKey("kb_article.id", ondelete="SET NULL"))
    question: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(Integer)
    conversation_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
