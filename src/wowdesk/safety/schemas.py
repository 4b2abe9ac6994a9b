"""Safety request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

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


class ChangeOut(BaseModel):
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
    history: list[ChangeOut]
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
