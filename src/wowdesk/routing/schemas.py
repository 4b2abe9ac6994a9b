from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from wowdesk.events import Event


class StatusIn(BaseModel):
    status: Literal["online", "break", "training", "offline"]


class StatusOut(BaseModel):
    user_id: int
    status: str
    status_since: datetime
    capacity: int
    load: int


class StatusChangeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    status: str
    reason: str
    started_at: datetime
    ended_at: datetime | None


class SkillModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: Literal["topic", "channel", "language"]
    value: str = Field(min_length=1, max_length=100)
    level: int = Field(default=3, ge=1, le=5)


class RoutingProfileIn(BaseModel):
    capacity: int = Field(ge=1, le=50)
    skills: list[SkillModel] = Field(default_factory=list, max_length=100)


class RoutingProfileOut(BaseModel):
    user_id: int
    capacity: int
    skills: list[SkillModel]


class TransferIn(BaseModel):
    """Either a colleague or a queue ("" is the general queue)."""

    to_user_id: int | None = None
    queue: str | None = Field(default=None, max_length=100)
    note: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def one_target(self) -> TransferIn:
        if (self.to_user_id is None) == (self.queue is None):
            raise ValueError("give either to_user_id or queue")
        return self


class EscalateIn(BaseModel):
    note: str = Field(min_length=1, max_length=2000)


class TicketOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    conversation_id: int
    queue: str
    state: str
    tier: int
    risk: list[Any]
    escalated: bool
    requeues: int
    note: str
    contact: dict[str, Any]
    waiting_since: datetime


class OperatorRowOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    user_id: int
    name: str
    role: str
    status: str
    status_since: datetime
    load: int
    capacity: int
    present: bool


class QueueRowOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    queue: str
    waiting: int
    oldest_wait_seconds: float
    email: int
    callback: int
    escalated: int


class BoardOut(BaseModel):
    operators: list[OperatorRowOut]
    queues: list[QueueRowOut]
    # outgoing e-mail by state: pending (not sent yet), sent, failed (given up)
    mail: dict[str, int]
    # today's KPIs so far (service level, abandonment, ASA, contacts…) and their targets
    today: dict[str, float | None]
    targets: dict[str, float | None]


class AlternativeIn(BaseModel):
    kind: Literal["email", "callback", "bot"]
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=32)
    at: datetime | None = None

    @model_validator(mode="after")
    def needs(self) -> AlternativeIn:
        if self.kind == "email" and not self.email:
            raise ValueError("an e-mail answer needs the address")
        if self.kind == "callback" and not (self.phone and self.at):
            raise ValueError("a callback needs a phone number and a time")
        return self


class PlaceOut(BaseModel):
    conversation_id: int
    position: int | None
    wait_minutes: int | None
    text: str
    alternatives: bool


class TierIn(BaseModel):
    tier: int = Field(ge=0, le=2)


# --- live events --------------------------------------------------------------------------


class EscalationCreated(Event):
    type: Literal["escalation"] = "escalation"
    op: Literal["created"] = "created"
    id: int
    note: str


class QueuePlace(Event):
    """The customer's place in the queue and the wait, as the chat shows it."""

    type: Literal["queue"] = "queue"
    op: Literal["place"] = "place"
    id: int
    conversation_id: int
    position: int
    wait_minutes: int | None
    text: str
    alternatives: bool


class QueueChoice(Event):
    """The queues changed without an assignment (e-mail, callback, back to the bot)."""

    type: Literal["queue"] = "queue"
    op: Literal["alternative"] = "alternative"
    id: int
    kind: str
