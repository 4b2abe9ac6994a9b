"""A small hand-built history whose KPIs are known by hand (see test_kpis for the sums)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from tests.helpers import make_user
from wowdesk.conversations.models import Conversation, Topic
from wowdesk.customers.models import Customer
from wowdesk.operators import service as operators
from wowdesk.operators.models import StatusChange

# 09:00 in Moscow on 10 November 2026
BASE = datetime(2026, 11, 10, 6, 0, tzinfo=UTC)


def at(seconds: float, days: int = 0) -> datetime:
    return BASE + timedelta(days=days, seconds=seconds)


def build(db: Session) -> dict[str, int]:
    team = operators.do_create_team(db, f"Команда {uuid.uuid4().hex[:4]}")
    anna = make_user(db, name="Анна")
    anna.team_id = team.id
    boris = make_user(db, name="Борис")
    delivery = Topic(name=f"Доставка {uuid.uuid4().hex[:4]}")
    x, y, z = (Customer(display_name=n) for n in ("Икс", "Игрек", "Зет"))
    db.add_all([delivery, x, y, z])
    db.flush()

    def conv(customer: Customer, created: datetime, **fields: object) -> Conversation:
        c = Conversation(
            token_hash=uuid.uuid4().hex,
            customer_id=customer.id,
            channel=str(fields.pop("channel", "web")),
            created_at=created,
            **fields,
        )
        db.add(c)
        return c

    # c1: the bot answered, handed over, answered in 10 s, first reply after 40 s, closed at
    # 310 s, wrap-up done at 370 s, rated 5; the customer comes back on the topic (c7)
    conv(
        x,
        at(0),
        status="closed",
        topic_id=delivery.id,
        operator_id=anna.id,
        first_bot_reply_at=at(-30),
        queued_at=at(0),
        assigned_at=at(10),
        first_human_reply_at=at(40),
        closed_at=at(310),
        wrapup_done_at=at(370),
        csat=5,
    )
    # c2: answered after 50 s (outside 20 s), no operator reply at all, closed at 200 s,
    # wrap-up still pending, rated 2, passed on once
    conv(
        y,
        at(0),
        status="wrapup",
        topic_id=delivery.id,
        operator_id=boris.id,
        queued_at=at(0),
        assigned_at=at(50),
        closed_at=at(200),
        csat=2,
        transfer_count=1,
    )
    conv(z, at(60), status="closed", queued_at=at(60))  # c3: left the queue unanswered
    conv(z, at(120), status="closed", first_bot_reply_at=at(121))  # c4: the bot alone
    conv(y, at(180), status="queued", queued_at=at(180))  # c6: still waiting
    # c7: three days later, the same customer and topic as c1
    conv(
        x,
        at(0, days=3),
        status="closed",
        topic_id=delivery.id,
        operator_id=anna.id,
        queued_at=at(0, days=3),
        assigned_at=at(5, days=3),
        first_human_reply_at=at(15, days=3),
        closed_at=at(65, days=3),
        wrapup_done_at=at(65, days=3),
    )
    # c8: 00:30 in Moscow on the 11th (still the 10th in UTC): a contact of the 11th
    conv(z, datetime(2026, 11, 10, 21, 30, tzinfo=UTC), status="bot")
    # Anna is online 08:00–10:00 Moscow time (room for 2 chats, which occupancy ignores)
    db.add(StatusChange(user_id=anna.id, status="online", started_at=at(-3600), ended_at=at(3600)))
    db.add(StatusChange(user_id=anna.id, status="offline", started_at=at(3600), ended_at=None))
    db.flush()
    from wowdesk.operators import presence

    presence.do_set_capacity(db, anna.id, 2)
    # her shift was 08:15-10:15: 15 min of it she was already gone (adherence 6300 / 7200)
    from wowdesk.operators import schedule

    schedule.do_add_shift(db, anna.id, at(-2700), at(4500))
    return {"anna": anna.id, "boris": boris.id, "team": team.id, "topic": delivery.id}
