"""Training request and response bodies."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool


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


# --- micro-lessons ---------------------------------------------------------------------


class MicroLessonOut(BaseModel):
    id: int
    source: str
    title: str
    body: str
    topic: str
    article_id: int | None
    incident_id: int | None
    cases: list[dict[str, Any]]
    created_at: datetime
    done_at: datetime | None


class CompletionOut(BaseModel):
    user_id: int
    name: str
    done_at: datetime | None


# --- mentors -----------------------------------------------------------------------------


class MentorIn(BaseModel):
    mentor_id: int = Field(ge=1)


class MentorshipOut(BaseModel):
    trainee_id: int
    mentor_id: int
    mentor_name: str


class CandidateOut(BaseModel):
    id: int
    name: str
    qa: float | None
    scored: int
    trainees: int
    level: str


class CommentIn(BaseModel):
    kind: str = Field(max_length=16)
    ref_id: int | None = None
    text: str = Field(min_length=1, max_length=2000)


class CommentOut(BaseModel):
    id: int
    trainee_id: int
    author_id: int | None
    author_name: str
    kind: str
    ref_id: int | None
    text: str
    created_at: datetime


class TraineeOut(BaseModel):
    id: int
    name: str
    level: str
    track_title: str
    modules_done: int
    modules: int
    quizzes: list[dict[str, Any]]
    attempts: list[dict[str, Any]]
    conversations: list[dict[str, Any]]
    comments: list[CommentOut]


# --- career and attestation --------------------------------------------------------------


class LevelOut(BaseModel):
    slug: str
    position: int
    title: str
    criteria: dict[str, Any]


class LevelIn(BaseModel):
    title: str = Field(min_length=1, max_length=100)
    criteria: dict[str, Any]


class AttestationStartIn(BaseModel):
    user_id: int | None = Field(None, ge=1)  # default: oneself
    recheck: StrictBool = False  # the periodic one, confirming the current level


class PracticeIn(BaseModel):
    scenario: str = Field(min_length=1, max_length=100)


class FeedbackIn(BaseModel):
    about: str = Field(max_length=16)
    rating: int = Field(ge=1, le=5)
    text: str = Field("", max_length=2000)


class FeedbackOut(BaseModel):
    about: str
    rating: int
    text: str
    author_name: str
    created_at: datetime


class AttestationOut(BaseModel):
    id: int
    user_id: int
    level: str
    level_title: str
    status: str
    quiz_percent: float | None
    attempt_ids: list[int]
    parts: list[dict[str, Any]]
    feedback: list[FeedbackOut]
    created_at: datetime
    finished_at: datetime | None


# --- motivation ---------------------------------------------------------------------------


class ContestIn(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    kpi: str = Field(min_length=1, max_length=32)
    target: float = Field(ge=0)
    starts_on: date
    ends_on: date
    team_id: int | None = None
    points: int = Field(50, ge=1, le=1000)


class ContestOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    kpi: str
    target: float
    starts_on: date
    ends_on: date
    team_id: int | None
    points: int
    settled_at: datetime | None


class StandingOut(BaseModel):
    user_id: int
    name: str
    value: float | None
    met: bool
    contacts: int


class BoardModeIn(BaseModel):
    mode: str = Field(max_length=16)


class BoardRowOut(BaseModel):
    place: int
    name: str
    points: int
    me: bool


class BoardOut(BaseModel):
    team: str
    mode: str
    my_place: int | None
    rows: list[BoardRowOut]


class BadgeOut(BaseModel):
    key: str
    name: str
    earned_at: datetime


class MotivationOut(BaseModel):
    points: int
    points_30d: int
    level: str
    next_level_points: int | None
    badges: list[BadgeOut]
    career_level: str
    next_career_level: str | None
    contests: list[ContestOut]
