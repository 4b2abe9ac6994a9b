"""Training request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ScenarioOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    slug: str
    title: str
    persona: str
    brief: str
    goal: str
    opening: str


class ScenarioDetail(ScenarioOut):
    """What a mentor sees: the hidden facts, the script and the ideal path too."""

    hidden_facts: list[str]
    article_slug: str
    solution: list[str]
    ideal_path: list[str]
    beats: list[dict[str, Any]]
    on_secret: str
    case_id: int | None


class ScenarioIn(BaseModel):
    slug: str = Field(min_length=2, max_length=100)
    title: str = Field(min_length=1, max_length=300)
    persona: str
    brief: str = ""
    hidden_facts: list[str] = []
    goal: str = ""
    article_slug: str = ""
    solution: list[str] = []
    ideal_path: list[str] = []
    opening: str = Field(min_length=1, max_length=2000)
    beats: list[dict[str, Any]] = Field(min_length=1, max_length=30)
    on_secret: str = ""


class FromCaseIn(BaseModel):
    case_id: int
    persona: str = "calm"


class StartIn(BaseModel):
    scenario_id: int


class ReplyIn(BaseModel):
    text: str = Field(min_length=1, max_length=4000)


class AttemptOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    scenario_id: int
    status: str
    transcript: list[dict[str, Any]]
    total: float | None
    result: dict[str, Any]
    module_id: int | None
    quiz_attempt_id: int | None
    created_at: datetime
    finished_at: datetime | None


class ReplyOut(BaseModel):
    customer: str | None
    attempt: AttemptOut


class QuestionOut(BaseModel):
    kind: str
    text: str
    options: list[str]


class QuizOut(BaseModel):
    slug: str
    title: str
    questions: list[QuestionOut]
    has_dialogue: bool


class AnswersIn(BaseModel):
    # per question: option indices (choice) or text (short answer)
    answers: list[list[int] | str] = Field(max_length=100)


class EntryOut(BaseModel):
    quiz_percent: float
    marks: list[bool]
    practice_attempt_id: int | None
    level: str
    track_id: int | None


class QuizIn(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    questions: list[dict[str, Any]] = Field(min_length=1, max_length=100)
    scenario_slug: str = ""
    pass_percent: float = Field(60.0, ge=0, le=100)
    levels: list[dict[str, Any]] = []


class ModuleOut(BaseModel):
    id: int
    position: int
    title: str
    unlocked: bool
    done: bool
    lessons_read: bool
    practice_total: float | None
    quiz_percent: float | None


class MeOut(BaseModel):
    level: str
    track_id: int | None
    track_title: str
    modules: list[ModuleOut]


class ModuleIn(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    lessons: list[dict[str, Any]] = []
    scenario: str = ""
    quiz: str = ""


class TrackIn(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    description: str = ""
    modules: list[ModuleIn] = Field(min_length=1, max_length=50)


class ProgressOut(BaseModel):
    module_id: int
    lessons_read: bool
    practice_total: float | None
    quiz_percent: float | None
    completed: bool
