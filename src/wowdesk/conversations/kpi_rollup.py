"""What KPIs are made of, aggregated in the database: one row per local day, operator,
channel and topic with counts and sums of durations. The analytics domain stores these rows
(INSERT … SELECT, no conversation row ever reaches Python) and computes every KPI from them.

Durations come from the timestamps the service sets as things happen (`Conversation`), so
nothing here is typed in by hand."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Label, Select, and_, case, exists, func, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from wowdesk.conversations.models import Conversation, Status
from wowdesk.db import half_hour_slot, local_day, seconds_between

FCR_WINDOW_DAYS = 7

# the names of the columns `daily_facts` returns, in order (the rollup table has the same)
FACT_COLUMNS = (
    "day",
    "operator_id",
    "channel",
    "topic_id",
    "contacts",
    "bot_answered",
    "bot_contained",
    "offered",
    "answered",
    "answered_in_sl",
    "wait_seconds",
    "abandoned",
    "handled",
    "handle_seconds",
    "acw_count",
    "acw_seconds",
    "frt_count",
    "frt_seconds",
    "csat_count",
    "csat_sum",
    "csat_good",
    "fcr_eligible",
    "fcr_repeats",
    "transferred",
)


def _count(cond: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)


def _total(cond: ColumnElement[bool], value: ColumnElement[float]) -> ColumnElement[float]:
    return func.coalesce(func.sum(case((cond, value), else_=None)), 0.0)


# taken by an operator and closed; handle time runs to wrap-up done (or to the close while
# the wrap-up is pending)
_HANDLED = and_(Conversation.assigned_at.is_not(None), Conversation.closed_at.is_not(None))


# the bot answered and the conversation closed without ever reaching people
_BOT_CONTAINED = and_(
    Conversation.first_bot_reply_at.is_not(None),
    Conversation.queued_at.is_(None),
    Conversation.status == Status.closed,
)


def _handle_seconds(dialect: str) -> ColumnElement[float]:
    c = Conversation
    return seconds_between(dialect, func.coalesce(c.wrapup_done_at, c.closed_at), c.assigned_at)


def day_bounds(start: date, end: date, timezone: str) -> tuple[datetime, datetime]:
    """[first instant of `start`, first instant after `end`) in UTC, local days inclusive."""
    zone = ZoneInfo(timezone)
    low = datetime.combine(start, datetime.min.time(), zone)
    high = datetime.combine(end + timedelta(days=1), datetime.min.time(), zone)
    return low, high


def daily_facts(
    dialect: str, start: date, end: date, *, sl_seconds: float, timezone: str
) -> Select[Any]:
    """The aggregate for conversations created on local days start..end (inclusive).

    Per conversation: offered = handed to people (queued); answered = an operator took it;
    abandoned = left the queue with no operator; handled = closed by an operator; handle
    time = taken → wrap-up done (or → closed while wrap-up is pending); ACW = closed →
    wrap-up done; FRT = handed to people → first human reply; FCR repeat = the same
    customer came back on the same topic within 7 days."""
    c = Conversation
    later = aliased(Conversation)

    def secs(a: Any, b: Any) -> ColumnElement[float]:
        return seconds_between(dialect, a, b)

    answered = and_(c.queued_at.is_not(None), c.assigned_at.is_not(None))
    abandoned = and_(c.queued_at.is_not(None), c.assigned_at.is_(None), c.status != Status.queued)
    acw = and_(_HANDLED, c.wrapup_done_at.is_not(None))
    frt = and_(c.queued_at.is_not(None), c.first_human_reply_at.is_not(None))
    fcr_eligible = and_(_HANDLED, c.topic_id.is_not(None))
    repeat = exists(
        select(later.id).where(
            later.customer_id == c.customer_id,
            later.topic_id == c.topic_id,
            later.id != c.id,
            later.created_at > c.created_at,
            secs(later.created_at, c.created_at) <= FCR_WINDOW_DAYS * 86400,
        )
    )
    wait = secs(c.assigned_at, c.queued_at)
    day = local_day(dialect, c.created_at, timezone)
    operator = func.coalesce(c.operator_id, 0)
    topic = func.coalesce(c.topic_id, 0)
    low, high = day_bounds(start, end, timezone)
    columns: list[Label[Any]] = [
        day.label("day"),
        operator.label("operator_id"),
        c.channel.label("channel"),
        topic.label("topic_id"),
        func.count().label("contacts"),
        _count(c.first_bot_reply_at.is_not(None)).label("bot_answered"),
        _count(_BOT_CONTAINED).label("bot_contained"),
        _count(c.queued_at.is_not(None)).label("offered"),
        _count(answered).label("answered"),
        _count(and_(answered, wait <= sl_seconds)).label("answered_in_sl"),
        _total(answered, wait).label("wait_seconds"),
        _count(abandoned).label("abandoned"),
        _count(_HANDLED).label("handled"),
        _total(_HANDLED, _handle_seconds(dialect)).label("handle_seconds"),
        _count(acw).label("acw_count"),
        _total(acw, secs(c.wrapup_done_at, c.closed_at)).label("acw_seconds"),
        _count(frt).label("frt_count"),
        _total(frt, secs(c.first_human_reply_at, c.queued_at)).label("frt_seconds"),
        _count(c.csat.is_not(None)).label("csat_count"),
        func.coalesce(func.sum(c.csat), 0).label("csat_sum"),
        _count(c.csat >= 4).label("csat_good"),
        _count(fcr_eligible).label("fcr_eligible"),
        _count(and_(fcr_eligible, repeat)).label("fcr_repeats"),
        _count(and_(_HANDLED, c.transfer_count > 0)).label("transferred"),
    ]
    assert tuple(col.name for col in columns) == FACT_COLUMNS
    return (
        select(*columns)
        .where(c.created_at >= low, c.created_at < high)
        .group_by(day, operator, c.channel, topic)
    )


INTERVAL_COLUMNS = (
    "day",
    "slot",
    "channel",
    "contacts",
    "offered",
    "bot_contained",
    "handled",
    "handle_seconds",
)


def interval_facts(dialect: str, start: date, end: date, *, timezone: str) -> Select[Any]:
    """Per local day, half hour and channel: contacts, those that reached people (offered:
    handed off by the bot or queued straight away), those the bot resolved alone, and the
    handle time of the handled ones: what a staffing forecast needs."""
    c = Conversation
    day = local_day(dialect, c.created_at, timezone)
    slot = half_hour_slot(dialect, c.created_at, timezone)
    low, high = day_bounds(start, end, timezone)
    columns: list[Label[Any]] = [
        day.label("day"),
        slot.label("slot"),
        c.channel.label("channel"),
        func.count().label("contacts"),
        _count(c.queued_at.is_not(None)).label("offered"),
        _count(_BOT_CONTAINED).label("bot_contained"),
        _count(_HANDLED).label("handled"),
        _total(_HANDLED, _handle_seconds(dialect)).label("handle_seconds"),
    ]
    assert tuple(col.name for col in columns) == INTERVAL_COLUMNS
    return (
        select(*columns)
        .where(c.created_at >= low, c.created_at < high)
        .group_by(day, slot, c.channel)
    )


def first_created_at(db: Session) -> datetime | None:
    return db.scalar(select(func.min(Conversation.created_at)))


def handling_stretches(
    db: Session, low: datetime, high: datetime
) -> list[tuple[int, str, datetime, datetime]]:
    """(operator, channel, taken, wrap-up done or closed) of conversations taken in
    [low, high) and closed: what measured chat concurrency is computed from."""
    c = Conversation
    end = func.coalesce(c.wrapup_done_at, c.closed_at)
    rows = db.execute(
        select(c.operator_id, c.channel, c.assigned_at, end).where(
            _HANDLED, c.operator_id.is_not(None), c.assigned_at >= low, c.assigned_at < high
        )
    )
    return [(int(o or 0), str(ch), a, b) for o, ch, a, b in rows if a is not None and b > a]
