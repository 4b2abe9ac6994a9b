"""An operator starts a conversation through a channel the customer has: Telegram (through
the fake Bot API, the real client) or e-mail (threaded, the customer's reply joins it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.channels.test_telegram import CHAT, _client, post, staff, telegram_conversations, until
from tests.helpers import assert_json_error, make_user, new_conversation
from tests.telegram_fake import FakeTelegram, fake_telegram
from wowdesk.channels import mail_answers, outbound
from wowdesk.config import Settings
from wowdesk.conversations.models import OutgoingMail, Status


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with fake_telegram() as server:
        yield server


def test_first_message_by_telegram_and_the_answer_joins(
    settings: Settings, factory: sessionmaker[Session], fake: FakeTelegram
) -> None:
    clients = _client(settings, factory, fake, "webhook")
    client = next(clients)
    try:
        until(lambda: fake.webhook_url)
        post(client, fake.text(CHAT, "Здравствуйте"))
        headers = staff(client)
        [first] = telegram_conversations(client, headers)
        client.post(f"/api/v1/conversations/{first['id']}/assign", headers=headers)
        client.post(f"/api/v1/conversations/{first['id']}/close", headers=headers)
        customer = first["customer_id"]
        assert client.get(f"/api/v1/customers/{customer}/reachable").json() == {
            "channels": ["telegram"]
        }
        body = {"customer_id": customer, "channel": "telegram", "client_id": "o1",
                "text": "Мария, ваш возврат одобрен."}  # fmt: skip
        started = client.post("/api/v1/outbound", json=body, headers=headers)
        assert started.status_code == 201, started.text
        conv_id = started.json()["conversation_id"]
        until(lambda: any(s.text == "Мария, ваш возврат одобрен." for s in fake.sent_to(CHAT)))
        post(client, fake.text(CHAT, "Спасибо!"))
        messages = client.get(f"/api/v1/conversations/{conv_id}/messages", headers=headers).json()
        assert [m["author_kind"] for m in messages][-2:] == ["operator", "customer"]
        email = {**body, "channel": "email", "client_id": "o2"}
        assert_json_error(
            client.post("/api/v1/outbound", json=email, headers=headers),
            409,
            "no_registered_channel",
        )
    finally:
        clients.close()


def test_first_message_by_email_goes_to_the_outbox(db: Session) -> None:
    conv = new_conversation(db, "Вопрос", email="olga@example.com")
    anna = make_user(db)
    started = outbound.do_start(
        db, anna, customer_id=conv.customer_id, channel="email", text="Ольга, ответ готов.",
        client_id="o1", limit=4000,
    )  # fmt: skip
    assert started.status == Status.assigned and started.operator_id == anna.id
    assert started.queued_at is None  # never offered: no wait, no service level
    assert mail_answers.do_collect_answers(db, secret="s", domain="shop.example") == 1
    mail = db.scalars(select(OutgoingMail)).one()
    assert mail.to_address == "olga@example.com" and mail.message_id.startswith("<wd.")
