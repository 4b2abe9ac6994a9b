"""The demo's people side of training: Анна, an experienced operator, mentors Дмитрий; a
contest runs this week; the history's outcomes are counted into points. Idempotent: what
exists is left alone, so a re-run of `wowdesk demo` changes nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from wowdesk.db import utcnow
from wowdesk.operators import service as operators
from wowdesk.training import career, motivation
from wowdesk.training.models import Career, Contest, Mentorship

MENTOR, TRAINEE = "anna", "dmitry"


def do_ensure_demo_people(db: Session) -> None:
    mentor, trainee = operators.find_user(db, MENTOR), operators.find_user(db, TRAINEE)
    levels = {lv.slug: lv for lv in career.levels(db)}
    if mentor is not None and db.get(Career, mentor.id) is None:
        db.add(Career(user_id=mentor.id, level_id=levels["senior"].id))
    if mentor is not None and trainee is not None and db.get(Mentorship, trainee.id) is None:
        db.add(Mentorship(trainee_id=trainee.id, mentor_id=mentor.id))
    if db.scalar(select(Contest.id).limit(1)) is None:
        today = utcnow().date()
        monday = today - timedelta(days=today.weekday())
        db.add(
            Contest(
                title="ACW меньше 10 с на этой неделе",
                kpi="acw",
                target=10.0,
                starts_on=monday,
                ends_on=monday + timedelta(days=6),
                points=50,
            )
        )
    db.flush()
    motivation.do_refresh_all(db)
