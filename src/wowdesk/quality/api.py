"""REST routes of quality: turning the bot back on after its regression cases, the cases,
flags on bot answers, incidents and their reports."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from wowdesk.bot.engine import BotEngine
from wowdesk.bot.schemas import (
    ChangeOut,
    SwitchOnIn,
)
from wowdesk.db import run_unit
from wowdesk.http.deps import AppSettings, DbSession
from wowdesk.http.routes import Routes
from wowdesk.operators.auth import CurrentUser, require, require_briefly
from wowdesk.operators.models import Role, User
from wowdesk.quality import flags, incident_report, incident_views, regression
from wowdesk.quality import service as incidents
from wowdesk.quality.schemas import (
    CaseIn,
    CaseOut,
    CasePatch,
    DeliveryOut,
    FlagCreated,
    IncidentDetailOut,
    IncidentOut,
    MoveIn,
    NewIncidentIn,
    RegressOut,
    SendOut,
    StatusIn,
    SwitchOnOut,
)

staff = APIRouter(prefix="/api/v1/safety", tags=["safety"])
supervisors = APIRouter(
    prefix="/api/v1/safety", tags=["safety"], dependencies=[Depends(require(Role.supervisor))]
)
# `staff` routes each carry the operator guard (the router itself has none)
STAFF = [Depends(require(Role.operator))]


def _bot(request: Request) -> BotEngine:
    engine: BotEngine = request.app.state.bot
    return engine


@supervisors.post("/switches/on")
def switch_on(body: SwitchOnIn, request: Request, user: CurrentUser, db: DbSession) -> SwitchOnOut:
    """409 `regression_failed` with `regression` (the report) unless every case passes or
    `override` is set."""
    change, report = regression.do_switch_on(
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
    flag, incident, created = flags.do_flag(
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
    path, content_type = flags.access_screenshot(db, user, flag_id, options)
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


routes = Routes(staff=(staff,), supervisors=(supervisors, network))
