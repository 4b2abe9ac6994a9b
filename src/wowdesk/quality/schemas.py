"""Quality request and response bodies: regression cases, incidents, flags and their reports."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from wowdesk.bot.schemas import ChangeOut


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
