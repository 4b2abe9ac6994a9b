"""Training tables: scenarios and practice attempts, quizzes (the entry test and module
quizzes) and their attempts, tracks of ordered modules, and each operator's progress.

A practice attempt keeps its own transcript here and never creates a `conversation`: a
simulated dialogue cannot reach a real customer, a queue or a KPI."""

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


# --- after an incident: micro-lessons -----------------------------------------------------


class MicroLesson(Base):
    """A short lesson made when an incident is fixed, or an article or a reply template
    changes: the corrected text and what went wrong (the regression cases), for every
    operator serving the topic.

    One per (article, version): the fix of an incident and the article edit that fixed it
    make one lesson, not two (the incident is attached to the article's lesson)."""

    __tablename__ = "training_micro_lesson"
    __table_args__ = (
        CheckConstraint("source IN ('incident', 'article', 'template')", name="source"),
        UniqueConstraint("article_id", "article_version", name="uq_training_micro_article"),
        UniqueConstraint("incident_id", name="uq_training_micro_incident"),
        UniqueConstraint("template_id", "template_digest", name="uq_training_micro_template"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")  # the corrected article, as fixed
    topic: Mapped[str] = mapped_column(String(100), default="")
    article_id: Mapped[int | None] = mapped_column(ForeignKey("kb_article.id", ondelete="SET NULL"))
    article_version: Mapped[int | None] = mapped_column(Integer)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id", ondelete="SET NULL"))
    # a reply template's new text (its digest: one lesson per text)
    template_id: Mapped[int | None] = mapped_column(
        ForeignKey("assist_template.id", ondelete="SET NULL")
    )
    template_digest: Mapped[str | None] = mapped_column(String(16))
    # [{question, bad_answer, must_contain, must_not_contain}]: what the bot got wrong
    cases: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class MicroAssignment(Base):
    __tablename__ = "training_micro_assignment"
    __table_args__ = (Index("ix_training_micro_assignment_user", "user_id", "done_at"),)

    lesson_id: Mapped[int] = mapped_column(
        ForeignKey("training_micro_lesson.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    assigned_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


# --- mentors ------------------------------------------------------------------------------


class Mentorship(Base):
    """A newcomer's mentor (one at a time), assigned by a supervisor."""

    __tablename__ = "training_mentorship"

    trainee_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    mentor_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), index=True
    )
    assigned_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class MentorComment(Base):
    """A mentor's comment on a trainee's attempt, quiz, conversation or on the trainee."""

    __tablename__ = "training_mentor_comment"
    __table_args__ = (
        CheckConstraint("kind IN ('attempt', 'quiz', 'conversation', 'trainee')", name="kind"),
        Index("ix_training_mentor_comment_trainee", "trainee_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16))
    ref_id: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


# --- career track and attestation -------------------------------------------------------


class CareerLevel(Base):
    """One step of the career track (стажёр → оператор → старший → наставник) and what an
    attestation must show to reach it: `criteria` = {quiz, quiz_min, scenarios,
    practice_min, kpis: [kpi keys that must be at or better than target], modules_done}."""

    __tablename__ = "training_career_level"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(32), unique=True)
    position: Mapped[int] = mapped_column(Integer, unique=True)
    title: Mapped[str] = mapped_column(String(100))
    criteria: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Career(Base):
    """Where an operator stands on the career track."""

    __tablename__ = "training_career"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    level_id: Mapped[int] = mapped_column(ForeignKey("training_career_level.id"))
    since: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class AttestationStatus(enum.StrEnum):
    open = "open"
    passed = "passed"
    failed = "failed"


class Attestation(Base):
    """An attestation for the next level: the quiz, the scenarios, the KPIs; `parts` keeps
    each part's figure against its bar."""

    __tablename__ = "training_attestation"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'passed', 'failed')", name="status"),
        Index("ix_training_attestation_user", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    level_id: Mapped[int] = mapped_column(ForeignKey("training_career_level.id"))
    status: Mapped[str] = mapped_column(String(16), default=AttestationStatus.open)
    quiz_percent: Mapped[float | None] = mapped_column(Float)
    attempt_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    parts: Mapped[list[Any]] = mapped_column(JSON, default=list)
    started_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Feedback(Base):
    """The two-way feedback of an attestation: the trainee on the module and the mentor,
    the mentor on the trainee. One of each kind per author."""

    __tablename__ = "training_feedback"
    __table_args__ = (
        CheckConstraint("about IN ('module', 'mentor', 'trainee')", name="about"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),
        UniqueConstraint("attestation_id", "author_id", "about", name="uq_training_feedback"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attestation_id: Mapped[int] = mapped_column(
        ForeignKey("training_attestation.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    about: Mapped[str] = mapped_column(String(16))
    rating: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


# --- motivation -------------------------------------------------------------------------


class PointEntry(Base):
    """Points for one outcome; `ref` names the outcome (`kpi:aht:2026-12-01`,
    `wow:17`, `module:4`, …) so the same outcome never counts twice."""

    __tablename__ = "training_points"
    __table_args__ = (
        UniqueConstraint("user_id", "ref", name="uq_training_points_ref"),
        Index("ix_training_points_user", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    ref: Mapped[str] = mapped_column(String(120))
    points: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class BadgeAward(Base):
    __tablename__ = "training_badge"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    badge: Mapped[str] = mapped_column(String(32), primary_key=True)
    earned_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Contest(Base):
    """A time-boxed contest a supervisor sets: a KPI against a bar («ACW under 10 s this
    week»), for a team or everyone; whoever meets it over the period earns `points`."""

    __tablename__ = "training_contest"
    __table_args__ = (CheckConstraint("starts_on <= ends_on", name="period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    kpi: Mapped[str] = mapped_column(String(32))
    target: Mapped[float] = mapped_column(Float)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"))
    points: Mapped[int] = mapped_column(Integer, default=50)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    settled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class BoardMode(enum.StrEnum):
    public = "public"  # on the team's board with the name
    private = "private"  # sees only their own place
    opt_out = "opt_out"  # not on the board at all


class BoardPreference(Base):
    __tablename__ = "training_board_preference"
    __table_args__ = (CheckConstraint("mode IN ('public', 'private', 'opt_out')", name="mode"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    mode: Mapped[str] = mapped_column(String(16), default=BoardMode.public)


class Recognition(Base):
    """A recognition post when someone earns something notable (a badge, a level, a
    contest): shown on the team's board and the operator's page."""

    __tablename__ = "training_recognition"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    # the sentence in the language it was made in (the banner sent then, and the post's
    # text where `params` is missing); pages say it again from `params` in theirs
    text: Mapped[str] = mapped_column(String(500))
    params: Mapped[dict[str, str] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
