"""Quality pages of scoring: the review queue, a conversation's scores with evidence (with
the forms to score by hand, override and dispute), scorecards, calibration, my scores.

Forms post and redirect (PRG); a refused input re-renders the page with the message."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from wowdesk.conversations import service as conversations
from wowdesk.errors import Invalid, WowdeskError
from wowdesk.http.deps import DbSession
from wowdesk.http.templating import render
from wowdesk.i18n import gettext
from wowdesk.operators import service as operators
from wowdesk.operators.auth import CurrentUser, require
from wowdesk.operators.models import Role, User
from wowdesk.quality import (
    autoqa,
    calibration,
    cases,
    review,
    scorecards,
    wow,
)
from wowdesk.quality.criteria import RULES

staff = APIRouter(include_in_schema=False, dependencies=[Depends(require(Role.operator))])
supervisors = APIRouter(include_in_schema=False, dependencies=[Depends(require(Role.supervisor))])


def go_to(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def tried(
    request: Request, db: DbSession, action: Callable[[], str], again: Callable[[str], Response]
) -> Response:
    """Runs a form's action; a refused input shows the page again with the reason."""
    try:
        return go_to(action())
    except WowdeskError as exc:
        db.rollback()
        response = again(gettext(exc.message, **exc.params))
        response.status_code = exc.status
        return response


def _value(text: str) -> int | None:
    return {"1": 1, "0": 0}.get(text.strip())


def is_supervisor(user: User) -> bool:
    return operators.has_role(user, Role.supervisor)


@staff.get("/quality")
def quality_home(user: CurrentUser) -> Response:
    return go_to("/quality/review" if is_supervisor(user) else "/quality/me")


# --- review queue and a conversation's scores -------------------------------------------


@dataclass(frozen=True)
class _QueueView:
    """Which page of the review queue, and whose conversations. Read from the address
    leniently (a mistyped link shows the first page of all), as /kb reads its verdicts';
    the API is the strict one."""

    who: review.Handler = review.Handler.all
    page: int = 1

    @classmethod
    def read(cls, who: str, page: str) -> _QueueView:
        known = review.Handler(who) if who in set(review.Handler) else review.Handler.all
        number = int(page) if page.isdigit() and 0 < len(page) < 6 else 1
        return cls(known, max(number, 1))

    def url(self, *, who: review.Handler | None = None, page: int = 1) -> str:
        """This view's address on `page`, or another filter's first page."""
        query = {"who": (who or self.who).value, "page": str(page)}
        shown = {k: v for k, v in query.items() if v not in (review.Handler.all.value, "1")}
        return "/quality/review" + (f"?{urlencode(shown)}" if shown else "")


@supervisors.get("/quality/review")
def review_page(
    request: Request, db: DbSession, done: str = "", who: str = "", page: str = ""
) -> Response:
    shown = _QueueView.read(who, page)
    size = review.QUEUE_PAGE
    first = (shown.page - 1) * size
    items = review.review_queue(db, size + 1, first, shown.who)
    more = len(items) > size
    items = items[:size]
    ids = {i.score.operator_id for i in items if i.score.operator_id}
    disputes = review.list_disputes(db, "open")
    ids |= {d.operator_id for d in disputes if d.operator_id}
    return render(
        request,
        "quality/review.html",
        items=items,
        shown=shown,
        handlers=list(review.Handler),
        first=first,
        newer=shown.url(page=shown.page - 1) if shown.page > 1 else "",
        further=shown.url(page=shown.page + 1) if more else "",
        waiting=review.count_queue(db, shown.who),
        cap=review.COUNT_CAP,
        sample_rate=round(review.SAMPLE_RATE * 100),
        risks=autoqa.RISKS,
        disputes=disputes,
        dispute_scores={d.id: review.get_score(db, d.score_id) for d in disputes},
        names=operators.user_names(db, ids),
        done=done,
    )


def conversation_view(
    request: Request,
    db: DbSession,
    user: User,
    conversation_id: int,
    error: str = "",
    done: str = "",
) -> Response:
    scores = review.scores_of(db, user, conversation_id)
    conv = conversations.get_conversation(db, conversation_id)
    messages = [m for m in conversations.list_messages(db, conv, limit=2000)]
    auto = next((s for s in scores if s.source == "auto"), None)
    criteria: list[dict[str, Any]] = []
    if auto is not None:
        criteria = scorecards.criteria_of(scorecards.get_version(db, auto.version_id).definition)
    names = operators.user_names(
        db,
        {s.reviewer_id for s in scores if s.reviewer_id}
        | ({conv.operator_id} if conv.operator_id else set()),
    )
    return render(
        request,
        "quality/conversation.html",
        status_code=400 if error else 200,
        conv=conv,
        messages=messages,
        scores=scores,
        criteria=criteria,
        changes={s.id: review.list_changes(db, s.id) for s in scores},
        names=names,
        supervisor=is_supervisor(user),
        mine=conv.operator_id == user.id,
        suggested_tags=cases.SUGGESTED_TAGS,
        error=error,
        done=done,
    )


