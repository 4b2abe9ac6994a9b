"""Training pages of the people side: a micro-lesson, the mentor's page and a trainee's
page (with comments), supervisors' mentor assignment and career criteria, the attestation
(test, simulator, KPIs, feedback) and the team leaderboard with contests.

Forms post and redirect (PRG); a refused input re-renders the page with the message."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from wowdesk.errors import WowdeskError
from wowdesk.http.deps import DbSession
from wowdesk.http.templating import render
from wowdesk.i18n import gettext
from wowdesk.operators import service as operators
from wowdesk.operators.auth import CurrentUser, require
from wowdesk.operators.models import Role, User
from wowdesk.training import career, kpi_source, mentors, micro, motivation, scenarios, service
from wowdesk.training.models import Persona

staff = APIRouter(include_in_schema=False, dependencies=[Depends(require(Role.operator))])
supervisors = APIRouter(include_in_schema=False, dependencies=[Depends(require(Role.supervisor))])


def _go(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _error(exc: WowdeskError) -> str:
    return gettext(exc.message, **exc.params)


async def _form(request: Request) -> FormData:
    return await request.form()


Posted = Annotated[FormData, Depends(_form)]


# --- micro-lessons ---------------------------------------------------------------------


@staff.get("/training/micro/{lesson_id}")
def micro_page(request: Request, lesson_id: int, user: CurrentUser, db: DbSession) -> Response:
    lesson, assignment = micro.access_lesson(db, user, lesson_id)
    completion = micro.completion(db, lesson.id) if assignment is None else []
    return render(
        request,
        "training/micro.html",
        lesson=lesson,
        assignment=assignment,
        completion=completion,
    )


@staff.post("/training/micro/{lesson_id}/done")
def micro_done(lesson_id: int, user: CurrentUser, db: DbSession) -> Response:
    micro.do_complete(db, user, lesson_id)
    return _go(f"/training/micro/{lesson_id}")


# --- mentors ---------------------------------------------------------------------------


@staff.get("/training/mentor")
def mentor_page(request: Request, user: CurrentUser, db: DbSession) -> Response:
    rows = []
    for t in mentors.trainees_of(db, user.id):
        enrollment = service.enrollment_of_id(db, t.id)
        states = service.track_view_of(db, t.id, enrollment.track_id) if enrollment else []
        rows.append(
            {
                "user": t,
                "level": career.title(career.level_of(db, t.id)),
                "done": sum(1 for s in states if s.done),
                "modules": len(states),
            }
        )
    return render(request, "training/mentor.html", trainees=rows)


def _trainee_page(
    request: Request, db: DbSession, user: User, trainee_id: int, error: str = "", status: int = 200
) -> Response:
    view = mentors.trainee_view(db, user, trainee_id)
    enrollment = service.enrollment_of_id(db, view.trainee.id)
    track = service.get_track(db, enrollment.track_id) if enrollment else None
    states = service.track_view_of(db, view.trainee.id, track.id) if track else []
    return render(
        request,
        "training/trainee.html",
        status_code=status,
        v=view,
        track=track,
        states=states,
        level=career.title(career.level_of(db, view.trainee.id)),
        attestations=career.list_attestations(db, view.trainee.id),
        levels={lv.id: career.title(lv) for lv in career.levels(db)},
        error=error,
    )


@staff.get("/training/trainees/{trainee_id}")
def trainee_page(request: Request, trainee_id: int, user: CurrentUser, db: DbSession) -> Response:
    return _trainee_page(request, db, user, trainee_id)


@staff.post("/training/trainees/{trainee_id}/comments")
def trainee_comment(
    request: Request,
    trainee_id: int,
    user: CurrentUser,
    db: DbSession,
    kind: Annotated[str, Form(max_length=16)],
    text: Annotated[str, Form(max_length=2000)] = "",
    ref_id: Annotated[int | None, Form()] = None,
) -> Response:
    try:
        mentors.do_comment(db, user, trainee_id, kind, ref_id, text)
    except WowdeskError as exc:
        db.rollback()
        return _trainee_page(request, db, user, trainee_id, _error(exc), exc.status)
    return _go(f"/training/trainees/{trainee_id}#comments")


@staff.get("/training/trainees/{trainee_id}/attempts/{attempt_id}")
def trainee_attempt(
    request: Request, trainee_id: int, attempt_id: int, user: CurrentUser, db: DbSession
) -> Response:
    view = mentors.trainee_view(db, user, trainee_id)
    attempt = next((a for a, _t in view.attempts if a.id == attempt_id), None)
    if attempt is None:
        return render(request, "web/error.html", status_code=404, message=gettext("Not found"))
    sc = service.get_scenario(db, attempt.scenario_id)
    return render(
        request,
        "training/practice.html",
        attempt=attempt,
        scenario=sc,
        persona=gettext(scenarios.PERSONAS[Persona(sc.persona)]),
        result=attempt.result,
        own=False,
        trainee=view.trainee,
        comments=[
            (c, n) for c, n in view.comments if c.kind == "attempt" and c.ref_id == attempt.id
        ],
        error="",
    )


def _mentors_page(request: Request, db: DbSession, error: str = "", status: int = 200) -> Response:
    staff_users = [u for u in operators.list_users(db) if u.is_active and u.role == Role.operator]
    rows = []
    for u in staff_users:
        link = mentors.mentor_of(db, u.id)
        rows.append(
            {
                "user": u,
                "level": career.title(career.level_of(db, u.id)),
                "mentor": service.user_name(db, link.mentor_id) if link else "",
                "suggestions": mentors.suggest(db, u.id, 3) if link is None else [],
            }
        )
    everyone = [u for u in operators.list_users(db) if u.is_active and u.role != Role.admin]
    return render(
        request,
        "training/mentors.html",
        status_code=status,
        rows=rows,
        everyone=everyone,
        error=error,
    )


@supervisors.get("/training/mentors")
def mentors_page(request: Request, db: DbSession) -> Response:
    return _mentors_page(request, db)


@supervisors.post("/training/mentors")
def mentors_assign(
    request: Request,
    user: CurrentUser,
    db: DbSession,
    trainee_id: Annotated[int, Form(ge=1)],
    mentor_id: Annotated[int, Form(ge=1)],
) -> Response:
    try:
        mentors.do_assign(db, user, trainee_id, mentor_id)
    except WowdeskError as exc:
        db.rollback()
        return _mentors_page(request, db, _error(exc), exc.status)
    return _go("/training/mentors")


# --- career track ------------------------------------------------------------------------


def _career_page(
    request: Request, db: DbSession, user: User, error: str = "", status: int = 200
) -> Response:
    return render(
        request,
        "training/career.html",
        status_code=status,
        levels=[
            (lv, career.title(lv), json.dumps(lv.criteria, ensure_ascii=False, indent=2))
            for lv in career.levels(db)
        ],
        mine=career.level_of(db, user.id),
        on_track=career.on_track(user),
        editor=operators.has_role(user, Role.supervisor),
        kpis=kpi_source.known(),
        quizzes={q.slug: q.title for q in service.list_quizzes(db)},
        scenarios={s.slug: s.title for s in service.list_scenarios(db)},
        error=error,
    )


@staff.get("/training/career")
def career_page(request: Request, user: CurrentUser, db: DbSession) -> Response:
    return _career_page(request, db, user)


@supervisors.post("/training/career/{slug}")
def career_save(
    request: Request,
    slug: str,
    user: CurrentUser,
    db: DbSession,
    title: Annotated[str, Form(max_length=100)],
    criteria: Annotated[str, Form(max_length=20_000)],
) -> Response:
    try:
        data = json.loads(criteria)
    except ValueError:
        return _career_page(request, db, user, gettext("The criteria must be a JSON object"), 422)
    try:
        career.do_set_level(db, user, slug, title, data)
    except WowdeskError as exc:
        db.rollback()
        return _career_page(request, db, user, _error(exc), exc.status)
    return _go("/training/career")


# --- attestation ---------------------------------------------------------------------------


def _attestation_page(
    request: Request, db: DbSession, user: User, attestation_id: int, error: str = "",
    status: int = 200,
) -> Response:  # fmt: skip
    att = career.access_attestation(db, user, attestation_id)
    level = career.level_by_id(db, att.level_id)
    q = career.attestation_quiz(db, att)
    parts = att.parts if att.status != "open" else [p.as_json() for p in career.evaluate(db, att)]
    scenarios = [
        service.get_scenario(db, slug)
        for slug in level.criteria.get("scenarios") or []
        if slug in {s.slug for s in service.list_scenarios(db)}
    ]
    trainee = operators.get_user(db, att.user_id)
    feedback = career.feedback_of(db, att.id)
    return render(
        request,
        "training/attestation.html",
        status_code=status,
        att=att,
        level_title=career.title(level),
        trainee=trainee,
        own=att.user_id == user.id,
        quiz=q,
        questions=service.public_questions(q) if q else [],
        parts=parts,
        scenarios=scenarios,
        feedback=feedback,
        given={f.about for f, _n in feedback if f.author_id == user.id},
        error=error,
    )


@staff.get("/training/attestation")
def my_attestation(request: Request, user: CurrentUser, db: DbSession) -> Response:
    """The operator's open attestation, else the latest, else the career page to start one."""
    found = career.open_attestation(db, user.id) or next(
        iter(career.list_attestations(db, user.id)), None
    )
    if found is None:
        return _go("/training/career")
    return _go(f"/training/attestations/{found.id}")


