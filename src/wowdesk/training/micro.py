"""Micro-lessons: when an incident is fixed, a published article changes its text or a
reply template its script, the corrected text and what went wrong (the incident's
regression cases, the template's old text) become a short lesson for every operator
serving that topic, so the team learns the new script the same day. The incident's page
shows who has completed it (`incident_panel`, registered at start-up: quality never
imports training).

Quality, the knowledge base and the assistant tell training through their events
(`IncidentChanged`, `ArticleChanged`, `TemplateChanged`, see `listener.py`); a periodic
sweep catches incidents whose event was missed. Every creation is idempotent (one lesson
per incident, article version and template text), so several processes hearing the same
event make one lesson."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wowdesk.assist import service as assist
from wowdesk.db import utcnow
from wowdesk.errors import NotFound
from wowdesk.i18n import gettext as _
from wowdesk.kb import service as kb
from wowdesk.operators import presence
from wowdesk.operators import service as operators
from wowdesk.operators.models import Role, User
from wowdesk.quality import incident_views, regression
from wowdesk.quality import service as incidents
from wowdesk.training.models import MicroAssignment, MicroLesson

DONE_STATUSES = ("fixed", "verified")
# the sweep looks this far back for fixed incidents that have no lesson yet
SWEEP_DAYS = 7
MAX_CASES = 10


def audience(db: Session, topic: str) -> list[User]:
    """The active operators who serve `topic`, as routing sees it: those with the topic
    among their skills, those with no topic skills (they take any topic), and everyone
    when nobody has the topic as a skill (it falls to everyone)."""
    staff = [u for u in operators.list_users(db) if u.is_active and u.role == Role.operator]
    skills = presence.skills_of(db, {u.id for u in staff})
    topics = {u.id: {s.value.lower() for s in skills[u.id] if s.kind == "topic"} for u in staff}
    wanted = topic.strip().lower()
    staffed = any(wanted in t for t in topics.values())
    return [
        u for u in staff if not wanted or not staffed or not topics[u.id] or wanted in topics[u.id]
    ]


def _topic_of_article(db: Session, topic_id: int | None) -> str:
    return kb.topic_names(db).get(topic_id, "") if topic_id is not None else ""


def _assign(db: Session, lesson: MicroLesson) -> int:
    """Assigns the lesson to every operator serving its topic who does not have it yet."""
    have = set(
        db.scalars(select(MicroAssignment.user_id).where(MicroAssignment.lesson_id == lesson.id))
    )
    added = 0
    for user in audience(db, lesson.topic):
        if user.id not in have:
            db.add(MicroAssignment(lesson_id=lesson.id, user_id=user.id))
            added += 1
    db.flush()
    return added


def _case_json(case: Any) -> dict[str, Any]:
    return {
        "question": case.question,
        "bad_answer": case.bad_answer,
        "must_contain": list(case.must_contain or []),
        "must_not_contain": list(case.must_not_contain or []),
    }


def do_lesson_for_incident(db: Session, incident_id: int) -> MicroLesson | None:
    """The lesson of a fixed (or verified) incident; None while it is not fixed. Joins the
    lesson already made for the article's current version (the edit that fixed it)."""
    try:
        incident = incidents.get_incident(db, incident_id)
    except NotFound:
        return None
    if incident.status not in DONE_STATUSES:
        return None
    found = db.scalar(select(MicroLesson).where(MicroLesson.incident_id == incident.id))
    if found is not None:
        return found
    article = None
    if incident.article_id is not None:
        try:
            article = kb.get_article(db, incident.article_id)
        except NotFound:
            article = None
    cases = regression.cases_of_incident(
        db, incidents.message_ids_of(db, incident.id), incident.article_id
    )[:MAX_CASES]
    lesson = None
    if article is not None:
        lesson = db.scalar(
            select(MicroLesson).where(
                MicroLesson.article_id == article.id,
                MicroLesson.article_version == article.version,
            )
        )
    if lesson is None:
        lesson = MicroLesson(
            article_id=article.id if article else None,
            article_version=article.version if article else None,
        )
        db.add(lesson)
    lesson.source = "incident"
    lesson.incident_id = incident.id
    lesson.title = _("After incident #{id}: {title}", id=incident.id, title=incident.title)[:300]
    lesson.body = article.body if article is not None else ""
    lesson.topic = (
        _topic_of_article(db, article.topic_id) if article is not None else ""
    ) or incident.topic
    lesson.cases = [_case_json(c) for c in cases]
    db.flush()
    _assign(db, lesson)
    return lesson


def do_lesson_for_article(db: Session, article_id: int) -> MicroLesson | None:
    """The lesson of a published article whose text changed in its latest version; None
    when it is a draft, new, or only its title, tags or status changed."""
    try:
        article = kb.get_article(db, article_id)
    except NotFound:
        return None
    if article.status != "published":
        return None
    versions = kb.list_versions(db, article)  # newest first
    if len(versions) < 2 or versions[0].version != article.version:
        return None
    earlier = next((v for v in versions[1:] if v.status == "published"), None)
    if earlier is None or earlier.body.strip() == article.body.strip():
        return None
    found = db.scalar(
        select(MicroLesson).where(
            MicroLesson.article_id == article.id, MicroLesson.article_version == article.version
        )
    )
    if found is not None:
        return found
    lesson = MicroLesson(
        source="article",
        article_id=article.id,
        article_version=article.version,
        title=_("The article changed: {title}", title=article.title)[:300],
        body=article.body,
        topic=_topic_of_article(db, article.topic_id),
        cases=[],
    )
    db.add(lesson)
    db.flush()
    _assign(db, lesson)
    return lesson


