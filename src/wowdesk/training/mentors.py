"""Mentors: every newcomer has one through the adaptation, assigned by a supervisor from a
suggested list (experienced, high QA, room for one more trainee). The mentor's page shows
each trainee's track, quiz and simulator results and first real conversations with their
QA scores, and the mentor comments on any of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wowdesk.db import utcnow
from wowdesk.errors import Forbidden, Invalid, NotFound
from wowdesk.operators import service as operators
from wowdesk.operators.models import Role, User
from wowdesk.quality import kpis as quality_kpis
from wowdesk.training import career
from wowdesk.training.models import (
    Attempt,
    MentorComment,
    Mentorship,
    Quiz,
    QuizAttempt,
    Scenario,
)

# a mentor takes at most this many trainees at once
MAX_TRAINEES = 3
# «experienced»: on the career track at least this high, or on staff this long
MENTOR_MIN_POSITION = 3
MENTOR_MIN_DAYS = 90
QA_WINDOW_DAYS = 60
COMMENT_KINDS = ("attempt", "quiz", "conversation", "trainee")
MAX_COMMENT = 2000
FIRST_CONVERSATIONS = 10


def mentor_of(db: Session, trainee_id: int) -> Mentorship | None:
    return db.get(Mentorship, trainee_id)


def mentors(db: Session, user: User, trainee_id: int) -> bool:
    """Registered with quality at start-up: a mentor reads the trainee's scored
    conversations (the trainee page links them)."""
    found = mentor_of(db, trainee_id)
    return found is not None and found.mentor_id == user.id


def trainees_of(db: Session, mentor_id: int) -> list[User]:
    ids = set(db.scalars(select(Mentorship.trainee_id).where(Mentorship.mentor_id == mentor_id)))
    users = operators.users_by_id(db, ids)
    return sorted(users.values(), key=lambda u: u.display_name)


def load(db: Session) -> dict[int, int]:
    rows = db.execute(select(Mentorship.mentor_id, func.count()).group_by(Mentorship.mentor_id))
    return {int(m): int(n) for m, n in rows}


@dataclass(frozen=True)
class Candidate:
    user: User
    qa: float | None  # average automatic QA score of the last weeks
    scored: int
    trainees: int
    level: str

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.user.id,
            "name": self.user.display_name,
            "qa": self.qa,
            "scored": self.scored,
            "trainees": self.trainees,
            "level": self.level,
        }


def suggest(db: Session, trainee_id: int, limit: int = 5) -> list[Candidate]:
    """Who could mentor this trainee: experienced (career level, or time on staff), with
    room for one more trainee, best QA first."""
    now = utcnow()
    staff = [
        u
        for u in operators.list_users(db)
        if u.is_active and u.id != trainee_id and u.role in (Role.operator, Role.supervisor)
    ]
    taken = load(db)
    qa = quality_kpis.qa_average(db, {u.id for u in staff}, now - timedelta(days=QA_WINDOW_DAYS))
    out = []
    for u in staff:
        step = career.level_of(db, u.id)
        experienced = step.position >= MENTOR_MIN_POSITION or (
            u.created_at is not None and now - u.created_at >= timedelta(days=MENTOR_MIN_DAYS)
        )
        if not experienced or taken.get(u.id, 0) >= MAX_TRAINEES:
            continue
        avg, n = qa.get(u.id, (None, 0))
        out.append(
            Candidate(
                u,
                round(avg, 1) if avg is not None else None,
                n,
                taken.get(u.id, 0),
                step.title if career.on_track(u) else career.step_title(db, u),
            )
        )
    out.sort(key=lambda c: (c.qa is None, -(c.qa or 0), c.trainees, c.user.display_name))
    return out[:limit]


def do_assign(db: Session, by: User, trainee_id: int, mentor_id: int) -> Mentorship:
    """A supervisor assigns (or changes) a trainee's mentor."""
    if not operators.has_role(by, Role.supervisor):
        raise Forbidden("Only a supervisor assigns mentors")
    if trainee_id == mentor_id:
        raise Invalid("A trainee cannot be their own mentor", code="invalid_mentor")
    trainee = operators.get_user(db, trainee_id)
    mentor = operators.get_user(db, mentor_id)
    if not mentor.is_active or not trainee.is_active:
        raise Invalid("Both must be active staff", code="invalid_mentor")
    current = db.get(Mentorship, trainee.id)
    if current is not None and current.mentor_id == mentor.id:
        return current
    if load(db).get(mentor.id, 0) >= MAX_TRAINEES:
        raise Invalid(
            "{name} already mentors {n} trainees",
            name=mentor.display_name,
            n=MAX_TRAINEES,
            code="mentor_full",
        )
    if current is None:
        current = Mentorship(trainee_id=trainee.id, mentor_id=mentor.id, assigned_by=by.id)
        db.add(current)
    else:
        current.mentor_id, current.assigned_by, current.created_at = mentor.id, by.id, utcnow()
    db.flush()
    return current


def do_unassign(db: Session, by: User, trainee_id: int) -> None:
    if not operators.has_role(by, Role.supervisor):
        raise Forbidden("Only a supervisor assigns mentors")
    found = db.get(Mentorship, trainee_id)
    if found is not None:
        db.delete(found)
        db.flush()


