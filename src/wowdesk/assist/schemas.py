"""API shapes of templates, suggestions and the operator's choice."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from wowdesk.events import Event

CategoryName = Literal[
    "greeting", "clarification", "empathy", "transfer", "closing", "objection", "other"
]


class TemplateIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    category: CategoryName = "other"
    text: str = Field(min_length=1, max_length=4000)
    language: Literal["ru", "en"] = "ru"
    active: StrictBool = True


class TemplateOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    category: str
    text: str
    language: str
    active: bool
    updated_at: datetime


class RenderedTemplateOut(BaseModel):
    """A template as it would go to this conversation's customer, with what is missing."""

    id: int
    title: str
    category: str
    category_label: str
    text: str
    missing: list[str]


class SuggestionOut(BaseModel):
    rank: int
    source: Literal["kb", "template", "colleague", "case"]
    ref: dict[str, Any]
    title: str
    text: str
    missing: list[str]
    why: str
    score: float


class SuggestionsOut(BaseModel):
    """log_id is what the console reports the choice against; null when the customer's
    latest message is already answered (nothing to suggest)."""

    conversation_id: int
    log_id: int | None = None
    message_id: int | None = None
    suggestions: list[SuggestionOut] = []


class ChoiceIn(BaseModel):
    """Which suggestion (rank) or template the operator put in the reply box before sending
    `message_id`; neither means they wrote their own."""

    message_id: int = Field(ge=1)
    log_id: int | None = Field(default=None, ge=1)
    rank: int | None = Field(default=None, ge=0, le=10)
    template_id: int | None = Field(default=None, ge=1)


class ChoiceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    log_id: int = Field(validation_alias="id")
    message_id: int
    outcome: str | None
    similarity: float | None
    chosen: dict[str, Any] | None


class SuggestionsReady(Event):
    type: Literal["assist"] = "assist"
    op: Literal["suggestions"] = "suggestions"
    id: int
    conversation_id: int
    message_id: int | None
    log_id: int | None
    suggestions: list[dict[str, Any]]


class TemplateChanged(Event):
    """An active template's text changed: training makes a micro-lesson of the new script
    (the old text rides along so the lesson can show what changed; templates hold no
    customer data)."""

    type: Literal["template"] = "template"
    op: Literal["text"] = "text"
    id: int
    previous: str
