"""What channel adapters send and get back: a call from a telephony system."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

MAX_SEGMENTS = 5000


class SegmentIn(BaseModel):
    """One diarized utterance. `start`/`end` are seconds from the moment the call was
    answered (recordings start there), or from its start when nobody answered; absolute
    ISO times with an offset are taken as they are."""

    model_config = ConfigDict(extra="forbid")

    speaker: Literal["customer", "operator"]
    start: float | AwareDatetime
    end: float | AwareDatetime
    text: str = Field(max_length=20000)


class SpanIn(BaseModel):
    """A stretch of the call the telephony system marked as identification (same clock
    as the segments)."""

    model_config = ConfigDict(extra="forbid")

    start: float | AwareDatetime
    end: float | AwareDatetime


class CallIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    call_id: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:@/-]+$")
    caller: str = Field(min_length=3, max_length=32, description="the customer's number")
    operator: str | None = Field(
        default=None, max_length=100, description="login of the operator who answered"
    )
    started_at: AwareDatetime
    answered_at: AwareDatetime | None = None
    ended_at: AwareDatetime
    acw_ended_at: AwareDatetime | None = None
    recording_url: str = Field(default="", max_length=1000)
    topic: str = Field(default="", max_length=100)
    identification: list[SpanIn] = Field(default_factory=list, max_length=50)
    segments: list[SegmentIn] = Field(default_factory=list, max_length=MAX_SEGMENTS)

    @field_validator("recording_url")
    @classmethod
    def _http_only(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("recording_url must be an http(s) URL")
        return value

    @model_validator(mode="after")
    def _answered_by_someone(self) -> CallIn:
        if self.answered_at is not None and not self.operator:
            raise ValueError("an answered call needs the operator's login")
        if self.answered_at is None and any(s.speaker == "operator" for s in self.segments):
            raise ValueError("an operator speaks in a call nobody answered")
        return self


class CallOut(BaseModel):
    """The imported call and the figures the KPIs will count for it."""

    call_id: str
    conversation_id: int
    created: bool
    customer_id: int
    operator: str
    topic: str
    lines: int
    identification_lines: int
    wait_seconds: float | None
    handle_seconds: float | None
    acw_seconds: float | None
    talk_seconds: float | None
    recording_url: str
    started_at: datetime


class ImportLineError(BaseModel):
    line: int
    message: str


class CallImportOut(BaseModel):
    imported: int
    already: int
    failed: int
    errors: list[ImportLineError]


class OutboundIn(BaseModel):
    """An operator's first message to a customer through one of their channels."""

    model_config = ConfigDict(extra="forbid")

    customer_id: int
    channel: Literal["telegram", "email"]
    client_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    text: str


class OutboundOut(BaseModel):
    conversation_id: int
    channel: str


class ReachableOut(BaseModel):
    channels: list[str]
