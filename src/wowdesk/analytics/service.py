"""KPIs from the daily rollup: refresh it from the conversations, then sum and evaluate.

Everything that scales with the history happens in SQL (the refresh is one INSERT … SELECT
per range, a report one GROUP BY over rollup rows); Python only folds the few resulting
rows into weeks or teams and divides."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal, get_args
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from wowdesk.analytics.definitions import BY_KEY, evaluate
from wowdesk.analytics.models import KpiDay, KpiInterval, KpiStaffDay, KpiTarget
from wowdesk.conversations import kpi_rollup as facts
from wowdesk.conversations import topics
from wowdesk.db import advisory_lock, local_today, utcnow
from wowdesk.errors import Invalid
from wowdesk.i18n import gettext as _
from wowdesk.operators import presence, schedule
from wowdesk.operators import service as operators
from wowdesk.quality import kpis as qa_kpis
from wowdesk.training.kpi_source import KpiResult

Group = Literal["total", "day", "week", "operator", "team", "channel", "topic"]
GROUPS: tuple[str, ...] = get_args(Group)
SUMMED = facts.FACT_COLUMNS[4:]
# the FCR of a day changes for a week after it (a repeat contact may still come)
REFRESH_BACK_DAYS = facts.FCR_WINDOW_DAYS + 1
MAX_PERIOD_DAYS = 3700
_LOCK_KEY = 7_301_042  # PostgreSQL advisory lock: one refresh at a time across processes


@dataclass(frozen=True)
class Filters:
    team_id: int | None = None
    channel: str | None = None
    topic_id: int | None = None
    operator_id: int | None = None


@dataclass
class Row:
    key: str
    label: str
    sums: dict[str, float] = field(default_factory=lambda: dict.fromkeys(SUMMED, 0.0))
    values: dict[str, float | None] = field(default_factory=dict)


def check_period(start: date, end: date) -> None:
    if end < start:
        raise Invalid("The period ends before it starts", code="invalid_period")
    if (end - start).days > MAX_PERIOD_DAYS:
        raise Invalid("The period is too long", code="invalid_period")


# --- the rollup --------------------------------------------------------------------------


def do_refresh(db: Session, start: date, end: date, *, sl_seconds: float, timezone: str) -> int:
    """Rebuilds the rollup for local days start..end; returns the rows written."""
    check_period(start, end)
    advisory_lock(db, _LOCK_KEY)
    dialect = db.get_bind().dialect.name
    db.execute(delete(KpiDay).where(KpiDay.day >= start, KpiDay.day <= end))
    source = facts.daily_facts(dialect, start, end, sl_seconds=sl_seconds, timezone=timezone)
    db.execute(insert(KpiDay).from_select(list(facts.FACT_COLUMNS), source))
    db.execute(delete(KpiInterval).where(KpiInterval.day >= start, KpiInterval.day <= end))
    slots = facts.interval_facts(dialect, start, end, timezone=timezone)
    db.execute(insert(KpiInterval).from_select(list(facts.INTERVAL_COLUMNS), slots))
    _refresh_staff(db, start, end, timezone)
    db.flush()
    return int(db.scalar(select(func.count()).where(KpiDay.day >= start, KpiDay.day <= end)) or 0)


def do_refresh_recent(db: Session, *, sl_seconds: float, timezone: str) -> int:
    """The background job: the days that may still change, and any history never rolled
    up (a fresh install, an import, the demo)."""
    last = local_today(timezone)
    rolled = db.scalar(select(func.max(KpiDay.day)))
    if rolled is None:
        first = facts.first_created_at(db)
        if first is None:
            return 0
        start = first.astimezone(ZoneInfo(timezone)).date()
    else:
        start = min(rolled, last) - timedelta(days=REFRESH_BACK_DAYS)
    return do_refresh(db, start, last, sl_seconds=sl_seconds, timezone=timezone)


STAFF_COLUMNS = ("available_seconds", "scheduled_seconds", "adherent_seconds")


def _refresh_staff(db: Session, start: date, end: date, timezone: str) -> None:
    """Operators' online, scheduled and adherent seconds per local day start..end.

    Every stretch is cut at local midnights and counted on the day it falls on, so rolling
    up a few recent days gives the same rows as rolling up the whole history. Online time
    is time «на линии» (status online): occupancy is handle time over it.
    """
    db.execute(delete(KpiStaffDay).where(KpiStaffDay.day >= start, KpiStaffDay.day <= end))
    zone = ZoneInfo(timezone)
    low, high = facts.day_bounds(start, end, timezone)
    sums: dict[tuple[date, int], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for uid, a, b in presence.online_intervals(db, low, high):
        for day, seconds in _split_by_day(a, b, zone):
            sums[(day, uid)][0] += seconds
    day = start
    while day <= end:
        day_low, day_high = facts.day_bounds(day, day, timezone)
        for (uid, _shift_day), (scheduled, kept) in schedule.adherence(
            db, day_low, day_high, timezone
        ).items():
            row = sums[(day, uid)]
            row[1] += scheduled
            row[2] += kept
        day += timedelta(days=1)
    rows = [
        {"day": d, "operator_id": uid, **dict(zip(STAFF_COLUMNS, values, strict=True))}
        for (d, uid), values in sums.items()
        if start <= d <= end
    ]
    if rows:
        db.execute(insert(KpiStaffDay), rows)


# --- reports -------------------------------------------------------------------------------

# built once: a report's statement differs only in its key and filters
_FACT_SUMS = tuple(func.coalesce(func.sum(getattr(KpiDay, c)), 0) for c in SUMMED)
_STAFF_SUMS = tuple(func.coalesce(func.sum(getattr(KpiStaffDay, c)), 0) for c in STAFF_COLUMNS)


def _team_members(db: Session, team_id: int) -> set[int]:
    return {u.id for u in operators.list_users(db) if u.team_id == team_id}


def summarize(
    db: Session,
    start: date,
    end: date,
    *,
    group: Group = "total",
    filters: Filters | None = None,
    timezone: str = "Europe/Moscow",
) -> list[Row]:
    """One row per group (days and weeks in order, others by label) with its KPIs."""
    check_period(start, end)
    if group not in GROUPS:
        raise Invalid("Unknown grouping {group}", group=group, code="invalid_group")
    f = filters or Filters()
    sql_key = {
        "total": None,
        "day": KpiDay.day,
        "week": KpiDay.day,
        "operator": KpiDay.operator_id,
        "team": KpiDay.operator_id,
        "channel": KpiDay.channel,
        "topic": KpiDay.topic_id,
    }[group]
    stmt = select(*([sql_key] if sql_key is not None else []), *_FACT_SUMS).where(
        KpiDay.day >= start, KpiDay.day <= end
    )
    members: set[int] | None = None
    if f.team_id is not None:
        members = _team_members(db, f.team_id)
        stmt = stmt.where(KpiDay.operator_id.in_(members))
    if f.operator_id is not None:
        stmt = stmt.where(KpiDay.operator_id == f.operator_id)
    if f.channel:
        stmt = stmt.where(KpiDay.channel == f.channel)
    if f.topic_id is not None:
        stmt = stmt.where(KpiDay.topic_id == f.topic_id)
    if sql_key is not None:
        stmt = stmt.group_by(sql_key)

    labels = _labeler(db, group)
    rows: dict[str, Row] = {}
    for record in db.execute(stmt):
        raw = record[0] if sql_key is not None else None
        key, label = labels(raw)
        row = rows.setdefault(key, Row(key, label))
        values = record[1:] if sql_key is not None else record
        for name, value in zip(SUMMED, values, strict=True):
            row.sums[name] += float(value or 0)

    if group in ("total", "day", "week", "operator", "team") and not f.channel and not f.topic_id:
        _add_staff_time(db, rows, group, start, end, f, members, labels)
    _add_quality(db, rows, group, start, end, f, members, timezone, labels)
    out = sorted(rows.values(), key=lambda r: r.key if group in ("day", "week") else r.label)
    for row in out:
        row.values = evaluate(row.sums)
    return out


def _labeler(db: Session, group: Group) -> Any:
    if group == "total":
        return lambda _raw: ("total", _("All"))
    if group == "day":
        return lambda raw: (_iso(raw), _as_date(raw).strftime("%d.%m.%Y"))
    if group == "week":

        def week(raw: Any) -> tuple[str, str]:
            d = _as_date(raw)
            monday = d - timedelta(days=d.weekday())
            return monday.isoformat(), _("week of {day}", day=monday.strftime("%d.%m.%Y"))

        return week
    if group in ("operator", "team"):
        users = {u.id: u for u in operators.list_users(db)}
        teams = {t.id: t.name for t in operators.list_teams(db)}

        def person(raw: Any) -> tuple[str, str]:
            user = users.get(int(raw or 0))
            if group == "team":
                team = user.team_id if user else None
                return str(team or 0), teams.get(team or 0, _("No team"))
            return str(raw or 0), user.display_name if user else _("Nobody (bot or queue)")

        return person
    if group == "channel":
        return lambda raw: (str(raw), _(str(raw)))  # the channel's name
    names = {t.id: t.name for t in topics.list_topics(db)}
    return lambda raw: (str(raw or 0), names.get(int(raw or 0), _("No topic")))


def _as_date(raw: Any) -> date:
    return raw if isinstance(raw, date) else date.fromisoformat(str(raw))


def _iso(raw: Any) -> str:
    return _as_date(raw).isoformat()


def _add_staff_time(
    db: Session,
    rows: dict[str, Row],
    group: Group,
    start: date,
    end: date,
    f: Filters,
    members: set[int] | None,
    labels: Any,
) -> None:
    """Online time (occupancy's denominator) and scheduled and adherent time (adherence),
    per group, from the staff rollup: people only, so not for channel or topic groups."""
    sql_key = {"day": KpiStaffDay.day, "week": KpiStaffDay.day, "total": None}.get(
        group, KpiStaffDay.operator_id
    )
    stmt = select(*([sql_key] if sql_key is not None else []), *_STAFF_SUMS).where(
        KpiStaffDay.day >= start, KpiStaffDay.day <= end
    )
    if members is not None:
        stmt = stmt.where(KpiStaffDay.operator_id.in_(members))
    if f.operator_id is not None:
        stmt = stmt.where(KpiStaffDay.operator_id == f.operator_id)
    if sql_key is not None:
        stmt = stmt.group_by(sql_key)
    for record in db.execute(stmt):
        values = record[1:] if sql_key is not None else record
        if sql_key is None and not any(values):
            continue  # no staff time at all: no "All" row of its own
        key, label = labels(record[0] if sql_key is not None else None)
        row = rows.setdefault(key, Row(key, label))
        for name, value in zip(STAFF_COLUMNS, values, strict=True):
            row.sums[name] = row.sums.get(name, 0.0) + float(value or 0)


def _add_quality(
    db: Session,
    rows: dict[str, Row],
    group: Group,
    start: date,
    end: date,
    f: Filters,
    members: set[int] | None,
    timezone: str,
    labels: Any,
) -> None:
    """The sums of the QA KPIs (quality's scores of the conversations closed in the period)."""
    by = {"total": "none", "day": "day", "week": "day", "team": "operator"}.get(group, group)
    users = members
    if f.operator_id is not None:
        users = {f.operator_id} if users is None else users & {f.operator_id}
    low, high = facts.day_bounds(start, end, timezone)
    found = qa_kpis.qa_sums(
        db,
        low,
        high,
        by=by,
        timezone=timezone,
        operator_ids=users,
        channel=f.channel,
        topic_id=f.topic_id,
    )
    for raw, sums in found:
        key, label = labels(raw)
        row = rows.setdefault(key, Row(key, label))
        for name, value in sums.items():
            row.sums[name] = row.sums.get(name, 0.0) + value


def _split_by_day(a: datetime, b: datetime, zone: ZoneInfo) -> Iterable[tuple[date, float]]:
    local = a.astimezone(zone)
    while a < b:
        midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), zone)
        stop = min(b, midnight)
        yield local.date(), (stop - a).total_seconds()
        a, local = stop, midnight


