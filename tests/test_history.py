"""The generated history is consistent (every timestamp in order, every message counted)
and looks like a contact center's (KPIs in believable ranges), so demos and benchmarks
measure something real."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wowdesk.analytics import service as analytics
from wowdesk.conversations.models import Conversation, Message
from wowdesk.demo import history


def test_history_is_consistent_and_believable(db: Session) -> None:
    plan = history.Plan(conversations=2000, days=14, operators=6, seed=7)
    seen: list[int] = []
    made = history.generate(db, plan, seen.append)
    assert made.conversations == 2000 == sum(seen)
    assert history.exists(db)
    convs = list(db.scalars(select(Conversation)))
    assert len(convs) == 2000 and {c.status for c in convs} == {"closed"}
    for c in convs:
        steps = [c.created_at, c.queued_at, c.assigned_at, c.closed_at, c.wrapup_done_at]
        present = [s for s in steps if s is not None]
        assert present == sorted(present), c.id
    assert db.scalar(select(func.count()).select_from(Message)) == sum(c.last_seq for c in convs)
    assert made.first_day is not None and made.last_day is not None
    analytics.do_refresh(db, made.first_day, made.last_day, sl_seconds=20, timezone=plan.timezone)
    [total] = analytics.summarize(db, made.first_day, made.last_day, timezone=plan.timezone)
    v = total.values
    assert v["contacts"] == 2000
    assert 0.55 < (v["service_level"] or 0) < 0.95
    assert 0.02 < (v["abandonment"] or 0) < 0.15
    assert 300 < (v["aht"] or 0) < 600
    assert 0.3 < (v["containment"] or 0) < 0.6
    assert 0.1 < (v["occupancy"] or 0) < 1
