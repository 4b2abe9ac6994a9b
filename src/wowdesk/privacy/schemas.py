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
    linked_customers: list[int] = []
    notes: int = 0
    telegram_chats: int = 0
    mail_threads: int = 0
    inbound_mails: int = 0
    calls: int = 0
    attachments: int = 0
    library_cases: int = 0
    regression_cases: int = 0


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