# --- targets ------------------------------------------------------------------------------


def targets(db: Session, channel: str = "") -> dict[str, float | None]:
    """Defaults from the definitions, then the all-channel targets, then the channel's."""
    out: dict[str, float | None] = {k: d.default_target for k, d in BY_KEY.items()}
    rows = db.scalars(select(KpiTarget).where(KpiTarget.channel.in_({"", channel})))
    for t in sorted(rows, key=lambda t: t.channel != ""):
        out[t.kpi] = t.value
    return out


def do_set_target(db: Session, kpi: str, channel: str, value: float) -> KpiTarget:
    if kpi not in BY_KEY or kpi == "contacts":
        raise Invalid("Unknown KPI {kpi}", kpi=kpi, code="unknown_kpi")
    unit = BY_KEY[kpi].unit
    if value < 0 or (unit == "share" and value > 1) or (unit == "score" and value > 5):
        raise Invalid("The target is out of range for {kpi}", kpi=kpi, code="invalid_target")
    row = db.scalar(select(KpiTarget).where(KpiTarget.kpi == kpi, KpiTarget.channel == channel))
    if row is None:
        row = KpiTarget(kpi=kpi, channel=channel, value=value)
        db.add(row)
    row.value = value
    row.updated_at = utcnow()
    db.flush()
    return row


