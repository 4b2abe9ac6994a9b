from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from wowdesk.events import Event


class ArticleIn(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    body: str = Field(min_length=1, max_length=50_000)
    topic_id: int | None = None
    tags: list[str] = Field(default_factory=list, max_length=30)
    slug: str | None = Field(default=None, max_length=120, pattern=r"^[a-z0-9][a-z0-9-]*$")
    publish: StrictBool = False
    questions: list[str] = Field(default_factory=list, max_length=20)


class ArticlePatch(BaseModel):
    title: str | None = Field(default=None, min_length=1, max_length=300)
    body: str | None = Field(default=None, min_length=1, max_length=50_000)
    topic_id: int | None = None
    tags: list[str] | None = Field(default=None, max_length=30)
    questions: list[str] | None = Field(default=None, max_length=20)


class ArticleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    slug: str
    title: str
    body: str
    topic_id: int | None
    topic_name: str = ""
    tags: list[str]
    questions: list[str] = Field(default_factory=list)
    status: str
    version: int
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None


class VersionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    version: int
    title: str
    body: str
    status: str
    author_name: str
    created_at: datetime


class PassageOut(BaseModel):
    article_id: int | str
    title: str
    text: str
    score: float
    start: int
    end: int


class VerdictIn(BaseModel):
    """Which article answers the question; `article_id` null: none of them does."""

    query: str = Field(min_length=1, max_length=500)
    article_id: int | None = None
    # and make the question one of the article's example questions
    add_example: StrictBool = False


class VerdictOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    query: str
    article_id: int | None
    # supervisor: said in /kb; operator: sent this article's suggestion for the question
    source: Literal["supervisor", "operator"]
    user_id: int | None  # who gave it (empty once their account is gone)
    created_at: datetime


class FitOut(BaseModel):
    """A refit of the search's fusion: hit@1 out of fold of the refit and of the fusion in
    force before it, on the verdicts naming a published article."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    verdicts: int
    named: int
    in_use_hit: float
    learned_hit: float
    used: bool
    created_at: datetime


class FusionOut(BaseModel):
    verdicts: int
    named: int
    needed: int
    in_force: FitOut | None
    latest: FitOut | None


class ArticleChanged(Event):
    """The retrieval indexes of every process refresh on it."""

    type: Literal["kb"] = "kb"
    op: str
    id: int


class DraftOut(BaseModel):
    """A draft article in the queue, with where it came from when a layer above made it
    (mined from the questions the bot passed to people: how many, which conversations)."""

    article: ArticleOut
    origin: str = ""
    size: int = 0
    question: str = ""
    conversation_ids: list[int] = Field(default_factory=list)
    made_at: datetime | None = None
