from __future__ import annotations

import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from tests.helpers import add_user, login, start
from wowdesk.conversations import service as conversations
from wowdesk.operators import presence
from wowdesk.operators.models import User
from wowdesk.routing import service as routing


def hello(ws: WebSocketTestSession, conv_id: int, token: str, after: int = 0) -> dict[str, Any]:
    ws.send_json({"type": "hello", "conversation_id": conv_id, "token": token, "after_seq": after})
    ready: dict[str, Any] = ws.receive_json()
    return ready


def until(ws: WebSocketTestSession, kind: str, limit: int = 20) -> dict[str, Any]:
    for _ in range(limit):
        frame: dict[str, Any] = ws.receive_json()
        if frame["type"] == kind:
            return frame
    raise AssertionError(f"no {kind} frame")


def message_from(ws: WebSocketTestSession, author_kind: str) -> dict[str, Any]:
    for _ in range(20):
        msg = until(ws, "message")["message"]
        if msg["author_kind"] == author_kind:
            return msg
    raise AssertionError(f"no message from {author_kind}")


def test_wrong_token_is_refused(client: TestClient) -> None:
    conv_id, _token = start(client)
    with client.websocket_connect("/ws/chat") as ws:
        error = hello(ws, conv_id, "not-the-token")
        assert error["type"] == "error" and error["status"] == 404
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == 4401


def test_send_is_acked_after_commit_and_resend_is_stored_once(client: TestClient) -> None:
    conv_id, token = start(client)
    with client.websocket_connect("/ws/chat") as ws:
        ready = hello(ws, conv_id, token)
        assert ready["type"] == "ready" and ready["conversation"]["status"] == "queued"
        assert until(ws, "message")["message"]["seq"] == 1
        ws.send_json({"type": "send", "client_id": "c-2", "text": "Второе сообщение"})
        ack = until(ws, "ack")
        assert ack["seq"] == 2 and ack["created"] is True
        ws.send_json({"type": "send", "client_id": "c-2", "text": "Второе сообщение"})
        again = until(ws, "ack")
        assert again["seq"] == 2 and again["created"] is False
        ws.send_json({"type": "send", "client_id": "c-3", "text": ""})
        error = until(ws, "error")
        assert error["code"] == "empty_message" and error["client_id"] == "c-3"
        ws.send_text("это не JSON")
        assert until(ws, "error")["code"] == "bad_frame"
    stored = client.get(
        f"/api/v1/chat/conversations/{conv_id}/messages", headers={"X-Conversation-Token": token}
    ).json()
    assert [m["client_id"] for m in stored][1:] == ["c-2"]


def test_reconnect_receives_exactly_what_was_missed_in_order(client: TestClient) -> None:
    conv_id, token = start(client)
    csrf = login(client, add_user(client))
    client.post(f"/api/v1/conversations/{conv_id}/assign", headers={"X-CSRF-Token": csrf})
    with client.websocket_connect("/ws/chat") as ws:
        hello(ws, conv_id, token)
        seen = [until(ws, "message")["message"]["seq"] for _ in range(2)]
    assert seen == [1, 2]
    for i in range(3):  # the operator writes while the customer is away
        client.post(
            f"/api/v1/conversations/{conv_id}/messages",
            json={"client_id": f"op-{i}", "text": f"Ответ {i}"},
            headers={"X-CSRF-Token": csrf},
        )
    with client.websocket_connect("/ws/chat") as ws:
        hello(ws, conv_id, token, after=seen[-1])
        missed = [until(ws, "message")["message"] for _ in range(3)]
    assert [m["seq"] for m in missed] == [3, 4, 5]
    assert [m["text"] for m in missed] == ["Ответ 0", "Ответ 1", "Ответ 2"]


