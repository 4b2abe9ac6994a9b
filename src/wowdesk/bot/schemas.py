from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat


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
