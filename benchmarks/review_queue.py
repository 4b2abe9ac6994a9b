"""The supervisors' review queue page over 1 million scored conversations on PostgreSQL
(target <= 300 ms).

Run: python benchmarks/review_queue.py --database-url postgresql+psycopg://…/empty_db
                                       [--scores 1000000] [--runs 20] [--json]

Migrates the given empty PostgreSQL database, seeds the demo staff, then writes `--scores`
closed conversations with their automatic scores in SQL (generate_series: totals, critical
errors, risk and the random sample key spread as auto-QA spreads them; a third already
reviewed). Then GETs /quality/review as a logged-in supervisor through the real app (the
queue of 50: riskiest first, then the random sample; the badge count; the open disputes;
the page rendered) `--runs` times and prints the median and p95. The floor is the
simplest query that shows 50 scores: the newest 50 by primary key.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text

from wowdesk import migrate
from wowdesk.app import create_app
from wowdesk.config import Settings
from wowdesk.db import make_engine, make_sessionmaker, unit_of_work
from wowdesk.demo import seed as demo
from wowdesk.quality import scorecards

FILL = """
INSERT INTO customer (display_name, tier, segment, created_at) VALUES ('Клиент', 0, '', now());
INSERT INTO conversation (token_hash, customer_id, channel, status, subject, wrapup_note,
    last_seq, operator_delivered_seq, customer_delivered_seq, transfer_count, created_at,
    closed_at, operator_id, csat)
SELECT md5('bench' || g || '-' || clock_timestamp()), (SELECT max(id) FROM customer),
    'web', 'closed', '', '', 4, 0, 0, 0,
    now() - (g % 90) * interval '1 day', now() - (g % 90) * interval '1 day',
    :operator, CASE WHEN g % 3 = 0 THEN 1 + g % 5 END
FROM generate_series(1, :n) AS g;
ANALYZE conversation;
INSERT INTO qa_score (conversation_id, auto_key, version_id, source, operator_id, channel,
    total, critical_failed, repeat, results, risk, risk_reasons, sample, reviewed, closed_at,
    created_at, updated_at)
SELECT c.id, c.id, :version, 'auto', c.operator_id, 'web',
    (random() * 100)::int, random() < 0.01, random() < 0.05, '[]',
    CASE WHEN random() < 0.3 THEN round((random() * 5)::numeric, 3) ELSE 0 END,
    '["low_score"]', random(), random() < 0.33, coalesce(c.closed_at, c.created_at),
    c.created_at, c.created_at
FROM conversation c WHERE c.id > (SELECT coalesce(max(auto_key), 0) FROM qa_score);
ANALYZE conversation; ANALYZE qa_score;
"""


def login(client: TestClient, username: str, password: str) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, "the login form has no CSRF field"
    form = {"username": username, "password": password, "csrf_token": token.group(1)}
    response = client.post("/login", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--scores", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    url = args.database_url
    migrate.upgrade(url)
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    with unit_of_work(factory) as db:
        demo.seed(db)
        version = scorecards.default_version(db, "operator").id
        have = int(db.scalar(text("SELECT count(*) FROM qa_score")) or 0)
        operator = int(db.scalar(text("SELECT id FROM app_user WHERE username = 'anna'")) or 0)
    started = time.perf_counter()
    if have < args.scores:
        with engine.begin() as conn:
            for statement in FILL.split(";"):
                if statement.strip():
                    conn.execute(
                        text(statement),
                        {"n": args.scores - have, "version": version, "operator": operator},
                    )
    fill_s = time.perf_counter() - started
    with engine.connect() as conn:
        total = int(conn.scalar(text("SELECT count(*) FROM qa_score")) or 0)
    settings = Settings(
        var_dir=Path(tempfile.mkdtemp()),
        database_url=url,
        bot_enabled=False,
        routing_enabled=False,
        secret_key="bench",
    )
    page_ms, floor_ms = [], []
    with TestClient(create_app(settings, factory)) as client:
        login(client, "supervisor", "super-demo-1")
        client.get("/quality/review")  # warm the templates and the pool
        for _ in range(args.runs):
            t0 = time.perf_counter()
            response = client.get("/quality/review", headers={"accept": "text/html"})
            page_ms.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200 and "qa-queue-row" in response.text
    with engine.connect() as conn:
        for _ in range(args.runs):
            t0 = time.perf_counter()
            conn.execute(text("SELECT * FROM qa_score ORDER BY id DESC LIMIT 50")).all()
            floor_ms.append((time.perf_counter() - t0) * 1000)
    result = {
        "scores": total,
        "fill_s": round(fill_s, 1),
        "page_median_ms": round(statistics.median(page_ms), 1),
        "page_p95_ms": round(sorted(page_ms)[int(len(page_ms) * 0.95) - 1], 1),
        "floor_median_ms": round(statistics.median(floor_ms), 2),
    }
    if args.json:
        print(json.dumps(result))
        return
    print(f"review queue page over {total} scored conversations (PostgreSQL)")
    print(
        f"  median {result['page_median_ms']} ms, p95 {result['page_p95_ms']} ms (target <= 300 ms)"
    )
    print(f"  floor (the newest 50 scores by key): median {result['floor_median_ms']} ms")


if __name__ == "__main__":
    main()
