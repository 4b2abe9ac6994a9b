"""What `/analytics` opens on: a few tiles for today and this week, the share of operators at
target, and the "nobody" row told apart (resolved by the bot, abandoned in the queue,
answered), plus targets set relative to a baseline period («AHT −20 %»)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from wowdesk.analytics import service
from wowdesk.analytics.definitions import BY_KEY
from wowdesk.analytics.models import KpiTarget
from wowdesk.db import local_today, utcnow
from wowdesk.errors import Invalid
from wowdesk.routing import board

# the tiles, in order: what a lead checks at a glance
TILES = ("service_level", "aht", "csat", "adherence", "abandonment", "fcr")
# an operator is "at target" when they meet every one of these that has a target and a value
SCORECARD = ("aht", "csat", "fcr", "adherence")
# the seed company's goal: 95 % of the staff at target
AT_TARGET_GOAL = 0.95
MAX_BASELINE_DAYS = 366


@dataclass(frozen=True)
class Tile:
    key: str
    today: float | None
    week: float | None
    target: float | None


@dataclass(frozen=True)
class AtTarget:
    operators: int  # with a value on at least one scorecard KPI
    at_target: int
    goal: float
    by_kpi: dict[str, tuple[int, int]]  # kpi -> (at target, with a value)

    @property
    def share(self) -> float | None:
        return self.at_target / self.operators if self.operators else None


@dataclass(frozen=True)
class Nobody:
    """Conversations no operator handled, apart: none of them is "lost" by a person."""

    contacts: int
    bot_resolved: int
    abandoned: int  # left the queue before an operator took it
    answered: int  # reached an operator (then passed on; rare for this row)


@dataclass(frozen=True)
class Overview:
    today: date
    week_start: date
    tiles: list[Tile]
    waiting: int
    oldest_wait_seconds: float
    at_target: AtTarget
    targets: dict[str, float | None] = field(default_factory=dict)


def meets(kpi: str, value: float | None, target: float | None) -> bool | None:
    if value is None or target is None:
        return None
    return value >= target if BY_KEY[kpi].higher_is_better else value <= target


def at_target(rows: list[service.Row], targets: dict[str, float | None]) -> AtTarget:
    people = [r for r in rows if r.key not in ("0", "")]
    counted = at = 0
    by_kpi: dict[str, tuple[int, int]] = {k: (0, 0) for k in SCORECARD}
    for row in people:
        verdicts = {k: meets(k, row.values.get(k), targets.get(k)) for k in SCORECARD}
        known = {k: v for k, v in verdicts.items() if v is not None}
        if not known:
            continue
        counted += 1
        at += all(known.values())
        for k, v in known.items():
            good, total = by_kpi[k]
            by_kpi[k] = (good + v, total + 1)
    return AtTarget(counted, at, AT_TARGET_GOAL, by_kpi)


def overview(db: Session, *, sl_seconds: float, timezone: str) -> Overview:
    """Today is counted live from the conversations (the rollup may lag a few minutes);
    the week (Monday to today) from the rollup plus the live people figures."""
    today = local_today(timezone)
    monday = today - timedelta(days=today.weekday())
    live = service.live_today(db, sl_seconds=sl_seconds, timezone=timezone)
    today_rows = service.summarize(db, today, today, timezone=timezone)
    people_today = today_rows[0] if today_rows else None
    week_rows = service.summarize(db, monday, today, timezone=timezone)
    week = week_rows[0].values if week_rows else {}
    targets = service.targets(db)
    tiles = []
    for key in TILES:
        value = live.get(key)
        if key in ("adherence", "occupancy") and people_today is not None:
            value = people_today.values.get(key)
        tiles.append(Tile(key, value, week.get(key), targets.get(key)))
    _operators, queues = board.board(db)
    operators = service.summarize(db, monday, today, group="operator", timezone=timezone)
    return Overview(
        today=today,
        week_start=monday,
        tiles=tiles,
        waiting=sum(q.waiting for q in queues),
        oldest_wait_seconds=max((q.oldest_wait_seconds for q in queues), default=0.0),
        at_target=at_target(operators, targets),
        targets=targets,
    )


def nobody(row: service.Row) -> Nobody:
    s = row.sums
    return Nobody(
        contacts=int(s.get("contacts", 0)),
        bot_resolved=int(s.get("bot_contained", 0)),
        abandoned=int(s.get("abandoned", 0)),
        answered=int(s.get("answered", 0)),
    )


# --- targets relative to a baseline ----------------------------------------------------------


def do_set_relative_target(
    db: Session,
    kpi: str,
    channel: str,
    relative: float,
    baseline_start: date,
    baseline_end: date,
    *,
    timezone: str,
) -> KpiTarget:
    """«AHT −20 %»: the target is the KPI over the baseline period times (1 + relative),
    frozen when set (a moving baseline would move the goal away as the team improves)."""
    if kpi not in BY_KEY or kpi == "contacts":
        raise Invalid("Unknown KPI {kpi}", kpi=kpi, code="unknown_kpi")
    if not -0.9 <= relative <= 1.0:
        raise Invalid("A relative target is from −90 % to +100 %", code="invalid_target")
    service.check_period(baseline_start, baseline_end)
    if (baseline_end - baseline_start).days >= MAX_BASELINE_DAYS:
        raise Invalid("The baseline is at most a year", code="invalid_period")
    f = service.Filters(channel=channel or None)
    rows = service.summarize(db, baseline_start, baseline_end, filters=f, timezone=timezone)
    base = rows[0].values.get(kpi) if rows else None
    if base is None:
        raise Invalid("No data for {kpi} in the baseline period", kpi=kpi, code="no_baseline")
    value = base * (1 + relative)
    if BY_KEY[kpi].unit == "share":
        value = min(1.0, max(0.0, value))
    row = service.do_set_target(db, kpi, channel, value)
    row.baseline_start, row.baseline_end, row.relative = baseline_start, baseline_end, relative
    row.baseline_value = base
    row.updated_at = utcnow()
    db.flush()
    return row


def do_set_absolute_target(db: Session, kpi: str, channel: str, value: float) -> KpiTarget:
    """A plain target: whatever baseline it had before is forgotten."""
    row = service.do_set_target(db, kpi, channel, value)
    row.relative = row.baseline_start = row.baseline_end = row.baseline_value = None
    db.flush()
    return row


def relative_targets(db: Session) -> list[KpiTarget]:
    stmt = select(KpiTarget).where(KpiTarget.relative.is_not(None)).order_by(KpiTarget.kpi)
    return list(db.scalars(stmt))
