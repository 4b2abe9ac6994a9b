"""The career track (стажёр → оператор → старший → наставник) and attestation.

Each level names what an attestation for it must show (supervisors edit it): a quiz and
its bar, simulator scenarios and the practice bar, real KPIs at or better than their
targets over the last days, and optionally the whole training track done. An attestation
collects those parts; finishing it compares each with its bar, and when all pass the
operator moves up one level. Both sides leave feedback: the trainee on the module and the
mentor, the mentor on the trainee."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from wowdesk.db import utcnow
from wowdesk.errors import Conflict, Forbidden, Invalid, NotFound
from wowdesk.i18n import N_
from wowdesk.i18n import gettext as _
from wowdesk.operators import service as operators
from wowdesk.operators.models import Role, User
from wowdesk.training import kpi_source, motivation, quiz, service
from wowdesk.training.models import (
    Attempt,
    Attestation,
    AttestationStatus,
    Career,
    CareerLevel,
    Feedback,
    Mentorship,
    Quiz,
    QuizAttempt,
    Scenario,
)

DEFAULT_LEVELS: list[dict[str, Any]] = [
    {"slug": "trainee", "title": N_("trainee"), "criteria": {}},
    {
        "slug": "operator",
        "title": N_("operator"),
        "criteria": {
            "quiz": "security-quiz",
            "quiz_min": 70.0,
            "scenarios": ["angry-blocked-ad"],
            "practice_min": 60.0,
            "kpis": [],
            "period_days": 30,
            "track_done": False,
            "every_days": 180,
        },
    },
    {
        "slug": "senior",
        "title": N_("senior operator"),
        "criteria": {
            "quiz": "paid-services-quiz",
            "quiz_min": 80.0,
            "scenarios": ["angry-blocked-ad", "suspicious-is-it-really-support"],
            "practice_min": 75.0,
            "kpis": ["aht", "csat", "qa_score"],
            "period_days": 30,
            "track_done": True,
            "every_days": 180,
        },
    },
    {
        "slug": "mentor",
        "title": N_("mentor"),
        "criteria": {
            "quiz": "",
            "quiz_min": 0.0,
            "scenarios": ["suspicious-is-it-really-support"],
            "practice_min": 85.0,
            "kpis": ["aht", "acw", "csat", "qa_score"],
            "period_days": 60,
            "track_done": True,
            "every_days": 180,
        },
    },
]
ROLE_TITLES: dict[str, str] = {Role.supervisor: N_("supervisor"), Role.admin: N_("admin")}
FEEDBACK_ABOUT = ("module", "mentor", "trainee")
MAX_FEEDBACK = 2000
KPI_KEY = re.compile(r"^[a-z_]{2,32}$")


def do_ensure_levels(db: Session) -> list[CareerLevel]:
    """The default track when none is set (a fresh database, or one truncated by tests)."""
    levels = list(db.scalars(select(CareerLevel).order_by(CareerLevel.position)))
    if levels:
        return levels
    for position, data in enumerate(DEFAULT_LEVELS, start=1):
        db.add(CareerLevel(position=position, **data))
    db.flush()
    return list(db.scalars(select(CareerLevel).order_by(CareerLevel.position)))


def levels(db: Session) -> list[CareerLevel]:
    return do_ensure_levels(db)


def title(level: CareerLevel) -> str:
    """Default titles are msgids (translated); a supervisor's own title shows as typed."""
    return _(level.title)


def level_of(db: Session, user_id: int) -> CareerLevel:
    found = db.get(Career, user_id)
    all_levels = levels(db)
    if found is not None:
        for lv in all_levels:
            if lv.id == found.level_id:
                return lv
    return all_levels[0]


def on_track(user: User) -> bool:
    """Only operators climb the career track; supervisors and admins are not on it."""
    return user.role == Role.operator


def step_title(db: Session, user: User) -> str:
    """An operator's career step; a supervisor's or an admin's role instead."""
    if on_track(user):
        return title(level_of(db, user.id))
    return _(ROLE_TITLES.get(str(user.role), str(user.role)))


def level_known(db: Session, user_id: int) -> bool:
    """The operator's level is known without the entry test: a step above the first, or an
    attestation passed."""
    held = db.get(Career, user_id)
    if held is not None and level_of(db, user_id).position > levels(db)[0].position:
        return True
    passed = db.scalar(
        select(Attestation.id).where(
            Attestation.user_id == user_id, Attestation.status == AttestationStatus.passed
        )
    )
    return passed is not None


