"""Training pages: the operator's track (/training), the entry test, a module (lessons,
practice, quiz), a practice dialogue with its score, and the scenarios list (mentors see
the hidden facts and make scenarios from case-library dialogues).

Forms post and redirect (PRG); a refused input re-renders the page with the message."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from wowdesk.bot.llm import llm_config_from_settings
from wowdesk.errors import WowdeskError
from wowdesk.http.deps import AppSettings, DbSession
from wowdesk.http.routes import Routes
from wowdesk.http.templating import render
from wowdesk.i18n import gettext
from wowdesk.operators import service as operators
from wowdesk.operators.auth import CurrentUser, require
from wowdesk.operators.models import Role, User
from wowdesk.training import (
    career,
    demo_tracks,
    mentors,
    micro,
    people_pages,
    scenarios,
    service,
)
from wowdesk.training.models import Persona

staff = APIRouter(include_in_schema=False, dependencies=[Depends(require(Role.operator))])
supervisors = APIRouter(include_in_schema=False, dependencies=[Depends(require(Role.supervisor))])

PERSONAS = scenarios.PERSONAS


def _go(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _error(exc: WowdeskError) -> str:
    return gettext(exc.message, **exc.params)


def _level(name: str) -> str:
    return gettext(demo_tracks.LEVELS[name]) if name in demo_tracks.LEVELS else name


def _is_mentor(user: User) -> bool:
    return operators.has_role(user, Role.supervisor)


def _answers(form: Any, count: int) -> list[Any]:
    """Form fields q0…qN: several values for a multiple choice, one for the rest."""
    out: list[Any] = []
    for i in range(count):
        values = form.getlist(f"q{i}")
        text = form.get(f"q{i}_text")
        out.append(str(text) if text is not None else [str(v) for v in values])
    return out


@staff.get("/training")
def home(request: Request, user: CurrentUser, db: DbSession) -> Response:
    enrollment = service.enrollment_of(db, user)
    track = service.get_track(db, enrollment.track_id) if enrollment else None
    modules = service.track_view(db, user, track.id) if track else []
    return render(
        request,
        "training/home.html",
        entry=service.last_entry(db, user),
        enrollment=enrollment,
        level=_level(enrollment.level) if enrollment else "",
        track=track,
        modules=modules,
        attempts=service.list_attempts(db, user, 10),
        titles={s.id: s.title for s in service.list_scenarios(db)},
        micro_lessons=micro.my_lessons(db, user)[:10],
        mentor=mentors.mentor_of(db, user.id),
        mentor_name=_mentor_name(db, user),
        on_track=career.on_track(user),
        level_known=career.level_known(db, user.id),
        career_level=career.step_title(db, user),  # a supervisor's or admin's role
        next_career=_next_career(db, user) if career.on_track(user) else "",
        attestation=career.open_attestation(db, user.id),
        trainees=mentors.trainees_of(db, user.id),
        track_done=bool(modules) and all(s.done for s in modules),
        recheck_due=career.recheck_due(db, user.id),
        comments=mentors.my_comments(db, user),
    )


def _mentor_name(db: DbSession, user: User) -> str:
    link = mentors.mentor_of(db, user.id)
    return service.user_name(db, link.mentor_id) if link else ""


def _next_career(db: DbSession, user: User) -> str:
    upcoming = career.next_level(db, user.id)
    return career.title(upcoming) if upcoming else ""


def _entry_page(request: Request, db: DbSession, error: str = "", status: int = 200) -> Response:
    try:
        entry = service.get_quiz(db, "entry")
    except WowdeskError as exc:
        return render(request, "web/error.html", status_code=exc.status, message=_error(exc))
    return render(
        request,
        "training/entry.html",
        status_code=status,
        quiz=entry,
        questions=service.public_questions(entry),
        error=error,
    )


@staff.get("/training/entry")
def entry_page(request: Request, db: DbSession) -> Response:
    return _entry_page(request, db)


async def _form(request: Request) -> FormData:
    """The posted form, read on the loop before the (sync) handler runs: the entry test and
    quizzes have as many fields as questions, some of them multi-valued."""
    return await request.form()


Posted = Annotated[FormData, Depends(_form)]


@staff.post("/training/entry")
def entry_submit(request: Request, user: CurrentUser, db: DbSession, form: Posted) -> Response:
    return _submit_entry(request, db, user, form)


def _submit_entry(request: Request, db: DbSession, user: User, form: FormData) -> Response:
    try:
        entry = service.get_quiz(db, "entry")
        step = service.do_submit_entry(db, user, _answers(form, len(entry.questions)))
    except WowdeskError as exc:
        db.rollback()
        return _entry_page(request, db, _error(exc), exc.status)
    if step.practice is not None:
        return _go(f"/training/practice/{step.practice.id}")
    return _go("/training")


def _module_page(
    request: Request, db: DbSession, user: User, module_id: int, error: str = "", status: int = 200
) -> Response:
    module = service.access_module(db, user, module_id)
    progress = next(
        s.progress
        for s in service.track_view(db, user, module.track_id)
        if s.module.id == module.id
    )
    quiz = service.module_quiz(db, module)
    return render(
        request,
        "training/module.html",
        status_code=status,
        module=module,
        progress=progress,
        lessons=service.lessons_of(db, user, module),
        scenario=service.get_scenario(db, module.scenario_id) if module.scenario_id else None,
        quiz=quiz,
        questions=service.public_questions(quiz) if quiz else [],
        error=error,
    )


@staff.get("/training/modules/{module_id}")
def module_page(request: Request, module_id: int, user: CurrentUser, db: DbSession) -> Response:
    return _module_page(request, db, user, module_id)


@staff.post("/training/modules/{module_id}/read")
def module_read(module_id: int, user: CurrentUser, db: DbSession) -> Response:
    service.do_read_lessons(db, user, module_id)
    return _go(f"/training/modules/{module_id}")


@staff.post("/training/modules/{module_id}/practice")
def module_practice(module_id: int, user: CurrentUser, db: DbSession) -> Response:
    attempt = service.do_start_module_practice(db, user, module_id)
    return _go(f"/training/practice/{attempt.id}")


@staff.post("/training/modules/{module_id}/quiz")
def module_quiz(
    request: Request, module_id: int, user: CurrentUser, db: DbSession, form: Posted
) -> Response:
    try:
        module = service.access_module(db, user, module_id)
        quiz = service.module_quiz(db, module)
        count = len(quiz.questions) if quiz else 0
        service.do_submit_module_quiz(db, user, module_id, _answers(form, count))
    except WowdeskError as exc:
        db.rollback()
        return _module_page(request, db, user, module_id, _error(exc), exc.status)
    return _go(f"/training/modules/{module_id}")


def _practice_page(
    request: Request, db: DbSession, user: User, attempt_id: int, error: str = "", status: int = 200
) -> Response:
    attempt = service.access_attempt(db, user, attempt_id)
    sc = service.get_scenario(db, attempt.scenario_id)
    return render(
        request,
        "training/practice.html",
        status_code=status,
        attempt=attempt,
        scenario=sc,
        persona=gettext(PERSONAS[Persona(sc.persona)]),
        result=attempt.result,
        own=True,
        comments=mentors.comments_on(db, user, "attempt", attempt.id),
        error=error,
    )


@staff.get("/training/practice/{attempt_id}")
def practice_page(request: Request, attempt_id: int, user: CurrentUser, db: DbSession) -> Response:
    return _practice_page(request, db, user, attempt_id)


@staff.post("/training/practice/{attempt_id}/reply")
def practice_reply(
    request: Request,
    attempt_id: int,
    user: CurrentUser,
    db: DbSession,
    settings: AppSettings,
    text: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    try:
        service.do_reply(db, user, attempt_id, text, llm_config_from_settings(settings))
    except WowdeskError as exc:
        db.rollback()
        return _practice_page(request, db, user, attempt_id, _error(exc), exc.status)
    return _go(f"/training/practice/{attempt_id}#reply")


@staff.post("/training/practice/{attempt_id}/finish")
def practice_finish(
    request: Request, attempt_id: int, user: CurrentUser, db: DbSession
) -> Response:
    try:
        service.do_finish(db, user, attempt_id)
    except WowdeskError as exc:
        db.rollback()
        return _practice_page(request, db, user, attempt_id, _error(exc), exc.status)
    return _go(f"/training/practice/{attempt_id}#score")


def _scenarios_page(
    request: Request, db: DbSession, user: User, error: str = "", status: int = 200
) -> Response:
    return render(
        request,
        "training/scenarios.html",
        status_code=status,
        scenarios=service.list_scenarios(db),
        personas={p.value: gettext(label) for p, label in PERSONAS.items()},
        mentor=_is_mentor(user),
        error=error,
    )


@staff.get("/training/scenarios")
def scenarios_page(request: Request, user: CurrentUser, db: DbSession) -> Response:
    return _scenarios_page(request, db, user)


@staff.post("/training/scenarios/{scenario_id}/start")
def scenario_start(scenario_id: int, user: CurrentUser, db: DbSession) -> Response:
    attempt = service.do_start(db, user, scenario_id)
    return _go(f"/training/practice/{attempt.id}")


@staff.post("/training/scenarios/from-case", dependencies=[Depends(require(Role.supervisor))])
def scenario_from_case(
    request: Request,
    user: CurrentUser,
    db: DbSession,
    case_id: Annotated[int, Form(ge=1)],
    persona: Annotated[str, Form(max_length=32)] = "calm",
) -> Response:
    try:
        service.do_scenario_from_case(db, user, case_id, persona)
    except WowdeskError as exc:
        db.rollback()
        return _scenarios_page(request, db, user, _error(exc), exc.status)
    return _go("/training/scenarios")


# --- supervisors build tracks ------------------------------------------------------------


def _tracks_page(
    request: Request, db: DbSession, error: str = "", status: int = 200, draft: str = ""
) -> Response:
    tracks = service.list_tracks(db)
    return render(
        request,
        "training/tracks.html",
        status_code=status,
        tracks=[
            (t, json.dumps(service.track_definition(db, t), ensure_ascii=False, indent=2))
            for t in tracks
        ],
        scenarios=service.list_scenarios(db),
        quizzes=service.list_quizzes(db),
        draft=draft,
        error=error,
    )


@supervisors.get("/training/tracks")
def tracks_page(request: Request, db: DbSession) -> Response:
    return _tracks_page(request, db)


@supervisors.post("/training/tracks")
def tracks_save(
    request: Request,
    db: DbSession,
    definition: Annotated[str, Form(max_length=200_000)],
) -> Response:
    try:
        data = json.loads(definition)
        if not isinstance(data, dict):
            raise ValueError
    except ValueError:
        error = gettext("The track must be a JSON object")
        return _tracks_page(request, db, error, 422, definition)
    try:
        service.do_save_track(db, data)
    except WowdeskError as exc:
        db.rollback()
        return _tracks_page(request, db, _error(exc), exc.status, definition)
    return _go("/training/tracks")


routes = Routes(
    staff=(staff, people_pages.staff), supervisors=(supervisors, people_pages.supervisors)
)
