from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class ErasureIn(BaseModel):
    reference: str = Field(min_length=1, max_length=200, description="the request's reference")


class ErasureOut(BaseModel):
    customer_id: int
    conversations: int
    messages: int
    cards: int
    tickets: int
    mails: int
    screenshots: int
    erased_at: datetime


class AuditRowOut(BaseModel):
    at: datetime
    username: str
    role: str
    action: str
    customer_id: int | None
    conversation_id: int | None
    message_id: int | None
    place: str
    reference: str
