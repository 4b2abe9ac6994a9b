"""The demo's staffing, checked against Erlang C worked out by hand from the demo's own
history: the contacts that reached people (handed off by the bot or queued without it) and
their handle time. Counting every conversation instead would overstaff by 1/(1 − containment)."""

from __future__ import annotations

import math
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from wowdesk.analytics import service as analytics
from wowdesk.conversations.models import Conversation
from wowdesk.demo import history
from wowdesk.workforce import service as planning

TZ = "Europe/Moscow"
SL, T, SHRINK = 0.8, 20.0, 0.3


def erlang_c_agents(volume: float, aht: float, minutes: float = 30) -> int:
    """The textbook: traffic A = λ·AHT; Erlang B by its recursion, C from B; the fewest N
    with 1 − C·exp(−(N − A)·T/AHT) ≥ SL."""
    a = volume * aht / (minutes * 60)
    if a == 0:
        return 0
    n = math.floor(a) + 1
    while True:
        b = 1.0
        for k in range(1, n + 1):
            b = a * b / (k + a * b)
        c = b / (1 - (a / n) * (1 - b))
        if 1 - c * math.exp(-(n - a) * T / aht) >= SL:
            return n
        n += 1


def test_demo_staffing_matches_erlang_c_by_hand_on_handed_off_contacts(db: Session) -> None:
    plan_args = history.Plan(
        conversations=3000, days=60, operators=history.operators_for(3000, 60), timezone=TZ
    )
    made = history.generate(db, plan_args)
    assert made.first_day is not None and made.last_day is not None
    analytics.do_refresh(db, made.first_day, made.last_day, sl_seconds=T, timezone=TZ)
    today = made.last_day + timedelta(days=1)
    tomorrow = today + timedelta(days=1)
    plan = planning.staffing_plan(
        db, tomorrow, today=today, timezone=TZ, sl_target=SL, target_seconds=T, shrinkage=SHRINK
    )

    # by hand, from the conversations themselves: the same weekday's half hours over the last
    # four weeks, only those that reached people, and the handle time of the handled ones
    zone = ZoneInfo(TZ)
    weeks = [tomorrow - timedelta(days=7 * k) for k in range(1, 5)]
    reached = [0] * 48
    everyone = [0] * 48
    handle, handled = 0.0, 0
    for c in db.scalars(select(Conversation)):
        local = c.created_at.astimezone(zone)
        if local.date() in weeks:
            slot = local.hour * 2 + local.minute // 30
            everyone[slot] += 1
            reached[slot] += c.queued_at is not None
        if c.assigned_at is not None and c.closed_at is not None:
            handle += ((c.wrapup_done_at or c.closed_at) - c.assigned_at).total_seconds()
            handled += 1
    aht = handle / handled
    # the busiest hour, per half hour, on the average of those four days
    hours = [(reached[2 * h] + reached[2 * h + 1]) / 2 / len(weeks) for h in range(24)]
    by_hand = erlang_c_agents(max(hours), aht)
    assert by_hand >= 1
    agents = max(i.agents for i in plan.intervals)
    assert abs(agents - by_hand) <= 1
    # shrinkage on top, exactly: one agent either way above is two or more on the schedule
    scheduled = max(i.scheduled_agents for i in plan.intervals)
    assert scheduled == math.ceil(agents / (1 - SHRINK) - 1e-9)
    # the forecast is of the contacts that reach people, not of every conversation: its
    # basis per channel is exactly the 56 days' handed-off or queued conversations
    fitted = [
        c
        for c in db.scalars(select(Conversation))
        if today - timedelta(days=56) <= c.created_at.astimezone(zone).date() < today
    ]
    assert sum(c.offered for c in plan.channels) == sum(c.queued_at is not None for c in fitted)
    assert sum(c.contacts for c in plan.channels) == len(fitted)
    assert sum(i.volume for i in plan.intervals) < sum(everyone) / len(weeks) * 1.25
    # the demo's shifts plan about what is needed, not a room of idle operators
    assert max(i.planned for i in plan.intervals) <= scheduled + 2
    containment = {c.channel: c.containment for c in plan.channels}
    assert set(containment) == {"web", "telegram", "email"}
    assert all(0.1 < v < 0.4 for v in containment.values())
    assert 1.0 <= plan.concurrency < 1.5
