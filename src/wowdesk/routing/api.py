"""REST routes for routing: an operator's status, transfers and escalations, the
supervisors' board and skills, and the customer's choice of another way to be answered."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header

from wowdesk.conversations import service as conversations
from wowdesk.conversations.schemas import ConversationOut
from wowdesk.customers import service as customers
from wowdesk.errors import NotFound
from wowdesk.http.deps import AppSettings, DbSession
from wowdesk.http.routes import Routes
from wowdesk.operators import presence
from wowdesk.operators import service as operators
from wowdesk.operators.auth import CurrentUser, require
from wowdesk.operators.models import Role
from wowdesk.routing import board, queueing, service
from wowdesk.routing.schemas import (
    AlternativeIn,
    OperatorRowOut,
    PlaceOut,
    RoutingProfileIn,
    RoutingProfileOut,
    SkillModel,
    StatusChangeOut,
    StatusIn,
    StatusOut,
    TicketOut,
    TierIn,
)

TokenHeader = Annotated[str, Header(alias="X-Conversation-Token", min_length=1)]

staff = APIRouter(
    prefix="/api/v1", tags=["routing"], dependencies=[Depends(require(Role.operator))]
)
supervisors = APIRouter(
    prefix="/api/v1", tags=["routing"], dependencies=[Depends(require(Role.supervisor))]
)
public = APIRouter(prefix="/api/v1/chat", tags=["customer chat"])


def _status_out(db: DbSession, user_id: int) -> StatusOut:
    user = operators.get_user(db, user_id)
    state, load = service.operator_status(db, user)
    return StatusOut(
        user_id=user.id,
        status=state.status,
        status_since=state.status_since,
        capacity=state.capacity,
        load=load,
    )


@staff.get("/me/status")
def my_status(user: CurrentUser, db: DbSession) -> StatusOut:
    return _status_out(db, user.id)


@staff.put("/me/status")
def set_my_status(body: StatusIn, user: CurrentUser, db: DbSession) -> StatusOut:
    presence.do_set_status(db, user, presence.check_status(body.status))
    return _status_out(db, user.id)


@staff.get("/routing/colleagues")
def colleagues(user: CurrentUser, db: DbSession) -> list[OperatorRowOut]:
    return [OperatorRowOut.model_validate(r) for r in board.list_colleagues(db, user)]


@staff.get("/conversations/{conversation_id}/ticket")
def ticket(conversation_id: int, user: CurrentUser, db: DbSession) -> TicketOut:
    conversations.access_conversation(db, user, conversation_id)
    found = service.get_ticket(db, conversation_id)
    if found is None:
        raise NotFound("This conversation has not been in a queue", code="no_ticket")
    return TicketOut.model_validate(found)


@supervisors.put("/operators/{user_id}/status")
def set_status(user_id: int, body: StatusIn, db: DbSession) -> StatusOut:
    target = operators.get_user(db, user_id)
    presence.do_set_status(db, target, presence.check_status(body.status), reason="supervisor")
    return _status_out(db, user_id)


@supervisors.get("/operators/{user_id}/status-history")
def status_history(user_id: int, db: DbSession) -> list[StatusChangeOut]:
    operators.get_user(db, user_id)
    return [StatusChangeOut.model_validate(c) for c in presence.status_history(db, user_id)]


@supervisors.get("/operators/{user_id}/routing")
def routing_profile(user_id: int, db: DbSession) -> RoutingProfileOut:
    operators.get_user(db, user_id)
    skills = presence.skills_of(db, {user_id})[user_id]
    return RoutingProfileOut(
        user_id=user_id,
        capacity=presence.get_state(db, user_id).capacity,
        skills=[SkillModel.model_validate(s) for s in skills],
    )


@supervisors.put("/operators/{user_id}/routing")
def set_routing_profile(user_id: int, body: RoutingProfileIn, db: DbSession) -> RoutingProfileOut:
    skills = [presence.SkillIn(s.kind, s.value, s.level) for s in body.skills]
    state, rows = service.do_set_profile(db, user_id, body.capacity, skills)
    return RoutingProfileOut(
        user_id=user_id,
        capacity=state.capacity,
        skills=[SkillModel.model_validate(s) for s in rows],
    )


@supervisors.put("/customers/{customer_id}/tier")
def set_tier(customer_id: int, body: TierIn, db: DbSession) -> dict[str, int]:
    customer = customers.do_set_tier(db, customer_id, body.tier)
    return {"id": customer.id, "tier": customer.tier}


@public.get("/conversations/{conversation_id}/place")
def place(
    conversation_id: int, token: TokenHeader, db: DbSession, settings: AppSettings
) -> PlaceOut:
    conv = conversations.access_conversation_by_token(db, conversation_id, token)
    position, minutes, text, offer = queueing.place_of(
        db, conv, settings.routing_offer_after_minutes, settings.routing_grace_seconds
    )
    return PlaceOut(
        conversation_id=conv.id,
        position=position,
        wait_minutes=minutes,
        text=text,
        alternatives=offer,
    )


@public.post("/conversations/{conversation_id}/alternative")
def alternative(
    conversation_id: int, body: AlternativeIn, token: TokenHeader, db: DbSession
) -> dict[str, str]:
    """Instead of waiting: an answer by e-mail, a callback at a chosen time, or the bot."""
    conv = conversations.access_conversation_by_token(db, conversation_id, token)
    if body.kind == "email":
        queueing.do_leave_message(db, conv, body.email or "")
    elif body.kind == "callback":
        assert body.phone is not None and body.at is not None
        queueing.do_request_callback(db, conv, body.phone, body.at)
    else:
        queueing.do_back_to_bot(db, conv)
    return {"kind": body.kind, "status": "ok"}


@staff.post("/conversations/{conversation_id}/assign")
def assign(conversation_id: int, user: CurrentUser, db: DbSession) -> ConversationOut:
    conv = service.do_take(db, conversation_id, user)
    return conversations.conversation_out(db, [conv])[0]


routes = Routes(public=(public,), staff=(staff,), supervisors=(supervisors,))
