from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat

from wowdesk.events import Event


class DecisionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    message_id: int
    action: str
    topic: str
    topic_confidence: float
    complexity: str
    flags: list[dict[str, Any]]
    reasons: list[str]
    reason_labels: list[str] = []
    retrieval_confidence: float
    article_id: int | None
    created_at: datetime


class CardOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    summary: str
    facts: list[dict[str, Any]]
    bot_answers: list[str]
    reasons: list[str]
    created_at: datetime


class HandoffOut(BaseModel):
    card: CardOut | None
    decisions: list[DecisionOut]


class PolicyIn(BaseModel):
    topic: str = Field(min_length=1, max_length=100)
    bot_allowed: StrictBool = True
    min_topic_confidence: StrictFloat = Field(default=0.0, ge=0.0, le=1.0)
    min_retrieval_confidence: StrictFloat = Field(default=0.35, ge=0.0, le=1.0)


class PolicyOut(PolicyIn):
    model_config = ConfigDict(from_attributes=True)


class RejectedOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    conversation_id: int
    message_id: int
    text: str
    reasons: list[Any]
    sources: list[Any]
    created_at: datetime


# --- manual mode and regression cases ---------------------------------------------------

ScopeKind = Literal["global", "topic", "channel"]


class ScopeIn(BaseModel):
    scope_kind: ScopeKind
    scope_value: str = Field(default="", max_length=100)
    reason: str = Field(min_length=1, max_length=2000)


class SwitchOnIn(ScopeIn):
    override: StrictBool = False


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


class RequestIn(ScopeIn):
    conversation_id: int | None = Field(default=None, ge=1)


class DecideIn(BaseModel):
    approve: StrictBool
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


# --- live events --------------------------------------------------------------------------


class SwitchChanged(Event):
    """Consoles show the manual-mode indicator, supervisors' pages reload their lists."""

    type: Literal["safety"] = "safety"
    op: Literal["switch"] = "switch"
    id: int
    scope_kind: str
    scope_value: str
    action: str


class SwitchRequestChanged(Event):
    type: Literal["safety"] = "safety"
    op: Literal["request"] = "request"
    id: int
    scope_kind: str
    scope_value: str
    status: str
    requested_by: int | None
