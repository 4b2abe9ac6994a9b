"""The bot under a burst: 50 customers × 20 messages against two `wowdesk serve` processes and
one `wowdesk worker` on PostgreSQL + Redis (issue 16, item 12).

Run: python benchmarks/bot_backlog.py [--customers 50] [--messages 20]
Needs WOWDESK_TEST_DATABASE_URL and WOWDESK_TEST_REDIS_URL (`scripts/test-postgres`,
`scripts/test-redis` print them); it makes a database and a Redis db of its own.

Each customer opens a conversation and sends its messages as fast as the server stores
them, over both processes. Measured afterwards from the stored timestamps: for every
customer message the bot still held, the time until the bot's answer or the handoff notice
that followed it; per conversation the longest such wait (target: every one within 15 s);
and how long after the burst the bot-turn queue in Redis is empty again (target: 60 s).
Floor, in the same run: the time the burst took to store (the work with no bot at all).
The burst starts once the worker is up: one probe conversation (not counted) has had its
bot turn, as on a system that was running before its customers came.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import redis
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.distributed.cluster import client, make_cluster, require_servers

from wowdesk.bot.models import BotDecision
from wowdesk.conversations.models import Conversation, Message
from wowdesk.kb import service as kb

ARTICLES = Path(__file__).resolve().parents[1] / "src" / "wowdesk" / "demo" / "articles"
QUESTIONS = [
    "Сколько дней заказ хранится в пункте выдачи?",
    "Как вернуть товар?",
    "Когда придут деньги за возврат?",
    "Как работает программа лояльности?",
    "Можно продлить хранение заказа?",
]


def seed_kb(url: str) -> None:
    engine = create_engine(url)
    with Session(engine) as db:
        for path in sorted(ARTICLES.glob("*.md"))[:20]:
            text = path.read_text().split("---", 2)[-1].strip()
            kb.do_create_article(db, title=path.stem, body=text, author=None, publish=True)
        db.commit()
    engine.dispose()


async def customer(base: str, other: str, idx: int, messages: int) -> None:
    async with client(base, 30) as http:
        first = await http.post(
            "/api/v1/chat/conversations",
            json={"identity": f"burst-{idx}", "message": {"client_id": f"b{idx}-0",
                  "text": QUESTIONS[idx % len(QUESTIONS)]}},
        )  # fmt: skip
        body = first.json()
        conv_id, token = body["conversation"]["id"], body["token"]
    async with client(other, 30) as http:
        for n in range(1, messages):
            await http.post(
                f"/api/v1/chat/conversations/{conv_id}/messages",
                headers={"X-Conversation-Token": token},
                json={"client_id": f"b{idx}-{n}", "text": QUESTIONS[(idx + n) % len(QUESTIONS)]},
            )


def wait_for_worker(base: str, url: str, limit: float = 120) -> float:
    """Seconds until a probe conversation gets its bot decision: the worker is up."""
    started = time.monotonic()

    async def probe() -> None:
        async with client(base, 30) as http:
            message = {"client_id": "probe-0", "text": QUESTIONS[0]}
            await http.post(
                "/api/v1/chat/conversations", json={"identity": "probe", "message": message}
            )

    asyncio.run(probe())
    engine = create_engine(url)
    try:
        while time.monotonic() - started < limit:
            with Session(engine) as db:
                if db.scalar(select(func.count()).select_from(BotDecision)):
                    return time.monotonic() - started
            time.sleep(0.25)
    finally:
        engine.dispose()
    sys.exit(f"the worker made no bot turn within {limit:.0f} s")


def waits(url: str) -> tuple[dict[int, float], int, int]:
    """Per conversation, the longest a customer message the bot held waited for its answer
    or the handoff notice; and how many conversations were handed off, and how many bot
    answers were sent in all."""
    engine = create_engine(url)
    with Session(engine) as db:
        rows = list(db.scalars(select(Message).order_by(Message.conversation_id, Message.seq)))
        convs = {c.id: c for c in db.scalars(select(Conversation))}
    engine.dispose()
    by_conv: dict[int, list[Message]] = {}
    for m in rows:
        by_conv.setdefault(m.conversation_id, []).append(m)
    longest: dict[int, float] = {}
    for conv_id, messages in by_conv.items():
        if messages[0].client_id == "probe-0":
            continue
        handed = convs[conv_id].handed_off_at
        worst = 0.0
        for i, m in enumerate(messages):
            if m.author_kind != "customer" or (handed and m.created_at >= handed):
                continue
            reply = next((r for r in messages[i + 1 :] if r.author_kind in ("bot", "system")), None)
            if reply is None:
                worst = float("inf")
                break
            worst = max(worst, (reply.created_at - m.created_at).total_seconds())
        longest[conv_id] = worst
    handed_off = sum(1 for c in convs.values() if c.handed_off_at and c.id in longest)
    answers = sum(1 for m in rows if m.author_kind == "bot" and m.conversation_id in longest)
    return longest, handed_off, answers


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=50)
    parser.add_argument("--messages", type=int, default=20)
    args = parser.parse_args()
    try:
        require_servers()
    except BaseException:
        sys.exit("needs WOWDESK_TEST_DATABASE_URL and WOWDESK_TEST_REDIS_URL")
    var = Path(tempfile.mkdtemp(prefix="wowdesk-bot-backlog-"))
    cluster = make_cluster(var, 2, bot_enabled="true", routing_enabled="false")
    seed_kb(cluster.env["WOWDESK_DATABASE_URL"])
    queue = redis.Redis.from_url(cluster.env["WOWDESK_REDIS_URL"])
    with cluster.running(worker=True):
        a, b = (app.url for app in cluster.apps)
        ready = wait_for_worker(a, cluster.env["WOWDESK_DATABASE_URL"])

        async def burst() -> None:
            await asyncio.gather(
                *[
                    customer(a if i % 2 else b, b if i % 2 else a, i, args.messages)
                    for i in range(args.customers)
                ]
            )

        started = time.monotonic()
        asyncio.run(burst())
        stored = time.monotonic() - started
        drained = None
        while time.monotonic() - started < stored + 120:
            if queue.zcard("arq:queue") == 0:
                drained = time.monotonic() - started - stored
                break
            time.sleep(0.25)
        time.sleep(2)
    longest, handed_off, answers = waits(cluster.env["WOWDESK_DATABASE_URL"])
    finite = sorted(v for v in longest.values() if v != float("inf"))
    within = sum(1 for v in longest.values() if v <= 15)
    total = args.customers * args.messages
    print(
        f"bot backlog: {args.customers} customers × {args.messages} messages, "
        "2 app processes, 1 worker"
    )
    print(f"  worker up (a probe conversation's bot turn made) {ready:.1f} s after start")
    print(f"  conversations answered or handed off within 15 s: {within} of {len(longest)}")
    print(f"  bot answers sent {answers}; conversations handed to a person {handed_off}")
    if finite:
        print(
            f"  longest wait per conversation: p50 {statistics.median(finite):.1f} s, "
            f"max {finite[-1]:.1f} s; never answered: {len(longest) - len(finite)}"
        )
    shown = "never (2 min)" if drained is None else f"{drained:.1f} s"
    print(f"  bot-turn queue empty after the burst: {shown} (target 60 s)")
    print(
        f"  floor: storing the {total} messages alone took {stored:.1f} s ({total / stored:.0f}/s)"
    )
    queue.close()


if __name__ == "__main__":
    main()
