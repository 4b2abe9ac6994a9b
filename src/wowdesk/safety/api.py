"""REST routes for supervisors' control of the AI and operators' part in it."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Request

from wowdesk.bot.engine import BotEngine
from wowdesk.operators import service as operators
from wowdesk.operators.auth import CurrentUser, require
from wowdesk.operators.models import Role
from wowdesk.safety import regression, switch
from wowdesk.safety.schemas import (
    CaseIn,
    CaseOut,
    CasePatch,
    ChangeOut,
    DecideIn,
    RegressOut,
    RequestIn,
    RequestOut,
    ScopeIn,
    SwitchesOut,
    SwitchOnIn,
    SwitchOnOut,
    SwitchOut,
)
from wowdesk.web.deps import DbSession

staff = APIRouter(prefix="/api/v1/safety", tags=["safety"])
supervisors = APIRouter(
    prefix="/api/v1/safety", tags=["safety"], dependencies=[Depends(require(Role.supervisor))]
)


# --- manual mode and regression cases ---------------------------------------------------

# `staff` routes each carry the operator guard (the router itself has none)
STAFF = [Depends(require(Role.operator))]


def _bot(request: Request) -> BotEngine:
    engine: BotEngine = request.app.state.bot
    return engine


@staff.get("/switches", dependencies=STAFF)
def switches(db: DbSession) -> SwitchesOut:
    """Where the bot is off now (consoles show it) and every scope ever switched."""
    rows = [SwitchOut.model_validate(s) for s in switch.list_switches(db)]
    return SwitchesOut(switches=rows, off=[s for s in rows if s.is_off])


@supervisors.post("/switches/off", status_code=201)
def switch_off(body: ScopeIn, user: CurrentUser, db: DbSession) -> ChangeOut:
    """Manual mode now; the bot's conversations in the scope go to people with their cards."""
    change = switch.do_switch_off(
        db, user, scope_kind=body.scope_kind, scope_value=body.scope_value, reason=body.reason
    )
    return ChangeOut.model_validate(change)


@supervisors.post("/switches/on")
def switch_on(body: SwitchOnIn, request: Request, user: CurrentUser, db: DbSession) -> SwitchOnOut:
    """409 `regression_failed` with `regression` (the report) unless every case passes or
    `override` is set."""
    change, report = switch.do_switch_on(
        db,
        user,
        scope_kind=body.scope_kind,
        scope_value=body.scope_value,
        reason=body.reason,
        override=body.override,
        engine=_bot(request),
    )
    return SwitchOnOut(
        change=ChangeOut.model_validate(change),
        regression=RegressOut.model_validate(report.to_json()),
    )


@staff.post("/requests", status_code=201, dependencies=STAFF)
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


@staff.get("/requests", dependencies=STAFF)
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


@supervisors.post("/requests/{request_id}/decide")
def decide(request_id: int, body: DecideIn, user: CurrentUser, db: DbSession) -> RequestOut:
    return RequestOut.model_validate(
        switch.do_decide(db, user, request_id, body.approve, body.note)
    )


@supervisors.get("/audit")
def audit(db: DbSession, limit: int = 100) -> list[ChangeOut]:
    return [ChangeOut.model_validate(c) for c in switch.list_changes(db, min(max(limit, 1), 1000))]


@supervisors.get("/cases")
def cases(db: DbSession, active_only: bool = False) -> list[CaseOut]:
    return [CaseOut.model_validate(c) for c in regression.list_cases(db, active_only=active_only)]


@supervisors.post("/cases", status_code=201)
def add_case(body: CaseIn, user: CurrentUser, db: DbSession) -> CaseOut:
    case = regression.do_add_case(db, **body.model_dump(), created_by=user.id)
    return CaseOut.model_validate(case)


@supervisors.patch("/cases/{case_id}")
def update_case(case_id: int, body: CasePatch, db: DbSession) -> CaseOut:
    return CaseOut.model_validate(regression.do_update_case(db, case_id, **body.model_dump()))


@supervisors.get("/regress")
def regress(request: Request, db: DbSession) -> RegressOut:
    """Replays every active case now against the knowledge base and the bot."""
    return RegressOut.model_validate(regression.run_cases(db, _bot(request)).to_json())