def group_sums(rows: Iterable[Row]) -> dict[str, float]:
    total: dict[str, float] = defaultdict(float)
    for row in rows:
        for k, v in row.sums.items():
            total[k] += v
    return dict(total)


def live_today(db: Session, *, sl_seconds: float, timezone: str) -> dict[str, float | None]:
    """Today's KPIs straight from the conversations (one day's aggregate, not the rollup,
    so the live board never waits for the next refresh)."""
    day = local_today(timezone)
    dialect = db.get_bind().dialect.name
    source = facts.daily_facts(dialect, day, day, sl_seconds=sl_seconds, timezone=timezone)
    sums = dict.fromkeys(SUMMED, 0.0)
    for record in db.execute(source):
        for name in SUMMED:
            sums[name] += float(getattr(record, name) or 0)
    return evaluate(sums)


# --- for training (registered at start-up: training sits below analytics) ----------------


def operator_kpis(db: Session, user_id: int, start: date, end: date) -> list[KpiResult]:
    """One operator's KPIs over [start, end] against the all-channel targets: what
    attestation, points and contests compare. `contacts` is the conversations handled."""
    rows = summarize(db, start, end, filters=Filters(operator_id=user_id))
    values = rows[0].values if rows else {}
    handled = int(rows[0].sums.get("handled", 0)) if rows else 0
    goal = targets(db)
    return [
        KpiResult(
            key=k.key,
            label=_(k.label),
            value=values.get(k.key),
            target=goal.get(k.key),
            higher_is_better=k.higher_is_better,
            unit=k.unit,
            contacts=handled,
        )
        for k in BY_KEY.values()
    ]


def kpi_labels() -> dict[str, str]:
    return {k.key: _(k.label) for k in BY_KEY.values()}
