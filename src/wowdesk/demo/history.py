"""A realistic past for the demo and the benchmarks: months of closed conversations with the
timestamps, ratings, transfers, repeat contacts and operator shifts a marketplace support
line produces, so KPIs, charts and forecasts have something true to show.

Why bulk inserts and not the services: a million conversations through the services would
take hours; this writes finished rows in batches (Core executemany), as an import from an
old system would, and everything after it (rollups, reports) is the product's own code.
The one place outside the domains that writes several domains' tables, on purpose."""

from __future__ import annotations

import functools
import math
import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from wowdesk.bot.models import BotDecision
from wowdesk.conversations.models import Conversation, Message, Topic
from wowdesk.customers.models import Customer, CustomerIdentity
from wowdesk.db import move_sequences_past
from wowdesk.demo import dialogues
from wowdesk.kb import service as kb
from wowdesk.operators import service as operators
from wowdesk.operators.models import OperatorStatus, Shift, StatusChange, User

BATCH = 5000
PLAN_AHEAD_DAYS = 14

# share of a day's contacts per hour (local time), a chat line open 08:00-22:00 with a tail
HOURLY = (
    0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1.5, 4.0, 7.5, 9.0, 9.0,
    8.5, 8.5, 8.0, 7.5, 7.0, 6.5, 6.0, 5.0, 4.0, 3.0, 1.5, 0.6,
)  # fmt: skip
WEEKDAY = (1.1, 1.05, 1.0, 1.0, 0.95, 0.75, 0.7)  # Monday .. Sunday
CHANNELS = (("web", 0.7), ("telegram", 0.2), ("email", 0.1))

QUESTIONS = (
    "Здравствуйте! Где мой заказ? Обещали доставить вчера.",
    "Объявление отклонили на модерации, не понимаю почему.",
    "Заблокировали аккаунт без объяснений, помогите.",
    "Оплатил продвижение, а объявление сняли. Вернёте деньги?",
    "Как получить скидку по программе лояльности?",
    "Пришло СМС о входе в аккаунт, это был не я.",
    "Деньги за возврат так и не пришли на карту.",
    "Не могу выбрать пункт выдачи рядом с домом.",
)
ANSWERS = (
    "Здравствуйте! Проверил(а) заказ: он в пути, курьер привезёт сегодня до 21:00.",
    "Объявление отклонено из-за телефона в описании — уберите его, и оно пройдёт модерацию.",
    "Аккаунт заблокирован автоматически; я передал(а) запрос, блокировку снимут в течение часа.",
    "Неиспользованная часть услуги вернулась на кошелёк, проверьте раздел «Платежи».",
    "Скидка 2,5 % включается, когда сумма заказов превышает 100 000 ₽.",
    "Смените пароль и включите вход по коду — доступ посторонних мы уже закрыли.",
    "Возврат оформлен, банк зачислит деньги в течение 5 рабочих дней.",
    "Ближайший к вам пункт выдачи — на Лесной, 12, он работает до 22:00.",
)


@dataclass(frozen=True)
class Plan:
    conversations: int
    days: int = 90
    operators: int = 20
    seed: int = 2026
    timezone: str = "Europe/Moscow"
    public_url: str = "http://127.0.0.1:8000"  # where the bot's answers link the articles


def operators_for(conversations: int, days: int) -> int:
    """A team sized to the history's volume (about ten contacts per operator-day, from 4 to
    20 people), so the demo's shifts plan roughly what its staffing says is needed."""
    return max(4, min(20, round(conversations / max(days, 1) / 10)))


@dataclass
class Result:
    conversations: int = 0
    messages: int = 0
    customers: int = 0
    status_changes: int = 0
    first_day: date | None = None
    last_day: date | None = None


def _table(model: type[Any]) -> Table:
    return cast(Table, model.__table__)


def _next_id(db: Session, model: type[Any]) -> int:
    return int(db.scalar(select(func.coalesce(func.max(model.id), 0))) or 0) + 1


def _ensure_operators(db: Session, n: int) -> list[User]:
    """The demo's operators plus generated colleagues up to n, in the demo's two teams."""
    existing = [u for u in operators.list_users(db) if u.role == "operator"]
    teams = operators.list_teams(db) or [operators.do_create_team(db, "Первая линия")]
    made = len(existing)
    while made < n:
        made += 1
        existing.append(
            operators.do_create_user(
                db,
                username=f"history-op-{made:03d}",
                display_name=dialogues.colleague(made),
                role="operator",
                password=uuid.uuid4().hex,  # nobody logs in as them
                team_id=teams[made % len(teams)].id,
            )
        )
    return existing


