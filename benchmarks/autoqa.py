"""Auto-QA of one closed conversation (target p99 <= 50 ms on the embedded default, no LLM).

Run: python benchmarks/autoqa.py [--conversations 400] [--json]

Builds a temporary SQLite database the way `wowdesk demo` does (staff, the demo knowledge
base of 47 articles the kb_match criterion reads), then `--conversations` closed
conversations an operator served, 6–14 messages each in real-style Russian (greetings,
upset customers, order numbers, phones, thanks), through the conversations service. Each
is then scored as the background job scores it (`autoqa.do_score`: its reads, the knowledge
search, every criterion of the default scorecard, the stored score) in a transaction of its
own, and timed. The floor is the same transaction doing everything but the rules: read the
conversation and its messages and store a score row.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import cast

from sqlalchemy import Table
from sqlalchemy.orm import Session

from wowdesk import migrate
from wowdesk.conversations import service as conversations
from wowdesk.db import insert_missing, make_engine, make_sessionmaker, unit_of_work, utcnow
from wowdesk.demo import seed as demo
from wowdesk.kb.knowledge import Knowledge
from wowdesk.operators import service as operators
from wowdesk.quality import autoqa, scorecards
from wowdesk.quality.models import Score

OPENINGS = (
    "Здравствуйте, где мой заказ {n}? Жду уже неделю",
    "Безобразие! Третий раз пишу, заказ {n} так и не пришёл",
    "добрый день, не могу войти в аккаунт, пишет заблокирован",
    "Сколько стоит доставка в пункт выдачи?",
    "Мне списали деньги дважды за заказ {n}, верните!!",
    "подскажите как вернуть товар, не подошёл размер",
)
REPLIES = (
    "Здравствуйте! Меня зовут Анна. {name}, понимаю вас, сейчас проверю.",
    "Вижу заказ {n}, он в пути и будет доставлен завтра до 18:00.",
    "Доставка в пункт выдачи бесплатна для заказов от 1 000 ₽, дешевле — 99 ₽.",
    "Я оформила возврат, деньги придут в течение 10 рабочих дней.",
    "Подскажите, пожалуйста, номер телефона, на который оформлен заказ?",
    "Могу ещё чем-то помочь? Всего доброго!",
)
FOLLOWUPS = (
    "Мой телефон +7 912 345-67-89",
    "а быстрее никак?",
    "Спасибо большое, вы очень помогли!",
    "ок",
    "Это ужасно, сколько можно ждать",
)


def build(db: Session, n: int, rng: random.Random) -> list[int]:
    operator = operators.find_user(db, "anna")
    assert operator is not None
    ids = []
    for _ in range(n):
        order = rng.randint(100000, 9999999)
        conv, _token, _msg = conversations.do_start(
            db,
            identity=uuid.uuid4().hex,
            channel="web",
            client_id=uuid.uuid4().hex,
            text=rng.choice(OPENINGS).format(n=order),
            limit=4000,
            secret="bench",
        )
        conversations.do_assign(db, conv.id, operator)
        for turn in range(rng.randint(2, 6)):
            text = rng.choice(REPLIES).format(n=order, name="Мария")
            conversations.do_operator_message(
                db,
                conv,
                operator,
                client_id=uuid.uuid4().hex,
                text=text,
                limit=4000,
                confirm_secret_request=True,
            )
            if turn % 2 == 0:
                conversations.do_customer_message(
                    db, conv, client_id=uuid.uuid4().hex, text=rng.choice(FOLLOWUPS), limit=4000
                )
        conversations.do_close(db, conv, operator)
        ids.append(conv.id)
    return ids


def floor(db: Session, conversation_id: int, version_id: int) -> None:
    """The same transaction without the rules: the reads and one stored row."""
    conv = conversations.get_conversation(db, conversation_id)
    conversations.list_messages(db, conv, limit=2000)
    now = utcnow()
    row = {
        "conversation_id": conv.id,
        "auto_key": -conv.id,  # apart from the real scores
        "version_id": version_id,
        "source": "auto",
        "total": 100.0,
        "results": [],
        "risk_reasons": [],
        "created_at": now,
        "updated_at": now,
    }
    insert_missing(db, cast(Table, Score.__table__), [row], ["auto_key"])


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=400)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'autoqa.db'}"
    migrate.upgrade(url)
    factory = make_sessionmaker(make_engine(url))
    rng = random.Random(18)
    with unit_of_work(factory) as db:
        demo.seed(db)
        ids = build(db, args.conversations, rng)
        version_id = scorecards.default_version(db, "operator").id
    knowledge = Knowledge()
    scorer = autoqa.Scorer(knowledge=knowledge)
    with unit_of_work(factory) as db:  # the index is built once, when the app starts
        knowledge.search(db, "прогрев")
        scorer.templates(db)
    timings, floors = [], []
    for conversation_id in ids:
        started = time.perf_counter()
        with unit_of_work(factory) as db:
            floor(db, conversation_id, version_id)
        floors.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        with unit_of_work(factory) as db:
            autoqa.do_score(db, scorer, conversations.get_conversation(db, conversation_id))
        timings.append((time.perf_counter() - started) * 1000)
    result = {
        "conversations": len(ids),
        "p50_ms": round(pct(timings, 50), 2),
        "p99_ms": round(pct(timings, 99), 2),
        "floor_p50_ms": round(pct(floors, 50), 2),
        "floor_p99_ms": round(pct(floors, 99), 2),
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(f"auto-QA of one closed conversation over {result['conversations']} conversations")
        print(f"  p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms (target p99 <= 50 ms)")
        print(
            f"  floor (reads and one stored row, no rules): p50 {result['floor_p50_ms']} ms, "
            f"p99 {result['floor_p99_ms']} ms"
        )


if __name__ == "__main__":
    main()
