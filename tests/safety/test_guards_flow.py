"""The guards where messages flow: customers' secrets never stored, operators' requests for
secrets held (warn) or refused (block), through the service, the REST API and the console
WebSocket."""

from __future__ import annotations

import json
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conversations.test_sockets import hello, message_from, until
from tests.helpers import (
    add_user,
    assert_json_error,
    capture_events,
    login,
    make_user,
    new_conversation,
    start,
)
from wowdesk.conversations import secrets_policy
from wowdesk.conversations import service as conversations
from wowdesk.errors import Conflict, Forbidden
from wowdesk.routing import service as routing

CARD = "4111 1111 1111 1111"
NOTICE_START = "Пожалуйста, никогда не отправляйте"


def _system_notices(db: Session, conv_id: int) -> list[str]:
    conv = conversations.get_conversation(db, conv_id)
    return [
        m.text
        for m in conversations.list_messages(db, conv)
        if m.author_kind == "system" and m.meta.get("kind") == "secret_notice"
    ]


def test_a_customers_secret_never_reaches_the_database_or_the_events(db: Session) -> None:
    bus = capture_events(db)
    conv = new_conversation(db, f"Спишите с карты {CARD}, cvv 123")
    conversations.do_customer_message(
        db, conv, client_id="c-2", text="код из смс 482913", limit=4000
    )
    db.commit()
    stored = conversations.list_messages(db, conv)
    for m in stored:
        for secret in (CARD, "cvv 123", "482913"):
            assert secret not in m.text and secret not in m.masked_text
    assert stored[0].text == "Спишите с карты [CARD], cvv [CVV]"
    assert CARD not in conv.subject
    assert CARD not in json.dumps([p for _c, p in bus.published], ensure_ascii=False)
    # told once for the card and CVV, once more for the SMS code
    assert len(_system_notices(db, conv.id)) == 2
    assert _system_notices(db, conv.id)[0].startswith(NOTICE_START)


def test_the_notice_is_not_repeated_for_a_resend_or_a_kind_already_told(db: Session) -> None:
    conv = new_conversation(db, "Здравствуйте")
    first, _ = conversations.do_customer_message(
        db, conv, client_id="c-1", text=f"карта {CARD}", limit=4000
    )
    again, created = conversations.do_customer_message(
        db, conv, client_id="c-1", text=f"карта {CARD}", limit=4000
    )
    assert not created and again.id == first.id
    conversations.do_customer_message(
        db, conv, client_id="c-2", text=f"ещё раз карта {CARD}", limit=4000
    )
    assert len(_system_notices(db, conv.id)) == 1
    events = secrets_policy.list_events(db, conversation_id=conv.id)
    assert {e.kind for e in events} == {secrets_policy.CUSTOMER_SECRETS} and len(events) == 2
    assert all(e.details == {"kinds": ["CARD"]} for e in events)


def _assigned(db: Session) -> tuple[int, object]:
    user = make_user(db)
    conv = new_conversation(db)
    routing.do_take(db, conv.id, user)
    return conv.id, user


def test_an_operator_request_for_a_secret_is_held_until_confirmed(db: Session) -> None:
    conv_id, user = _assigned(db)
    conv = conversations.get_conversation(db, conv_id)
    before = conv.last_seq
    with pytest.raises(Conflict) as held:
        conversations.do_operator_message(
            db, conv, user, client_id="o-1", text="Назовите код из СМС", limit=4000
        )  # type: ignore[arg-type]
    assert held.value.code == "secret_request_warning"
    assert conv.last_seq == before
    msg, created = conversations.do_operator_message(
        db,
        conv,
        user,  # type: ignore[arg-type]
        client_id="o-1",
        text="Назовите код из СМС",
        limit=4000,
        confirm_secret_request=True,
    )
    assert created and msg.meta == {"secret_request_confirmed": ["SMS_CODE"]}
    (audit,) = secrets_policy.list_events(db, conversation_id=conv_id)
    assert audit.kind == secrets_policy.OPERATOR_CONFIRMED and audit.user_id == user.id  # type: ignore[attr-defined]
    assert audit.message_id == msg.id
    # a resend of the same client_id is the stored message, with or without the confirmation
    again, created = conversations.do_operator_message(
        db, conv, user, client_id="o-1", text="Назовите код из СМС", limit=4000
    )  # type: ignore[arg-type]
    assert again.id == msg.id and not created


