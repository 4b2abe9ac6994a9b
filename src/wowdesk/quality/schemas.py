"""Quality request and response bodies: regression cases, incidents, flags and their reports;
scorecards, scores, disputes, calibration, WOW, the case library, proposals, gaps."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from wowdesk.bot.schemas import ChangeOut
from wowdesk.events import Event


class CaseResultOut(BaseModel):
    id: int
    question: str
    status: Literal["pass", "fail"]
    reasons: list[str]
    answer: str | None
    action: Literal["answer", "handoff"]
    article_id: int | None


class RegressOut(BaseModel):
    cases: int
    passed: int
    failed: int
    results: list[CaseResultOut]


class SwitchOnOut(BaseModel):
    change: ChangeOut
    regression: RegressOut


class CaseIn(BaseModel):
    question: str = Field(min_length=1, max_length=4000)
    topic: str = Field(default="", max_length=100)
    channel: str = Field(default="web", min_length=1, max_length=32)
    bad_answer: str = Field(default="", max_length=20000)
    article_id: int | None = Field(default=None, ge=1)
    reason: str = Field(default="", max_length=2000)
    must_contain: list[str] = Field(default_factory=list, max_length=20)
    must_not_contain: list[str] = Field(default_factory=list, max_length=20)


class CasePatch(BaseModel):
    must_contain: list[str] | None = Field(default=None, max_length=20)
    must_not_contain: list[str] | None = Field(default=None, max_length=20)
    active: StrictBool | None = None


class CaseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    question: str
    topic: str
    channel: str
    bad_answer: str
    article_id: int | None
    article_version: int | None
    reason: str
    must_contain: list[str]
    must_not_contain: list[str]
    conversation_id: int | None
    message_id: int | None
    created_by: int | None
    created_at: datetime
    active: bool


# --- incidents -------------------------------------------------------------------------


class SourceOut(BaseModel):
    article_id: int
    title: str = ""


class FlagOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    message_id: int
    conversation_id: int
    incident_id: int
    flagged_by: int | None
    flagged_by_name: str = ""
    reason: str
    reason_label: str = ""
    comment: str
    answer_text: str
    question_masked: str
    article_id: int | None
    sources: list[SourceOut] = []
    topic: str
    channel: str
    has_screenshot: bool = False
    screenshot_url: str = ""
    created_at: datetime


class IncidentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    topic: str
    article_id: int | None
    article_title: str = ""
    status: str
    status_label: str = ""
    began_at: datetime
    last_flag_at: datetime
    resolved_at: datetime | None
    duration_seconds: int = 0
    flags: int = 0
    conversations: int = 0
    created_by_hand: bool


class IncidentChangeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    action: str
    user_name: str
    from_status: str
    to_status: str
    note: str
    at: datetime


class DeliveryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    channel: str
    target: str
    ok: bool
    error: str
    at: datetime


class IncidentDetailOut(BaseModel):
    incident: IncidentOut
    flags: list[FlagOut]
    conversation_ids: list[int]
    history: list[IncidentChangeOut]
    deliveries: list[DeliveryOut]
    next_statuses: list[str]
    can_send: bool


class FlagCreated(BaseModel):
    flag: FlagOut
    incident: IncidentOut
    incident_created: bool


class StatusIn(BaseModel):
    status: str = Field(min_length=1, max_length=16)
    note: str = Field(default="", max_length=2000)


class MoveIn(BaseModel):
    """`incident_id` null: the flag starts a new incident (by hand) with `title`."""

    incident_id: int | None = None
    title: str = Field(default="", max_length=300)


class NewIncidentIn(BaseModel):
    flag_ids: list[int] = Field(min_length=1, max_length=500)
    title: str = Field(default="", max_length=300)


class SendOut(BaseModel):
    incident: IncidentOut
    deliveries: list[DeliveryOut]
    report: dict[str, Any]


# --- scorecards, scores, review, WOW, the case library, proposals, gaps ----------------


class Orm(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ScorecardIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["operator", "bot"] = "operator"
    definition: dict[str, Any]


class DefinitionIn(BaseModel):
    definition: dict[str, Any]


class ScorecardOut(Orm):
    id: int
    name: str
    kind: str
    is_default: bool
    current_version: int
    updated_at: datetime


class VersionOut(Orm):
    id: int
    scorecard_id: int
    version: int
    definition: dict[str, Any]
    created_at: datetime


class ScorecardDetail(BaseModel):
    scorecard: ScorecardOut
    versions: list[VersionOut]


class ScoreOut(Orm):
    id: int
    conversation_id: int
    version_id: int
    source: str
    reviewer_id: int | None
    operator_id: int | None
    total: float
    critical_failed: bool
    repeat: bool
    results: list[dict[str, Any]]
    risk: float
    risk_reasons: list[str]
    reviewed: bool
    closed_at: datetime | None
    created_at: datetime


class QueueItemOut(BaseModel):
    score: ScoreOut
    why: str


class ManualScoreIn(BaseModel):
    values: dict[str, int | None]
    notes: dict[str, str] = Field(default_factory=dict)


class OverrideIn(BaseModel):
    criterion: str = Field(min_length=1, max_length=64)
    value: int | None
    reason: str = Field(max_length=2000)


class ScoreChangeOut(Orm):
    id: int
    score_id: int
    criterion: str
    old_value: int | None
    new_value: int | None
    old_total: float
    new_total: float
    reason: str
    user_id: int | None
    dispute_id: int | None
    created_at: datetime


class DisputeIn(BaseModel):
    criterion: str = Field(min_length=1, max_length=64)
    comment: str = Field(max_length=2000)


class ResolveIn(BaseModel):
    accept: bool
    comment: str = Field(max_length=2000)
    value: int | None = None


class DisputeOut(Orm):
    id: int
    score_id: int
    criterion: str
    operator_id: int | None
    comment: str
    status: str
    reviewer_id: int | None
    resolution: str
    created_at: datetime
    resolved_at: datetime | None


class CalibrationIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    conversation_ids: list[int] = Field(min_length=1, max_length=200)
    reviewer_ids: list[int] = Field(min_length=2, max_length=50)


class CalibrationOut(Orm):
    id: int
    title: str
    version_id: int
    conversation_ids: list[int]
    reviewer_ids: list[int]
    created_at: datetime


class RatingIn(BaseModel):
    conversation_id: int
    values: dict[str, int | None]


class AgreementOut(BaseModel):
    key: str
    title: str
    percent: float | None
    kappa: float | None
    auto_percent: float | None
    auto_kappa: float | None
    rated: int


class WowOut(Orm):
    id: int
    conversation_id: int
    day: date
    operator_id: int | None
    points: float
    reasons: list[str]
    status: str
    case_id: int | None


class DecideIn(BaseModel):
    confirm: bool
    what_good: str = Field(default="", max_length=4000)
    tags: list[str] = Field(default_factory=list, max_length=12)


class LibraryCaseIn(BaseModel):
    conversation_id: int
    title: str = Field(min_length=1, max_length=300)
    tags: list[str] = Field(default_factory=list, max_length=12)
    profile: str = Field(default="", max_length=300)
    what_good: str = Field(default="", max_length=4000)
    ideal_scenario: str = Field(default="", max_length=8000)
    # an operator's own saved case (with a follow-up) or a mentor's case for everyone
    source: Literal["operator", "mentor"] = "operator"
    follow_up_due: date | None = None


class LibraryCasePatch(BaseModel):
    title: str | None = Field(default=None, max_length=300)
    tags: list[str] | None = Field(default=None, max_length=12)
    profile: str | None = Field(default=None, max_length=300)
    what_good: str | None = Field(default=None, max_length=4000)
    ideal_scenario: str | None = Field(default=None, max_length=8000)
    follow_up: str | None = Field(default=None, max_length=4000)
    shared: bool | None = None


class LibraryCaseOut(Orm):
    id: int
    conversation_id: int | None
    source: str
    title: str
    transcript: list[dict[str, Any]]
    tags: list[str]
    profile: str
    what_good: str
    ideal_scenario: str
    follow_up: str
    follow_up_due: date | None
    shared: bool
    owner_id: int | None
    created_at: datetime


class ProposalIn(BaseModel):
    target: Literal["article", "template", "regulation"]
    comment: str = Field(max_length=4000)
    target_ref: str = Field(default="", max_length=300)
    conversation_id: int | None = None


class ProposalStatusIn(BaseModel):
    status: Literal["in_review", "accepted", "rejected"]
    decision: str = Field(default="", max_length=2000)


class ProposalOut(Orm):
    id: int
    conversation_id: int | None
    target: str
    target_ref: str
    comment: str
    status: str
    proposer_id: int | None
    decided_by: int | None
    decision: str
    created_at: datetime
    decided_at: datetime | None


class GapDraftOut(Orm):
    id: int
    article_id: int | None
    question: str
    size: int
    conversation_ids: list[int]
    created_at: datetime


class WeakSpotOut(BaseModel):
    topic_id: int | None
    topic: str
    conversations: int
    handoff_rate: float
    repeat_rate: float
    low_qa_rate: float
    low_csat_rate: float
    weakness: float
    examples: list[int]


class DisputeResolved(Event):
    """To the operator who disputed: the reviewer decided (op accepted or rejected)."""

    type: Literal["qa_dispute"] = "qa_dispute"
    op: str
    id: int
    score_id: int


class ProposalDecided(Event):
    """To the proposer: the content queue decided their proposal."""

    type: Literal["qa_proposal"] = "qa_proposal"
    op: str
    id: int


class IncidentChanged(Event):
    """An incident's status changed (op «status»): training makes its micro-lesson when it
    becomes fixed, without quality knowing training exists."""

    type: Literal["incident"] = "incident"
    op: Literal["status"] = "status"
    id: int
    status: str
