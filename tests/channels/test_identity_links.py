"""One customer across channels: a caller and a mail sender whose contacts match a chat
customer are only proposed; a phone number Telegram verified links at once; the operator
decides proposals; the 360 panel shows every channel and conversation of the person."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.channels.test_calls import call
from tests.channels.test_telegram import CHAT, _client, post, until
from tests.helpers import add_user, login, make_user, new_conversation
from tests.telegram_fake import FakeTelegram, fake_telegram
from wowdesk.channels import calls
from wowdesk.channels.schemas import CallIn
from wowdesk.config import Settings
from wowdesk.customers import links
from wowdesk.customers import service as customers


def test_contacts_propose_proof_links(db: Session) -> None:
    make_user(db, username="anna")
    chat = new_conversation(db, "Где заказ?", phone="+79161234567")
    phoned = calls.do_import_call(db, CallIn.model_validate(call())).conversation
    assert phoned.customer_id != chat.customer_id
    [proposal] = links.proposals_for(db, chat.customer_id)
    assert proposal.reason == "same_phone" and proposal.status == "proposed"
    assert links.group_of(db, chat.customer_id) == [chat.customer_id]  # not proof yet

    telegram_user = customers.do_identify(db, channel="telegram", external_id="555")
    links.do_link_verified_phone(db, telegram_user.id, "+79161234567")
    # the caller id and Telegram's verification agree: one person; the number typed into
    # the chat proves nothing, so that record stays a proposal
    assert links.group_of(db, telegram_user.id) == sorted([telegram_user.id, phoned.customer_id])
    assert {p.reason for p in links.proposals_for(db, chat.customer_id)} == {"same_phone"}
    assert len(links.proposals_for(db, chat.customer_id)) == 2


def test_the_operator_decides_and_the_panel_shows_all_channels(client: TestClient) -> None:
    add_user(client, "operator", "anna")
    factory = client.app.state.sessionmaker  # type: ignore[attr-defined]
    with factory() as db:
        chat = new_conversation(db, "Где заказ?", phone="+79161234567")
        phoned = calls.do_import_call(db, CallIn.model_validate(call())).conversation
        db.commit()
        chat_customer, chat_id, call_customer = chat.customer_id, chat.id, phoned.customer_id
    headers = {"X-CSRF-Token": login(client, "anna")}
    url = f"/api/v1/customers/{chat_customer}/profile?conversation_id={chat_id}"
    before = client.get(url, headers=headers).json()
    [proposal] = before["proposals"]
    assert proposal["other_id"] == call_customer and proposal["reason_label"]
    assert {i["channel"] for i in before["identities"]} == {"web"}
    decided = client.post(
        f"/api/v1/customers/links/{proposal['id']}/decide", json={"confirm": True}, headers=headers
    )
    assert decided.status_code == 200 and decided.json()["status"] == "confirmed"
    again = client.post(
        f"/api/v1/customers/links/{proposal['id']}/decide", json={"confirm": False}, headers=headers
    )
    assert again.status_code == 409
    after = client.get(url, headers=headers).json()
    assert {i["channel"] for i in after["identities"]} == {"web", "phone"}
    assert [c["channel"] for c in after["conversations"]] == ["phone"]
    assert after["proposals"] == [] and after["linked_ids"] == [call_customer]


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with fake_telegram() as server:
        yield server


def test_a_contact_shared_in_telegram_links_the_caller(
    settings: Settings, factory: sessionmaker[Session], fake: FakeTelegram
) -> None:
    with factory() as db:
        make_user(db, username="anna")
        caller = calls.do_import_call(db, CallIn.model_validate(call())).conversation.customer_id
        db.commit()
    clients = _client(settings, factory, fake, "webhook")
    client = next(clients)
    try:
        until(lambda: fake.webhook_url)
        post(client, fake.text(CHAT, "Здравствуйте"))
        contact: dict[str, Any] = fake.text(CHAT, "")
        message = contact["message"]
        del message["text"]
        message["contact"] = {
            "phone_number": "+79161234567",
            "first_name": "Мария",
            "user_id": CHAT,
        }
        assert post(client, contact).status_code == 200
        with factory() as db:
            assert caller in links.group_of(db, caller)
            assert len(links.group_of(db, caller)) == 2
    finally:
        clients.close()
