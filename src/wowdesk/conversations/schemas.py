"""API shapes of conversations and messages (also the payloads of their live events)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from wowdesk.events import Event


class MessageIn(BaseModel):
    client_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    text: str


class StaffMessageIn(MessageIn):
    confirm_secret_request: bool = Field(
        default=False,
        description="send a message that asks the customer for a secret anyway (audited)",
    )


class StartIn(BaseModel):
    """Opens a conversation with its first message, so there are no empty conversations."""

    identity: str = Field(
        min_length=1, max_length=200, description="the customer's id on the channel"
    )
    identity_signature: str | None = Field(
        default=None,
        max_length=128,
        description="hex HMAC-SHA256 of `identity` with the channel's key "
        "(WOWDESK_IDENTITY_KEYS); without it the customer is unverified",
    )
    channel: str = Field(default="web", min_length=1, max_length=32)
    name: str = Field(default="", max_length=200)
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=32)
    message: MessageIn
    # chosen up front: "human" skips the bot and goes straight to the queue
    choice: Literal["bot", "human"] = "bot"


class CsatIn(BaseModel):
    score: int = Field(ge=1, le=5)


class WrapupIn(BaseModel):
    topic_id: int
    note: str = Field(default="", max_length=2000)


class TopicIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)


class MessageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    conversation_id: int
    seq: int
    client_id: str
    author_kind: str
    author_name: str = ""
    text: str
    # `text` is the PII-masked copy and differs from what was written; roles allowed to see
    # raw text may ask for it (GET /api/v1/safety/messages/{id}/raw, audited)
    masked: bool = False
    created_at: datetime
    # a file the customer sent through a channel: {id, kind, content_type, name, size}
    attachment: dict[str, Any] | None = None
    attachments: list[dict[str, Any]] = Field(default_factory=list)


class ConversationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    customer_id: int
    customer_name: str = ""
    customer_gender: str = ""  # "m", "f" or "" (unknown): for Russian grammar in the console
    channel: str
    status: str
    subject: str
    topic_id: int | None
    operator_id: int | None
    operator_name: str = ""
    last_seq: int
    operator_delivered_seq: int
    customer_delivered_seq: int
    csat: int | None
    created_at: datetime
    queued_at: datetime | None
    assigned_at: datetime | None
    first_human_reply_at: datetime | None
    closed_at: datetime | None
    wrapup_done_at: datetime | None
    last_message_at: datetime | None


class StartOut(BaseModel):
    conversation: ConversationOut
    token: str
    message: MessageOut


class MessagePosted(BaseModel):
    message: MessageOut
    created: bool


class CustomerView(BaseModel):
    """What the customer's own client may know: no operator ids, no internal notes."""

    id: int
    status: str
    last_seq: int
    operator_name: str
    operator_delivered_seq: int
    csat: int | None


class TopicOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    is_active: bool


class ConversationDetail(BaseModel):
    conversation: ConversationOut
    messages: list[MessageOut]
    earlier: list[ConversationOut]


# --- live events --------------------------------------------------------------------------


class ConversationChanged(Event):
    type: Literal["conversation"] = "conversation"
    op: str
    id: int
    conversation: dict[str, Any]  # a ConversationOut


class MessageCreated(Event):
    """`message` is a MessageOut with the masked text; `served_by` is the operator who may
    see the raw words (sockets read them through the service for them and the customer)."""

    type: Literal["message"] = "message"
    op: Literal["created"] = "created"
    id: int
    message: dict[str, Any]
    served_by: int | None = None


class Delivered(Event):
    type: Literal["delivered"] = "delivered"
    op: Literal["customer", "operator"]
    id: int
    conversation_id: int
    seq: int


class Typing(Event):
    type: Literal["typing"] = "typing"
    op: Literal["customer", "operator"]
    id: int
    conversation_id: int


class MailSent(Event):
    """Supervisors' boards count unsent mail: they recount when some went out."""

    type: Literal["mail"] = "mail"
    op: Literal["sent"] = "sent"
    sent: int
    failed: int


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=2000)


class NoteOut(BaseModel):
    id: int
    conversation_id: int
    author_id: int
    author_name: str
    text: str
    mentions: list[int]
    mention_names: list[str]
    created_at: datetime


class MentionOut(BaseModel):
    note: NoteOut
    conversation_subject: str
    customer_name: str


class FollowUpIn(BaseModel):
    due_at: datetime
    note: str = Field(default="", max_length=500)


class FollowUpOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    conversation_id: int
    due_at: datetime
    note: str
    done_at: datetime | None
    created_at: datetime


class ColleagueOut(BaseModel):
    id: int
    username: str
    display_name: str
    role: str


class NoteAdded(Event):
    """A note in a conversation's thread, to the people of that thread: its text stays on
    the server (fetched with the thread), the event only says who wrote and who is asked."""

    type: Literal["note"] = "note"
    op: Literal["added"] = "added"
    conversation_id: int
    note_id: int
    author_id: int
    author_name: str
    mentions: list[int]
