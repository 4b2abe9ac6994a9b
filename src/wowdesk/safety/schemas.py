"""Safety request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

# --- manual mode and regression cases ---------------------------------------------------

ScopeKind = Literal["global", "topic", "channel"]


class ScopeIn(BaseModel):
    scope_kind: ScopeKind
    scope_value: str = Field(default="", max_length=100)
    reason: str = Field(min_length=1, max_length=2000)


class SwitchOnIn(ScopeIn):
    override: bool = False


class SwitchOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    scope_kind: str
    scope_value: str
    is_off: bool
    reason: str
    changed_by: int | None
    changed_at: datetime


class SwitchesOut(BaseModel):
    """Every scope ever switched; `off` lists those where the bot is off now."""

    switches: list[SwitchOut]
    off: list[SwitchOut]


class ChangeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    scope_kind: str
    scope_value: str
    action: str
    reason: str
    changed_by: int | None
    changed_by_name: str
    approved_by: int | None
    approved_by_name: str
    request_id: int | None
    override: bool
    regression: dict[str, Any]
    handed_over: int
    created_at: datetime


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


class RequestIn(ScopeIn):
    conversation_id: int | None = Field(default=None, ge=1)


class DecideIn(BaseModel):
    approve: bool
    note: str = Field(default="", max_length=2000)


class RequestOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    scope_kind: str
    scope_value: str
    reason: str
    conversation_id: int | None
    requested_by: int | None
    status: str
    decided_by: int | None
    decided_at: datetime | None
    decision_note: str
    created_at: datetime


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
    active: bool | None = None


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
