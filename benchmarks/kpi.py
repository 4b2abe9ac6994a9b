"""Time the KPI page's queries for 30 days over a large history.

Run: python benchmarks/kpi.py [--conversations 1000000] [--days 90] [--database-url URL]
                             [--runs 5] [--json]

1. Generates the history (the same generator as `wowdesk demo --conversations N`) into a
   fresh SQLite file, or into the given PostgreSQL database (empty; it is migrated).
2. Rolls it up once (what the background job does after an import) and times that.
3. Times what the supervisors' dashboard asks for when it opens on the last 30 days: the
   table by operator, the trend by day, and one operator against the team (three reports,
   four rollup queries), best and median of --runs; and the background job's refresh of
   the days that may still change.
Target: the page's queries within 2 s on PostgreSQL on the 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from rich.progress import MofNCompleteColumn, Progress
from sqlalchemy import func, select

from wowdesk import migrate
from wowdesk.analytics import service
from wowdesk.analytics.report import kpi_report
from wowdesk.db import make_engine, make_sessionmaker, unit_of_work
from wowdesk.demo import history
from wowdesk.demo import seed as demo
from wowdesk.operators import service as operators

TZ = "Europe/Moscow"


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
        total = db.scalar(select(func.count()).select_from(history.Conversation)) or 0
        first = history.first_day_of(db, TZ)
    last = service.today(TZ)
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

    times = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        page()
        times.append(time.perf_counter() - t0)
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
        "page_best_seconds": round(min(times), 3),
        "page_median_seconds": round(statistics.median(times), 3),
        "refresh_recent_seconds": round(recent_s, 2),
    }
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key}: {value}")


if __name__ == "__main__":
    main()
