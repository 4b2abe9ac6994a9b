"""Routing: who gets a conversation, capacity, skills, strategies, returns, transfers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from tests.helpers import make_user, new_conversation
from wowdesk.conversations import service as conversations
from wowdesk.conversations import topics
from wowdesk.conversations.models import Status
from wowdesk.customers import service as customers
from wowdesk.db import utcnow
from wowdesk.errors import Conflict, Invalid
from wowdesk.operators import presence
from wowdesk.operators.models import OperatorStatus, User
from wowdesk.routing import queueing, service, waiting
from wowdesk.routing.models import TicketState


def queued(db: Session, text: str = "Где мой заказ?", tier: int = 0):
    conv = new_conversation(db, text)
    if tier:
        customers.do_set_tier(db, conv.customer_id, tier)
    return conv


def online(db: Session, capacity: int = 2, skills: list[presence.SkillIn] | None = None) -> User:
    user = make_user(db)
    presence.do_set_capacity(db, user.id, capacity)
    if skills:
        presence.do_set_skills(db, user.id, skills)
    presence.do_set_status(db, user, OperatorStatus.online)
    return user


def dispatch(db: Session, strategy: service.Strategy = "longest_idle") -> list[service.Offer]:
    service.do_sync(db)
    return service.do_dispatch(db, strategy=strategy)


def test_waiting_conversations_go_to_operators_within_capacity(db: Session) -> None:
    anna, boris = online(db, capacity=2), online(db, capacity=1)
    convs = [queued(db) for _ in range(5)]
    offers = dispatch(db)
    assert len(offers) == 3
    held = {u.id: [c for c in convs if c.operator_id == u.id] for u in (anna, boris)}
    for c in convs:
        db.refresh(c)
    assert sum(c.status == Status.assigned for c in convs) == 3
    assert len([c for c in convs if c.operator_id == anna.id]) == 2
    assert len([c for c in convs if c.operator_id == boris.id]) == 1
    assert held  # both were considered
    # nobody has room: another pass changes nothing
    assert dispatch(db) == []
    # the first two conversations (oldest) were served first
    assert {c.status for c in convs[:3]} == {Status.assigned}
    assert {c.status for c in convs[3:]} == {Status.queued}


def test_operators_on_break_or_offline_get_nothing(db: Session) -> None:
    anna = online(db)
    presence.do_set_status(db, anna, OperatorStatus.on_break)
    queued(db)
    assert dispatch(db) == []
    presence.do_set_status(db, anna, OperatorStatus.online)
    assert len(dispatch(db)) == 1


def test_a_silent_console_is_not_given_work(db: Session) -> None:
    anna = online(db)
    presence.get_state(db, anna.id).last_seen_at -= timedelta(minutes=5)  # type: ignore[operator]
    queued(db)
    assert dispatch(db) == []


def test_a_closed_console_gets_nothing_new_until_a_console_writes_again(db: Session) -> None:
    anna = online(db)
    presence.do_note_connected(db, anna.id)
    presence.do_note_left(db, anna.id, utcnow())
    queued(db)
    assert dispatch(db) == []
    # a console elsewhere writes its heartbeat: even right after the last one, it counts
    presence.do_touch(db, anna.id, grace_seconds=60)
    assert [o.user_id for o in dispatch(db)] == [anna.id]


def test_a_console_that_connected_after_the_close_wins_over_a_late_leave(db: Session) -> None:
    """A reload: the old socket's close is written after the new socket connected."""
    anna = online(db)
    closed_at = utcnow()
    presence.do_note_connected(db, anna.id)
    presence.do_note_left(db, anna.id, closed_at)
    queued(db)
    assert [o.user_id for o in dispatch(db)] == [anna.id]


def test_priority_puts_vip_and_risky_customers_ahead(db: Session) -> None:
    first = queued(db, "Где заказ?")
    vip = queued(db, "Где заказ?", tier=2)
    anna = online(db, capacity=1)
    dispatch(db)
    db.refresh(vip)
    db.refresh(first)
    assert vip.operator_id == anna.id and first.status == Status.queued


