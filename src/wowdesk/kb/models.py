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
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from wowdesk.db import Base, UtcDateTime, utcnow


class ArticleStatus(enum.StrEnum):
    draft = "draft"
    published = "published"


class Article(Base):
    """The current state of an article; every change is also kept as an ArticleVersion."""

    __tablename__ = "kb_article"
    __table_args__ = (CheckConstraint("status IN ('draft', 'published')", name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topic.id", ondelete="SET NULL"))
    tags: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # how customers ask for this article: searched with the title (see kb.retrieval)
    questions: Mapped[list[Any]] = mapped_column(JSON, default=list, server_default="[]")
    status: Mapped[str] = mapped_column(String(16), default=ArticleStatus.draft)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ArticleVersion(Base):
    __tablename__ = "kb_article_version"
    __table_args__ = (UniqueConstraint("article_id", "version", name="uq_kb_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_article.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topic.id", ondelete="SET NULL"))
    tags: Mapped[list[Any]] = mapped_column(JSON, default=list)
    questions: Mapped[list[Any]] = mapped_column(JSON, default=list, server_default="[]")
    status: Mapped[str] = mapped_column(String(16))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class VerdictSource(enum.StrEnum):
    supervisor = "supervisor"  # said in /kb which article answers, or that none does
    operator = "operator"  # sent the article's suggestion to the customer who asked


class SearchVerdict(Base):
    """A verdict on a search: the article that answers the question, or none (`article_id`
    empty). What the search's fusion learns from (`kb.fusion_learning`); the question is
    masked when written. A second verdict on the same question replaces the first, except
    that an operator's use never replaces a supervisor's word."""

    __tablename__ = "kb_search_verdict"
    __table_args__ = (CheckConstraint("source IN ('supervisor', 'operator')", name="source"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    query: Mapped[str] = mapped_column(String(500), unique=True)
    article_id: Mapped[int | None] = mapped_column(ForeignKey("kb_article.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(
        String(16), default=VerdictSource.supervisor, server_default="supervisor"
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class FusionFit(Base):
    """One refit of the search's fusion on the verdicts, with how it did out of fold; the
    newest row with `used` set is the fusion in force (none: the shipped weights)."""

    __tablename__ = "kb_fusion_fit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    score_weights: Mapped[list[Any]] = mapped_column(JSON)  # FEATURES' weights, then the bias
    confidence_weights: Mapped[list[Any]] = mapped_column(JSON)  # logit, lead, bias
    verdicts: Mapped[int] = mapped_column(Integer)
    named: Mapped[int] = mapped_column(Integer)
    in_use_hit: Mapped[float] = mapped_column(Float)
    learned_hit: Mapped[float] = mapped_column(Float)
    used: Mapped[bool] = mapped_column(Boolean, default=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