def next_level(db: Session, user_id: int) -> CareerLevel | None:
    current = level_of(db, user_id)
    return next((lv for lv in levels(db) if lv.position > current.position), None)


def check_criteria(db: Session, data: dict[str, Any]) -> dict[str, Any]:
    """A supervisor's criteria, refused with what is wrong."""
    if not isinstance(data, dict):
        raise Invalid("Criteria must be an object", code="invalid_criteria")
    quiz_slug = str(data.get("quiz") or "").strip()
    if quiz_slug and db.scalar(select(Quiz.id).where(Quiz.slug == quiz_slug)) is None:
        raise Invalid("Unknown quiz {slug}", slug=quiz_slug, code="invalid_criteria")
    scenarios = [str(s).strip() for s in data.get("scenarios") or [] if str(s).strip()]
    for slug in scenarios:
        if db.scalar(select(Scenario.id).where(Scenario.slug == slug)) is None:
            raise Invalid("Unknown scenario {slug}", slug=slug, code="invalid_criteria")
    kpis = [str(k).strip() for k in data.get("kpis") or [] if str(k).strip()]
    known = kpi_source.known()
    for key in kpis:
        if not KPI_KEY.match(key) or (known and key not in known):
            raise Invalid("Unknown KPI {kpi}", kpi=key, code="invalid_criteria")
    try:
        quiz_min = float(data.get("quiz_min", 0) or 0)
        practice_min = float(data.get("practice_min", 0) or 0)
        period = int(data.get("period_days", 30) or 30)
    except (TypeError, ValueError):
        raise Invalid("Bars are numbers", code="invalid_criteria") from None
    try:
        every = int(data.get("every_days", 0) or 0)
    except (TypeError, ValueError):
        raise Invalid("Bars are numbers", code="invalid_criteria") from None
    if not 0 <= every <= 3650:
        raise Invalid("A re-attestation comes every 0–3650 days", code="invalid_criteria")
    if not (0 <= quiz_min <= 100 and 0 <= practice_min <= 100 and 1 <= period <= 365):
        raise Invalid("Bars are 0–100 and the period 1–365 days", code="invalid_criteria")
    return {
        "quiz": quiz_slug,
        "quiz_min": quiz_min,
        "scenarios": list(dict.fromkeys(scenarios)),
        "practice_min": practice_min,
        "kpis": list(dict.fromkeys(kpis)),
        "period_days": period,
        "track_done": bool(data.get("track_done", False)),
        "every_days": every,
    }


def do_set_level(
    db: Session, by: User, slug: str, new_title: str, criteria: dict[str, Any]
) -> CareerLevel:
    if not operators.has_role(by, Role.supervisor):
        raise Forbidden("Only supervisors edit the career track")
    level = next((lv for lv in levels(db) if lv.slug == slug), None)
    if level is None:
        raise NotFound("Career level not found")
    new_title = new_title.strip()
    if not 0 < len(new_title) <= 100:
        raise Invalid("A level needs a title of up to 100 characters", code="invalid_criteria")
    level.title = new_title
    level.criteria = check_criteria(db, criteria)
    level.updated_at = utcnow()
    db.flush()
    return level


# --- attestation --------------------------------------------------------------------------


def _may_see(db: Session, user: User, trainee_id: int) -> bool:
    if user.id == trainee_id or operators.has_role(user, Role.supervisor):
        return True
    link = db.get(Mentorship, trainee_id)
    return link is not None and link.mentor_id == user.id


def access_attestation(db: Session, user: User, attestation_id: int) -> Attestation:
    found = db.get(Attestation, attestation_id)
    if found is None or not _may_see(db, user, found.user_id):
        raise NotFound("Attestation not found")
    return found


def list_attestations(db: Session, user_id: int) -> list[Attestation]:
    return list(
        db.scalars(
            select(Attestation)
            .where(Attestation.user_id == user_id)
            .order_by(Attestation.id.desc())
            .limit(20)
        )
    )


def open_attestation(db: Session, user_id: int) -> Attestation | None:
    return db.scalar(
        select(Attestation).where(
            Attestation.user_id == user_id, Attestation.status == AttestationStatus.open
        )
    )


