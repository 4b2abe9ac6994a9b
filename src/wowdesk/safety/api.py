"""REST routes for supervisors' control of the AI and operators' part in it."""

from __future__ import annotations

import functools
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from wowdesk.bot.engine import BotEngine
from wowdesk.conversations import service as conversations
from wowdesk.db import run_unit
from wowdesk.operators import service as operators
from wowdesk.operators.auth import CurrentUser, require, require_briefly
from wowdesk.operators.models import Role, User
from wowdesk.safety import (
    broadcasts,
    guards,
    incident_report,
    incident_views,
    incidents,
    rawtext,
    regression,
    switch,
    verification,
)
from wowdesk.safety.schemas import (
    AckOut,
    BroadcastDetail,
    BroadcastIn,
    BroadcastOut,
    CaseIn,
    CaseOut,
    CasePatch,
    ChangeOut,
    DecideIn,
    DeliveryOut,
    FlagCreated,
    GuardEventOut,
    IncidentDetailOut,
    IncidentOut,
    MoveIn,
    NewIncidentIn,
    PreviousContactOut,
    PurchaseOut,
    RawTextAccessOut,
    RawTextOut,
    RawTextViewOut,
    RegressOut,
    RequestIn,
    RequestOut,
    ScopeIn,
    SendOut,
    StatusIn,
    SwitchesOut,
    SwitchOnIn,
    SwitchOnOut,
    SwitchOut,
    VerificationOut,
    VerificationSentOut,
)
from wowdesk.web.deps import AppSettings, DbSession

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


# routes that wait on the network authenticate briefly and hold no database session
network = APIRouter(prefix="/api/v1/safety", tags=["safety"])

# --- incidents -------------------------------------------------------------------------


def _options(settings: AppSettings) -> incidents.Options:
    return incidents.options_from(settings)


IncidentOptions = Annotated[incidents.Options, Depends(_options)]
Operator = Depends(require(Role.operator))


@staff.post("/flags", status_code=201, dependencies=[Operator])
def flag_answer(
    user: CurrentUser,
    db: DbSession,
    options: IncidentOptions,
    message_id: Annotated[int, Form()],
    reason: Annotated[str, Form(max_length=16)],
    comment: Annotated[str, Form(max_length=2000)] = "",
    screenshot: Annotated[UploadFile | None, File()] = None,
) -> FlagCreated:
    """Flags a bot answer as wrong (multipart form; `screenshot` PNG or JPEG, optional)."""
    shot = None
    if screenshot is not None and (screenshot.filename or screenshot.size):
        # one byte over the limit is enough to refuse it
        data = screenshot.file.read(options.screenshot_max_bytes + 1)
        shot = (data, screenshot.content_type or "")
    flag, incident, created = incidents.do_flag(
        db,
        user,
        message_id=message_id,
        reason=reason,
        comment=comment,
        screenshot=shot,
        options=options,
    )
    return FlagCreated(
        flag=incident_views.flags_out(db, [flag])[0],
        incident=incident_views.incident_out(db, incident),
        incident_created=created,
    )


@staff.get("/conversations/{conversation_id}/flags", dependencies=[Operator])
def my_flags(conversation_id: int, user: CurrentUser, db: DbSession) -> list[int]:
    """The ids of the messages of this conversation the caller already flagged."""
    return incidents.flagged_by_me(db, user, conversation_id)


@staff.get("/flags/{flag_id}/screenshot", dependencies=[Operator])
def screenshot(
    flag_id: int, user: CurrentUser, db: DbSession, options: IncidentOptions
) -> FileResponse:
    """For supervisors and the operator who attached it; never sniffed as anything else."""
    path, content_type = incidents.access_screenshot(db, user, flag_id, options)
    return FileResponse(
        path,
        media_type=content_type,
        headers={
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'",
            "Cache-Control": "private, no-store",
            "Content-Disposition": f'inline; filename="flag-{flag_id}{path.suffix}"',
        },
    )


@supervisors.get("/incidents")
def list_incidents(
    db: DbSession, status: Annotated[str | None, Query(max_length=16)] = None
) -> list[IncidentOut]:
    return incident_views.incidents_out(db, incidents.list_incidents(db, status or None))