def test_block_refuses_even_a_confirmed_request(db: Session) -> None:
    conv_id, user = _assigned(db)
    conv = conversations.get_conversation(db, conv_id)
    with pytest.raises(Forbidden) as refused:
        conversations.do_operator_message(
            db,
            conv,
            user,  # type: ignore[arg-type]
            client_id="o-1",
            text="Продиктуйте CVV",
            limit=4000,
            secret_policy="block",
            confirm_secret_request=True,
        )
    assert refused.value.code == "secret_request_blocked"
    assert secrets_policy.list_events(db, conversation_id=conv_id) == []


def _operator(client: TestClient) -> tuple[int, str, str]:
    conv_id, token = start(client, "Мне звонят из банка")
    csrf = login(client, add_user(client))
    taken = client.post(f"/api/v1/conversations/{conv_id}/assign", headers={"X-CSRF-Token": csrf})
    assert taken.status_code == 200, taken.text
    return conv_id, token, csrf


def test_the_api_warns_then_sends_with_the_confirmation(client: TestClient) -> None:
    conv_id, token, csrf = _operator(client)
    url = f"/api/v1/conversations/{conv_id}/messages"
    body = {"client_id": "op-1", "text": "Сообщите, пожалуйста, пароль от кабинета"}
    error = assert_json_error(
        client.post(url, json=body, headers={"X-CSRF-Token": csrf}), 409, "secret_request_warning"
    )
    assert "пароли" in error["message"]
    sent = client.post(
        url, json={**body, "confirm_secret_request": True}, headers={"X-CSRF-Token": csrf}
    )
    assert sent.status_code == 200 and sent.json()["created"] is True
    seen = client.get(
        f"/api/v1/chat/conversations/{conv_id}/messages", headers={"X-Conversation-Token": token}
    ).json()
    assert seen[-1]["text"] == body["text"]
    bad = client.post(
        url, json={**body, "client_id": "op-2", "confirm_secret_request": "да"},
        headers={"X-CSRF-Token": csrf},
    )  # fmt: skip
    assert_json_error(bad, 422)


def test_the_api_refuses_with_the_block_policy(client: TestClient) -> None:
    client.app.state.settings.secret_request_policy = "block"  # type: ignore[attr-defined]
    conv_id, _token, csrf = _operator(client)
    response = client.post(
        f"/api/v1/conversations/{conv_id}/messages",
        json={"client_id": "op-1", "text": "Назовите код из СМС", "confirm_secret_request": True},
        headers={"X-CSRF-Token": csrf},
    )
    assert_json_error(response, 403, "secret_request_blocked")


def test_the_customer_sees_the_masked_message_and_the_notice(client: TestClient) -> None:
    conv_id, token = start(client)
    with client.websocket_connect("/ws/chat") as ws:
        hello(ws, conv_id, token)
        ws.send_json({"type": "send", "client_id": "c-2", "text": f"карта {CARD}"})
        mine = message_from(ws, "customer")
        while mine["client_id"] != "c-2":
            mine = message_from(ws, "customer")
        assert mine["text"] == "карта [CARD]"
        assert message_from(ws, "system")["text"].startswith(NOTICE_START)


def test_the_console_socket_holds_the_message_and_sends_it_when_confirmed(
    client: TestClient,
) -> None:
    conv_id, token, _csrf = _operator(client)
    with client.websocket_connect("/ws/console") as console:
        assert console.receive_json()["type"] == "ready"
        console.send_json({"type": "watch", "conversation_id": conv_id})
        until(console, "watching")
        frame = {
            "type": "send",
            "conversation_id": conv_id,
            "client_id": f"o-{uuid.uuid4().hex[:8]}",
            "text": "Назовите, пожалуйста, код из СМС",
        }
        console.send_json(frame)
        error = until(console, "error")
        assert error["code"] == "secret_request_warning"
        assert error["client_id"] == frame["client_id"]
        assert error["status"] == 409
        console.send_json({**frame, "confirm_secret_request": "yes"})  # only true confirms
        assert until(console, "error")["code"] == "secret_request_warning"
        console.send_json({**frame, "confirm_secret_request": True})
        ack = until(console, "ack")
        assert ack["client_id"] == frame["client_id"] and ack["created"] is True
    with client.websocket_connect("/ws/chat") as chat:
        hello(chat, conv_id, token)
        assert message_from(chat, "operator")["text"] == frame["text"]
