"""REST routes for the bot: the handoff card and decisions (operators), policies (supervisors)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends

from wowdesk.bot import service, switch
from wowdesk.bot.schemas import (
    ChangeOut,
    DecideIn,
    HandoffOut,
    PolicyIn,
    PolicyOut,
    RejectedOut,
    RequestIn,
    RequestOut,
    ScopeIn,
    SwitchesOut,
    SwitchOut,
)
from wowdesk.conversations import service as conversations
from wowdesk.http.deps import DbSession
from wowdesk.http.routes import Routes
from wowdesk.operators import service as operators
from wowdesk.operators.auth import CurrentUser, require
from wowdesk.operators.models import Role

staff = APIRouter(prefix="/api/v1", tags=["bot"], dependencies=[Depends(require(Role.operator))])
supervisors = APIRouter(
    prefix="/api/v1/bot", tags=["bot"], dependencies=[Depends(require(Role.supervisor))]
)


@staff.get("/conversations/{conversation_id}/handoff")
def handoff(conversation_id: int, user: CurrentUser, db: DbSession) -> HandoffOut:
    """Why the bot passed the conversation and what the customer already said: in their own
    words for the operator serving it, PII-masked for everyone else."""
    conv = conversations.access_conversation(db, user, conversation_id)
    return service.handoff_out(db, conv.id, raw=conversations.serves(conv, user))


@supervisors.get("/policies")
def policies(db: DbSession) -> list[PolicyOut]:
    return [PolicyOut.model_validate(p) for p in service.list_policies(db)]


@supervisors.put("/policies")
def set_policy(body: PolicyIn, db: DbSession) -> PolicyOut:
    return PolicyOut.model_validate(service.do_set_policy(db, **body.model_dump()))


@supervisors.get("/rejected")
def rejected(db: DbSession) -> list[RejectedOut]:
    """Caught hallucinations: generated answers that were never sent."""
    return [RejectedOut.model_validate(r) for r in service.list_rejected(db)]


# manual mode: where the bot is off, operators' requests and the audit (turning it back on
# replays the regression cases first: `quality.api.switch_on`)
switch_staff = APIRouter(prefix="/api/v1/safety", tags=["safety"])
switch_supervisors = APIRouter(
    prefix="/api/v1/safety", tags=["safety"], dependencies=[Depends(require(Role.supervisor))]
)

# `staff` routes each carry the operator guard (the router itself has none)
STAFF = [Depends(require(Role.operator))]


@switch_staff.get("/switches", dependencies=STAFF)
def switches(db: DbSession) -> SwitchesOut:
    """Where the bot is off now (consoles show it) and every scope ever switched."""
    rows = [SwitchOut.model_validate(s) for s in switch.list_switches(db)]
    return SwitchesOut(switches=rows, off=[s for s in rows if s.is_off])


@switch_supervisors.post("/switches/off", status_code=201)
def switch_off(body: ScopeIn, user: CurrentUser, db: DbSession) -> ChangeOut:
    """Manual mode now; the bot's conversations in the scope go to people with their cards."""
    change = switch.do_switch_off(
        db, user, scope_kind=body.scope_kind, scope_value=body.scope_value, reason=body.reason
    )
    return ChangeOut.model_validate(change)


@switch_staff.post("/requests", status_code=201, dependencies=STAFF)
def request_manual_mode(body: RequestIn, user: CurrentUser, db: DbSession) -> RequestOut:
    """An operator asks a supervisor to switch the bot off."""
    request = switch.do_request(
        db,
        user,
        scope_kind=body.scope_kind,
        scope_value=body.scope_value,
        reason=body.reason,
        conversation_id=body.conversation_id,
    )
    return RequestOut.model_validate(request)


@switch_staff.get("/requests", dependencies=STAFF)
def requests(
    user: CurrentUser,
    db: DbSession,
    status: Literal["pending", "approved", "declined"] | None = None,
    mine: bool = False,
) -> list[RequestOut]:
    """Supervisors see everyone's requests; an operator sees their own."""
    own = mine or not operators.has_role(user, Role.supervisor)
    rows = switch.list_requests(db, status=status, requested_by=user.id if own else None)
    return [RequestOut.model_validate(r) for r in rows]


@switch_supervisors.post("/requests/{request_id}/decide")
def decide(request_id: int, body: DecideIn, user: CurrentUser, db: DbSession) -> RequestOut:
    return RequestOut.model_validate(
        switch.do_decide(db, user, request_id, body.approve, body.note)
    )


@switch_supervisors.get("/audit")
def audit(db: DbSession, limit: int = 100) -> list[ChangeOut]:
    return [ChangeOut.model_validate(c) for c in switch.list_changes(db, min(max(limit, 1), 1000))]


routes = Routes(staff=(staff, switch_staff), supervisors=(supervisors, switch_supervisors))
