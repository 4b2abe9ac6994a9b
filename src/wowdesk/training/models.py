"""Training tables: scenarios and practice attempts, quizzes (the entry test and module
quizzes) and their attempts, tracks of ordered modules, and each operator's progress.

A practice attempt keeps its own transcript here and never creates a `conversation`: a
simulated dialogue cannot reach a real customer, a queue or a KPI."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
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


class Persona(enum.StrEnum):
    calm = "calm"
    angry = "angry"
    suspicious = "suspicious"  # doubts it is really the company
    hard_situation = "hard_situation"
    premium = "premium"


class AttemptStatus(enum.StrEnum):
    open = "open"
    finished = "finished"


class Scenario(Base):
    """A simulated customer: persona, hidden facts, the goal and the ideal path, and the
    scripted beats (each beat: the moves a good operator makes there, with the customer's
    answer to each, and the customer's answer when no move is recognised)."""

    __tablename__ = "training_scenario"
    __table_args__ = (
        CheckConstraint(
            "persona IN ('calm', 'angry', 'suspicious', 'hard_situation', 'premium')",
            name="persona",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    persona: Mapped[str] = mapped_column(String(32))
    brief: Mapped[str] = mapped_column(Text, default="")  # what the trainee is told
    hidden_facts: Mapped[list[Any]] = mapped_column(JSON, default=list)
    goal: Mapped[str] = mapped_column(Text, default="")
    # the knowledge-base article holding the solution, and the phrases of it that must be said
    article_slug: Mapped[str] = mapped_column(String(200), default="")
    solution: Mapped[list[Any]] = mapped_column(JSON, default=list)
    ideal_path: Mapped[list[Any]] = mapped_column(JSON, default=list)
    opening: Mapped[str] = mapped_column(Text)
    beats: Mapped[list[Any]] = mapped_column(JSON, default=list)
    on_secret: Mapped[str] = mapped_column(Text, default="")
    case_id: Mapped[int | None] = mapped_column(ForeignKey("qa_case.id", ondelete="SET NULL"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Attempt(Base):
    """One trainee's practice dialogue with a scenario; scored when finished."""

    __tablename__ = "training_attempt"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'finished')", name="status"),
        Index("ix_training_attempt_user", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scenario_id: Mapped[int] = mapped_column(
        ForeignKey("training_scenario.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default=AttemptStatus.open)
    beat: Mapped[int] = mapped_column(Integer, default=0)
    transcript: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [{seq, author, text}]
    moves: Mapped[list[Any]] = mapped_column(JSON, default=list)  # the moves recognised
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    total: Mapped[float | None] = mapped_column(Float)
    # set when the attempt is the dialogue part of an entry test or of a module
    quiz_attempt_id: Mapped[int | None] = mapped_column(Integer)
    module_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Quiz(Base):
    """A question bank: the entry test (`slug` «entry», with `levels`) or a module's quiz.

    `levels`: [{"min": percent, "level": name, "track": track slug}], the highest `min`
    reached wins."""

    __tablename__ = "training_quiz"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    questions: Mapped[list[Any]] = mapped_column(JSON, default=list)
    scenario_slug: Mapped[str] = mapped_column(String(100), default="")  # a dialogue part
    pass_percent: Mapped[float] = mapped_column(Float, default=60.0)
    levels: Mapped[list[Any]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class QuizAttempt(Base):
    __tablename__ = "training_quiz_attempt"
    __table_args__ = (Index("ix_training_quiz_attempt_user", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("training_quiz.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    answers: Mapped[list[Any]] = mapped_column(JSON, default=list)  # per question: marks
    quiz_percent: Mapped[float] = mapped_column(Float, default=0.0)
    practice_total: Mapped[float | None] = mapped_column(Float)
    percent: Mapped[float | None] = mapped_column(Float)  # final, once every part is done
    level: Mapped[str] = mapped_column(String(32), default="")
    track_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Track(Base):
    __tablename__ = "training_track"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")


class Module(Base):
    """One step of a track: lessons ([{kind: article|case|text, ref, title, text}]), a
    practice scenario and a quiz. Modules unlock in `position` order."""

    __tablename__ = "training_module"
    __table_args__ = (UniqueConstraint("track_id", "position", name="uq_training_module_pos"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("training_track.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    lessons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    scenario_id: Mapped[int | None] = mapped_column(
        ForeignKey("training_scenario.id", ondelete="SET NULL")
    )
    quiz_id: Mapped[int | None] = mapped_column(ForeignKey("training_quiz.id", ondelete="SET NULL"))
    practice_pass: Mapped[float] = mapped_column(Float, default=60.0)


class Enrollment(Base):
    """The operator's track and level, set by the entry test (one current track each)."""

    __tablename__ = "training_enrollment"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    track_id: Mapped[int] = mapped_column(ForeignKey("training_track.id", ondelete="CASCADE"))
    level: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Progress(Base):
    """Where an operator is in one module: lessons read, best practice score, quiz score."""

    __tablename__ = "training_progress"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    module_id: Mapped[int] = mapped_column(
        ForeignKey("training_module.id", ondelete="CASCADE"), primary_key=True
    )
    lessons_read: Mapped[bool] = mapped_column(Boolean, default=False)
    practice_total: Mapped[float | None] = mapped_column(Float)
    quiz_percent: Mapped[float | None] = mapped_column(Float)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