def do_lesson_for_template(db: Session, template_id: int, previous: str) -> MicroLesson | None:
    """The lesson of a reply template's new text, for every operator (templates serve all
    topics); None when the template is gone or inactive."""
    try:
        template = assist.get_template(db, template_id)
    except NotFound:
        return None
    if not template.active:
        return None
    digest = hashlib.sha256(template.text.encode()).hexdigest()[:16]
    found = db.scalar(
        select(MicroLesson).where(
            MicroLesson.template_id == template.id, MicroLesson.template_digest == digest
        )
    )
    if found is not None:
        return found
    lesson = MicroLesson(
        source="template",
        template_id=template.id,
        template_digest=digest,
        title=_("The template changed: {title}", title=template.title)[:300],
        body=template.text,
        topic="",
        cases=[
            {
                "question": template.title,
                "bad_answer": previous[:4000],
                "must_contain": [],
                "must_not_contain": [],
            }
        ],
    )
    db.add(lesson)
    db.flush()
    _assign(db, lesson)
    return lesson


def do_sweep(db: Session) -> int:
    """Lessons for incidents fixed in the last days that have none (an event lost while a
    process restarted or Redis was away)."""
    since = utcnow() - timedelta(days=SWEEP_DAYS)
    have = set(
        db.scalars(select(MicroLesson.incident_id).where(MicroLesson.incident_id.is_not(None)))
    )
    made = 0
    for status in DONE_STATUSES:
        for incident, _flags, _convs in incidents.list_incidents(db, status):
            if incident.id in have or (incident.resolved_at and incident.resolved_at < since):
                continue
            if do_lesson_for_incident(db, incident.id) is not None:
                made += 1
    return made


# --- the operator's side -----------------------------------------------------------------


def my_lessons(db: Session, user: User) -> list[tuple[MicroLesson, MicroAssignment]]:
    """The operator's micro-lessons, the ones not done first, newest first within each."""
    rows = db.execute(
        select(MicroLesson, MicroAssignment)
        .join(MicroAssignment, MicroAssignment.lesson_id == MicroLesson.id)
        .where(MicroAssignment.user_id == user.id)
        .order_by(MicroAssignment.done_at.is_not(None), MicroLesson.id.desc())
        .limit(50)
    )
    return [(lesson, assignment) for lesson, assignment in rows]


def pending_count(db: Session, user: User) -> int:
    return int(
        db.scalar(
            select(func.count()).where(
                MicroAssignment.user_id == user.id, MicroAssignment.done_at.is_(None)
            )
        )
        or 0
    )


def access_lesson(
    db: Session, user: User, lesson_id: int
) -> tuple[MicroLesson, MicroAssignment | None]:
    """A lesson its operator reads, or a supervisor looks at (no assignment of their own)."""
    lesson = db.get(MicroLesson, lesson_id)
    if lesson is None:
        raise NotFound("Micro-lesson not found")
    assignment = db.get(MicroAssignment, (lesson.id, user.id))
    if assignment is None and not operators.has_role(user, Role.supervisor):
        raise NotFound("Micro-lesson not found")
    return lesson, assignment


def do_complete(db: Session, user: User, lesson_id: int) -> MicroAssignment:
    """Idempotent: the first completion time is kept."""
    _lesson, assignment = access_lesson(db, user, lesson_id)
    if assignment is None:
        raise NotFound("Micro-lesson not found")
    if assignment.done_at is None:
        assignment.done_at = utcnow()
        db.flush()
    return assignment


def completion(db: Session, lesson_id: int) -> list[tuple[User, MicroAssignment]]:
    rows = list(db.scalars(select(MicroAssignment).where(MicroAssignment.lesson_id == lesson_id)))
    users = operators.users_by_id(db, {a.user_id for a in rows})
    return sorted(
        ((users[a.user_id], a) for a in rows if a.user_id in users),
        key=lambda x: x[0].display_name,
    )


def lesson_of_incident(db: Session, incident_id: int) -> MicroLesson | None:
    return db.scalar(select(MicroLesson).where(MicroLesson.incident_id == incident_id))


def incident_panel(db: Session, incident_id: int) -> incident_views.IncidentPanel | None:
    """The incident page's section: who has completed the lesson made from its fix."""
    lesson = lesson_of_incident(db, incident_id)
    if lesson is None:
        return None
    done = completion(db, lesson.id)
    finished = sum(1 for _u, a in done if a.done_at is not None)
    return incident_views.IncidentPanel(
        title=_("Micro-lesson for the team"),
        summary=_("Completed by {done} of {total}", done=finished, total=len(done)),
        link=f"/training/micro/{lesson.id}",
        rows=[
            incident_views.PanelRow(
                name=u.display_name,
                done=a.done_at is not None,
                when=a.done_at.isoformat() if a.done_at else "",
            )
            for u, a in done
        ],
    )
