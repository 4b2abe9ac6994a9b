"""The daily quality jobs over one day of 100 000 conversations (target <= 60 s each).

Run: python benchmarks/quality_jobs.py [--conversations 100000] [--database-url URL] [--json]

Writes one day of closed conversations straight into a fresh SQLite file (or the given
empty PostgreSQL database): 4–6 messages each, the automatic score auto-QA stored, a
rating for most. A fifth are rated 5 with the customer's thanks (WOW material, half of
them with an upset start); 15 % were passed to people by the bot for want of an answer
(the questions are 60 paraphrase families with typos and order numbers, answered by
operators in varying words). Then times `wow.do_find` (the day's WOW candidates) and
`gaps.do_mine` (clustering the day's gaps into draft articles) as the daily job runs them.
The floor of each is the plain read of the same rows with no analysis: the day's rated
high-score conversations with their customers' messages, and the handed-off questions with
their operators' answers.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from wowdesk import migrate
from wowdesk.bot.models import BotDecision
from wowdesk.conversations.models import Conversation, Message
from wowdesk.customers.models import Customer
from wowdesk.db import make_engine, make_sessionmaker, unit_of_work
from wowdesk.demo import seed as demo
from wowdesk.operators import service as operators
from wowdesk.quality import gaps, scorecards, wow
from wowdesk.quality.models import Score

TZ = "Europe/Moscow"
SUBJECTS = (
    ("удалить профиль", "Удалить профиль можно в Профиль → Настройки → «Удалить профиль»."),
    ("поменять имя в профиле", "Имя меняется в Профиль → Настройки → «Имя и фото»."),
    ("продлить объявление", "Мои объявления → «Архив» → «Активировать», это бесплатно."),
    ("оспорить отзыв", "Откройте отзыв → «Пожаловаться», проверка до 3 дней."),
    ("скачать акты для юрлица", "Акты — в Профиль → Кошелёк → «Документы» до 5 числа."),
    ("скрыть номер телефона", "Профиль → Настройки → «Звонки» → «Скрывать мой номер»."),
    ("отписаться от рассылки", "Профиль → Настройки → «Уведомления» → «Новости и акции»."),
    ("загрузить фото", "Фото JPG или PNG до 10 МБ, обновите приложение."),
    ("доставка в казахстан", "Доставка работает только по России."),
    ("сменить пвз на курьера", "Заказы → заказ → «Изменить способ получения»."),
)
FRAMES = (
    "как {s}?",
    "подскажите как {s} пожалуйста",
    "не получается {s}, что делать",
    "Здравствуйте! хочу {s}, заказ {n}",
    "{s} можно??",
    "где {s}",
)


def _noisy(rng: random.Random, text: str) -> str:
    if rng.random() < 0.3 and len(text) > 8:  # a typo: a doubled or dropped letter
        i = rng.randrange(1, len(text) - 1)
        text = text[:i] + (text[i] * 2 if rng.random() < 0.5 else "") + text[i + 1 :]
    return text


def generate(db: Session, n: int, day: datetime, rng: random.Random) -> None:
    operator_ids = [u.id for u in operators.list_users(db) if u.role == "operator"]
    version = scorecards.default_version(db, "operator").id
    customer = db.scalar(insert(Customer).values(display_name="Клиент").returning(Customer.id))
    first = int(db.scalar(select(Conversation.id).order_by(Conversation.id.desc()).limit(1)) or 0)
    message_id = int(db.scalar(select(Message.id).order_by(Message.id.desc()).limit(1)) or 0)
    batch = 5000
    for start in range(0, n, batch):
        convs, msgs, scores, decisions = [], [], [], []
        for k in range(start, min(n, start + batch)):
            cid = first + k + 1
            at = day + timedelta(seconds=rng.randrange(0, 86_000))
            kind = rng.random()
            wow_like = kind < 0.2
            gap = 0.2 <= kind < 0.35
            csat = 5 if wow_like else rng.choice((None, 1, 2, 3, 4, 5))
            convs.append(
                {
                    "id": cid,
                    "token_hash": hashlib.sha256(f"{cid}".encode()).hexdigest(),
                    "customer_id": customer,
                    "channel": "web",
                    "status": "closed",
                    "operator_id": rng.choice(operator_ids),
                    "csat": csat,
                    "created_at": at,
                    "handed_off_at": at if gap else None,
                    "assigned_at": at,
                    "closed_at": at + timedelta(minutes=6),
                    "last_seq": 4,
                }
            )
            order = rng.randint(100000, 9999999)
            if gap:
                subject, answer = rng.choice(SUBJECTS)
                opening = _noisy(rng, rng.choice(FRAMES).format(s=subject, n=order))
                reply = rng.choice(("Здравствуйте! ", "Добрый день! ", "")) + answer
            elif wow_like and rng.random() < 0.5:
                opening, reply = (
                    f"Безобразие, заказ {order} опять не пришёл!",
                    "Понимаю вас, я ускорила доставку, завтра привезут.",
                )
            else:
                opening, reply = f"где мой заказ {order}", "Заказ будет доставлен завтра."
            closing = "Спасибо огромное, вы очень помогли!" if wow_like else "ок"
            texts = (
                ("customer", opening),
                ("operator", "Здравствуйте! Меня зовут Анна."),
                ("operator", reply),
                ("customer", closing),
            )
            for seq, (author, text) in enumerate(texts, start=1):
                message_id += 1
                msgs.append(
                    {
                        "id": message_id,
                        "conversation_id": cid,
                        "seq": seq,
                        "client_id": f"b{message_id}",
                        "author_kind": author,
                        "text": text,
                        "masked_text": text,
                        "meta": {},
                        "created_at": at + timedelta(seconds=seq * 20),
                    }
                )
                if gap and seq == 1:
                    decisions.append(
                        {
                            "conversation_id": cid,
                            "message_id": message_id,
                            "action": "handoff",
                            "reasons": ["no_answer"],
                            "created_at": at,
                        }
                    )
            total = rng.choice((100.0, 95.0, 90.0, 80.0, 60.0)) if not wow_like else 95.0
            scores.append(
                {
                    "conversation_id": cid,
                    "auto_key": cid,
                    "version_id": version,
                    "source": "auto",
                    "operator_id": convs[-1]["operator_id"],
                    "channel": "web",
                    "total": total,
                    "critical_failed": False,
                    "repeat": False,
                    "results": [],
                    "risk": 0.0,
                    "risk_reasons": [],
                    "sample": rng.random(),
                    "reviewed": False,
                    "closed_at": convs[-1]["closed_at"],
                    "created_at": at,
                    "updated_at": at,
                }
            )
        db.execute(insert(Conversation), convs)
        db.execute(insert(Message), msgs)
        db.execute(insert(Score), scores)
        if decisions:
            db.execute(insert(BotDecision), decisions)
        db.flush()


def wow_floor(db: Session, day: datetime) -> int:
    rows = db.execute(
        select(Conversation.id)
        .join(Score, Score.auto_key == Conversation.id)
        .where(
            Conversation.closed_at >= day,
            Conversation.closed_at < day + timedelta(days=1),
            Conversation.csat == 5,
            Score.total >= wow.HIGH_QA,
        )
    ).all()
    read = 0
    for (cid,) in rows:
        read += len(
            db.execute(
                select(Message.masked_text).where(
                    Message.conversation_id == cid, Message.author_kind == "customer"
                )
            ).all()
        )
    return read


def gaps_floor(db: Session, since: datetime) -> int:
    pairs: list[Any] = []
    for cid, _mid in db.execute(
        select(BotDecision.conversation_id, BotDecision.message_id).where(
            BotDecision.created_at >= since
        )
    ).all():
        pairs.append(
            db.execute(
                select(Message.author_kind, Message.masked_text).where(
                    Message.conversation_id == cid
                )
            ).all()
        )
    return len(pairs)


def timed(fn: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'jobs.db'}"
    migrate.upgrade(url)
    factory = make_sessionmaker(make_engine(url))
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date()
    day = datetime.combine(yesterday, datetime.min.time(), UTC) + timedelta(hours=3)
    with unit_of_work(factory) as db:
        demo.seed(db)
        t_gen, _ = timed(lambda: generate(db, args.conversations, day, random.Random(18)))
    local_day = (day + timedelta(hours=3)).date()
    with unit_of_work(factory) as db:
        t_wow_floor, _ = timed(lambda: wow_floor(db, day))
    with unit_of_work(factory) as db:
        t_wow, found = timed(lambda: wow.do_find(db, local_day, TZ))
    since_days = (datetime.now(UTC) - day).total_seconds() / 86400 + 0.01
    with unit_of_work(factory) as db:
        t_gaps_floor, _ = timed(lambda: gaps_floor(db, day))
    with unit_of_work(factory) as db:
        t_gaps, drafts = timed(lambda: gaps.do_mine(db, since_days=since_days))
    result = {
        "conversations": args.conversations,
        "generate_s": round(t_gen, 1),
        "wow_s": round(t_wow, 2),
        "wow_floor_s": round(t_wow_floor, 2),
        "wow_candidates": len(found),
        "gaps_s": round(t_gaps, 2),
        "gaps_floor_s": round(t_gaps_floor, 2),
        "drafts": len(drafts),
    }
    if args.json:
        print(json.dumps(result))
        return
    print(f"{args.conversations} conversations in one day ({url.split(':')[0]})")
    print(
        f"  WOW job: {result['wow_s']} s, {len(found)} candidates (target <= 60 s); "
        f"floor (read the same rows): {result['wow_floor_s']} s"
    )
    print(
        f"  gaps job: {result['gaps_s']} s, {len(drafts)} drafts (target <= 60 s); "
        f"floor (read the same rows): {result['gaps_floor_s']} s"
    )


if __name__ == "__main__":
    main()