@supervisors.post("/incidents", status_code=201)
def new_incident(body: NewIncidentIn, user: CurrentUser, db: DbSession) -> IncidentOut:
    """A new incident by hand from flags (moved out of their incidents)."""
    incident = incidents.do_create_incident(db, user, flag_ids=body.flag_ids, title=body.title)
    return incident_views.incident_out(db, incident)


@supervisors.get("/incidents/{incident_id}")
def incident(incident_id: int, db: DbSession) -> IncidentDetailOut:
    return incident_views.incident_detail(db, incident_id)


@supervisors.post("/incidents/{incident_id}/status")
def set_status(incident_id: int, body: StatusIn, user: CurrentUser, db: DbSession) -> IncidentOut:
    incident = incidents.do_set_status(db, user, incident_id, body.status, body.note)
    return incident_views.incident_out(db, incident)


@supervisors.post("/flags/{flag_id}/move")
def move_flag(flag_id: int, body: MoveIn, user: CurrentUser, db: DbSession) -> IncidentOut:
    """To another incident, or (`incident_id` null) to a new one."""
    target = incidents.do_move_flag(
        db, user, flag_id, incident_id=body.incident_id, title=body.title
    )
    return incident_views.incident_out(db, target)


@network.post("/incidents/{incident_id}/send")
async def send_report(
    incident_id: int,
    request: Request,
    user: Annotated[User, Depends(require_briefly(Role.supervisor))],
    settings: AppSettings,
) -> SendOut:
    """Posts the JSON report to the webhook and/or mails it; 502 when neither accepted it
    (the attempts are kept either way and listed on the incident)."""
    options = incidents.options_from(settings)
    base_url = options.public_url or str(request.base_url).rstrip("/")
    state = request.app.state

    def run(fn: Any) -> Any:
        return run_unit(state.sessionmaker, state.db_executor, fn)

    report: dict[str, Any] = await run(
        functools.partial(
            incident_report.prepare_report,
            user=user,
            incident_id=incident_id,
            options=options,
            base_url=base_url,
        )
    )
    deliveries = await run_in_threadpool(incident_report.deliver_report, report, options)

    incident: IncidentOut = await run(
        lambda db: incident_views.incident_out(
            db, incident_report.do_record_delivery(db, user, incident_id, deliveries)
        )
    )
    incident_report.check_delivered(deliveries)
    now = datetime.now(UTC)
    return SendOut(
        incident=incident,
        deliveries=[DeliveryOut(**d.__dict__, at=now) for d in deliveries],
        report=report,
    )


# --- broadcasts (part "broadcasts") ------------------------------------------------------

# the staff router carries no role of its own: each staff route here names it
AnyStaff = [Depends(require(Role.operator))]


def _detail(db: DbSession, broadcast_id: int) -> BroadcastDetail:
    acks = broadcasts.acknowledgements(db, broadcast_id)
    return BroadcastDetail(
        broadcast=broadcasts.broadcast_out(db, [acks.broadcast])[0],
        acknowledged=[AckOut(**vars(a)) for a in acks.acknowledged],
        not_acknowledged=[AckOut(**vars(a)) for a in acks.not_acknowledged],
    )


@supervisors.post("/broadcasts", status_code=201)
def send_broadcast(body: BroadcastIn, user: CurrentUser, db: DbSession) -> BroadcastOut:
    """Warns every operator and supervisor, or one team; their consoles show it at once."""
    sent = broadcasts.do_broadcast(
        db, author_id=user.id, text=body.text, team_id=body.team_id, level=body.level
    )
    return broadcasts.broadcast_out(db, [sent])[0]


