"""REST routes of quality control: scorecards, scores, review, disputes, calibration, WOW,
cases, proposals, gaps, weak spots."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from wowdesk.db import utcnow
from wowdesk.operators.auth import CurrentUser, require
from wowdesk.operators.models import Role
from wowdesk.quality import (
    calibration,
    cases,
    gaps,
    proposals,
    review,
    scorecards,
    weakspots,
    wow,
)
from wowdesk.quality.qa_schemas import (
    AgreementOut,
    CalibrationIn,
    CalibrationOut,
    CaseIn,
    CaseOut,
    CasePatch,
    ChangeOut,
    DecideIn,
    DefinitionIn,
    DisputeIn,
    DisputeOut,
    GapDraftOut,
    ManualScoreIn,
    OverrideIn,
    ProposalIn,
    ProposalOut,
    ProposalStatusIn,
    QueueItemOut,
    RatingIn,
    ResolveIn,
    ScorecardDetail,
    ScorecardIn,
    ScorecardOut,
    ScoreOut,
    VersionOut,
    WeakSpotOut,
    WowOut,
)
from wowdesk.web.deps import AppSettings, DbSession

PREFIX = "/api/v1/quality"
staff = APIRouter(prefix=PREFIX, tags=["quality"], dependencies=[Depends(require(Role.operator))])
supervisors = APIRouter(
    prefix=PREFIX, tags=["quality"], dependencies=[Depends(require(Role.supervisor))]
)


# --- scorecards --------------------------------------------------------------------------


@supervisors.get("/scorecards")
def list_scorecards(db: DbSession) -> list[ScorecardOut]:
    scorecards.do_ensure_defaults(db)
    return [ScorecardOut.model_validate(s) for s in scorecards.list_scorecards(db)]


@supervisors.post("/scorecards", status_code=201)
def create_scorecard(body: ScorecardIn, db: DbSession, user: CurrentUser) -> ScorecardOut:
    card = scorecards.do_create(db, user, body.name, body.kind, body.definition)
    return ScorecardOut.model_validate(card)


@supervisors.get("/scorecards/{scorecard_id}")
def get_scorecard(scorecard_id: int, db: DbSession) -> ScorecardDetail:
    card = scorecards.get_scorecard(db, scorecard_id)
    return ScorecardDetail(
        scorecard=ScorecardOut.model_validate(card),
        versions=[VersionOut.model_validate(v) for v in scorecards.list_versions(db, card.id)],
    )


@supervisors.post("/scorecards/{scorecard_id}/versions", status_code=201)
def new_version(
    scorecard_id: int, body: DefinitionIn, db: DbSession, user: CurrentUser
) -> VersionOut:
    return VersionOut.model_validate(
        scorecards.do_new_version(db, user, scorecard_id, body.definition)
    )


# --- scores, review, disputes ------------------------------------------------------------


@staff.get("/conversations/{conversation_id}/scores")
def conversation_scores(conversation_id: int, db: DbSession, user: CurrentUser) -> list[ScoreOut]:
    return [ScoreOut.model_validate(s) for s in review.scores_of(db, user, conversation_id)]


@staff.get("/me/scores")
def my_scores(db: DbSession, user: CurrentUser) -> list[ScoreOut]:
    return [ScoreOut.model_validate(s) for s in review.my_scores(db, user)]


@supervisors.get("/review-queue")
def review_queue(
    db: DbSession,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> list[QueueItemOut]:
    return [
        QueueItemOut(score=ScoreOut.model_validate(i.score), why=i.why)
        for i in review.review_queue(db, limit, offset)
    ]


@supervisors.post("/conversations/{conversation_id}/scores", status_code=201)
def manual_score(
    conversation_id: int, body: ManualScoreIn, db: DbSession, user: CurrentUser
) -> ScoreOut:
    return ScoreOut.model_validate(
        review.do_manual_score(db, user, conversation_id, body.values, body.notes)
    )


@supervisors.post("/scores/{score_id}/override")
def override(score_id: int, body: OverrideIn, db: DbSession, user: CurrentUser) -> ChangeOut:
    score = review.get_score(db, score_id)
    return ChangeOut.model_validate(
        review.do_override(db, user, score, body.criterion, body.value, body.reason)
    )


@staff.get("/scores/{score_id}/changes")
def score_changes(score_id: int, db: DbSession, user: CurrentUser) -> list[ChangeOut]:
    score = review.access_score(db, user, score_id)
    return [ChangeOut.model_validate(c) for c in review.list_changes(db, score.id)]


@staff.post("/scores/{score_id}/disputes", status_code=201)
def dispute(score_id: int, body: DisputeIn, db: DbSession, user: CurrentUser) -> DisputeOut:
    score = review.access_score(db, user, score_id)
    return DisputeOut.model_validate(
        review.do_dispute(db, user, score, body.criterion, body.comment)
    )


@supervisors.get("/disputes")
def disputes(
    db: DbSession, status: Annotated[str | None, Query(max_length=16)] = "open"
) -> list[DisputeOut]:
    return [DisputeOut.model_validate(d) for d in review.list_disputes(db, status or None)]


@supervisors.post("/disputes/{dispute_id}/resolve")
def resolve(dispute_id: int, body: ResolveIn, db: DbSession, user: CurrentUser) -> DisputeOut:
    found = review.get_dispute(db, dispute_id)
    return DisputeOut.model_validate(
        review.do_resolve(
            db, user, found, accept=body.accept, comment=body.comment, value=body.value
        )
    )


# --- calibration -------------------------------------------------------------------------


@supervisors.post("/calibrations", status_code=201)
def create_calibration(body: CalibrationIn, db: DbSession, user: CurrentUser) -> CalibrationOut:
    session = calibration.do_create(db, user, body.title, body.conversation_ids, body.reviewer_ids)
    return CalibrationOut.model_validate(session)


@supervisors.post("/calibrations/{calibration_id}/ratings", status_code=204)
def rate(calibration_id: int, body: RatingIn, db: DbSession, user: CurrentUser) -> None:
    session = calibration.get_session(db, calibration_id)
    calibration.do_rate(db, user, session, body.conversation_id, body.values)


@supervisors.get("/calibrations/{calibration_id}/agreement")
def agreement(calibration_id: int, db: DbSession) -> list[AgreementOut]:
    session = calibration.get_session(db, calibration_id)
    return [AgreementOut(**asdict(a)) for a in calibration.report(db, session)]


# --- WOW ---------------------------------------------------------------------------------


@supervisors.get("/wow")
def wows(db: DbSession, status: Annotated[str | None, Query(max_length=16)] = None) -> list[WowOut]:
    return [WowOut.model_validate(w) for w in wow.list_wows(db, status)]


@supervisors.post("/wow/find")
def find_wow(db: DbSession, settings: AppSettings, day: date | None = None) -> list[WowOut]:
    day = day or wow.local_today(settings.timezone)
    wow.do_find(db, day, settings.timezone)
    return [WowOut.model_validate(w) for w in wow.list_wows(db) if w.day == day]


@supervisors.post("/wow/{wow_id}/decide")
def decide_wow(wow_id: int, body: DecideIn, db: DbSession, user: CurrentUser) -> WowOut:
    found = wow.do_decide(
        db, user, wow_id, confirm=body.confirm, what_good=body.what_good, tags=body.tags
    )
    return WowOut.model_validate(found)


# --- cases -------------------------------------------------------------------------------


@staff.get("/cases")
def search_cases(
    db: DbSession,
    user: CurrentUser,
    q: Annotated[str, Query(max_length=300)] = "",
    tag: Annotated[str, Query(max_length=80)] = "",
) -> list[CaseOut]:
    return [CaseOut.model_validate(c) for c in cases.search_cases(db, user, q, tag)]


@staff.get("/cases/{case_id}")
def get_case(case_id: int, db: DbSession, user: CurrentUser) -> CaseOut:
    return CaseOut.model_validate(cases.access_case(db, user, case_id))


@staff.post("/cases", status_code=201)
def create_case(body: CaseIn, db: DbSession, user: CurrentUser) -> CaseOut:
    source = cases.check_source(user, body.source)
    conv = cases.conversation_for(db, user, body.conversation_id)
    case = cases.do_create_from_conversation(
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
    return CaseOut.model_validate(case)


@staff.patch("/cases/{case_id}")
def update_case(case_id: int, body: CasePatch, db: DbSession, user: CurrentUser) -> CaseOut:
    case = cases.access_case(db, user, case_id)
    return CaseOut.model_validate(cases.do_update(db, user, case, **body.model_dump()))


# --- proposals, gaps, weak spots ---------------------------------------------------------


@staff.post("/proposals", status_code=201)
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


@staff.get("/proposals/mine")
def my_proposals(db: DbSession, user: CurrentUser) -> list[ProposalOut]:
    return [
        ProposalOut.model_validate(p) for p in proposals.list_proposals(db, proposer_id=user.id)
    ]


@supervisors.get("/proposals")
def list_proposals(
    db: DbSession, status: Annotated[str | None, Query(max_length=16)] = None
) -> list[ProposalOut]:
    return [ProposalOut.model_validate(p) for p in proposals.list_proposals(db, status)]


@supervisors.post("/proposals/{proposal_id}/status")
def set_proposal_status(
    proposal_id: int, body: ProposalStatusIn, db: DbSession, user: CurrentUser
) -> ProposalOut:
    proposal = proposals.get_proposal(db, proposal_id)
    return ProposalOut.model_validate(
        proposals.do_set_status(db, user, proposal, body.status, body.decision)
    )


@supervisors.get("/gaps")
def gap_drafts(db: DbSession) -> list[GapDraftOut]:
    return [GapDraftOut.model_validate(g) for g in gaps.list_drafts(db)]


@supervisors.post("/gaps/mine")
def mine_gaps(db: DbSession, days: Annotated[float, Query(gt=0, le=90)] = 1.0) -> list[GapDraftOut]:
    gaps.do_mine(db, since_days=days)
    return [GapDraftOut.model_validate(g) for g in gaps.list_drafts(db)]


@supervisors.get("/weak-spots")
def weak_spots(db: DbSession, days: Annotated[int, Query(ge=1, le=365)] = 30) -> list[WeakSpotOut]:
    since = utcnow() - timedelta(days=days)
    return [WeakSpotOut(**asdict(s)) for s in weakspots.weak_spots(db, since)]
