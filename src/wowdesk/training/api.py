"""REST routes of training: scenarios and practice attempts, the entry test, the operator's
track and modules; supervisors edit scenarios, question banks and tracks."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from wowdesk.http.deps import DbSession
from wowdesk.http.routes import Routes
from wowdesk.operators.auth import CurrentUser, require
from wowdesk.operators.models import Role
from wowdesk.training import service
from wowdesk.training.models import Progress
from wowdesk.training.schemas import (
    AnswersIn,
    AttemptOut,
    EntryOut,
    FromCaseIn,
    MeOut,
    ModuleOut,
    ProgressOut,
    QuizIn,
    QuizOut,
    ReplyIn,
    ReplyOut,
    ScenarioDetail,
    ScenarioIn,
    ScenarioOut,
    StartIn,
    TrackIn,
)

PREFIX = "/api/v1/training"
staff = APIRouter(prefix=PREFIX, tags=["training"], dependencies=[Depends(require(Role.operator))])
supervisors = APIRouter(
    prefix=PREFIX, tags=["training"], dependencies=[Depends(require(Role.supervisor))]
)


@staff.get("/scenarios", response_model=list[ScenarioOut])
def list_scenarios(db: DbSession) -> list[ScenarioOut]:
    return [ScenarioOut.model_validate(s) for s in service.list_scenarios(db)]


@supervisors.get("/scenarios/{key}", response_model=ScenarioDetail)
def get_scenario(key: str, db: DbSession) -> ScenarioDetail:
    return ScenarioDetail.model_validate(service.get_scenario(db, key))


@supervisors.put("/scenarios", response_model=ScenarioDetail)
def save_scenario(body: ScenarioIn, user: CurrentUser, db: DbSession) -> ScenarioDetail:
    return ScenarioDetail.model_validate(service.do_save_scenario(db, user, body.model_dump()))


@supervisors.post("/scenarios/from-case", response_model=ScenarioDetail)
def scenario_from_case(body: FromCaseIn, user: CurrentUser, db: DbSession) -> ScenarioDetail:
    sc = service.do_scenario_from_case(db, user, body.case_id, body.persona)
    return ScenarioDetail.model_validate(sc)


@staff.post("/attempts", response_model=AttemptOut, status_code=201)
def start_attempt(body: StartIn, user: CurrentUser, db: DbSession) -> AttemptOut:
    return AttemptOut.model_validate(service.do_start(db, user, body.scenario_id))


@staff.get("/attempts/{attempt_id}", response_model=AttemptOut)
def get_attempt(attempt_id: int, user: CurrentUser, db: DbSession) -> AttemptOut:
    return AttemptOut.model_validate(service.access_attempt(db, user, attempt_id))


@staff.post("/attempts/{attempt_id}/replies", response_model=ReplyOut)
def reply(attempt_id: int, body: ReplyIn, user: CurrentUser, db: DbSession) -> ReplyOut:
    answer = service.do_reply(db, user, attempt_id, body.text)
    attempt = service.access_attempt(db, user, attempt_id)
    return ReplyOut(customer=answer, attempt=AttemptOut.model_validate(attempt))


@staff.post("/attempts/{attempt_id}/finish", response_model=AttemptOut)
def finish(attempt_id: int, user: CurrentUser, db: DbSession) -> AttemptOut:
    return AttemptOut.model_validate(service.do_finish(db, user, attempt_id))


@staff.get("/entry", response_model=QuizOut)
def entry_test(db: DbSession) -> QuizOut:
    q = service.get_quiz(db, "entry")
    return QuizOut.model_validate(
        {
            "slug": q.slug,
            "title": q.title,
            "questions": service.public_questions(q),
            "has_dialogue": bool(q.scenario_slug),
        }
    )


@staff.post("/entry", response_model=EntryOut)
def submit_entry(body: AnswersIn, user: CurrentUser, db: DbSession) -> EntryOut:
    step = service.do_submit_entry(db, user, list(body.answers))
    return EntryOut(
        quiz_percent=step.attempt.quiz_percent,
        marks=list(step.attempt.answers),
        practice_attempt_id=step.practice.id if step.practice else None,
        level=step.attempt.level,
        track_id=step.attempt.track_id,
    )


@staff.get("/me", response_model=MeOut)
def me(user: CurrentUser, db: DbSession) -> MeOut:
    enrollment = service.enrollment_of(db, user)
    if enrollment is None:
        return MeOut(level="", track_id=None, track_title="", modules=[])
    track = service.get_track(db, enrollment.track_id)
    modules = [
        ModuleOut(
            id=s.module.id,
            position=s.module.position,
            title=s.module.title,
            unlocked=s.unlocked,
            done=s.done,
            lessons_read=bool(s.progress and s.progress.lessons_read),
            practice_total=s.progress.practice_total if s.progress else None,
            quiz_percent=s.progress.quiz_percent if s.progress else None,
        )
        for s in service.track_view(db, user, track.id)
    ]
    return MeOut(
        level=enrollment.level, track_id=track.id, track_title=track.title, modules=modules
    )


def _progress_out(p: Progress) -> ProgressOut:
    return ProgressOut(
        module_id=p.module_id,
        lessons_read=p.lessons_read,
        practice_total=p.practice_total,
        quiz_percent=p.quiz_percent,
        completed=p.completed_at is not None,
    )


@staff.post("/modules/{module_id}/read", response_model=ProgressOut)
def read_lessons(module_id: int, user: CurrentUser, db: DbSession) -> ProgressOut:
    return _progress_out(service.do_read_lessons(db, user, module_id))


@staff.post("/modules/{module_id}/practice", response_model=AttemptOut, status_code=201)
def module_practice(module_id: int, user: CurrentUser, db: DbSession) -> AttemptOut:
    return AttemptOut.model_validate(service.do_start_module_practice(db, user, module_id))


@staff.post("/modules/{module_id}/quiz", response_model=ProgressOut)
def module_quiz(module_id: int, body: AnswersIn, user: CurrentUser, db: DbSession) -> ProgressOut:
    progress, _marks = service.do_submit_module_quiz(db, user, module_id, list(body.answers))
    return _progress_out(progress)


@supervisors.put("/quizzes/{slug}", response_model=QuizOut)
def save_quiz(slug: str, body: QuizIn, db: DbSession) -> QuizOut:
    q = service.do_save_quiz(db, {"slug": slug, **body.model_dump()})
    return QuizOut.model_validate(
        {
            "slug": q.slug,
            "title": q.title,
            "questions": service.public_questions(q),
            "has_dialogue": bool(q.scenario_slug),
        }
    )


@supervisors.put("/tracks/{slug}", response_model=MeOut)
def save_track(slug: str, body: TrackIn, db: DbSession) -> MeOut:
    track = service.do_save_track(db, {"slug": slug, **body.model_dump()})
    modules = [
        ModuleOut(
            id=m.id,
            position=m.position,
            title=m.title,
            unlocked=m.position == 1,
            done=False,
            lessons_read=False,
            practice_total=None,
            quiz_percent=None,
        )
        for m in service.modules_of(db, track.id)
    ]
    return MeOut(level="", track_id=track.id, track_title=track.title, modules=modules)


routes = Routes(staff=(staff,), supervisors=(supervisors,))
