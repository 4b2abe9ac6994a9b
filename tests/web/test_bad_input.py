"""Bad input and faults never make a 5xx crash (issue 16, items 4-7): integers past 2^63,
NUL characters, oversized bodies, and a database that does not answer."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from tests.helpers import add_user, assert_json_error, login, start
from wowdesk.app import create_app
from wowdesk.config import Settings
from wowdesk.db import make_engine, make_sessionmaker

HUGE = str(2**64)


def _open(client: TestClient, **fields: object) -> httpx.Response:
    body = {"identity": uuid.uuid4().hex, "message": {"client_id": "c-1", "text": "Привет"}}
    body.update(fields)
    return client.post("/api/v1/chat/conversations", json=body)


def test_integers_past_the_database_range_are_404_or_422(client: TestClient) -> None:
    conv_id, token = start(client)
    auth = {"X-Conversation-Token": token}
    assert_json_error(client.get(f"/api/v1/chat/conversations/{HUGE}", headers=auth), 404)
    assert_json_error(
        client.get(f"/api/v1/chat/conversations/{conv_id}/messages?after_seq={HUGE}", headers=auth),
        422,
        "out_of_range",
    )
    csrf = login(client, add_user(client, "supervisor"))
    assert_json_error(client.get(f"/api/v1/conversations/{HUGE}"), 404)
    # «³» is a digit to str.isdigit() and no number to int(): a 422, not a crash
    assert client.get("/api/v1/conversations/%C2%B3").status_code == 422
    assert_json_error(client.get(f"/api/v1/customers/{HUGE}/profile"), 404)
    wrapup = client.post(
        f"/api/v1/conversations/{conv_id}/wrapup",
        json={"topic_id": int(HUGE)},
        headers={"X-CSRF-Token": csrf},
    )
    assert wrapup.status_code in (404, 409, 422), wrapup.text
    # the keep-alive connection still serves the next request
    assert client.get(f"/api/v1/chat/conversations/{conv_id}", headers=auth).status_code == 200
    with client.websocket_connect("/ws/chat") as ws:
        ws.send_json({"type": "hello", "conversation_id": conv_id, "token": token,
                      "after_seq": int(HUGE)})  # fmt: skip
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == 4401


def test_nul_characters_are_refused_everywhere(client: TestClient) -> None:
    assert_json_error(_open(client, name="Пётр\u0000"), 422, "nul_character")
    assert_json_error(_open(client, identity="id\u0000x"), 422, "nul_character")
    conv_id, token = start(client)
    sent = client.post(
        f"/api/v1/chat/conversations/{conv_id}/messages",
        json={"client_id": "c-2", "text": "a\u0000b"},
        headers={"X-Conversation-Token": token},
    )
    assert_json_error(sent, 422, "nul_character")
    assert_json_error(client.get("/api/v1/customers?q=a%00b"), 422, "nul_character")
    assert_json_error(client.post("/login", data={"login": "a\u0000", "password": "x"}), 422)
    # a name with no NUL goes through on the same connection
    assert _open(client, name="Пётр").status_code == 201


def test_half_a_surrogate_pair_is_refused_and_a_whole_pair_is_a_character(
    client: TestClient,
) -> None:
    csrf = login(client, add_user(client, "operator"))
    lone = b'{"scope_kind": "global", "reason": "Y\\ud882C%"}'
    refused = client.post(
        "/api/v1/safety/requests",
        content=lone,
        headers={"Content-Type": "application/json", "X-CSRF-Token": csrf},
    )
    assert_json_error(refused, 422, "invalid_utf8")
    # the same half pair as a message of a customer's chat is refused the same way
    conv_id, token = start(client)
    sent = client.post(
        f"/api/v1/chat/conversations/{conv_id}/messages",
        content=b'{"client_id": "c-9", "text": "\\udc15 hi"}',
        headers={"X-Conversation-Token": token, "Content-Type": "application/json"},
    )
    assert_json_error(sent, 422, "invalid_utf8")
    # an emoji written as its two escapes is one character and is taken
    emoji = b'{"scope_kind": "global", "reason": "\\ud83d\\ude00 bot invents"}'
    taken = client.post(
        "/api/v1/safety/requests",
        content=emoji,
        headers={"Content-Type": "application/json", "X-CSRF-Token": csrf},
    )
    assert taken.status_code == 201, taken.text
    assert taken.json()["reason"] == "\U0001f600 bot invents"


@pytest.fixture
def small(tmp_path: Path, database_url: str) -> Iterator[TestClient]:
    settings = Settings(
        var_dir=tmp_path,
        database_url=database_url,
        secret_key="test-secret",
        bot_enabled=False,
        routing_enabled=False,
        max_request_bytes=20_000,
    )
    with TestClient(create_app(settings)) as client:
        yield client


def test_bodies_over_the_limit_are_413_even_without_a_length(small: TestClient) -> None:
    text = "я" * 30_000
    assert_json_error(_open(small, name=text[:100], message={"client_id": "a", "text": text}), 413,
                      "request_too_large")  # fmt: skip

    def chunks() -> Iterator[bytes]:
        yield b'{"identity": "x", "message": {"client_id": "a", "text": "'
        for _ in range(50):
            yield b"a" * 1000
        yield b'"}}'

    chunked = small.post(
        "/api/v1/chat/conversations",
        content=chunks(),
        headers={"Content-Type": "application/json"},
    )
    assert_json_error(chunked, 413, "request_too_large")
    assert _open(small).status_code == 201


@pytest.fixture
def no_database(tmp_path: Path) -> Iterator[TestClient]:
    """The app up, its database not answering (nothing listens on the port)."""
    with socket_free() as port:
        url = f"postgresql+psycopg://wowdesk:x@127.0.0.1:{port}/wowdesk?connect_timeout=2"
    settings = Settings(
        var_dir=tmp_path,
        database_url=url,
        secret_key="test-secret",
        bot_enabled=False,
        routing_enabled=False,
    )
    app = create_app(settings, make_sessionmaker(make_engine(url)))
    with TestClient(app) as client:
        yield client


def socket_free():  # type: ignore[no-untyped-def]
    import contextlib
    import socket

    @contextlib.contextmanager
    def free() -> Iterator[int]:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        yield port

    return free()


def test_a_database_that_is_down_is_a_503_and_sockets_are_told_to_reconnect(
    no_database: TestClient,
) -> None:
    response = _open(no_database)
    error = assert_json_error(response, 503, "database_unavailable")
    assert response.headers["Retry-After"] == "5" and error["message"]
    assert_json_error(
        no_database.get("/api/v1/chat/conversations/1", headers={"X-Conversation-Token": "t"}),
        503,
    )
    with no_database.websocket_connect("/ws/chat") as ws:
        ws.send_json({"type": "hello", "conversation_id": 1, "token": "t", "after_seq": 0})
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == 1013