def recheck_due(db: Session, user_id: int) -> bool:
    """The periodic attestation: the current level's `every_days` have passed since the
    operator reached it or last confirmed it."""
    current = level_of(db, user_id)
    every = int((current.criteria or {}).get("every_days", 0) or 0)
    held = db.get(Career, user_id)
    if every <= 0 or held is None:
        return False
    return utcnow() - held.since >= timedelta(days=every)


def do_start(db: Session, by: User, trainee_id: int, recheck: bool = False) -> Attestation:
    """For the next level, or (`recheck`) the periodic one confirming the current level;
    the trainee, their mentor or a supervisor starts it. An open attestation is returned
    as it is."""
    trainee = operators.get_user(db, trainee_id)
    if not _may_see(db, by, trainee.id):
        raise NotFound("Trainee not found")
    found = open_attestation(db, trainee.id)
    if found is not None:
        return found
    if recheck:
        target: CareerLevel | None = level_of(db, trainee.id)
        if db.get(Career, trainee.id) is None:
            raise Conflict("There is no level to confirm yet", code="nothing_to_confirm")
    else:
        target = next_level(db, trainee.id)
    if target is None:
        raise Conflict("Already at the top of the career track", code="top_level")
    att = Attestation(user_id=trainee.id, level_id=target.id, started_by=by.id)
    db.add(att)
    db.flush()
    return att


def level_by_id(db: Session, level_id: int) -> CareerLevel:
    found = db.get(CareerLevel, level_id)
    if found is None:
        raise NotFound("Career level not found")
    return found


def _own_open(db: Session, user: User, attestation_id: int) -> Attestation:
    att = access_attestation(db, user, attestation_id)
    if att.user_id != user.id:
        raise Forbidden("Only the operator being attested takes its parts")
    if att.status != AttestationStatus.open:
        raise Conflict("This attestation is finished", code="attestation_finished")
    return att


def attestation_quiz(db: Session, att: Attestation) -> Quiz | None:
    slug = level_by_id(db, att.level_id).criteria.get("quiz") or ""
    return db.scalar(select(Quiz).where(Quiz.slug == slug)) if slug else None


def do_quiz(db: Session, user: User, attestation_id: int, answers: list[Any]) -> Attestation:
    att = _own_open(db, user, attestation_id)
    q = attestation_quiz(db, att)
    if q is None:
        raise Invalid("This attestation has no test")
    score, marks = quiz.percent(list(q.questions), answers)
    db.add(
        QuizAttempt(
            quiz_id=q.id,
            user_id=user.id,
            answers=marks,
            quiz_percent=score,
            percent=score,
            finished_at=utcnow(),
        )
    )
    att.quiz_percent = max(att.quiz_percent or 0.0, score)
    db.flush()
    return att


def do_practice(db: Session, user: User, attestation_id: int, scenario_slug: str) -> Attempt:
    att = _own_open(db, user, attestation_id)
    wanted = level_by_id(db, att.level_id).criteria.get("scenarios") or []
    if scenario_slug not in wanted:
        raise Invalid("This scenario is not part of the attestation")
    sc = service.get_scenario(db, scenario_slug)
    attempt = service.do_start(db, user, sc.id)
    att.attempt_ids = [*att.attempt_ids, attempt.id]
    db.flush()
    return attempt


@dataclass(frozen=True)
class Part:
    key: str
    title: str
    value: float | None
    bar: float | None
    passed: bool
    detail: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "value": self.value,
            "bar": self.bar,
            "passed": self.passed,
            "detail": self.detail,
        }


