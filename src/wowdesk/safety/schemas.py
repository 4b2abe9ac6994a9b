"""Safety request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

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
