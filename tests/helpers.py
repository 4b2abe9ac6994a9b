"""Factories and assertions shared by the tests of every domain."""

from __future__ import annotations

import re
import socket
import uuid
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from wowdesk import events
from wowdesk.conversations import service as conversations
from wowdesk.conversations.models import Conversation
from wowdesk.customers.signing import sign_identity
from wowdesk.operators import service as operators
from wowdesk.operators.models import User

PASSWORD = "correct-horse-1"


def make_user(
    db: Session, role: str = "operator", username: str | None = None, name: str = ""
) -> User:
    username = username or f"{role}-{uuid.uuid4().hex[:8]}"
    return operators.do_create_user(
        db, username=username, display_name=name or username.title(), role=role, password=PASSWORD
    )


def add_user(client: TestClient, role: str = "operator", username: str | None = None) -> str:
    """Creates a user in the app's own database (committed) and returns the login."""
    factory = client.app.state.sessionmaker  # type: ignore[attr-defined]
    with factory() as db:
        user = make_user(db, role, username)
        db.commit()
        return user.username


def form_csrf(html: str) -> str:
    """The CSRF token of the first form on a page."""
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert token, "the page has no form with a CSRF field"
    return token.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD, online: bool = True) -> str:
    """Logs in through the real form (with its CSRF cookie) and returns the session's CSRF
    token; an operator then goes on the line unless `online=False`."""
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": form_csrf(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    me = client.get("/api/v1/me")
    assert me.status_code == 200, me.text
    csrf: str = me.json()["csrf_token"]
    if online and me.json()["role"] == "operator":  # operators start offline after login
        went = client.put(
            "/api/v1/me/status", json={"status": "online"}, headers={"X-CSRF-Token": csrf}
        )
        assert went.status_code == 200, went.text
    return csrf


WEB_IDENTITY_KEY = "test-web-identity-key"  # the test settings' key for the web channel


def start(
    client: TestClient,
    text: str = "Здравствуйте, где мой заказ?",
    identity: str | None = None,
    *,
    signed: bool = False,
) -> tuple[int, str]:
    """A customer opens a conversation; `signed`: the identity comes signed by the site
    (the test settings' web key), so it is the verified customer who owns it."""
    identity = identity or uuid.uuid4().hex
    body: dict[str, Any] = {
        "identity": identity,
        "name": "Мария",
        "message": {"client_id": uuid.uuid4().hex, "text": text},
    }
    if signed:
        body["identity_signature"] = sign_identity(WEB_IDENTITY_KEY, identity)
    response = client.post("/api/v1/chat/conversations", json=body)
    assert response.status_code == 201, response.text
    body = response.json()
    return body["conversation"]["id"], body["token"]


def assert_json_error(
    response: httpx.Response, status: int, code: str | None = None
) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.text)
    error: dict[str, Any] = response.json()["error"]
    assert error["message"], "an error must say what is wrong"
    if code is not None:
        assert error["code"] == code, error
    return error


class RecordingBus(events.LocalBus):
    """Stands in for the bus to see what a service published, and when."""

    def __init__(self) -> None:
        super().__init__()
        self.published: list[tuple[tuple[str, ...], dict[str, Any]]] = []

    def publish(self, channels: Any, event: events.Event) -> None:
        self.published.append((tuple(channels), event.wire()))

    def types(self) -> list[str]:
        return [p["type"] for _c, p in self.published]


def capture_events(db: Session) -> RecordingBus:
    bus = RecordingBus()
    events.attach_bus(db.info, bus)
    return bus


def free_port() -> int:
    """A loopback port nobody listens on now (for servers the tests start)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def new_conversation(db: Session, text: str = "Где мой заказ?", **kwargs: Any) -> Conversation:
    """A customer's new web conversation (queued for people unless `first_line=True`)."""
    conv, _token, _msg = conversations.do_start(
        db,
        identity=kwargs.pop("identity", None) or uuid.uuid4().hex,
        channel="web",
        client_id=uuid.uuid4().hex,
        text=text,
        limit=4000,
        secret="test-secret",
        **kwargs,
    )
    return conv