@staff.get("/quality/conversations/{conversation_id}")
def conversation_page(
    request: Request, conversation_id: int, db: DbSession, user: CurrentUser, done: str = ""
) -> Response:
    return conversation_view(request, db, user, conversation_id, done=done)


def _pairs(values: list[str]) -> dict[str, int | None]:
    """Form selects send «key:1», «key:0» or «key:» (not decided)."""
    out: dict[str, int | None] = {}
    for item in values:
        key, _sep, value = item.partition(":")
        if key:
            out[key] = _value(value)
    return out


@supervisors.post("/quality/conversations/{conversation_id}/manual")
def manual_score_form(
    request: Request,
    conversation_id: int,
    db: DbSession,
    user: CurrentUser,
    values: Annotated[list[str], Form()] = [],  # noqa: B006 - FastAPI copies it
) -> Response:
    return tried(
        request,
        db,
        lambda: (
            review.do_manual_score(db, user, conversation_id, _pairs(values)),
            f"/quality/conversations/{conversation_id}?done=scored",
        )[1],
        lambda msg: conversation_view(request, db, user, conversation_id, error=msg),
    )


@supervisors.post("/quality/scores/{score_id}/override")
def override_form(
    request: Request,
    score_id: int,
    db: DbSession,
    user: CurrentUser,
    criterion: Annotated[str, Form(max_length=64)],
    value: Annotated[str, Form(max_length=2)],
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    score = review.get_score(db, score_id)
    return tried(
        request,
        db,
        lambda: (
            review.do_override(db, user, score, criterion, _value(value), reason),
            f"/quality/conversations/{score.conversation_id}?done=overridden",
        )[1],
        lambda msg: conversation_view(request, db, user, score.conversation_id, error=msg),
    )


@staff.post("/quality/scores/{score_id}/dispute")
def dispute_form(
    request: Request,
    score_id: int,
    db: DbSession,
    user: CurrentUser,
    criterion: Annotated[str, Form(max_length=64)],
    comment: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    score = review.access_score(db, user, score_id)
    return tried(
        request,
        db,
        lambda: (
            review.do_dispute(db, user, score, criterion, comment),
            f"/quality/conversations/{score.conversation_id}?done=disputed",
        )[1],
        lambda msg: conversation_view(request, db, user, score.conversation_id, error=msg),
    )


@supervisors.post("/quality/disputes/{dispute_id}")
def resolve_form(
    request: Request,
    dispute_id: int,
    db: DbSession,
    user: CurrentUser,
    decision: Annotated[str, Form(max_length=8)],
    comment: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    found = review.get_dispute(db, dispute_id)
    return tried(
        request,
        db,
        lambda: (
            review.do_resolve(db, user, found, accept=decision == "accept", comment=comment),
            "/quality/review?done=resolved",
        )[1],
        lambda msg: _error_page(request, msg),
    )


def _error_page(request: Request, message: str) -> Response:
    return render(request, "web/error.html", status_code=400, message=message)


@staff.get("/quality/me")
def my_page(request: Request, db: DbSession, user: CurrentUser) -> Response:
    scores = review.my_scores(db, user)
    return render(
        request,
        "quality/me.html",
        scores=scores,
        wows=wow.count_confirmed(db, user.id),
        follow_ups=cases.due_follow_ups(db, user, date.today()),
    )


# --- scorecards --------------------------------------------------------------------------


def _scorecards_page(request: Request, db: DbSession, error: str = "", done: str = "") -> Response:
    scorecards.do_ensure_defaults(db)
    cards = scorecards.list_scorecards(db)
    return render(
        request,
        "quality/scorecards.html",
        status_code=400 if error else 200,
        cards=[(c, scorecards.current_version(db, c)) for c in cards],
        criteria_of=scorecards.criteria_of,
        rules=[(key, gettext(title)) for key, (_rule, title) in RULES.items()],
        error=error,
        done=done,
    )


@supervisors.get("/quality/scorecards")
def scorecards_page(request: Request, db: DbSession, done: str = "") -> Response:
    return _scorecards_page(request, db, done=done)


def definition_from_form(
    section: list[str],
    key: list[str],
    title: list[str],
    weight: list[str],
    mode: list[str],
    rule: list[str],
    critical: list[str],
) -> dict[str, Any]:
    """The editor's rows (one per criterion; an empty key drops a row) as a definition."""
    if not len(section) == len(key) == len(title) == len(weight) == len(mode) == len(rule):
        raise Invalid("The form is incomplete; reload the page", code="invalid_scorecard")
    sections: dict[str, list[dict[str, Any]]] = {}
    for i, k in enumerate(key):
        if not k.strip():
            continue
        sections.setdefault(section[i].strip() or "—", []).append(
            {
                "key": k.strip(),
                "title": title[i],
                "weight": weight[i] or "0",
                "mode": mode[i],
                "rule": rule[i] or None,
                "critical": k.strip() in critical,
            }
        )
    return {"sections": [{"title": t, "criteria": c} for t, c in sections.items()]}


@supervisors.post("/quality/scorecards/{scorecard_id}")
def save_scorecard(
    request: Request,
    scorecard_id: int,
    db: DbSession,
    user: CurrentUser,
    section: Annotated[list[str], Form()] = [],  # noqa: B006
    key: Annotated[list[str], Form()] = [],  # noqa: B006
    title: Annotated[list[str], Form()] = [],  # noqa: B006
    weight: Annotated[list[str], Form()] = [],  # noqa: B006
    mode: Annotated[list[str], Form()] = [],  # noqa: B006
    rule: Annotated[list[str], Form()] = [],  # noqa: B006
    critical: Annotated[list[str], Form()] = [],  # noqa: B006
) -> Response:
    def save() -> str:
        definition = definition_from_form(section, key, title, weight, mode, rule, critical)
        scorecards.do_new_version(db, user, scorecard_id, definition)
        return "/quality/scorecards?done=saved"

    return tried(request, db, save, lambda msg: _scorecards_page(request, db, error=msg))


@supervisors.post("/quality/scorecards")
def copy_scorecard(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    name: Annotated[str, Form(max_length=200)],
    source_id: Annotated[int, Form()],
) -> Response:
    def copy() -> str:
        source = scorecards.get_scorecard(db, source_id)
        definition = scorecards.current_version(db, source).definition
        scorecards.do_create(db, user, name, source.kind, definition)
        return "/quality/scorecards?done=created"

    return tried(request, db, copy, lambda msg: _scorecards_page(request, db, error=msg))


@supervisors.post("/quality/scorecards/{scorecard_id}/default")
def default_scorecard(scorecard_id: int, db: DbSession) -> Response:
    scorecards.do_make_default(db, scorecard_id)
    return go_to("/quality/scorecards?done=default")


# --- calibration -------------------------------------------------------------------------


def _calibrations_page(request: Request, db: DbSession, error: str = "") -> Response:
    supervisors_ = [
        u for u in operators.list_users(db) if u.is_active and u.role in ("supervisor", "admin")
    ]
    return render(
        request,
        "quality/calibrations.html",
        status_code=400 if error else 200,
        sessions=calibration.list_sessions(db),
        reviewers=supervisors_,
        error=error,
    )


@supervisors.get("/quality/calibration")
def calibrations_page(request: Request, db: DbSession) -> Response:
    return _calibrations_page(request, db)


def _ids(text: str) -> list[int]:
    parts = [p for p in text.replace(",", " ").split() if p]
    if not all(p.isdigit() for p in parts):
        raise Invalid("Conversation numbers, separated by commas or spaces")
    return [int(p) for p in parts]


@supervisors.post("/quality/calibration")
def create_calibration(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    title: Annotated[str, Form(max_length=200)],
    conversation_ids: Annotated[str, Form(max_length=2000)],
    reviewer_ids: Annotated[list[int], Form()] = [],  # noqa: B006
) -> Response:
    def create() -> str:
        session = calibration.do_create(db, user, title, _ids(conversation_ids), reviewer_ids)
        return f"/quality/calibration/{session.id}"

    return tried(request, db, create, lambda msg: _calibrations_page(request, db, error=msg))


def _calibration_page(
    request: Request, db: DbSession, user: User, calibration_id: int, error: str = ""
) -> Response:
    session = calibration.get_session(db, calibration_id)
    definition = scorecards.get_version(db, session.version_id).definition
    done = calibration.rated_by(db, session, user)
    todo = (
        [cid for cid in session.conversation_ids if cid not in done]
        if user.id in session.reviewer_ids
        else []
    )
    transcripts = {
        cid: [
            m
            for m in conversations.list_messages(db, conversations.get_conversation(db, cid))
            if m.author_kind != "system"
        ]
        for cid in todo[:1]
    }
    return render(
        request,
        "quality/calibration.html",
        status_code=400 if error else 200,
        session=session,
        criteria=scorecards.criteria_of(definition),
        todo=todo,
        transcripts=transcripts,
        agreement=calibration.report(db, session),
        names=operators.user_names(db, set(session.reviewer_ids)),
        error=error,
    )


@supervisors.get("/quality/calibration/{calibration_id}")
def calibration_page(
    request: Request, calibration_id: int, db: DbSession, user: CurrentUser
) -> Response:
    return _calibration_page(request, db, user, calibration_id)


@supervisors.post("/quality/calibration/{calibration_id}/rate")
def calibration_rate(
    request: Request,
    calibration_id: int,
    db: DbSession,
    user: CurrentUser,
    conversation_id: Annotated[int, Form()],
    values: Annotated[list[str], Form()] = [],  # noqa: B006
) -> Response:
    def rate() -> str:
        session = calibration.get_session(db, calibration_id)
        calibration.do_rate(db, user, session, conversation_id, _pairs(values))
        return f"/quality/calibration/{calibration_id}"

    return tried(
        request, db, rate, lambda msg: _calibration_page(request, db, user, calibration_id, msg)
    )
