"""The generated history is consistent (every timestamp in order, every message counted)
and looks like a contact center's (KPIs in believable ranges), so demos and benchmarks
measure something real."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wowdesk.analytics import service as analytics
from wowdesk.bot import service as bot
from wowdesk.conversations.models import Conversation, Message
from wowdesk.customers import service as customers
from wowdesk.db import utcnow
from wowdesk.demo import dialogues, history, seed
from wowdesk.nlp.gender import gender_of
from wowdesk.quality import autoqa, wow
from wowdesk.quality.models import Score


def test_history_is_consistent_and_believable(db: Session) -> None:
    plan = history.Plan(conversations=2000, days=14, operators=6, seed=7)
    seen: list[int] = []
    made = history.generate(db, plan, seen.append)
    assert made.conversations == 2000 == sum(seen)
    assert history.exists(db)
    convs = list(db.scalars(select(Conversation)))
    assert len(convs) == 2000 and {c.status for c in convs} == {"closed"}
    for c in convs:
        steps = [c.created_at, c.queued_at, c.assigned_at, c.closed_at, c.wrapup_done_at]
        present = [s for s in steps if s is not None]
        assert present == sorted(present), c.id
    assert db.scalar(select(func.count()).select_from(Message)) == sum(c.last_seq for c in convs)
    assert made.first_day is not None and made.last_day is not None
    analytics.do_refresh(db, made.first_day, made.last_day, sl_seconds=20, timezone=plan.timezone)
    [total] = analytics.summarize(db, made.first_day, made.last_day, timezone=plan.timezone)
    v = total.values
    assert v["contacts"] == 2000
    assert 0.55 < (v["service_level"] or 0) < 0.95
    assert 0.02 < (v["abandonment"] or 0) < 0.15
    assert 300 < (v["aht"] or 0) < 600
    assert 0.3 < (v["containment"] or 0) < 0.6
    assert 0.1 < (v["occupancy"] or 0) < 1
    # /bot lists why the bot took or passed each conversation (it was empty beside
    # «Решил бот: 346»): one decision per conversation, on its first message
    decisions = {d.conversation_id: d for d in bot.recent_decisions(db, limit=5000)}
    assert set(decisions) == {c.id for c in convs}
    for c in convs:
        d = decisions[c.id]
        first = db.scalar(select(Message).where(Message.conversation_id == c.id, Message.seq == 1))
        assert first is not None and d.message_id == first.id
        assert d.action == ("answer" if c.first_bot_reply_at else "handoff")
        assert (d.reasons == []) == (d.action == "answer")
        assert (d.retrieval_confidence >= 0.35) == (d.action == "answer")  # /bot's threshold


def test_the_demos_own_conversations_happened_days_ago_at_a_human_pace(db: Session) -> None:
    """They are played through the services in milliseconds; left so, today's KPIs opened
    with four contacts of 0 s handling time, and the customer's earlier contacts were
    «today»."""
    seed.seed(db)
    today = utcnow().date()
    convs = list(db.scalars(select(Conversation).order_by(Conversation.id)))
    closed = [c for c in convs if c.status == "closed"]
    waiting = [c for c in convs if c.status != "closed"]
    assert len(closed) == 4 and len(waiting) == 2
    assert {c.created_at.date() for c in waiting} == {today}  # the live queue stays live
    for c in closed:
        assert c.created_at.date() < today and c.wrapup_done_at is not None
        assert c.assigned_at is not None and c.first_human_reply_at is not None
        assert c.closed_at is not None and c.csat_at is not None
        steps = [c.created_at, c.assigned_at, c.first_human_reply_at, c.closed_at]
        assert steps == sorted(steps) and c.closed_at - c.assigned_at >= timedelta(minutes=1)
        assert c.created_at < c.wrapup_done_at < c.csat_at < utcnow()
        times = [
            m.created_at
            for m in db.scalars(
                select(Message).where(Message.conversation_id == c.id).order_by(Message.seq)
            )
        ]
        assert times == sorted(times) and c.created_at == times[0] and times[-1] < c.closed_at
        assert c.last_message_at == times[-1]
        # answered within the first-reply target, as the demo's Anna would
        assert c.first_human_reply_at - times[0] <= timedelta(seconds=60)
    # each an earlier contact of its own day, oldest first as the demo tells them
    days = [c.created_at.date() for c in closed]
    assert days == sorted(set(days))


def test_the_history_tells_good_operators_from_hasty_ones_and_has_wow_dialogues(
    db: Session,
) -> None:
    """With one bare answer per conversation every operator scored about 40 in auto-QA and
    the daily WOW search found nothing in 60 days of the demo."""
    plan = history.Plan(conversations=1200, days=7, operators=6, seed=7)
    made = history.generate(db, plan)
    assert made.first_day is not None and made.last_day is not None
    served = list(db.scalars(select(Conversation).where(Conversation.operator_id.is_not(None))))
    names = customers.customer_names(db, {c.customer_id for c in served})
    assert all(gender_of(n) for n in names.values())  # people, not «Клиент 17»
    for message in db.scalars(select(Message).where(Message.author_kind == "operator")):
        for word in message.text.replace(",", " ").replace("!", " ").split():
            if word in dialogues.WOMEN + dialogues.MEN:  # a name is stored masked
                assert word not in message.masked_text and "[PERSON]" in message.masked_text
    scorer = autoqa.Scorer(knowledge=None)
    while autoqa.do_score_pending(db, scorer) == autoqa.BATCH:
        pass
    averages = dict(
        db.execute(
            select(Score.operator_id, func.avg(Score.total))
            .where(Score.operator_id.is_not(None))
            .group_by(Score.operator_id)
        ).all()
    )
    assert len(averages) == 6 and max(averages.values()) - min(averages.values()) > 15
    day = made.first_day
    found = 0
    while day <= made.last_day:
        found += len(wow.find(db, day, plan.timezone))
        day += timedelta(days=1)
    assert found >= 3
