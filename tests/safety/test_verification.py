"""Verification helpers: facts only the company knows, and a confirmation code mailed through
the customer's registered e-mail (outbox → a real SMTP server on loopback)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.helpers import add_user, assert_json_error, login, make_user, new_conversation, start
from tests.smtp import local_smtp
from wowdesk.conversations import outbox as channels
from wowdesk.conversations import service as conversations
from wowdesk.conversations import topics
from wowdesk.customers import orders
from wowdesk.errors import Conflict, Forbidden
from wowdesk.mail import Smtp
from wowdesk.operators.models import User
from wowdesk.routing import service as routing
from wowdesk.safety import verification


def _two_contacts(db: Session, email: str | None = "olga@example.com") -> tuple[int, User]:
    identity = uuid.uuid4().hex
    earlier = new_conversation(db, "Не пришёл возврат за наушники", identity=identity, email=email)
    topic = topics.do_create_topic(db, f"Возвраты {identity[:6]}")
    earlier.topic_id = topic.id
    earlier.created_at -= timedelta(days=3)
    db.flush()
    conv = new_conversation(db, "Мне звонят от вашего имени", identity=identity)
    user = make_user(db, name="Анна Смирнова")
    routing.do_take(db, conv.id, user)
    return conv.id, user


def test_the_facts_are_the_previous_contact_and_no_purchase_without_orders(db: Session) -> None:
    conv_id, _user = _two_contacts(db)
    facts = verification.verification_facts(db, conversations.get_conversation(db, conv_id))
    assert facts.previous is not None
    assert facts.previous.subject == "Не пришёл возврат за наушники"
    assert facts.previous.topic.startswith("Возвраты")
    assert facts.address == "o***@example.com" and facts.last_sent is None
    assert facts.purchase is None


def test_the_last_purchase_comes_from_the_customers_orders(db: Session) -> None:
    conv_id, _user = _two_contacts(db)
    conv = conversations.get_conversation(db, conv_id)
    placed = datetime(2026, 10, 3, 12, 0, tzinfo=UTC)
    for external_id, product, when in (
        ("A-1", "Чехол для смартфона", placed - timedelta(days=30)),
        ("A-2", "Наушники Sony WH-1000XM5", placed),
    ):
        line = orders.LineData(product=product, price_kopecks=1_990_000)
        orders.do_save_order(
            db, conv.customer_id, orders.OrderData("shop", external_id, when, lines=[line])
        )
    facts = verification.verification_facts(db, conv)
    assert facts.purchase is not None
    assert facts.purchase.product == "Наушники Sony WH-1000XM5"
    assert facts.purchase.date is not None and facts.purchase.date.date() == placed.date()


def test_a_confirmation_is_mailed_noted_audited_and_rate_limited(db: Session) -> None:
    conv_id, user = _two_contacts(db)
    conv = conversations.get_conversation(db, conv_id)
    sent = verification.do_send_confirmation(db, conv, user)
    assert len(sent.code) == 4 and sent.code.isdigit() and sent.user_id == user.id
    (mail,) = channels.list_for_conversation(db, conv_id)
    assert mail.to_address == "olga@example.com"
    assert f"Код подтверждения: {sent.code}" in mail.body and "Анна Смирнова" in mail.body
    note = conversations.list_messages(db, conv)[-1]
    assert note.author_kind == "system" and "o***@example.com" in note.text
    assert sent.code not in note.text
    with pytest.raises(Conflict) as limited:
        verification.do_send_confirmation(db, conv, user)
    assert limited.value.code == "verification_rate_limited"
    sent.created_at -= timedelta(seconds=61)
    db.flush()
    assert verification.do_send_confirmation(db, conv, user).id != sent.id


def test_no_registered_email_is_said_and_only_the_holder_sends(db: Session) -> None:
    conv_id, user = _two_contacts(db, email=None)
    conv = conversations.get_conversation(db, conv_id)
    with pytest.raises(Conflict) as missing:
        verification.do_send_confirmation(db, conv, user)
    assert missing.value.code == "no_registered_channel"
    other_id, _holder = _two_contacts(db)
    with pytest.raises(Forbidden):
        verification.do_send_confirmation(db, conversations.get_conversation(db, other_id), user)


def test_the_api_shows_the_facts_and_sends_a_mail_through_smtp(client: TestClient) -> None:
    identity = uuid.uuid4().hex
    client.post(
        "/api/v1/chat/conversations",
        json={
            "identity": identity,
            "email": "masha@example.com",
            "message": {"client_id": "first", "text": "Где мой заказ 55123?"},
        },
    )
    conv_id, _token = start(client, "Это правда вы пишете?", identity=identity)
    csrf = login(client, add_user(client))
    url = f"/api/v1/safety/conversations/{conv_id}/verification"
    assert_json_error(client.post(url, headers={"X-CSRF-Token": csrf}), 409, "not_assigned")
    client.post(f"/api/v1/conversations/{conv_id}/assign", headers={"X-CSRF-Token": csrf})
    facts = client.get(url).json()
    assert facts["previous_contact"]["subject"] == "Где мой заказ 55123?"
    assert facts["registered_address"] == "m***@example.com" and facts["last_sent"] is None
    assert_json_error(client.post(url), 403, "csrf")
    response = client.post(url, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 201, response.text
    code = response.json()["code"]
    assert client.get(url).json()["last_sent"]["code"] == code
    assert_json_error(client.post(url, headers={"X-CSRF-Token": csrf}), 409)
    assert_json_error(client.get("/api/v1/safety/conversations/999999/verification"), 404)
    factory = client.app.state.sessionmaker  # type: ignore[attr-defined]
    with local_smtp() as (inbox, port), factory() as db:
        assert channels.do_send_due(db, Smtp("127.0.0.1", port)) == (1, 0)
        db.commit()
    (mail,) = inbox.mails
    assert mail["To"] == "masha@example.com" and code in mail.get_content()
