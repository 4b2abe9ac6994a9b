from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class IdentityOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    channel: str
    external_id: str


class CustomerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    display_name: str
    email: str | None
    phone: str | None
    created_at: datetime


class CustomerDetail(CustomerOut):
    identities: list[IdentityOut]
