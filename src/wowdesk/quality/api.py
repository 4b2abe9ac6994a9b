"""REST routes of quality: turning the bot back on after its regression cases, the cases,
flags on bot answers, incidents and their reports; scorecards, scores, review, disputes,
calibration, WOW, the case library, proposals, gaps and weak spots (/api/v1/quality)."""

from __future__ import annotations

import functools
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from wowdesk.bot.engine import BotEngine
from wowdesk.bot.schemas import (
    ChangeOut,
    SwitchOnIn,
)
from wowdesk.db import local_today, run_unit, utcnow
from wowdesk.http.deps import AppSettings, DbSession, IsoDate
from wowdesk.http.routes import Routes
from wowdesk.operators.auth import CurrentUser, require, require_briefly
from wowdesk.operators.models import Role, User
from wowdesk.quality import (
    calibration,
    flags,
    gaps,
    incident_report,
    incident_views,
    proposals,
    regression,
    review,
    scorecards,
    weakspots,
    wow,
)
from wowdesk.quality import cases as library
from wowdesk.quality import service as incidents
from wowdesk.quality.schemas import (
    AgreementOut,
    CalibrationIn,
    CalibrationOut,
    CaseIn,
    CaseOut,
    CasePatch,
    DecideIn,
    DefinitionIn,
    DeliveryOut,
    DisputeIn,
    DisputeOut,
    FlagCreated,
    GapDraftOut,
    IncidentDetailOut,
    IncidentOut,
    LibraryCaseIn,
    LibraryCaseOut,
    LibraryCasePatch,
    ManualScoreIn,
    MoveIn,
    NewIncidentIn,
    OverrideIn,
    ProposalIn,
    ProposalOut,
    ProposalStatusIn,
    QueueItemOut,
    RatingIn,
    RegressOut,
    ResolveIn,
    ScorecardDetail,
    ScorecardIn,
    ScorecardOut,
    ScoreChangeOut,
    ScoreOut,
    SendOut,
    StatusIn,
    SwitchOnOut,
    VersionOut,
    WeakSpotOut,
    WowOut,
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


# --- scorecards, scores, review, WOW, the case library, proposals, gaps ----------------

PREFIX = "/api/v1/quality"
qa_staff = APIRouter(
    prefix=PREFIX, tags=["quality"], dependencies=[Depends(require(Role.operator))]
)
qa_supervisors = APIRouter(
    prefix=PREFIX, tags=["quality"], dependencies=[Depends(require(Role.supervisor))]
)


# --- scorecards --------------------------------------------------------------------------


@qa_supervisors.get("/scorecards")
def list_scorecards(db: DbSession) -> list[ScorecardOut]:
    scorecards.do_ensure_defaults(db)
    return [ScorecardOut.model_validate(s) for s in scorecards.list_scorecards(db)]


@qa_supervisors.post("/scorecards", status_code=201)
def create_scorecard(body: ScorecardIn, db: DbSession, user: CurrentUser) -> ScorecardOut:
    card = scorecards.do_create(db, user, body.name, body.kind, body.definition)
    return ScorecardOut.model_validate(card)


@qa_supervisors.get("/scorecards/{scorecard_id}")
def get_scorecard(scorecard_id: int, db: DbSession) -> ScorecardDetail:
    card = scorecards.get_scorecard(db, scorecard_id)
    return ScorecardDetail(
        scorecard=ScorecardOut.model_validate(card),
        versions=[VersionOut.model_validate(v) for v in scorecards.list_versions(db, card.id)],
    )


@qa_supervisors.post("/scorecards/{scorecard_id}/versions", status_code=201)
def new_version(
    scorecard_id: int, body: DefinitionIn, db: DbSession, user: CurrentUser
) -> VersionOut:
    return VersionOut.model_validate(
        scorecards.do_new_version(db, user, scorecard_id, body.definition)
    )


# --- scores, review, disputes ------------------------------------------------------------


@qa_staff.get("/conversations/{conversation_id}/scores")
def conversation_scores(conversation_id: int, db: DbSession, user: CurrentUser) -> list[ScoreOut]:
    """A colleague's conversation has no scores to show (not a 404: the console asks)."""
    found = review.visible_scores(db, user, conversation_id) or []
    return [ScoreOut.model_validate(s) for s in found]


@qa_staff.get("/me/scores")
def my_scores(db: DbSession, user: CurrentUser) -> list[ScoreOut]:
    return [ScoreOut.model_validate(s) for s in review.my_scores(db, user)]


@qa_supervisors.get("/review-queue")
def review_queue(
    db: DbSession,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
    who: review.Handler = review.Handler.all,
) -> list[QueueItemOut]:
    """The order and the filter of /quality/review (its page N is offset 50·(N−1))."""
    return [
        QueueItemOut(score=ScoreOut.model_validate(i.score), why=i.why)
        for i in review.review_queue(db, limit, offset, who)
    ]


@qa_supervisors.post("/conversations/{conversation_id}/scores", status_code=201)
def manual_score(
    conversation_id: int, body: ManualScoreIn, db: DbSession, user: CurrentUser
) -> ScoreOut:
    return ScoreOut.model_validate(
        review.do_manual_score(db, user, conversation_id, body.values, body.notes)
    )


@qa_supervisors.post("/scores/{score_id}/override")
def override(score_id: int, body: OverrideIn, db: DbSession, user: CurrentUser) -> ScoreChangeOut:
    score = review.get_score(db, score_id)
    return ScoreChangeOut.model_validate(
        review.do_override(db, user, score, body.criterion, body.value, body.reason)
    )


@qa_staff.get("/scores/{score_id}/changes")
def score_changes(score_id: int, db: DbSession, user: CurrentUser) -> list[ScoreChangeOut]:
    score = review.access_score(db, user, score_id)
    return [ScoreChangeOut.model_validate(c) for c in review.list_changes(db, score.id)]


@qa_staff.post("/scores/{score_id}/disputes", status_code=201)
def dispute(score_id: int, body: DisputeIn, db: DbSession, user: CurrentUser) -> DisputeOut:
    score = review.access_score(db, user, score_id)
    return DisputeOut.model_validate(
        review.do_dispute(db, user, score, body.criterion, body.comment)
    )


@qa_supervisors.get("/disputes")
def disputes(
    db: DbSession, status: Annotated[str | None, Query(max_length=16)] = "open"
) -> list[DisputeOut]:
    return [DisputeOut.model_validate(d) for d in review.list_disputes(db, status or None)]


@qa_supervisors.post("/disputes/{dispute_id}/resolve")
def resolve(dispute_id: int, body: ResolveIn, db: DbSession, user: CurrentUser) -> DisputeOut:
    found = review.get_dispute(db, dispute_id)
    return DisputeOut.model_validate(
        review.do_resolve(
            db, user, found, accept=body.accept, comment=body.comment, value=body.value
        )
    )


# --- calibration -------------------------------------------------------------------------


@qa_supervisors.post("/calibrations", status_code=201)
def create_calibration(body: CalibrationIn, db: DbSession, user: CurrentUser) -> CalibrationOut:
    session = calibration.do_create(db, user, body.title, body.conversation_ids, body.reviewer_ids)
    return CalibrationOut.model_validate(session)


@qa_supervisors.post("/calibrations/{calibration_id}/ratings", status_code=204)
def rate(calibration_id: int, body: RatingIn, db: DbSession, user: CurrentUser) -> None:
    session = calibration.get_session(db, calibration_id)
    calibration.do_rate(db, user, session, body.conversation_id, body.values)


@qa_supervisors.get("/calibrations/{calibration_id}/agreement")
def agreement(calibration_id: int, db: DbSession) -> list[AgreementOut]:
    session = calibration.get_session(db, calibration_id)
    return [AgreementOut(**asdict(a)) for a in calibration.report(db, session)]


# --- WOW ---------------------------------------------------------------------------------


@qa_supervisors.get("/wow")
def wows(db: DbSession, status: Annotated[str | None, Query(max_length=16)] = None) -> list[WowOut]:
    return [WowOut.model_validate(w) for w in wow.list_wows(db, status)]


@qa_supervisors.post("/wow/find")
def find_wow(db: DbSession, settings: AppSettings, day: IsoDate | None = None) -> list[WowOut]:
    day = day or local_today(settings.timezone)
    wow.do_find(db, day, settings.timezone)
    return [WowOut.model_validate(w) for w in wow.list_wows(db) if w.day == day]


@qa_supervisors.post("/wow/{wow_id}/decide")
def decide_wow(wow_id: int, body: DecideIn, db: DbSession, user: CurrentUser) -> WowOut:
    found = wow.do_decide(
        db, user, wow_id, confirm=body.confirm, what_good=body.what_good, tags=body.tags
    )
    return WowOut.model_validate(found)


# --- cases -------------------------------------------------------------------------------


@qa_staff.get("/cases")
def search_cases(
    db: DbSession,
    user: CurrentUser,
    q: Annotated[str, Query(max_length=300)] = "",
    tag: Annotated[str, Query(max_length=80)] = "",
) -> list[LibraryCaseOut]:
    return [LibraryCaseOut.model_validate(c) for c in library.search_cases(db, user, q, tag)]


@qa_staff.get("/cases/{case_id}")
def get_library_case(case_id: int, db: DbSession, user: CurrentUser) -> LibraryCaseOut:
    return LibraryCaseOut.model_validate(library.access_case(db, user, case_id))


@qa_staff.post("/cases", status_code=201)
def create_library_case(body: LibraryCaseIn, db: DbSession, user: CurrentUser) -> LibraryCaseOut:
    source = library.check_source(user, body.source)
    conv = library.conversation_for(db, user, body.conversation_id)
    case = library.do_create_from_conversation(
        db,
        user,
        conv,
        source=source,
        title=body.title,
        tags=body.tags,
        profile=body.profile,
        what_good=body.what_good,
        ideal_scenario=body.ideal_scenario,
        follow_up_due=body.follow_up_due,
    )
    return LibraryCaseOut.model_validate(case)


@qa_staff.patch("/cases/{case_id}")
def update_library_case(
    case_id: int, body: LibraryCasePatch, db: DbSession, user: CurrentUser
) -> LibraryCaseOut:
    case = library.access_case(db, user, case_id)
    return LibraryCaseOut.model_validate(library.do_update(db, user, case, **body.model_dump()))


@qa_supervisors.delete("/cases/{case_id}", status_code=204)
def delete_library_case(case_id: int, db: DbSession, user: CurrentUser) -> Response:
    library.do_delete(db, user, library.access_case(db, user, case_id))
    return Response(status_code=204)


# --- proposals, gaps, weak spots ---------------------------------------------------------


@qa_staff.post("/proposals", status_code=201)
def propose(body: ProposalIn, db: DbSession, user: CurrentUser) -> ProposalOut:
    proposal = proposals.do_propose(
        db,
        user,
        target=body.target,
        comment=body.comment,
        target_ref=body.target_ref,
        conversation_id=body.conversation_id,
    )
    return ProposalOut.model_validate(proposal)


@qa_staff.get("/proposals/mine")
def my_proposals(db: DbSession, user: CurrentUser) -> list[ProposalOut]:
    return [
        ProposalOut.model_validate(p) for p in proposals.list_proposals(db, proposer_id=user.id)
    ]


@qa_supervisors.get("/proposals")
def list_proposals(
    db: DbSession, status: Annotated[str | None, Query(max_length=16)] = None
) -> list[ProposalOut]:
    return [ProposalOut.model_validate(p) for p in proposals.list_proposals(db, status)]


@qa_supervisors.post("/proposals/{proposal_id}/status")
def set_proposal_status(
    proposal_id: int, body: ProposalStatusIn, db: DbSession, user: CurrentUser
) -> ProposalOut:
    proposal = proposals.get_proposal(db, proposal_id)
    return ProposalOut.model_validate(
        proposals.do_set_status(db, user, proposal, body.status, body.decision)
    )


@qa_supervisors.get("/gaps")
def gap_drafts(db: DbSession) -> list[GapDraftOut]:
    return [GapDraftOut.model_validate(g) for g in gaps.list_drafts(db)]


@qa_supervisors.post("/gaps/mine")
def mine_gaps(db: DbSession, days: Annotated[float, Query(gt=0, le=90)] = 1.0) -> list[GapDraftOut]:
    gaps.do_mine(db, since_days=days)
    return [GapDraftOut.model_validate(g) for g in gaps.list_drafts(db)]


@qa_supervisors.get("/weak-spots")
def weak_spots(db: DbSession, days: Annotated[int, Query(ge=1, le=365)] = 30) -> list[WeakSpotOut]:
    since = utcnow() - timedelta(days=days)
    return [WeakSpotOut(**asdict(s)) for s in weakspots.weak_spots(db, since)]


routes = Routes(staff=(staff, qa_staff), supervisors=(supervisors, network, qa_supervisors))