def test_topic_queues_go_to_operators_with_that_skill(db: Session) -> None:
    topics.do_create_topic(db, "Оплата")
    topics.do_create_topic(db, "Доставка")
    payer = online(db, skills=[presence.SkillIn("topic", "Оплата", 5)])
    courier = online(db, skills=[presence.SkillIn("topic", "Доставка", 4)])
    conv = queued(db)
    service.do_sync(db)
    ticket = service.get_ticket(db, conv.id)
    assert ticket is not None
    ticket.queue = "Доставка"
    service.do_dispatch(db)
    db.refresh(conv)
    assert conv.operator_id == courier.id != payer.id
    # a topic nobody is skilled in is not left waiting for ever
    other = queued(db)
    service.do_sync(db)
    ticket2 = service.get_ticket(db, other.id)
    assert ticket2 is not None
    ticket2.queue = "Возвраты"
    service.do_dispatch(db)
    db.refresh(other)
    assert other.status == Status.assigned


def test_strategies_choose_differently(db: Session) -> None:
    busy = online(db, capacity=3)
    idle = online(db, capacity=3)
    # busy already holds one conversation, idle has none
    c = queued(db)
    service.do_sync(db)
    service.do_take(db, c.id, busy)
    queued(db)
    offers = dispatch(db, "least_busy")
    assert offers[0].user_id == idle.id
    queued(db)
    # round robin: the one assigned longest ago (busy) is next
    offers = dispatch(db, "round_robin")
    assert offers[0].user_id == busy.id


def test_manual_take_respects_capacity(db: Session) -> None:
    anna = online(db, capacity=1)
    a, b = queued(db), queued(db)
    service.do_take(db, a.id, anna)
    with pytest.raises(Conflict) as err:
        service.do_take(db, b.id, anna)
    assert err.value.code == "at_capacity"


def test_operator_who_leaves_loses_conversations_to_the_head_of_the_queue(db: Session) -> None:
    anna = online(db, capacity=2)
    waiting_before = queued(db)
    conv = queued(db)
    service.do_sync(db)
    service.do_take(db, conv.id, anna)
    presence.do_set_status(db, anna, OperatorStatus.offline, reason="logout")
    # within the grace period nothing moves
    assert service.do_requeue_abandoned(db, grace_seconds=60) == []
    presence.get_state(db, anna.id).status_since -= timedelta(seconds=61)
    assert service.do_requeue_abandoned(db, grace_seconds=60) == [conv.id]
    db.refresh(conv)
    assert conv.status == Status.queued and conv.operator_id is None
    ticket = service.get_ticket(db, conv.id)
    assert ticket is not None and ticket.requeues == 1 and anna.display_name in ticket.note
    # it is now ahead of the conversation that was waiting before it
    boris = online(db, capacity=1)
    service.do_dispatch(db)
    db.refresh(conv)
    db.refresh(waiting_before)
    assert conv.operator_id == boris.id and waiting_before.status == Status.queued
    texts = [m.text for m in conversations.list_messages(db, conv)]
    assert any("очеред" in t for t in texts)


def test_a_dead_session_is_noticed_by_its_silence(db: Session) -> None:
    anna = online(db)
    conv = queued(db)
    service.do_sync(db)
    service.do_take(db, conv.id, anna)
    presence.get_state(db, anna.id).last_seen_at -= timedelta(seconds=90)  # type: ignore[operator]
    assert service.do_requeue_abandoned(db, grace_seconds=60) == [conv.id]
    assert presence.get_state(db, anna.id).status == OperatorStatus.offline
    reasons = [c.reason for c in presence.status_history(db, anna.id)]
    assert reasons[0] == "session_lost"


def test_status_history_has_periods_with_start_and_end(db: Session) -> None:
    anna = make_user(db)
    for status in (OperatorStatus.online, OperatorStatus.on_break, OperatorStatus.online):
        presence.do_set_status(db, anna, status)
    presence.do_set_status(db, anna, OperatorStatus.online)  # no change, no new period
    history = presence.status_history(db, anna.id)
    assert [h.status for h in history] == ["online", "break", "online"]
    assert history[0].ended_at is None
    assert all(h.ended_at is not None and h.ended_at >= h.started_at for h in history[1:])