@staff.post("/training/attestations")
def attestation_start(
    request: Request,
    user: CurrentUser,
    db: DbSession,
    user_id: Annotated[int | None, Form()] = None,
    recheck: Annotated[bool, Form()] = False,
) -> Response:
    try:
        att = career.do_start(db, user, user_id or user.id, recheck=recheck)
    except WowdeskError as exc:
        db.rollback()
        return _career_page(request, db, user, _error(exc), exc.status)
    return _go(f"/training/attestations/{att.id}")


@staff.get("/training/attestations/{attestation_id}")
def attestation_page(
    request: Request, attestation_id: int, user: CurrentUser, db: DbSession
) -> Response:
    return _attestation_page(request, db, user, attestation_id)


@staff.post("/training/attestations/{attestation_id}/quiz")
def attestation_quiz(
    request: Request, attestation_id: int, user: CurrentUser, db: DbSession, form: Posted
) -> Response:
    try:
        att = career.access_attestation(db, user, attestation_id)
        q = career.attestation_quiz(db, att)
        count = len(q.questions) if q else 0
        answers: list[object] = []
        for i in range(count):
            text = form.get(f"q{i}_text")
            answers.append(
                str(text) if text is not None else [str(v) for v in form.getlist(f"q{i}")]
            )
        career.do_quiz(db, user, attestation_id, answers)
    except WowdeskError as exc:
        db.rollback()
        return _attestation_page(request, db, user, attestation_id, _error(exc), exc.status)
    return _go(f"/training/attestations/{attestation_id}")


