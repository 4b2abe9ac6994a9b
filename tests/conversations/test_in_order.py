"""Live messages reach each socket in seq order with no gap (issue 16, item 13): a message
announced before an earlier one (the worker's bot answer committed first, announced late)
brings the earlier one along, and the late announcement is not delivered twice."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conversations.test_sockets import hello, until
from tests.helpers import start
from wowdesk import events
from wowdesk.conversations import service


class HeldBus(events.LocalBus):
    """Keeps what a service publishes instead of delivering it: the slow announcement."""

    def __init__(self) -> None:
        super().__init__()
        self.held: list[tuple[tuple[str, ...], events.Event]] = []

    def publish(self, channels: Iterable[str], event: events.Event) -> None:
        self.held.append((tuple(channels), event))


def _seqs(ws: Any, n: int) -> list[int]:
    return [until(ws, "message")["message"]["seq"] for _ in range(n)]


def test_a_late_announcement_neither_reorders_nor_repeats(client: TestClient) -> None:
    conv_id, token = start(client)
    factory = client.app.state.sessionmaker  # type: ignore[attr-defined]
    with client.websocket_connect("/ws/chat") as ws:
        assert hello(ws, conv_id, token)["type"] == "ready"
        assert _seqs(ws, 1) == [1]
        held = HeldBus()
        db: Session = factory()
        events.attach_bus(db.info, held)
        conv = service.get_conversation(db, conv_id)
        service.do_customer_message(db, conv, client_id="late-2", text="второе", limit=4000)
        db.commit()
        db.close()
        assert held.held, "the message's event was held back"
        sent = client.post(
            f"/api/v1/chat/conversations/{conv_id}/messages",
            json={"client_id": "c-3", "text": "третье"},
            headers={"X-Conversation-Token": token},
        )
        assert sent.status_code in (200, 201), sent.text
        assert _seqs(ws, 2) == [2, 3]
        # the late announcement of seq 2 arrives now: not sent again
        for channels, event in held.held:
            client.app.state.bus.publish(channels, event)  # type: ignore[attr-defined]
        ws.send_json({"type": "ping"})
        frame = ws.receive_json()
        while frame["type"] not in ("pong", "message"):
            frame = ws.receive_json()
        assert frame["type"] == "pong", frame