def test_transfer_to_a_colleague_or_a_queue_with_a_note(db: Session) -> None:
    topics.do_create_topic(db, "Оплата")
    anna, boris = online(db), online(db, capacity=1)
    conv = queued(db)
    service.do_sync(db)
    service.do_take(db, conv.id, anna)
    service.do_transfer_to_operator(db, conv, anna, boris.id, "клиент ждёт возврат")
    assert conv.operator_id == boris.id
    ticket = service.get_ticket(db, conv.id)
    assert ticket is not None and ticket.note == "клиент ждёт возврат"
    # boris is full now
    other = queued(db)
    service.do_sync(db)
    service.do_take(db, other.id, anna)
    with pytest.raises(Conflict):
        service.do_transfer_to_operator(db, other, anna, boris.id)
    service.do_transfer_to_queue(db, conv, boris, "Оплата", "нужен специалист по оплате")
    db.refresh(conv)
    assert conv.status == Status.queued and conv.operator_id is None
    assert ticket.queue == "Оплата" and ticket.state == TicketState.waiting
    with pytest.raises(Invalid):
        service.do_transfer_to_queue(db, other, anna, "Нет такой очереди")


def test_escalations_wait_for_a_supervisor(db: Session) -> None:
    anna = online(db)
    boss = make_user(db, role="supervisor")
    conv = queued(db)
    service.do_sync(db)
    service.do_take(db, conv.id, anna)
    with pytest.raises(Invalid):
        service.do_escalate(db, conv, anna, "  ")
    service.do_escalate(db, conv, anna, "угрожает судом")
    online(db)  # a free operator does not get it
    assert all(o.conversation_id != conv.id for o in service.do_dispatch(db))
    service.do_take(db, conv.id, boss)
    assert conv.operator_id == boss.id


def test_wait_estimate() -> None:
    assert waiting.estimate_wait(1, slots=4, free=1, handle_seconds=300) == 0
    assert waiting.estimate_wait(3, slots=4, free=0, handle_seconds=300) == 225
    assert waiting.estimate_wait(1, slots=0, free=0, handle_seconds=300) is None
    assert waiting.mean_handle_seconds([]) == waiting.DEFAULT_HANDLE_SECONDS
    # one conversation left open for hours does not dominate
    assert waiting.mean_handle_seconds([300] * 19 + [36_000]) == pytest.approx(300)


def test_customers_are_told_their_place(db: Session) -> None:
    online(db, capacity=1)
    convs = [queued(db) for _ in range(4)]
    dispatch(db)
    places = {p.conversation_id: p for p in queueing.queue_places(db)}
    assert places[convs[1].id].position == 1 and places[convs[3].id].position == 3
    assert places[convs[3].id].wait_seconds is not None
    text = queueing.place_text(3, 4)
    assert "третий" in text and "4 мин" in text
    assert "нет свободных" in queueing.place_text(2, None).lower()
    told = queueing.do_tell_places(db, offer_after_minutes=5)
    assert told == 3
    assert queueing.do_tell_places(db, offer_after_minutes=5) == 0  # unchanged: not resent


def test_alternatives_email_callback_and_bot(db: Session) -> None:
    a, b, c = queued(db), queued(db), queued(db)
    service.do_sync(db)
    with pytest.raises(Invalid):
        queueing.do_leave_message(db, a, "not-an-email")
    ticket = queueing.do_leave_message(db, a, "maria@example.ru")
    assert ticket.state == TicketState.email
    assert customers.get_customer(db, a.customer_id).email == "maria@example.ru"
    at = service.utcnow() + timedelta(hours=2)
    with pytest.raises(Invalid):
        queueing.do_request_callback(db, b, "12", at)
    with pytest.raises(Invalid):
        queueing.do_request_callback(db, b, "+7 912 345-67-89", at + timedelta(days=30))
    ticket = queueing.do_request_callback(db, b, "8 912 345-67-89", at)
    assert ticket.contact["phone"] == "+79123456789"
    queueing.do_back_to_bot(db, c)
    assert c.status == Status.bot
    with pytest.raises(Conflict):
        queueing.do_back_to_bot(db, c)
    # a callback is not offered before its time, then goes to the head of the queue
    online(db, capacity=5)
    assert all(o.conversation_id != b.id for o in service.do_dispatch(db))
    ticket.contact = {**ticket.contact, "at": (service.utcnow() - timedelta(seconds=1)).isoformat()}
    assert queueing.do_callbacks_due(db) == [b.id]
    assert any(o.conversation_id == b.id for o in service.do_dispatch(db))


def test_conversations_taken_or_closed_outside_routing_settle_their_tickets(db: Session) -> None:
    boss = make_user(db, role="supervisor")
    conv = queued(db)
    service.do_sync(db)
    conversations.do_close(db, conv, boss)
    service.do_sync(db)
    ticket = service.get_ticket(db, conv.id)
    assert ticket is not None and ticket.state != TicketState.waiting
