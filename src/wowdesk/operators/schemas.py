from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, StrictBool


class UserIn(BaseModel):
    username: str = Field(min_length=2, max_length=64)
    display_name: str = Field(min_length=1, max_length=120)
    role: str = Field(pattern="^(operator|supervisor|admin)$")
    password: str = Field(min_length=8, max_length=256)
    team_id: int | None = None


class UserPatch(BaseModel):
    role: str | None = Field(default=None, pattern="^(operator|supervisor|admin)$")
    team_id: int | None = None
    is_active: StrictBool | None = None
    password: str | None = Field(default=None, min_length=8, max_length=256)


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


class MeOut(UserOut):
    csrf_token: str


class TeamIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)


class TeamOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str


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