def evaluate(db: Session, att: Attestation) -> list[Part]:
    """Each part of the attestation against its bar, as it stands now."""
    level = level_by_id(db, att.level_id)
    c = level.criteria or {}
    parts: list[Part] = []
    q = attestation_quiz(db, att)
    if q is not None:
        bar = float(c.get("quiz_min", 0))
        value = att.quiz_percent
        parts.append(
            Part(
                "quiz",
                _("Test: {title}", title=q.title),
                value,
                bar,
                value is not None and value >= bar,
            )
        )
    attempts = {
        a.id: a for a in db.scalars(select(Attempt).where(Attempt.id.in_(att.attempt_ids or [0])))
    }
    bar = float(c.get("practice_min", 0))
    for slug in c.get("scenarios") or []:
        sc = db.scalar(select(Scenario).where(Scenario.slug == slug))
        if sc is None:
            continue
        totals = [
            a.total for a in attempts.values() if a.scenario_id == sc.id and a.total is not None
        ]
        best = max(totals) if totals else None
        parts.append(
            Part(
                f"scenario:{slug}",
                _("Simulator: {title}", title=sc.title),
                best,
                bar,
                best is not None and best >= bar,
            )
        )
    if c.get("kpis"):
        end = utcnow().date()
        start = end - timedelta(days=int(c.get("period_days", 30)) - 1)
        figures = {r.key: r for r in kpi_source.results(db, att.user_id, start, end)}
        for key in c["kpis"]:
            r = figures.get(key)
            if r is None:
                parts.append(Part(f"kpi:{key}", key, None, None, False, _("no data")))
                continue
            detail = (
                _("at or better than target")
                if r.met
                else (_("no data") if r.value is None else _("worse than target"))
            )
            parts.append(Part(f"kpi:{key}", r.label, r.value, r.target, r.met, detail))
    if c.get("track_done"):
        states = []
        enrollment = service.enrollment_of_id(db, att.user_id)
        if enrollment is not None:
            states = service.track_view_of(db, att.user_id, enrollment.track_id)
        done = bool(states) and all(s.done for s in states)
        finished = sum(1 for s in states if s.done)
        parts.append(
            Part("track", _("Training track done"), float(finished), float(len(states)), done)
        )
    return parts


def do_finish(db: Session, by: User, attestation_id: int) -> Attestation:
    """Compares every part with its bar; all passed moves the operator up one level (a
    periodic attestation confirms the level and restarts its clock)."""
    att = access_attestation(db, by, attestation_id)
    if att.status != AttestationStatus.open:
        return att
    parts = evaluate(db, att)
    passed = bool(parts) and all(p.passed for p in parts)
    att.parts = [p.as_json() for p in parts]
    att.status = AttestationStatus.passed if passed else AttestationStatus.failed
    att.finished_at = utcnow()
    db.flush()
    if passed:
        level = level_by_id(db, att.level_id)
        career = db.get(Career, att.user_id)
        if career is not None and career.level_id == level.id:  # a periodic one: confirmed
            career.since = utcnow()
            db.flush()
            return att
        if career is None:
            db.add(Career(user_id=att.user_id, level_id=level.id))
        else:
            career.level_id, career.since = level.id, utcnow()
        db.flush()
        motivation.do_level_up(db, att.user_id, title(level), att.id)
    return att


def do_feedback(
    db: Session, user: User, attestation_id: int, about: str, rating: int, text: str
) -> Feedback:
    """The trainee rates the module and the mentor; the mentor (or a supervisor) rates the
    trainee. One of each per author; a second one replaces the first."""
    att = access_attestation(db, user, attestation_id)
    if about not in FEEDBACK_ABOUT:
        raise Invalid("Unknown feedback kind {about}", about=about, code="invalid_feedback")
    if (about == "trainee") == (user.id == att.user_id):
        raise Forbidden(
            "The trainee gives feedback on the module and the mentor; the mentor on the trainee"
        )
    if not 1 <= rating <= 5:
        raise Invalid("A rating is 1 to 5", code="invalid_feedback")
    text = text.strip()
    if len(text) > MAX_FEEDBACK:
        raise Invalid("Feedback is at most {n} characters", n=MAX_FEEDBACK, code="invalid_feedback")
    found = db.scalar(
        select(Feedback).where(
            Feedback.attestation_id == att.id,
            Feedback.author_id == user.id,
            Feedback.about == about,
        )
    )
    if found is None:
        found = Feedback(attestation_id=att.id, author_id=user.id, about=about, rating=rating)
        db.add(found)
    found.rating, found.text, found.created_at = rating, text, utcnow()
    db.flush()
    return found


def feedback_of(db: Session, attestation_id: int) -> list[tuple[Feedback, str]]:
    rows = list(
        db.scalars(
            select(Feedback).where(Feedback.attestation_id == attestation_id).order_by(Feedback.id)
        )
    )
    names = operators.user_names(db, {f.author_id for f in rows if f.author_id})
    return [(f, names.get(f.author_id or 0, "")) for f in rows]