def _arrivals(plan: Plan, rng: random.Random, end_day: date) -> Iterator[datetime]:
    """Contact times in order: the daily total follows the weekday profile with some noise
    and a slow growth, then each one falls in an hour by the hourly profile."""
    zone = ZoneInfo(plan.timezone)
    weights = [WEEKDAY[(end_day - timedelta(days=plan.days - 1 - d)).weekday()]
               * (0.9 + 0.2 * d / max(plan.days, 1)) for d in range(plan.days)]  # fmt: skip
    scale = plan.conversations / sum(weights)
    left = plan.conversations
    hours = list(range(24))
    for d in range(plan.days):
        day = end_day - timedelta(days=plan.days - 1 - d)
        count = left if d == plan.days - 1 else min(left, round(weights[d] * scale))
        left -= count
        stamps = []
        for hour in rng.choices(hours, weights=HOURLY, k=count):
            moment = datetime.combine(day, time(hour), zone) + timedelta(
                seconds=rng.random() * 3600
            )
            stamps.append(moment.astimezone(UTC))
        yield from sorted(stamps)


def exists(db: Session) -> bool:
    return (
        db.scalar(
            select(CustomerIdentity.id)
            .where(CustomerIdentity.external_id.like("history-%"))
            .limit(1)
        )
        is not None
    )


