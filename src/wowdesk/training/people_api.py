"""REST routes of training's people side: micro-lessons, mentors and their comments, the
career track and attestation with its feedback, points, badges, contests and the team
leaderboard. Supervisors assign mentors, edit the career criteria and set contests."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from wowdesk.http.deps import DbSession
from wowdesk.http.routes import Routes
from wowdesk.operators.auth import CurrentUser, require
from wowdesk.operators.models import Role, User
from wowdesk.training import career, mentors, micro, motivation, service
from wowdesk.training.models import Attestation, MentorComment
from wowdesk.training.schemas import (
    AnswersIn,
    AttemptOut,
    AttestationOut,
    AttestationStartIn,
    BadgeOut,
    BoardModeIn,
    BoardOut,
    BoardRowOut,
    CandidateOut,
    CommentIn,
    CommentOut,
    CompletionOut,
    ContestIn,
    ContestOut,
    FeedbackIn,
    FeedbackOut,
    LevelIn,
    LevelOut,
    MentorIn,
    MentorshipOut,
    MicroLessonOut,
    MotivationOut,
    PracticeIn,
    StandingOut,
    TraineeOut,
)

PREFIX = "/api/v1/training"
staff = APIRouter(prefix=PREFIX, tags=["training"], dependencies=[Depends(require(Role.operator))])
supervisors = APIRouter(
    prefix=PREFIX, tags=["training"], dependencies=[Depends(require(Role.supervisor))]
)


# --- micro-lessons ---------------------------------------------------------------------


@staff.get("/micro", response_model=list[MicroLessonOut])
def my_micro_lessons(user: CurrentUser, db: DbSession) -> list[MicroLessonOut]:
    return [
        MicroLessonOut(
            id=lesson.id,
            source=lesson.source,
            title=lesson.title,
            body=lesson.body,
            topic=lesson.topic,
            article_id=lesson.article_id,
            incident_id=lesson.incident_id,
            cases=list(lesson.cases),
            created_at=lesson.created_at,
            done_at=a.done_at,
        )
        for lesson, a in micro.my_lessons(db, user)
    ]


@staff.post("/micro/{lesson_id}/done", response_model=CompletionOut)
def micro_done(lesson_id: int, user: CurrentUser, db: DbSession) -> CompletionOut:
    a = micro.do_complete(db, user, lesson_id)
    return CompletionOut(user_id=user.id, name=user.display_name, done_at=a.done_at)


@supervisors.get("/micro/{lesson_id}/completion", response_model=list[CompletionOut])
def micro_completion(lesson_id: int, user: CurrentUser, db: DbSession) -> list[CompletionOut]:
    micro.access_lesson(db, user, lesson_id)
    return [
        CompletionOut(user_id=u.id, name=u.display_name, done_at=a.done_at)
        for u, a in micro.completion(db, lesson_id)
    ]


# --- mentors -------------------------------------------------------------------------------


@supervisors.get("/trainees/{trainee_id}/mentor/suggestions", response_model=list[CandidateOut])
def mentor_suggestions(trainee_id: int, db: DbSession) -> list[CandidateOut]:
    return [CandidateOut(**c.as_json()) for c in mentors.suggest(db, trainee_id)]


@supervisors.put("/trainees/{trainee_id}/mentor", response_model=MentorshipOut)
def assign_mentor(
    trainee_id: int, body: MentorIn, user: CurrentUser, db: DbSession
) -> MentorshipOut:
    link = mentors.do_assign(db, user, trainee_id, body.mentor_id)
    name = service.user_name(db, link.mentor_id)
    return MentorshipOut(trainee_id=trainee_id, mentor_id=link.mentor_id, mentor_name=name)


@supervisors.delete("/trainees/{trainee_id}/mentor", status_code=204)
def unassign_mentor(trainee_id: int, user: CurrentUser, db: DbSession) -> None:
    mentors.do_unassign(db, user, trainee_id)


@staff.get("/mentor/trainees", response_model=list[TraineeOut])
def my_trainees(user: CurrentUser, db: DbSession) -> list[TraineeOut]:
    return [trainee_out(db, user, t.id) for t in mentors.trainees_of(db, user.id)]


@staff.get("/trainees/{trainee_id}", response_model=TraineeOut)
def trainee(trainee_id: int, user: CurrentUser, db: DbSession) -> TraineeOut:
    return trainee_out(db, user, trainee_id)


def comment_out(c: MentorComment, name: str) -> CommentOut:
    return CommentOut(
        id=c.id,
        trainee_id=c.trainee_id,
        author_id=c.author_id,
        author_name=name,
        kind=c.kind,
        ref_id=c.ref_id,
        text=c.text,
        created_at=c.created_at,
    )


def trainee_out(db: DbSession, user: User, trainee_id: int) -> TraineeOut:
    v = mentors.trainee_view(db, user, trainee_id)
    enrollment = service.enrollment_of_id(db, v.trainee.id)
    states = service.track_view_of(db, v.trainee.id, enrollment.track_id) if enrollment else []
    track = service.get_track(db, enrollment.track_id) if enrollment else None
    return TraineeOut(
        id=v.trainee.id,
        name=v.trainee.display_name,
        level=career.title(career.level_of(db, v.trainee.id)),
        track_title=track.title if track else "",
        modules_done=sum(1 for s in states if s.done),
        modules=len(states),
        quizzes=[
            {"id": q.id, "title": t, "percent": q.percent, "created_at": q.created_at.isoformat()}
            for q, t in v.quizzes
        ],
        attempts=[
            {
                "id": a.id,
                "title": t,
                "status": a.status,
                "total": a.total,
                "created_at": a.created_at.isoformat(),
            }
            for a, t in v.attempts
        ],
        conversations=[
            {**c, "closed_at": c["closed_at"].isoformat() if c["closed_at"] else None}
            for c in v.conversations
        ],
        comments=[comment_out(c, n) for c, n in v.comments],
    )


@staff.post("/trainees/{trainee_id}/comments", response_model=CommentOut, status_code=201)
def comment(trainee_id: int, body: CommentIn, user: CurrentUser, db: DbSession) -> CommentOut:
    c = mentors.do_comment(db, user, trainee_id, body.kind, body.ref_id, body.text)
    return comment_out(c, user.display_name)


# --- career and attestation ------------------------------------------------------------


def level_out(lv: Any) -> LevelOut:
    return LevelOut(
        slug=lv.slug, position=lv.position, title=career.title(lv), criteria=lv.criteria
    )


@staff.get("/career", response_model=list[LevelOut])
def career_levels(db: DbSession) -> list[LevelOut]:
    return [level_out(lv) for lv in career.levels(db)]


@supervisors.put("/career/{slug}", response_model=LevelOut)
def set_level(slug: str, body: LevelIn, user: CurrentUser, db: DbSession) -> LevelOut:
    return level_out(career.do_set_level(db, user, slug, body.title, body.criteria))


def attestation_out(db: DbSession, att: Attestation) -> AttestationOut:
    level = career.level_by_id(db, att.level_id)
    parts = att.parts if att.status != "open" else [p.as_json() for p in career.evaluate(db, att)]
    return AttestationOut(
        id=att.id,
        user_id=att.user_id,
        level=level.slug,
        level_title=career.title(level),
        status=att.status,
        quiz_percent=att.quiz_percent,
        attempt_ids=list(att.attempt_ids),
        parts=parts,
        feedback=[
            FeedbackOut(
                about=f.about, rating=f.rating, text=f.text, author_name=n, created_at=f.created_at
            )
            for f, n in career.feedback_of(db, att.id)
        ],
        created_at=att.created_at,
        finished_at=att.finished_at,
    )


@staff.post("/attestations", response_model=AttestationOut, status_code=201)
def start_attestation(body: AttestationStartIn, user: CurrentUser, db: DbSession) -> AttestationOut:
    return attestation_out(
        db, career.do_start(db, user, body.user_id or user.id, recheck=body.recheck)
    )


@staff.get("/attestations/{attestation_id}", response_model=AttestationOut)
def get_attestation(attestation_id: int, user: CurrentUser, db: DbSession) -> AttestationOut:
    return attestation_out(db, career.access_attestation(db, user, attestation_id))


@staff.post("/attestations/{attestation_id}/quiz", response_model=AttestationOut)
def attestation_quiz(
    attestation_id: int, body: AnswersIn, user: CurrentUser, db: DbSession
) -> AttestationOut:
    return attestation_out(db, career.do_quiz(db, user, attestation_id, list(body.answers)))


@staff.post("/attestations/{attestation_id}/practice", response_model=AttemptOut, status_code=201)
def attestation_practice(
    attestation_id: int, body: PracticeIn, user: CurrentUser, db: DbSession
) -> AttemptOut:
    attempt = career.do_practice(db, user, attestation_id, body.scenario)
    return AttemptOut.model_validate(attempt)


@staff.post("/attestations/{attestation_id}/finish", response_model=AttestationOut)
def finish_attestation(attestation_id: int, user: CurrentUser, db: DbSession) -> AttestationOut:
    return attestation_out(db, career.do_finish(db, user, attestation_id))


@staff.post("/attestations/{attestation_id}/feedback", response_model=AttestationOut)
def attestation_feedback(
    attestation_id: int, body: FeedbackIn, user: CurrentUser, db: DbSession
) -> AttestationOut:
    career.do_feedback(db, user, attestation_id, body.about, body.rating, body.text)
    return attestation_out(db, career.access_attestation(db, user, attestation_id))


# --- motivation ------------------------------------------------------------------------------


def motivation_out(db: DbSession, user: User) -> MotivationOut:
    points = motivation.total_points(db, user.id)
    level, nxt = motivation.points_level(points)
    upcoming = career.next_level(db, user.id)
    return MotivationOut(
        points=points,
        points_30d=motivation.total_points(db, user.id, service.days_ago(30)),
        level=level,
        next_level_points=nxt,
        badges=[
            BadgeOut(key=k, name=n, earned_at=t) for k, n, t in motivation.badges_of(db, user.id)
        ],
        career_level=career.title(career.level_of(db, user.id)),
        next_career_level=career.title(upcoming) if upcoming else None,
        contests=[
            ContestOut.model_validate(c) for c in motivation.list_contests(db, current_only=True)
        ],
    )


@staff.get("/motivation", response_model=MotivationOut)
def my_motivation(user: CurrentUser, db: DbSession) -> MotivationOut:
    return motivation_out(db, user)


@staff.get("/leaderboard", response_model=BoardOut)
def leaderboard(
    user: CurrentUser, db: DbSession, team_id: Annotated[int | None, Query(ge=1)] = None
) -> BoardOut:
    """`team_id`: a viewer in no team (a supervisor) picks one team's board; an operator in
    a team always gets their own."""
    b = motivation.board(db, user, team_id=team_id)
    return BoardOut(
        team=b.team,
        mode=b.mode,
        my_place=b.my_place,
        rows=[BoardRowOut(place=r.place, name=r.name, points=r.points, me=r.me) for r in b.rows],
    )


@staff.put("/leaderboard/mode", response_model=BoardOut)
def set_board_mode(body: BoardModeIn, user: CurrentUser, db: DbSession) -> BoardOut:
    motivation.do_set_board_mode(db, user, body.mode)
    return leaderboard(user, db)


@staff.get("/contests", response_model=list[ContestOut])
def contests(db: DbSession) -> list[ContestOut]:
    return [ContestOut.model_validate(c) for c in motivation.list_contests(db)]


@supervisors.post("/contests", response_model=ContestOut, status_code=201)
def create_contest(body: ContestIn, user: CurrentUser, db: DbSession) -> ContestOut:
    return ContestOut.model_validate(motivation.do_create_contest(db, user, body.model_dump()))


@supervisors.get("/contests/{contest_id}/standings", response_model=list[StandingOut])
def contest_standings(contest_id: int, db: DbSession) -> list[StandingOut]:
    contest = motivation.get_contest(db, contest_id)
    return [
        StandingOut(
            user_id=st.user.id,
            name=st.user.display_name,
            value=st.value,
            met=st.met,
            contacts=st.contacts,
        )
        for st in motivation.standings(db, contest)
    ]


routes = Routes(staff=(staff,), supervisors=(supervisors,))
