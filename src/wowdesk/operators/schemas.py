from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from wowdesk.events import Event


class UserIn(BaseModel):
    username: str = Field(min_length=2, max_length=64)
    display_name: str = Field(min_length=1, max_length=120)
    role: str = Field(pattern="^(operator|supervisor|admin)$")
    password: str = Field(min_length=8, max_length=256)
    team_id: int | None = None


class UserPatch(BaseModel):
    role: str | None = Field(default=None, pattern="^(operator|supervisor|admin)$")
    team_id: StrictInt | None = None
    is_active: StrictBool | None = None
    password: str | None = Field(default=None, min_length=8, max_length=256)
    gender: str | None = Field(default=None, pattern="^(m|f|)$", description="m, f or empty")


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str
    role: str
    team_id: int | None
    is_active: bool
    created_at: datetime
    last_login_at: datetime | None
    gender: str | None = None


class MeOut(UserOut):
    csrf_token: str


class TeamIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)


class TeamOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str


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


# --- live events --------------------------------------------------------------------------


class OperatorStatusChanged(Event):
    type: Literal["operator"] = "operator"
    op: Literal["status"] = "status"
    id: int
    status: str


class BroadcastChanged(Event):
    type: Literal["broadcast"] = "broadcast"
    op: str
    id: int
    broadcast: dict[str, Any]  # a BroadcastOut


class BroadcastAcknowledged(Event):
    type: Literal["broadcast"] = "broadcast"
    op: Literal["acknowledged"] = "acknowledged"
    id: int
    user_id: int
    acknowledged: int
    recipients: int


class PasswordChangeIn(BaseModel):
    current_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=8, max_length=256)


class LoginEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    username: str
    address: str
    actor_id: int | None
    created_at: datetime
