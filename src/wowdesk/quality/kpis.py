"""QA KPIs for /analytics and `wowdesk report`: the sums behind the QA score, the
critical-error rate and the "customer had to repeat" rate, per operator, team, topic,
channel, day or week.

Read from the scores table, which is itself a rollup (one row per scored conversation,
indexed by closing time), never from the conversations' messages.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from wowdesk.db import local_day
from wowdesk.quality.models import Score, ScoreSource

# what analytics adds to each KPI row's sums
SUMS = ("qa_scored", "qa_points", "qa_critical", "qa_repeat")


def qa_sums(
    db: Session,
    low: datetime,
    high: datetime,
    *,
    by: str,
    timezone: str,
    operator_ids: set[int] | None = None,
    channel: str | None = None,
    topic_id: int | None = None,
) -> list[tuple[Any, dict[str, float]]]:
    """(group value, sums) for automatic scores of conversations closed in [low, high);
    `by` is none, day, operator, channel or topic (weeks and teams group days and
    operators further)."""
    dialect = db.get_bind().dialect.name
    key = {
        "none": None,
        "day": local_day(dialect, Score.closed_at, timezone),
        "operator": Score.operator_id,
        "channel": Score.channel,
        "topic": Score.topic_id,
    }[by]
    columns = [
        func.count(),
        func.coalesce(func.sum(Score.total), 0),
        func.coalesce(func.sum(case((Score.critical_failed.is_(True), 1), else_=0)), 0),
        func.coalesce(func.sum(case((Score.repeat.is_(True), 1), else_=0)), 0),
    ]
    stmt = select(*([key] if key is not None else []), *columns).where(
        Score.source == ScoreSource.auto, Score.closed_at >= low, Score.closed_at < high
    )
    if operator_ids is not None:
        stmt = stmt.where(Score.operator_id.in_(operator_ids))
    if channel:
        stmt = stmt.where(Score.channel == channel)
    if topic_id is not None:
        stmt = stmt.where(Score.topic_id == topic_id)
    if key is not None:
        stmt = stmt.group_by(key)
    out = []
    for record in db.execute(stmt):
        raw = record[0] if key is not None else None
        values = record[1:] if key is not None else record
        sums = {name: float(cast(float, v) or 0) for name, v in zip(SUMS, values, strict=True)}
        out.append((raw, sums))
    return out
