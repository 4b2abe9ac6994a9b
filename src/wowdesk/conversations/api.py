"""REST routes for conversations: the customer side (conversation token) and the staff side."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query

from wowdesk.conversations import service, topics
from wowdesk.conversations.schemas import (
    ConversationDetail,
    ConversationOut,
    CsatIn,
    CustomerView,
    MessageIn,
    MessageOut,
    MessagePosted,
    StaffMessageIn,
    StartIn,
    StartOut,
    TopicIn,
    TopicOut,
    WrapupIn,
)
from wowdesk.customers.signing import check_identity_signature
from wowdesk.http.deps import AppSettings, DbSession
from wowdesk.http.routes import Routes
from wowdesk.operators.auth import CurrentUser, require
from wowdesk.operators.models import Role

TokenHeader = Annotated[str, Header(alias="X-Conversation-Token", min_length=1)]

public = APIRouter(prefix="/api/v1/chat", tags=["customer chat"])
staff = APIRouter(
    prefix="/api/v1", tags=["conversations"], dependencies=[Depends(require(Role.operator))]
)
admin = APIRouter(
    prefix="/api/v1", tags=["conversations"], dependencies=[Depends(require(Role.admin))]
)


@public.post("/conversations", status_code=201)
def start_conversation(body: StartIn, db: DbSession, settings: AppSettings) -> StartOut:
    """Opens a conversation with its first message and returns its secret token."""
    verified = check_identity_signature(
        settings.identity_keys, body.channel, body.identity, body.identity_signature
    )
    conv, token, msg = service.do_start(
        db,
        identity=body.identity,
        channel=body.channel,
        client_id=body.message.client_id,
        text=body.message.text,
        limit=settings.max_message_chars,
        name=body.name,
        email=body.email,
        phone=body.phone,
        first_line=settings.bot_enabled and body.choice == "bot",
        secret=settings.resolved_secret_key(),
        verified=verified,
    )
    return StartOut(
        conversation=service.conversation_out(db, [conv])[0],
        token=token,
        message=service.message_out(db, [msg], raw=True)[0],
    )


@public.get("/conversations/{conversation_id}")
def customer_conversation(conversation_id: int, token: TokenHeader, db: DbSession) -> CustomerView:
    conv = service.access_conversation_by_token(db, conversation_id, token)
    return service.customer_view(db, conv)


@public.get("/conversations/{conversation_id}/messages")
def customer_messages(
    conversation_id: int,
    token: TokenHeader,
    db: DbSession,
    after_seq: Annotated[int, Query(ge=0)] = 0,
) -> list[MessageOut]:
    conv = service.access_conversation_by_token(db, conversation_id, token)
    return service.message_out(db, service.list_messages(db, conv, after_seq), raw=True)


@public.post("/conversations/{conversation_id}/messages")
def customer_post(
    conversation_id: int, body: MessageIn, token: TokenHeader, db: DbSession, settings: AppSettings
) -> MessagePosted:
    conv = service.access_conversation_by_token(db, conversation_id, token)
    msg, created = service.do_customer_message(
        db, conv, client_id=body.client_id, text=body.text, limit=settings.max_message_chars
    )
    return MessagePosted(message=service.message_out(db, [msg], raw=True)[0], created=created)


@public.post("/conversations/{conversation_id}/csat")
def customer_rate(
    conversation_id: int, body: CsatIn, token: TokenHeader, db: DbSession
) -> CustomerView:
    conv = service.access_conversation_by_token(db, conversation_id, token)
    service.do_rate(db, conv, body.score)
    return service.customer_view(db, conv)


@staff.get("/conversations")
def inbox(
    user: CurrentUser,
    db: DbSession,
    view: Annotated[str, Query(pattern="^(active|queue|mine|all)$")] = "active",
) -> list[ConversationOut]:
    return service.conversation_out(db, service.list_inbox(db, user, view))


@staff.get("/conversations/{conversation_id}")
def conversation_detail(
    conversation_id: int, user: CurrentUser, db: DbSession
) -> ConversationDetail:
    conv = service.access_conversation(db, user, conversation_id)
    earlier = service.list_customer_conversations(db, conv.customer_id, exclude_id=conv.id)
    return ConversationDetail(
        conversation=service.conversation_out(db, [conv])[0],
        messages=service.message_out(
            db, service.list_messages(db, conv), raw=service.serves(conv, user)
        ),
        earlier=service.conversation_out(db, earlier),
    )


@staff.get("/conversations/{conversation_id}/messages")
def staff_messages(
    conversation_id: int,
    user: CurrentUser,
    db: DbSession,
    after_seq: Annotated[int, Query(ge=0)] = 0,
) -> list[MessageOut]:
    conv = service.access_conversation(db, user, conversation_id)
    return service.message_out(
        db, service.list_messages(db, conv, after_seq), raw=service.serves(conv, user)
    )


@staff.post("/conversations/{conversation_id}/messages")
def staff_post(
    conversation_id: int,
    body: StaffMessageIn,
    user: CurrentUser,
    db: DbSession,
    settings: AppSettings,
) -> MessagePosted:
    """A message asking for a secret is answered 409 `secret_request_warning` (post it again
    with `confirm_secret_request`) or 403 `secret_request_blocked`."""
    conv = service.access_conversation(db, user, conversation_id)
    msg, created = service.do_operator_message(
        db,
        conv,
        user,
        client_id=body.client_id,
        text=body.text,
        limit=settings.max_message_chars,
        secret_policy=settings.secret_request_policy,
        confirm_secret_request=body.confirm_secret_request,
    )
    mine = service.message_out(db, [msg], raw=service.serves(conv, user))[0]
    return MessagePosted(message=mine, created=created)


@staff.post("/conversations/{conversation_id}/close")
def close(conversation_id: int, user: CurrentUser, db: DbSession) -> ConversationOut:
    conv = service.do_close(db, service.access_conversation(db, user, conversation_id), user)
    return service.conversation_out(db, [conv])[0]


@staff.post("/conversations/{conversation_id}/wrapup")
def wrapup(
    conversation_id: int, body: WrapupIn, user: CurrentUser, db: DbSession
) -> ConversationOut:
    conv = service.access_conversation(db, user, conversation_id)
    service.do_wrapup(db, conv, user, topic_id=body.topic_id, note=body.note)
    return service.conversation_out(db, [conv])[0]


@staff.get("/topics")
def list_topics(db: DbSession) -> list[TopicOut]:
    return [TopicOut.model_validate(t) for t in topics.list_topics(db)]


@admin.post("/topics", status_code=201)
def create_topic(body: TopicIn, db: DbSession) -> TopicOut:
    return TopicOut.model_validate(topics.do_create_topic(db, body.name))


routes = Routes(public=(public,), staff=(staff,), admin=(admin,))