def generate(db: Session, plan: Plan, progress: Callable[[int], None] | None = None) -> Result:
    """Writes the history ending yesterday (local time); calls `progress(n)` per batch."""
    rng = random.Random(plan.seed)
    zone = ZoneInfo(plan.timezone)
    end_day = datetime.now(zone).date() - timedelta(days=1)
    people = _ensure_operators(db, plan.operators)
    topic_ids: list[int | None] = [*db.scalars(select(Topic.id))] or [None]
    customers = max(1, plan.conversations // 3)
    first_day = end_day - timedelta(days=plan.days - 1)
    result = Result(first_day=first_day, last_day=end_day, customers=customers)
    # what people say comes from its own random stream: the figures stay as they were
    words = random.Random(plan.seed + 1)
    names = [dialogues.person(words) for _ in range(customers)]
    first_customer = _write_customers(db, names, first_day, zone)
    manners = {p.id: (p.display_name, dialogues.craft(words)) for p in people}
    speak = functools.partial(_speak, words, manners, names, first_customer)
    published = {title: article_id for article_id, title in kb.published_titles(db).items()}
    said = dialogues.bot_answers(published, plan.public_url)

    conv_id = _next_id(db, Conversation)
    message_id = _next_id(db, Message)
    convs: list[dict[str, Any]] = []
    messages: list[dict[str, Any]] = []
    decisions: list[dict[str, Any]] = []
    topics: dict[int, str] = {tid: name for tid, name in db.execute(select(Topic.id, Topic.name))}
    # the bot's decisions from a stream of their own too
    judged = random.Random(plan.seed + 2)
    # a customer's last topic, so repeat contacts (FCR) happen at a realistic rate
    last_topic: dict[int, Any] = {}

    def flush() -> None:
        nonlocal message_id
        first = {}
        for m in messages:
            m["id"] = message_id
            message_id += 1
            if m["seq"] == 1:
                first[m["conversation_id"]] = m["id"]
        decisions.extend(_decisions(judged, convs, first, topics))
        if convs:
            db.execute(insert(_table(Conversation)), convs)
        if messages:
            db.execute(insert(_table(Message)), messages)
        if decisions:
            db.execute(insert(_table(BotDecision)), decisions)
        if progress:
            progress(len(convs))
        result.conversations += len(convs)
        result.messages += len(messages)
        convs.clear()
        messages.clear()
        decisions.clear()

    for at in _arrivals(plan, rng, end_day):
        # a few customers write often (Pareto), most once or twice
        often = rng.random() < 0.3
        pick = int(rng.paretovariate(1.2)) - 1 if often else rng.randrange(customers)
        customer = first_customer + min(customers - 1, pick)
        topic = last_topic.get(customer) if rng.random() < 0.25 else rng.choice(topic_ids)
        last_topic[customer] = topic
        row, thread = _conversation(rng, said, zone, people, conv_id, customer, topic, at)
        if row["operator_id"] is not None:
            thread = speak(row, thread)
        _finish(row, thread, conv_id, messages, convs)
        conv_id += 1
        if len(convs) >= BATCH:
            flush()
    flush()
    result.status_changes = _shifts(db, plan, rng, people, first_day, end_day)
    move_sequences_past(
        db, [cast(Table, m.__table__) for m in (Customer, Conversation, Message, BotDecision)]
    )
    db.flush()
    return result


def _decisions(
    rng: random.Random,
    convs: list[dict[str, Any]],
    first_message: dict[int, int],
    topics: dict[int, str],
) -> list[dict[str, Any]]:
    """What the bot decided on each conversation's first message, as /bot lists it: it
    answered the ones it answered, above the knowledge-base threshold, and handed the
    others to people for want of a confident answer (the history's bot turns had no
    decisions, so /bot showed an empty list beside «Решил бот: 346»)."""
    out = []
    for row in convs:
        answered = row["first_bot_reply_at"] is not None
        out.append(
            {
                "conversation_id": row["id"],
                "message_id": first_message[row["id"]],
                "action": "answer" if answered else "handoff",
                "topic": topics.get(row["topic_id"], "") if row["topic_id"] else "",
                "topic_confidence": round(
                    rng.uniform(0.6, 0.97) if answered else rng.uniform(0.3, 0.8), 3
                ),
                "complexity": "simple" if answered else rng.choice(("simple", "complex")),
                "flags": [],
                "reasons": []
                if answered
                else [rng.choices(("no_answer", "topic_unsure"), (4, 1))[0]],
                "retrieval_confidence": round(
                    rng.uniform(0.55, 0.95) if answered else rng.uniform(0.05, 0.34), 3
                ),
                "article_id": None,
                "created_at": row["first_bot_reply_at"] or row["queued_at"] or row["created_at"],
            }
        )
    return out


def _write_customers(db: Session, names: list[str], first_day: date, zone: ZoneInfo) -> int:
    """The history's customers, each with a web identity; returns the first one's id."""
    customers = len(names)
    first = _next_id(db, Customer)
    rows: list[dict[str, Any]] = []
    identities: list[dict[str, Any]] = []
    created = datetime.combine(first_day, time(0), zone).astimezone(UTC)
    for i in range(customers):
        rows.append({"id": first + i, "display_name": names[i], "tier": 0,
                     "created_at": created})  # fmt: skip
        identities.append({"customer_id": first + i, "channel": "web",
                           "external_id": f"history-{first + i}",
                           "created_at": created})  # fmt: skip
        if len(rows) >= BATCH:
            db.execute(insert(_table(Customer)), rows)
            db.execute(insert(_table(CustomerIdentity)), identities)
            rows, identities = [], []
    if rows:
        db.execute(insert(_table(Customer)), rows)
        db.execute(insert(_table(CustomerIdentity)), identities)
    return first


Thread = list[tuple[str, int | None, str, str, datetime]]  # kind, author, text, masked, at


def _conversation(
    rng: random.Random,
    bot_answers: tuple[str, ...],
    zone: ZoneInfo,
    people: list[User],
    conv_id: int,
    customer: int,
    topic: Any,
    at: datetime,
) -> tuple[dict[str, Any], Thread]:
    """One closed conversation and its messages: answered by the bot, abandoned in the
    queue, or served by an operator, with the timestamps KPIs are made of."""
    q = rng.randrange(len(QUESTIONS))
    row: dict[str, Any] = {
        "id": conv_id,
        "token_hash": uuid.UUID(int=rng.getrandbits(128)).hex,
        "customer_id": customer,
        "channel": rng.choices([c for c, _w in CHANNELS], [w for _c, w in CHANNELS])[0],
        "status": "closed",
        "topic_id": topic,
        "operator_id": None,
        "subject": QUESTIONS[q][:200],
        "wrapup_note": "",
        "operator_delivered_seq": 0,
        "customer_delivered_seq": 0,
        "created_at": at,
        "transfer_count": 0,
    }
    thread: Thread = [("customer", None, QUESTIONS[q], QUESTIONS[q], at)]
    now = at
    if rng.random() < 0.45:  # the bot answers first
        now += timedelta(seconds=rng.uniform(1, 3))
        row["first_bot_reply_at"] = now
        said = bot_answers[q]
        thread.append(("bot", None, said, said, now))
        if rng.random() < 0.45:  # and that was enough
            row["closed_at"] = now + timedelta(seconds=rng.uniform(30, 300))
            return row, thread
        now += timedelta(seconds=rng.uniform(20, 120))
        row["handed_off_at"] = now
    row["queued_at"] = now
    # busy hours wait longer: the mean wait follows the hourly load
    hour = at.astimezone(zone).hour
    wait = rng.expovariate(1 / (4 + 1.6 * HOURLY[hour]))
    patience = rng.expovariate(1 / 240)
    if wait > patience:  # gave up waiting
        row["closed_at"] = now + timedelta(seconds=patience)
        return row, thread
    person = rng.choice(people)
    row["operator_id"] = person.id
    row["assigned_at"] = now + timedelta(seconds=wait)
    reply = row["assigned_at"] + timedelta(seconds=rng.uniform(5, 60))
    row["first_human_reply_at"] = reply
    thread.append(("operator", person.id, ANSWERS[q], ANSWERS[q], reply))
    handle = math.exp(rng.gauss(math.log(330), 0.5))
    row["closed_at"] = row["assigned_at"] + timedelta(seconds=max(handle, 40))
    row["wrapup_done_at"] = row["closed_at"] + timedelta(seconds=rng.uniform(10, 90))
    if rng.random() < 0.07:
        row["transfer_count"] = 1
    if rng.random() < 0.4:
        row["csat"] = rng.choices((1, 2, 3, 4, 5), (4, 4, 8, 24, 60))[0]
        row["csat_at"] = row["wrapup_done_at"]
    return row, thread


def _speak(
    words: random.Random,
    manners: dict[int, tuple[str, float]],
    names: list[str],
    first_customer: int,
    row: dict[str, Any],
    thread: Thread,
) -> Thread:
    """A served conversation's words: the question in the customer's mood, the answer in
    the operator's manner, and what they say after it, timed between the first reply and
    the close (a closing line within the reply target)."""
    (kind, _nobody, question, _masked, asked), *middle, reply = thread
    operator, skill = manners[row["operator_id"]]
    q = QUESTIONS.index(question)
    lines = dialogues.served(
        words,
        question,
        ANSWERS[q],
        customer=names[row["customer_id"] - first_customer],
        operator=operator,
        skill=skill,
        csat=row.get("csat"),
    )
    replied = reply[4]
    out: Thread = [
        (kind, None, lines[0].text, lines[0].masked, asked),
        *middle,
        ("operator", reply[1], lines[1].text, lines[1].masked, replied),
    ]
    room = (row["closed_at"] - replied).total_seconds()
    at = replied
    for line in lines[2:] if room >= 40 else ():
        at += timedelta(seconds=room / 2 if line.author == "customer" else min(room * 0.4, 40))
        author = row["operator_id"] if line.author == "operator" else None
        out.append((line.author, author, line.text, line.masked, at))
    return out


def _finish(
    row: dict[str, Any],
    thread: Thread,
    conv_id: int,
    messages: list[dict[str, Any]],
    convs: list[dict[str, Any]],
) -> None:
    for seq, (kind, author, body, masked, at) in enumerate(thread, start=1):
        messages.append({"conversation_id": conv_id, "seq": seq, "client_id": f"h{seq}",
                         "author_kind": kind, "author_id": author, "text": body,
                         "masked_text": masked, "meta": {}, "created_at": at})  # fmt: skip
    row["last_seq"] = len(thread)
    row["last_message_at"] = thread[-1][4]
    for key in ("first_bot_reply_at", "handed_off_at", "queued_at", "assigned_at",
                "first_human_reply_at", "wrapup_done_at", "csat", "csat_at"):  # fmt: skip
        row.setdefault(key, None)
    convs.append(row)


def _shifts(
    db: Session, plan: Plan, rng: random.Random, people: list[User], first: date, last: date
) -> int:
    """Each operator works five days a week, 8 h with a 30-min break: the plan (shifts, also
    for the next two weeks) and, for the past, the status history of what really happened
    (a few minutes early or late), the source of occupancy and adherence."""
    zone = ZoneInfo(plan.timezone)
    statuses: list[dict[str, Any]] = []
    shifts: list[dict[str, Any]] = []
    for n, person in enumerate(people):
        start_hour = 8 + (n % 3) * 2
        day = first
        while day <= last + timedelta(days=PLAN_AHEAD_DAYS):
            if (day.weekday() + n) % 7 < 5:
                begin = datetime.combine(day, time(start_hour), zone).astimezone(UTC)
                pause, back = begin + timedelta(hours=4), begin + timedelta(hours=4, minutes=30)
                end = begin + timedelta(hours=8, minutes=30)
                for a, b in ((begin, pause), (back, end)):
                    shifts.append({"user_id": person.id, "starts_at": a, "ends_at": b})
                if day <= last:
                    late = timedelta(minutes=rng.gauss(1, 4))
                    back_late = back + timedelta(minutes=max(-2.0, rng.gauss(1, 3)))
                    for status, a, b in ((OperatorStatus.online, begin + late, pause),
                                         (OperatorStatus.on_break, pause, back_late),
                                         (OperatorStatus.online, back_late, end)):  # fmt: skip
                        statuses.append({"user_id": person.id, "status": status,
                                         "reason": "history", "started_at": a,
                                         "ended_at": b})  # fmt: skip
            day += timedelta(days=1)
    for i in range(0, len(statuses), BATCH):
        db.execute(insert(_table(StatusChange)), statuses[i : i + BATCH])
    for i in range(0, len(shifts), BATCH):
        db.execute(insert(_table(Shift)), shifts[i : i + BATCH])
    return len(statuses)


def first_day_of(db: Session, timezone: str) -> date:
    """The local day of the oldest conversation (today when there is none)."""
    first = db.scalar(select(func.min(Conversation.created_at)))
    zone = ZoneInfo(timezone)
    return (first or datetime.now(UTC)).astimezone(zone).date()