@supervisors.get("/broadcasts")
def list_broadcasts(
    db: DbSession, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> list[BroadcastOut]:
    return broadcasts.broadcast_out(db, broadcasts.list_broadcasts(db, limit))


@staff.get("/broadcasts/pending", dependencies=AnyStaff)
def pending_broadcasts(user: CurrentUser, db: DbSession) -> list[BroadcastOut]:
    """The banners this user has not acknowledged yet."""
    return broadcasts.broadcast_out(db, broadcasts.pending_for(db, user))


@supervisors.get("/broadcasts/{broadcast_id}")
def broadcast_detail(broadcast_id: int, db: DbSession) -> BroadcastDetail:
    """Who has acknowledged (with the time) and who has not."""
    return _detail(db, broadcast_id)


@staff.post("/broadcasts/{broadcast_id}/ack", dependencies=AnyStaff)
def acknowledge(broadcast_id: int, user: CurrentUser, db: DbSession) -> AckOut:
    row = broadcasts.do_acknowledge(db, user, broadcast_id)
    return AckOut(user_id=user.id, name=user.display_name, acknowledged_at=row.acknowledged_at)


@supervisors.post("/broadcasts/{broadcast_id}/close")
def close_broadcast(broadcast_id: int, db: DbSession) -> BroadcastOut:
    return broadcasts.broadcast_out(db, [broadcasts.do_close(db, broadcast_id)])[0]


# --- raw message text (part "broadcasts") ------------------------------------------------


@staff.get("/raw-text/access", dependencies=AnyStaff)
def raw_text_access(user: CurrentUser, settings: AppSettings) -> RawTextAccessOut:
    """Whether this user's role may reveal masked message text (pages show the control)."""
    return RawTextAccessOut(allowed=rawtext.may_see_raw(user.role, settings.raw_text_role_set()))


@staff.get("/messages/{message_id}/raw", dependencies=AnyStaff)
def raw_text(
    message_id: int,
    user: CurrentUser,
    db: DbSession,
    settings: AppSettings,
    place: Annotated[str, Query(max_length=40)] = "api",
    reason: Annotated[str, Query(max_length=500)] = "",
) -> RawTextOut:
    """A message as written, for roles in WOWDESK_RAW_TEXT_ROLES; every call is audited."""
    return rawtext.do_view_raw_text(
        db, user, message_id, roles=settings.raw_text_role_set(), place=place, reason=reason
    )


@supervisors.get("/raw-text/views")
def raw_text_views(
    db: DbSession,
    user_id: int | None = None,
    conversation_id: int | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[RawTextViewOut]:
    """The audit of raw-text views, newest first."""
    views = rawtext.list_views(db, user_id=user_id, conversation_id=conversation_id, limit=limit)
    return [RawTextViewOut.model_validate(v) for v in views]


# --- guards: verification helpers and the guards' audit -----------------------------------


@staff.get("/conversations/{conversation_id}/verification", dependencies=STAFF)
def verification_facts(conversation_id: int, user: CurrentUser, db: DbSession) -> VerificationOut:
    """Facts only the company knows about this customer, and the last confirmation sent."""
    conv = conversations.access_conversation(db, user, conversation_id)
    facts = verification.verification_facts(db, conv)
    return VerificationOut(
        previous_contact=PreviousContactOut(**asdict(facts.previous)) if facts.previous else None,
        last_purchase=PurchaseOut(**asdict(facts.purchase)) if facts.purchase else None,
        registered_address=facts.address,
        last_sent=VerificationSentOut.model_validate(facts.last_sent) if facts.last_sent else None,
    )


@staff.post("/conversations/{conversation_id}/verification", status_code=201, dependencies=STAFF)
def send_confirmation(
    conversation_id: int, user: CurrentUser, db: DbSession
) -> VerificationSentOut:
    """Mails the customer a confirmation code through their registered e-mail (409
    `no_registered_channel`, `verification_rate_limited`, `not_assigned`)."""
    conv = conversations.access_conversation(db, user, conversation_id)
    return VerificationSentOut.model_validate(verification.do_send_confirmation(db, conv, user))


@supervisors.get("/guard-events")
def guard_events(
    db: DbSession,
    conversation_id: int | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[GuardEventOut]:
    """The guards' audit: requests for secrets sent anyway, secrets hidden, answers stopped."""
    return [
        GuardEventOut.model_validate(e)
        for e in guards.list_events(db, conversation_id=conversation_id, limit=limit)
    ]
