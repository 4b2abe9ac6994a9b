"""Internal notes with @mentions answered in their thread, and follow-up reminders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.helpers import (
    add_user,
    assert_json_error,
    capture_events,
    login,
    make_user,
    new_conversation,
    start,
)
from wowdesk import events
from wowdesk.conversations import notes
from wowdesk.errors import Forbidden, Invalid


def test_a_mention_reaches_the_colleague_live_and_the_answer_reaches_the_asker(db: Session) -> None:
    anna = make_user(db, username="anna-n", name="Анна")
    boris = make_user(db, username="boris-n", name="Борис")
    conv = new_conversation(db)
    bus = capture_events(db)
    asked = notes.do_add_note(db, anna, conv, "@boris-n как оформить возврат по другой программе?")
    db.commit()
    assert asked.mentions == [boris.id]
    channels, payload = bus.published[-1]
    assert channels == (events.operator_channel(boris.id),) and payload["type"] == "note"
    [(note, where)] = notes.open_mentions(db, boris)
    assert note.id == asked.id and where.id == conv.id
    assert notes.open_mentions(db, anna) == []
    notes.do_add_note(db, boris, conv, "Через форму «Возврат», срок 5 дней")
    db.commit()
    channels, payload = bus.published[-1]
    assert channels == (events.operator_channel(anna.id),)  # the asker hears the answer
    assert notes.open_mentions(db, boris) == []  # answered in the thread
    assert [n.text[:6] for n in notes.list_notes(db, conv)] == ["@boris", "Через "]
    with pytest.raises(Invalid, match="login"):
        notes.do_add_note(db, anna, conv, "@nobody-here помоги")
    with pytest.raises(Invalid):
        notes.do_add_note(db, anna, conv, "   ")


def test_follow_ups_are_the_owners_and_come_back_when_due(db: Session) -> None:
    anna, boris = make_user(db), make_user(db)
    conv = new_conversation(db)
    now = datetime.now(UTC)
    later = notes.do_add_follow_up(
        db, anna, conv, now + timedelta(days=1), "узнать, чем закончилась история"
    )
    soon = notes.do_add_follow_up(db, anna, conv, now + timedelta(seconds=5), "")
    assert [f.id for f in notes.list_follow_ups(db, anna)] == [soon.id, later.id]
    assert notes.list_follow_ups(db, boris) == []
    with pytest.raises(Forbidden):
        notes.do_finish_follow_up(db, boris, soon.id)
    notes.do_finish_follow_up(db, anna, soon.id)
    assert [f.id for f in notes.list_follow_ups(db, anna)] == [later.id]
    with pytest.raises(Invalid):
        notes.do_add_follow_up(db, anna, conv, now - timedelta(days=1), "")
    with pytest.raises(Invalid):
        notes.do_add_follow_up(db, anna, conv, now.replace(tzinfo=None), "")


def test_notes_and_follow_ups_api(client: TestClient) -> None:
    conv_id, _token = start(client)
    colleague = add_user(client, username="colleague-n")
    csrf = login(client, add_user(client))
    h = {"X-CSRF-Token": csrf}
    assert any(c["username"] == colleague for c in client.get("/api/v1/colleagues").json())
    made = client.post(
        f"/api/v1/conversations/{conv_id}/notes", json={"text": f"@{colleague} подскажи"}, headers=h
    )
    assert made.status_code == 201 and made.json()["mention_names"] == ["Colleague-N"]
    assert_json_error(
        client.post(
            f"/api/v1/conversations/{conv_id}/notes", json={"text": "@ghost-x ?"}, headers=h
        ),
        422,
        "unknown_mention",
    )
    assert_json_error(
        client.post("/api/v1/conversations/999999/notes", json={"text": "x"}, headers=h), 404
    )
    assert [n["text"] for n in client.get(f"/api/v1/conversations/{conv_id}/notes").json()] == [
        f"@{colleague} подскажи"
    ]
    due = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    f = client.post(
        f"/api/v1/conversations/{conv_id}/follow-ups",
        json={"due_at": due, "note": "перезвонить"},
        headers=h,
    )
    assert f.status_code == 201
    assert [x["note"] for x in client.get("/api/v1/me/follow-ups").json()] == ["перезвонить"]
    assert client.post(f"/api/v1/follow-ups/{f.json()['id']}/done", headers=h).json()["done_at"]
    assert client.get("/api/v1/me/follow-ups").json() == []
    login(client, colleague)
    [mention] = client.get("/api/v1/me/mentions").json()
    assert mention["note"]["conversation_id"] == conv_id and mention["customer_name"] == "Мария"
