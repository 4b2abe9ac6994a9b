"""Safety request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


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
    # masked phone for a code by SMS, and whether the app can get it by push ("" / false:
    # no such contact or no provider set up)
    sms_address: str = ""
    push: bool = False


class GuardEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    conversation_id: int | None
    message_id: int | None
    user_id: int | None
    details: dict[str, Any]
    created_at: datetime
