"""Time the KPI page's queries for 30 days over a large history.

Run: python benchmarks/kpi.py [--conversations 1000000] [--days 90] [--database-url URL]
                             [--runs 5] [--json]

1. Generates the history (the same generator as `wowdesk demo --conversations N`) into a
   fresh SQLite file, or into the given PostgreSQL database (empty; it is migrated).
2. Rolls it up once (what the background job does after an import) and times that.
3. Times what the supervisors' dashboard asks for when it opens on the last 30 days: the
   table by operator, the trend by day, and one operator against the team (three reports,
   four rollup queries each), best and median of --runs; and the background job's refresh
   of the days that may still change.
4. Times the floors in the same run, best of --runs: one hand-written GROUP BY over the
   conversations of those 30 days by operator (contacts, handled, handle time, wait: the
   page's table without a rollup), and one GROUP BY over the rollup rows of the same days
   (the least a page reading the rollup can do). Prints the page over each.
Target: the page within 1.5x the GROUP BY over conversations on PostgreSQL.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from rich.progress import MofNCompleteColumn, Progress
from sqlalchemy import Float, case, cast, func, select
from sqlalchemy.orm import Session

from wowdesk import migrate
from wowdesk.analytics import service
from wowdesk.analytics.models import KpiDay
from wowdesk.analytics.report import kpi_report
from wowdesk.conversations.kpi_rollup import day_bounds
from wowdesk.conversations.models import Conversation
from wowdesk.db import local_today, make_engine, make_sessionmaker, unit_of_work
from wowdesk.demo import history
from wowdesk.demo import seed as demo
from wowdesk.operators import service as operators

TZ = "Europe/Moscow"


def _seconds(dialect: str, later: object, earlier: object) -> object:
    if dialect == "sqlite":
        return (func.julianday(later) - func.julianday(earlier)) * 86400.0
    return cast(func.extract("epoch", later - earlier), Float)  # type: ignore[operator]


def floor_conversations(db: Session, start: date, end: date) -> int:
    """The hand-written floor: the per-operator table straight from the conversations."""
    c = Conversation
    dialect = db.get_bind().dialect.name
    low, high = day_bounds(start, end, TZ)
    handled = c.closed_at.is_not(None) & c.assigned_at.is_not(None)
    stmt = (
        select(
            c.operator_id,
            func.count(),
            func.sum(case((handled, 1), else_=0)),
            func.sum(case((handled, _seconds(dialect, c.closed_at, c.assigned_at)), else_=0)),
            func.sum(
                case(
                    (c.assigned_at.is_not(None), _seconds(dialect, c.assigned_at, c.queued_at)),
                    else_=0,
                )
            ),
        )
        .where(c.created_at >= low, c.created_at < high)
        .group_by(c.operator_id)
    )
    return len(db.execute(stmt).all())


def floor_rollup(db: Session, start: date, end: date) -> int:
    """The rollup floor: one GROUP BY over the rollup rows of the period."""
    sums = [func.sum(getattr(KpiDay, col)) for col in service.SUMMED]
    stmt = (
        select(KpiDay.operator_id, *sums)
        .where(KpiDay.day >= start, KpiDay.day <= end)
        .group_by(KpiDay.operator_id)
    )
    return len(db.execute(stmt).all())


def best(runs: int, fn: Callable[[], object]) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'kpi.db'}"
    migrate.upgrade(url)
    factory = make_sessionmaker(make_engine(url))
    with unit_of_work(factory) as db:
        demo.seed(db)
        fresh = not history.exists(db)
    plan = history.Plan(conversations=args.conversations, days=args.days, timezone=TZ)
    t0 = time.perf_counter()
    if fresh:
        columns = (*Progress.get_default_columns(), MofNCompleteColumn())
        with Progress(*columns, transient=True) as bar, unit_of_work(factory) as db:
            task = bar.add_task("history", total=plan.conversations)
            history.generate(db, plan, lambda n: bar.advance(task, n))
    generate_s = time.perf_counter() - t0

    with unit_of_work(factory) as db:
        total = db.scalar(select(func.count()).select_from(Conversation)) or 0
        first = history.first_day_of(db, TZ)
    last = local_today(TZ)
    t0 = time.perf_counter()
    with unit_of_work(factory) as db:
        rows = service.do_refresh(db, first, last, sl_seconds=20, timezone=TZ)
    rollup_s = time.perf_counter() - t0

    start = last - timedelta(days=29)
    with unit_of_work(factory) as db:
        someone = next(u.id for u in operators.list_users(db) if u.role == "operator")

    def page() -> None:
        with unit_of_work(factory) as db:
            kpi_report(db, start, last, group="operator", filters=service.Filters(), timezone=TZ)
            kpi_report(db, start, last, group="day", filters=service.Filters(), timezone=TZ)
            kpi_report(
                db,
                start,
                last,
                group="day",
                filters=service.Filters(operator_id=someone),
                timezone=TZ,
            )

    page()  # warm-up: labels, caches, the database's own
    page_best, times = best(args.runs, page)

    def floor(fn: Callable[[Session, date, date], int]) -> Callable[[], int]:
        def run() -> int:
            with unit_of_work(factory) as db:
                return fn(db, start, last)

        return run

    floor(floor_conversations)()
    conv_best, _ = best(args.runs, floor(floor_conversations))
    rollup_best, _ = best(args.runs, floor(floor_rollup))
    t0 = time.perf_counter()
    with unit_of_work(factory) as db:
        service.do_refresh_recent(db, sl_seconds=20, timezone=TZ)
    recent_s = time.perf_counter() - t0

    result = {
        "store": make_engine(url).dialect.name,
        "conversations": total,
        "generate_seconds": round(generate_s, 1),
        "rollup_rows": rows,
        "rollup_seconds": round(rollup_s, 2),
        "page_best_seconds": round(page_best, 4),
        "page_median_seconds": round(statistics.median(times), 4),
        "floor_group_by_conversations_seconds": round(conv_best, 4),
        "floor_group_by_rollup_seconds": round(rollup_best, 4),
        "page_over_conversations_floor": round(page_best / conv_best, 2),
        "page_over_rollup_floor": round(page_best / rollup_best, 2),
        "refresh_recent_seconds": round(recent_s, 2),
    }
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key}: {value}")


if __name__ == "__main__":
    main()
