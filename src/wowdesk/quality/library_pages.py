"""Quality pages of recognition and learning: WOW dialogues, the case library, proposals,
knowledge gaps and weak spots.

Forms post and redirect (PRG); a refused input re-renders the page with the message."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from wowdesk.db import local_today, utcnow
from wowdesk.errors import Invalid
from wowdesk.http.deps import AppSettings, DbSession
from wowdesk.http.templating import render
from wowdesk.operators import service as operators
from wowdesk.operators.auth import CurrentUser, require
from wowdesk.operators.models import Role, User
from wowdesk.quality import cases, gaps, proposals, weakspots, wow
from wowdesk.quality.review_pages import conversation_view, go_to, is_supervisor, tried

staff = APIRouter(include_in_schema=False, dependencies=[Depends(require(Role.operator))])
supervisors = APIRouter(include_in_schema=False, dependencies=[Depends(require(Role.supervisor))])


# --- WOW ---------------------------------------------------------------------------------


def _wow_page(request: Request, db: DbSession, error: str = "", done: str = "") -> Response:
    items = wow.list_wows(db)
    return render(
        request,
        "quality/wow.html",
        status_code=400 if error else 200,
        items=items,
        names=operators.user_names(db, {w.operator_id for w in items if w.operator_id}),
        thanks=wow.thanks_of(db, [w.conversation_id for w in items]),
        reason_label=wow.reason_label,
        suggested_tags=cases.SUGGESTED_TAGS,
        error=error,
        done=done,
    )


@supervisors.get("/quality/wow")
def wow_page(request: Request, db: DbSession, done: str = "") -> Response:
    return _wow_page(request, db, done=done)


@supervisors.post("/quality/wow/find")
def wow_find(db: DbSession, settings: AppSettings) -> Response:
    today = local_today(settings.timezone)
    for day in (today - timedelta(days=1), today):
        wow.do_find(db, day, settings.timezone)
    return go_to("/quality/wow?done=found")


@supervisors.post("/quality/wow/{wow_id}")
def wow_decide(
    request: Request,
    wow_id: int,
    db: DbSession,
    user: CurrentUser,
    decision: Annotated[str, Form(max_length=8)],
    what_good: Annotated[str, Form(max_length=4000)] = "",
    tags: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    def decide() -> str:
        wow.do_decide(
            db,
            user,
            wow_id,
            confirm=decision == "confirm",
            what_good=what_good,
            tags=tags.split(","),
        )
        return f"/quality/wow?done={'confirmed' if decision == 'confirm' else 'rejected'}"

    return tried(request, db, decide, lambda msg: _wow_page(request, db, error=msg))


# --- cases -------------------------------------------------------------------------------


@staff.get("/quality/cases")
def cases_page(
    request: Request, db: DbSession, user: CurrentUser, q: str = "", tag: str = "", done: str = ""
) -> Response:
    return render(
        request,
        "quality/cases.html",
        found=cases.search_cases(db, user, q[:300], tag[:80]),
        mine=cases.list_mine(db, user),
        tags=cases.all_tags(db),
        q=q,
        tag=tag,
        done=done[:16],
    )


def _case_page(
    request: Request, db: DbSession, user: User, case_id: int, error: str = "", done: str = ""
) -> Response:
    case = cases.access_case(db, user, case_id)
    return render(
        request,
        "quality/case.html",
        status_code=400 if error else 200,
        case=case,
        editable=cases.can_edit(user, case),
        owner=operators.user_names(db, {case.owner_id}).get(case.owner_id or 0, "")
        if case.owner_id
        else "",
        error=error,
        done=done,
    )


@staff.get("/quality/cases/{case_id}")
def case_page(
    request: Request, case_id: int, db: DbSession, user: CurrentUser, done: str = ""
) -> Response:
    return _case_page(request, db, user, case_id, done=done)


@staff.post("/quality/cases/{case_id}")
def case_update(
    request: Request,
    case_id: int,
    db: DbSession,
    user: CurrentUser,
    title: Annotated[str, Form(max_length=300)],
    tags: Annotated[str, Form(max_length=1000)] = "",
    profile: Annotated[str, Form(max_length=300)] = "",
    what_good: Annotated[str, Form(max_length=4000)] = "",
    ideal_scenario: Annotated[str, Form(max_length=8000)] = "",
    follow_up: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    def save() -> str:
        case = cases.access_case(db, user, case_id)
        cases.do_update(
            db,
            user,
            case,
            title=title,
            tags=tags.split(","),
            profile=profile,
            what_good=what_good,
            ideal_scenario=ideal_scenario,
            follow_up=follow_up,
        )
        return f"/quality/cases/{case_id}?done=saved"

    return tried(request, db, save, lambda msg: _case_page(request, db, user, case_id, error=msg))


@supervisors.post("/quality/cases/{case_id}/delete")
def case_delete(case_id: int, db: DbSession, user: CurrentUser) -> Response:
    """Out of the library: nobody reads it and the assistant stops suggesting from it."""
    cases.do_delete(db, user, cases.access_case(db, user, case_id))
    return go_to("/quality/cases?done=deleted")


@staff.post("/quality/conversations/{conversation_id}/case")
def case_from_conversation(
    request: Request,
    conversation_id: int,
    db: DbSession,
    user: CurrentUser,
    title: Annotated[str, Form(max_length=300)],
    source: Annotated[str, Form(max_length=16)] = "operator",
    tags: Annotated[str, Form(max_length=1000)] = "",
    profile: Annotated[str, Form(max_length=300)] = "",
    follow_up_due: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    def save() -> str:
        due = date.fromisoformat(follow_up_due) if follow_up_due else None
        conv = cases.conversation_for(db, user, conversation_id)
        case = cases.do_create_from_conversation(
            db,
            user,
            conv,
            source=cases.check_source(user, source),
            title=title,
            tags=tags.split(","),
            profile=profile,
            follow_up_due=due,
        )
        return f"/quality/cases/{case.id}?done=saved"

    def again(msg: str) -> Response:
        return conversation_view(request, db, user, conversation_id, error=msg)

    return tried(request, db, _checked_dates(save), again)


def _checked_dates(fn: Callable[[], str]) -> Callable[[], str]:
    def run() -> str:
        try:
            return fn()
        except ValueError as exc:
            raise Invalid("Dates are YYYY-MM-DD") from exc

    return run


# --- proposals ---------------------------------------------------------------------------


def _proposals_page(
    request: Request, db: DbSession, user: User, error: str = "", done: str = "", status: str = ""
) -> Response:
    supervisor = is_supervisor(user)
    items = proposals.list_proposals(db, status or None) if supervisor else []
    mine = proposals.list_proposals(db, proposer_id=user.id)
    ids = {p.proposer_id for p in items if p.proposer_id}
    return render(
        request,
        "quality/proposals.html",
        status_code=400 if error else 200,
        items=items,
        mine=mine,
        supervisor=supervisor,
        names=operators.user_names(db, ids),
        targets=proposals.TARGETS,
        next_statuses=proposals.NEXT,
        status=status,
        error=error,
        done=done,
    )


@staff.get("/quality/proposals")
def proposals_page(
    request: Request, db: DbSession, user: CurrentUser, done: str = "", status: str = ""
) -> Response:
    return _proposals_page(request, db, user, done=done, status=status[:16])


@staff.post("/quality/proposals")
def propose_form(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    target: Annotated[str, Form(max_length=16)],
    comment: Annotated[str, Form(max_length=4000)] = "",
    target_ref: Annotated[str, Form(max_length=300)] = "",
    conversation_id: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    def propose() -> str:
        proposals.do_propose(
            db,
            user,
            target=target,
            comment=comment,
            target_ref=target_ref,
            conversation_id=int(conversation_id) if conversation_id.isdigit() else None,
        )
        return "/quality/proposals?done=proposed"

    return tried(request, db, propose, lambda msg: _proposals_page(request, db, user, error=msg))


@supervisors.post("/quality/proposals/{proposal_id}")
def proposal_status_form(
    request: Request,
    proposal_id: int,
    db: DbSession,
    user: CurrentUser,
    status: Annotated[str, Form(max_length=16)],
    decision: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    def decide() -> str:
        proposals.do_set_status(db, user, proposals.get_proposal(db, proposal_id), status, decision)
        return "/quality/proposals?done=" + status

    return tried(request, db, decide, lambda msg: _proposals_page(request, db, user, error=msg))


# --- knowledge gaps and weak spots -------------------------------------------------------


@supervisors.get("/quality/gaps")
def gaps_page() -> Response:
    """The mined drafts are edited and published in the /kb drafts queue."""
    return go_to("/kb?view=drafts")


@supervisors.post("/quality/gaps")
def gaps_mine(db: DbSession) -> Response:
    gaps.do_mine(db, since_days=7)
    return go_to("/kb?view=drafts&done=mined")


@supervisors.get("/quality/weak-spots")
def weak_spots_page(request: Request, db: DbSession, days: int = 30) -> Response:
    days = min(max(days, 1), 365)
    spots = weakspots.weak_spots(db, utcnow() - timedelta(days=days))
    return render(request, "quality/weak_spots.html", spots=spots, days=days)