@staff.post("/training/attestations/{attestation_id}/practice")
def attestation_practice(
    request: Request,
    attestation_id: int,
    user: CurrentUser,
    db: DbSession,
    scenario: Annotated[str, Form(max_length=100)],
) -> Response:
    try:
        attempt = career.do_practice(db, user, attestation_id, scenario)
    except WowdeskError as exc:
        db.rollback()
        return _attestation_page(request, db, user, attestation_id, _error(exc), exc.status)
    return _go(f"/training/practice/{attempt.id}")


@staff.post("/training/attestations/{attestation_id}/finish")
def attestation_finish(
    request: Request, attestation_id: int, user: CurrentUser, db: DbSession
) -> Response:
    career.do_finish(db, user, attestation_id)
    return _go(f"/training/attestations/{attestation_id}#result")


@staff.post("/training/attestations/{attestation_id}/feedback")
def attestation_feedback(
    request: Request,
    attestation_id: int,
    user: CurrentUser,
    db: DbSession,
    about: Annotated[str, Form(max_length=16)],
    rating: Annotated[int, Form(ge=1, le=5)],
    text: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    try:
        career.do_feedback(db, user, attestation_id, about, rating, text)
    except WowdeskError as exc:
        db.rollback()
        return _attestation_page(request, db, user, attestation_id, _error(exc), exc.status)
    return _go(f"/training/attestations/{attestation_id}#feedback")


# --- motivation ------------------------------------------------------------------------------


def _board_page(
    request: Request,
    db: DbSession,
    user: User,
    error: str = "",
    status: int = 200,
    team_id: int | None = None,
) -> Response:
    b = motivation.board(db, user, team_id=team_id)
    teams = operators.list_teams(db)
    scope = motivation.board_team(user, team_id)
    editor = operators.has_role(user, Role.supervisor)
    ranked = user.role == Role.operator  # only operators are on the board and in contests
    contests = motivation.list_contests(db)
    today = date.today()
    return render(
        request,
        "training/board.html",
        status_code=status,
        board=b,
        posts=motivation.recognitions(db, scope),
        contests=[
            (
                c,
                c.starts_on <= today <= c.ends_on,
                motivation.my_standing(db, c, user) if ranked and c.starts_on <= today else None,
            )
            for c in contests
        ],
        kpis=kpi_source.known(),
        teams=teams,
        team_id=scope,
        choose_team=user.team_id is None and bool(teams),
        editor=editor,
        ranked=ranked,
        standings={
            c.id: motivation.standings(db, c) for c in contests if editor and c.starts_on <= today
        },
        error=error,
    )


@staff.get("/training/board")
def board_page(
    request: Request,
    user: CurrentUser,
    db: DbSession,
    team: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    """`team` is a viewer in no team's choice (a supervisor's); an operator in a team
    always sees their own."""
    return _board_page(request, db, user, team_id=team)


@staff.post("/training/board/mode")
def board_mode(
    request: Request, user: CurrentUser, db: DbSession, mode: Annotated[str, Form(max_length=16)]
) -> Response:
    try:
        motivation.do_set_board_mode(db, user, mode)
    except WowdeskError as exc:
        db.rollback()
        return _board_page(request, db, user, _error(exc), exc.status)
    return _go("/training/board")


@supervisors.post("/training/contests")
def contest_create(
    request: Request,
    user: CurrentUser,
    db: DbSession,
    title: Annotated[str, Form(max_length=300)],
    kpi: Annotated[str, Form(max_length=32)],
    target: Annotated[float, Form(ge=0)],
    starts_on: Annotated[date, Form()],
    ends_on: Annotated[date, Form()],
    points: Annotated[int, Form(ge=1, le=1000)] = 50,
    team_id: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    data = {
        "title": title, "kpi": kpi, "target": target, "starts_on": starts_on,
        "ends_on": ends_on, "points": points,
        "team_id": int(team_id) if team_id.isdigit() else None,
    }  # fmt: skip
    try:
        motivation.do_create_contest(db, user, data)
    except WowdeskError as exc:
        db.rollback()
        return _board_page(request, db, user, _error(exc), exc.status)
    return _go("/training/board")