def access_trainee(db: Session, user: User, trainee_id: int) -> User:
    """The trainee's mentor and supervisors see a trainee's page; others get 404."""
    trainee = operators.get_user(db, trainee_id)
    link = db.get(Mentorship, trainee.id)
    if (link is None or link.mentor_id != user.id) and not operators.has_role(
        user, Role.supervisor
    ):
        raise NotFound("Trainee not found")
    return trainee


@dataclass(frozen=True)
class TraineeView:
    trainee: User
    quizzes: list[tuple[QuizAttempt, str]]  # the attempt and its quiz's title
    attempts: list[tuple[Attempt, str]]  # the practice attempt and its scenario's title
    conversations: list[dict[str, Any]]  # first real conversations: id, closed_at, qa
    comments: list[tuple[MentorComment, str]]  # the comment and its author's name


def trainee_view(db: Session, user: User, trainee_id: int) -> TraineeView:
    trainee = access_trainee(db, user, trainee_id)
    quiz_titles = {q.id: q.title for q in db.scalars(select(Quiz))}
    quizzes = [
        (a, quiz_titles.get(a.quiz_id, ""))
        for a in db.scalars(
            select(QuizAttempt)
            .where(QuizAttempt.user_id == trainee.id)
            .order_by(QuizAttempt.id.desc())
            .limit(20)
        )
    ]
    titles = {s.id: s.title for s in db.scalars(select(Scenario))}
    attempts = [
        (a, titles.get(a.scenario_id, ""))
        for a in db.scalars(
            select(Attempt)
            .where(Attempt.user_id == trainee.id)
            .order_by(Attempt.id.desc())
            .limit(20)
        )
    ]
    scores = quality_kpis.first_scores(db, trainee.id, FIRST_CONVERSATIONS)
    conversations = [
        {
            "conversation_id": s.conversation_id,
            "score_id": s.id,
            "closed_at": s.closed_at,
            "qa": round(s.total, 1),
            "critical": bool(s.critical_failed),
        }
        for s in scores
    ]
    rows = list(
        db.scalars(
            select(MentorComment)
            .where(MentorComment.trainee_id == trainee.id)
            .order_by(MentorComment.created_at.desc())
            .limit(200)
        )
    )
    names = operators.user_names(db, {c.author_id for c in rows if c.author_id})
    comments = [(c, names.get(c.author_id or 0, "")) for c in rows]
    return TraineeView(trainee, quizzes, attempts, conversations, comments)


def do_comment(
    db: Session, user: User, trainee_id: int, kind: str, ref_id: int | None, text: str
) -> MentorComment:
    """The mentor (or a supervisor) comments on an attempt, quiz, conversation of the
    trainee, or on the trainee; the thing commented on must be the trainee's."""
    trainee = access_trainee(db, user, trainee_id)
    text = text.strip()
    if kind not in COMMENT_KINDS:
        raise Invalid("Unknown comment kind {kind}", kind=kind, code="invalid_comment")
    if not text or len(text) > MAX_COMMENT:
        raise Invalid("A comment is 1–{n} characters", n=MAX_COMMENT, code="invalid_comment")
    if kind == "trainee":
        ref_id = None
    elif ref_id is None or not _belongs(db, trainee.id, kind, ref_id):
        raise NotFound("Nothing of this trainee to comment on")
    comment = MentorComment(
        trainee_id=trainee.id, author_id=user.id, kind=kind, ref_id=ref_id, text=text
    )
    db.add(comment)
    db.flush()
    return comment


def _belongs(db: Session, trainee_id: int, kind: str, ref_id: int) -> bool:
    if kind == "attempt":
        attempt = db.get(Attempt, ref_id)
        return attempt is not None and attempt.user_id == trainee_id
    if kind == "quiz":
        quiz_attempt = db.get(QuizAttempt, ref_id)
        return quiz_attempt is not None and quiz_attempt.user_id == trainee_id
    return any(s.conversation_id == ref_id for s in quality_kpis.first_scores(db, trainee_id, 1000))


def comments_on(db: Session, user: User, kind: str, ref_id: int) -> list[tuple[MentorComment, str]]:
    """The comments on one of the user's own attempts (what the trainee reads)."""
    rows = list(
        db.scalars(
            select(MentorComment)
            .where(
                MentorComment.trainee_id == user.id,
                MentorComment.kind == kind,
                MentorComment.ref_id == ref_id,
            )
            .order_by(MentorComment.created_at)
        )
    )
    names = operators.user_names(db, {c.author_id for c in rows if c.author_id})
    return [(c, names.get(c.author_id or 0, "")) for c in rows]


def my_comments(db: Session, user: User, limit: int = 10) -> list[tuple[MentorComment, str]]:
    """What mentors wrote about the operator (any of their attempts, tests, conversations
    or themselves), newest first: the trainee's side of the mentor's page."""
    rows = list(
        db.scalars(
            select(MentorComment)
            .where(MentorComment.trainee_id == user.id)
            .order_by(MentorComment.created_at.desc(), MentorComment.id.desc())
            .limit(limit)
        )
    )
    names = operators.user_names(db, {c.author_id for c in rows if c.author_id})
    return [(c, names.get(c.author_id or 0, "")) for c in rows]