def test_live_chat_between_customer_and_operator(client: TestClient) -> None:
    csrf = login(client, add_user(client))
    with client.websocket_connect("/ws/console") as console:
        assert console.receive_json()["type"] == "ready"
        conv_id, token = start(client, "Не пришёл заказ")
        created = until(console, "conversation")
        assert created["op"] == "created" and created["conversation"]["status"] == "queued"
        client.post(f"/api/v1/conversations/{conv_id}/assign", headers={"X-CSRF-Token": csrf})
        console.send_json({"type": "watch", "conversation_id": conv_id})
        assert until(console, "watching")["conversation_id"] == conv_id
        with client.websocket_connect("/ws/chat") as chat:
            hello(chat, conv_id, token, after=2)
            chat.send_json({"type": "send", "client_id": "c-9", "text": "Жду ответа"})
            live = until(console, "message")["message"]
            assert live["client_id"] == "c-9" and live["author_kind"] == "customer"
            chat.send_json({"type": "typing"})
            assert until(console, "typing")["op"] == "customer"
            console.send_json(
                {
                    "type": "send",
                    "conversation_id": conv_id,
                    "client_id": "o-1",
                    "text": "Уже проверяю",
                }
            )
            assert until(console, "ack")["client_id"] == "o-1"
            reply = message_from(chat, "operator")
            assert reply["text"] == "Уже проверяю" and reply["author_name"]
            console.send_json({"type": "seen", "conversation_id": conv_id, "seq": live["seq"]})
            delivered = until(chat, "delivered")
            assert delivered["op"] == "operator" and delivered["seq"] == live["seq"]
            client.post(f"/api/v1/conversations/{conv_id}/close", headers={"X-CSRF-Token": csrf})
            closed = until(chat, "conversation")
            while closed["conversation"]["status"] != "wrapup":
                closed = until(chat, "conversation")
            assert "operator_id" not in closed["conversation"]


def test_console_needs_login_and_same_origin(client: TestClient) -> None:
    with pytest.raises(WebSocketDisconnect) as refused, client.websocket_connect("/ws/console"):
        pass
    assert refused.value.code == 4401
    login(client, add_user(client))
    with (
        pytest.raises(WebSocketDisconnect),
        client.websocket_connect("/ws/console", headers={"origin": "https://evil.example"}),
    ):
        pass
    with client.websocket_connect("/ws/console", headers={"origin": "http://testserver"}) as ws:
        assert ws.receive_json()["type"] == "ready"
        ws.send_json({"type": "watch", "conversation_id": 424242})
        assert until(ws, "error")["status"] == 404


def test_a_reload_whose_old_console_closes_while_the_new_one_connects_is_no_leave(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The old socket of a reload closed after the new one wrote its connect but before it
    was counted: the leave was noted after the connect, and routing offered the reloaded
    console nothing until its next ping, 20 s later."""
    anna = add_user(client)
    login(client, anna)
    factory = client.app.state.sessionmaker  # type: ignore[attr-defined]
    consoles = client.app.state.open_consoles  # type: ignore[attr-defined]
    connect = presence.do_note_connected
    sockets: list[WebSocketTestSession] = []

    def connect_while_the_old_one_closes(db: Session, user_id: int) -> None:
        connect(db, user_id)
        if len(sockets) == 1:  # the reload's new socket: the old one closes now
            sockets[0].close()
            deadline = time.monotonic() + 5
            while consoles.get(user_id, 0) > 1 and time.monotonic() < deadline:
                time.sleep(0.01)  # the old socket has counted itself out

    monkeypatch.setattr(presence, "do_note_connected", connect_while_the_old_one_closes)
    with client.websocket_connect("/ws/console") as old:
        assert old.receive_json()["type"] == "ready"
        sockets.append(old)
        with client.websocket_connect("/ws/console") as new:
            assert new.receive_json()["type"] == "ready"
            # the old socket's leave, if any, is written by now; no ping: it would clear it
            time.sleep(0.5)
            with factory() as db:
                user = db.scalars(select(User).where(User.username == anna)).one()
                assert presence.get_state(db, user.id).console_left_at is None


def test_an_operator_whose_console_closed_is_offered_nothing_new(client: TestClient) -> None:
    """Routing gave new chats to a closed browser for the whole grace period; a reload
    (the new socket opens before the old one closes) must not count as leaving."""
    anna = add_user(client)
    login(client, anna)
    factory = client.app.state.sessionmaker  # type: ignore[attr-defined]

    def left() -> bool:
        with factory() as db:
            user = db.scalars(select(User).where(User.username == anna)).one()
            return presence.get_state(db, user.id).console_left_at is not None

    with client.websocket_connect("/ws/console") as old:
        assert old.receive_json()["type"] == "ready"
        with client.websocket_connect("/ws/console") as new:
            assert new.receive_json()["type"] == "ready"
            old.close()
            new.send_json({"type": "ping"})
            assert until(new, "pong")
            assert not left()
    deadline = time.monotonic() + 5
    while not left() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert left()
    conv_id, _token = start(client, "Где мой заказ?")
    with factory() as db:
        routing.do_sync(db)
        assert routing.do_dispatch(db) == []
        db.commit()
    with client.websocket_connect("/ws/console") as back:
        assert back.receive_json()["type"] == "ready"
        assert not left()
        with factory() as db:
            routing.do_sync(db)
            routing.do_dispatch(db)
            db.commit()
            conv = conversations.get_conversation(db, conv_id)
            assert conv.operator_id is not None
            assert db.get(User, conv.operator_id).username == anna  # type: ignore[union-attr]
