"""Answers by e-mail: a customer who left a message gets every operator answer once, through
a real SMTP server on loopback (aiosmtpd), however often the outbox is collected, and an SMTP
outage delays mail without losing it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.helpers import free_port, make_user, new_conversation
from tests.smtp import Inbox, local_smtp
from wowdesk.conversations import outbox as channels
from wowdesk.conversations import service as conversations
from wowdesk.conversations.models import Conversation, MailState, Status
from wowdesk.db import utcnow
from wowdesk.mail import Smtp
from wowdesk.operators import presence
from wowdesk.operators.models import OperatorStatus, User
from wowdesk.routing import queueing, service
from wowdesk.routing.models import TicketState


@pytest.fixture
def smtp() -> Iterator[tuple[Smtp, Inbox]]:
    with local_smtp() as (inbox, port):
        yield Smtp("127.0.0.1", port, sender="support@shop.example", timeout=5), inbox


def left_a_message(db: Session, email: str) -> Conversation:
    conv = new_conversation(db, "Где мой заказ 4417?")
    service.do_sync(db)
    queueing.do_leave_message(db, conv, email)
    return conv


def online(db: Session, capacity: int = 1) -> User:
    user = make_user(db, name="Анна Смирнова")
    presence.do_set_capacity(db, user.id, capacity)
    presence.do_set_status(db, user, OperatorStatus.online)
    return user


def say(db: Session, conv: Conversation, user: User, client_id: str, text: str) -> None:
    conversations.do_operator_message(db, conv, user, client_id=client_id, text=text, limit=4000)


def test_each_operator_answer_is_mailed_once(db: Session, smtp: tuple[Smtp, Inbox]) -> None:
    server, inbox = smtp
    conv = left_a_message(db, "maria@example.ru")
    anna = online(db)
    offers = service.do_dispatch(db)
    assert [o.conversation_id for o in offers] == [conv.id]
    assert conv.status == Status.assigned and conv.operator_id == anna.id

    say(db, conv, anna, "msg-1", "Заказ 4417 передан курьеру.")
    say(db, conv, anna, "msg-2", "Курьер позвонит до 18:00.")
    assert queueing.do_collect_email_answers(db) == 2
    assert queueing.do_collect_email_answers(db) == 0  # collected again: nothing new
    assert channels.count_by_state(db) == {MailState.pending: 2}

    assert channels.do_send_due(db, server) == (2, 0)
    assert channels.do_send_due(db, server) == (0, 0)  # sent ones are not sent again
    assert [m["To"] for m in inbox.mails] == ["maria@example.ru"] * 2
    first = inbox.mails[0]
    assert first["From"] == "support@shop.example"
    assert str(conv.id) in first["Subject"] and first["Subject"].startswith("Ответ")
    body = first.get_content()
    assert "Заказ 4417 передан курьеру." in body and "Анна Смирнова" in body
    assert "Курьер позвонит" in inbox.mails[1].get_content()
    assert first["Message-ID"] != inbox.mails[1]["Message-ID"]

    # closed and collected: the ticket stops being watched
    conversations.do_close(db, conv, anna)
    queueing.do_collect_email_answers(db)
    ticket = service.get_ticket(db, conv.id)
    assert ticket is not None and ticket.mail_to == ""
    assert len(channels.list_for_conversation(db, conv.id)) == 2


def test_live_customers_are_served_before_left_messages(db: Session) -> None:
    by_mail = left_a_message(db, "oleg@example.ru")
    live = new_conversation(db, "Не проходит оплата")
    service.do_sync(db)
    online(db, capacity=1)
    assert [o.conversation_id for o in service.do_dispatch(db)] == [live.id]
    ticket = service.get_ticket(db, by_mail.id)
    assert ticket is not None and ticket.state == TicketState.email
    online(db, capacity=1)  # room once nobody waits live
    assert [o.conversation_id for o in service.do_dispatch(db)] == [by_mail.id]


def test_an_smtp_outage_delays_mail_and_loses_none(db: Session, smtp: tuple[Smtp, Inbox]) -> None:
    server, inbox = smtp
    conv = left_a_message(db, "maria@example.ru")
    anna = online(db)
    service.do_dispatch(db)
    say(db, conv, anna, "m1", "Ответ по заказу.")
    queueing.do_collect_email_answers(db)

    down = Smtp("127.0.0.1", free_port(), timeout=2)
    assert channels.do_send_due(db, down) == (0, 1)
    [mail] = channels.list_for_conversation(db, conv.id)
    assert mail.state == MailState.pending and mail.attempts == 1
    assert "127.0.0.1" in mail.last_error
    assert mail.next_attempt_at > utcnow() + timedelta(seconds=20)
    assert channels.do_send_due(db, server) == (0, 0)  # not due yet: no hammering

    mail.next_attempt_at = utcnow() - timedelta(seconds=1)
    assert channels.do_send_due(db, server) == (1, 0)
    assert mail.state == MailState.sent and mail.attempts == 2 and len(inbox.mails) == 1


def test_a_refused_address_is_retried_then_given_up(db: Session, smtp: tuple[Smtp, Inbox]) -> None:
    server, inbox = smtp
    conv = left_a_message(db, "nobody@reject.test")
    anna = online(db)
    service.do_dispatch(db)
    say(db, conv, anna, "m1", "Ответ.")
    queueing.do_collect_email_answers(db)
    [mail] = channels.list_for_conversation(db, conv.id)
    for _ in range(channels.MAX_ATTEMPTS):
        mail.next_attempt_at = utcnow() - timedelta(seconds=1)
        channels.do_send_due(db, server)
    assert mail.state == MailState.failed and "550" in mail.last_error
    assert channels.count_by_state(db) == {MailState.failed: 1}
    assert inbox.mails == []


def test_retry_delays_grow_and_stop_growing_at_an_hour() -> None:
    delays = [channels.retry_delay(n).total_seconds() for n in range(1, 12)]
    assert delays[:4] == [30, 60, 120, 240]
    assert delays == sorted(delays) and max(delays) == 3600


def test_the_app_sends_the_outbox_when_smtp_is_configured(
    smtp: tuple[Smtp, Inbox], settings: Any, factory: Any
) -> None:
    """The app's own background task drains the outbox (no worker needed)."""
    from fastapi.testclient import TestClient

    from wowdesk.app import create_app
    from wowdesk.db import unit_of_work

    server, inbox = smtp
    configured = settings.model_copy(update={"smtp_host": server.host, "smtp_port": server.port})
    with unit_of_work(factory) as db:
        channels.do_enqueue(
            db,
            key="test:1",
            to="ivan@example.ru",
            subject="Тема",
            body="Текст",
            conversation_id=None,
        )
    with TestClient(create_app(configured, factory)):
        deadline = time.monotonic() + 10
        while not inbox.mails and time.monotonic() < deadline:
            time.sleep(0.05)
    assert [m["To"] for m in inbox.mails] == ["ivan@example.ru"]
