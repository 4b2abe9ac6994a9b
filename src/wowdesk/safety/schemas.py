"""Safety request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

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


# --- broadcasts and raw-text views (part "broadcasts") -----------------------------------


class BroadcastIn(BaseModel):
    text: str = Field(min_length=1, max_length=2000)
    level: Literal["info", "warning", "critical"] = "warning"
    # None: every operator and supervisor
    team_id: int | None = None


class BroadcastOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    text: str
    level: str
    team_id: int | None
    team_name: str = ""
    author_id: int | None
    # empty: sent by the system (an incident)
    author_name: str = ""
    incident_id: int | None
    created_at: datetime
    closed_at: datetime | None
    acknowledged: int = 0
    recipients: int = 0


class AckOut(BaseModel):
    user_id: int
    name: str
    acknowledged_at: datetime | None


class BroadcastDetail(BaseModel):
    broadcast: BroadcastOut
    acknowledged: list[AckOut]
    not_acknowledged: list[AckOut]


class RawTextOut(BaseModel):
    message_id: int
    conversation_id: int
    text: str
    masked_text: str


class RawTextAccessOut(BaseModel):
    allowed: bool


class RawTextViewOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    user_id: int | None
    username: str
    role: str
    message_id: int
    conversation_id: int
    place: str
    reason: str
    created_at: datetime


# --- guards: verification helpers ----------------------------------------------------------


class PreviousContactOut(BaseModel):
    conversation_id: int
    date: datetime
    subject: str
    topic: str
    channel: str


class PurchaseOut(BaseModel):
    product: str
    date: datetime | None


class VerificationSentOut(BaseModel):
    """The code the operator says in the chat, and where the customer finds it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    conversation_id: int
    user_id: int | None
    channel: str
    address: str
    code: str
    created_at: datetime


class VerificationOut(BaseModel):
    previous_contact: PreviousContactOut | None
    last_purchase: PurchaseOut | None
    registered_address: str  # masked; empty: no registered e-mail to confirm through
    last_sent: VerificationSentOut | None


class GuardEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    conversation_id: int | None
    message_id: int | None
    user_id: int | None
    details: dict[str, Any]
    created_at: datetime
