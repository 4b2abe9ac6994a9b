"""Broadcasts: who gets them, acknowledgements, who has and has not, and the live events."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conversations.test_sockets import until
from tests.helpers import add_user, assert_json_error, capture_events, login, make_user
from wowdesk import events
from wowdesk.errors import Forbidden, Invalid, NotFound
from wowdesk.operators import broadcasts
from wowdesk.operators import service as operators
from wowdesk.operators.models import User


def _staff(db: Session) -> tuple[User, User, User, User, int]:
    """A supervisor, two operators of one team, one operator of another team."""
    red = operators.do_create_team(db, "Красная смена")
    blue = operators.do_create_team(db, "Синяя смена")
    boss = make_user(db, "supervisor", name="Начальник Смены")
    anna = make_user(db, name="Анна Смирнова")
    olga = make_user(db, name="Ольга Котова")
    ivan = make_user(db, name="Иван Петров")
    operators.do_update_user(db, anna, team_id=red.id)
    operators.do_update_user(db, olga, team_id=red.id)
    operators.do_update_user(db, ivan, team_id=blue.id)
    return boss, anna, olga, ivan, red.id


def test_everyone_but_the_author_gets_a_broadcast_to_all(db: Session) -> None:
    boss, anna, olga, ivan, _red = _staff(db)
    admin = make_user(db, "admin")
    other_boss = make_user(db, "supervisor")
    bus = capture_events(db)
    sent = broadcasts.do_broadcast(db, author_id=boss.id, text="  Сбой оплаты картами  ")
    db.commit()
    assert sent.text == "Сбой оплаты картами" and sent.level == "warning"
    acks = broadcasts.acknowledgements(db, sent.id)
    waiting = {a.user_id for a in acks.not_acknowledged}
    assert {anna.id, olga.id, ivan.id, other_boss.id} <= waiting
    assert boss.id not in waiting and admin.id not in waiting
    assert acks.acknowledged == []
    channels, payload = bus.published[-1]
    assert payload["type"] == "broadcast" and payload["op"] == "created"
    assert events.operator_channel(anna.id) in channels
    assert events.operator_channel(boss.id) not in channels
    assert events.ROUTING_CHANNEL in channels
    assert payload["broadcast"]["recipients"] == len(waiting)


def test_a_team_broadcast_reaches_only_the_team_and_later_joiners_do_not_count(
    db: Session,
) -> None:
    boss, anna, _olga, ivan, red = _staff(db)
    sent = broadcasts.do_broadcast(
        db,
        author_id=boss.id,
        text="Красная смена: не обещайте возврат до 18:00",
        team_id=red,
        level="critical",
    )
    assert [b.id for b in broadcasts.pending_for(db, anna)] == [sent.id]
    assert broadcasts.pending_for(db, ivan) == []
    operators.do_update_user(db, ivan, team_id=red)
    acks = broadcasts.acknowledgements(db, sent.id)
    assert [a.name for a in acks.not_acknowledged] == ["Анна Смирнова", "Ольга Котова"]
    assert broadcasts.pending_for(db, ivan) == []
    assert broadcasts.broadcast_out(db, [sent])[0].team_name == "Красная смена"


def test_acknowledging_is_idempotent_and_splits_who_has_from_who_has_not(db: Session) -> None:
    boss, anna, olga, _ivan, red = _staff(db)
    sent = broadcasts.do_broadcast(db, author_id=boss.id, text="Проверьте ссылки", team_id=red)
    db.commit()
    bus = capture_events(db)
    first = broadcasts.do_acknowledge(db, anna, sent.id)
    at = first.acknowledged_at
    again = broadcasts.do_acknowledge(db, anna, sent.id)
    assert at is not None and again.acknowledged_at == at
    db.commit()
    assert [p["op"] for _c, p in bus.published] == ["acknowledged"]  # the repeat publishes nothing
    assert bus.published[0][1]["acknowledged"] == 1 and bus.published[0][1]["recipients"] == 2
    acks = broadcasts.acknowledgements(db, sent.id)
    assert [(a.name, a.acknowledged_at) for a in acks.acknowledged] == [("Анна Смирнова", at)]
    assert [a.user_id for a in acks.not_acknowledged] == [olga.id]
    assert broadcasts.pending_for(db, anna) == []
    assert broadcasts.counts(db, {sent.id}) == {sent.id: (1, 2)}


def test_only_recipients_acknowledge_and_bad_broadcasts_are_refused(db: Session) -> None:
    boss, _anna, olga, ivan, red = _staff(db)
    sent = broadcasts.do_broadcast(db, author_id=boss.id, text="Только красным", team_id=red)
    with pytest.raises(Forbidden):
        broadcasts.do_acknowledge(db, ivan, sent.id)
    with pytest.raises(NotFound):
        broadcasts.do_acknowledge(db, olga, 999_999)
    with pytest.raises(Invalid):
        broadcasts.do_broadcast(db, author_id=None, text="   ")
    with pytest.raises(Invalid):
        broadcasts.do_broadcast(db, author_id=None, text="x", level="panic")
    with pytest.raises(Invalid):
        broadcasts.do_broadcast(db, author_id=None, text="x", team_id=999_999)
    empty = operators.do_create_team(db, "Пустая")
    with pytest.raises(Invalid):
        broadcasts.do_broadcast(db, author_id=None, text="x", team_id=empty.id)


def test_an_incident_broadcasts_by_itself_and_closing_takes_the_banner_down(db: Session) -> None:
    _boss, anna, _olga, _ivan, _red = _staff(db)
    sent = broadcasts.do_broadcast(
        db, author_id=None, text="Инцидент: бот путает сроки", level="critical", incident_id=42
    )
    out = broadcasts.broadcast_out(db, [sent])[0]
    assert out.author_name == "" and out.incident_id == 42
    assert sent in broadcasts.pending_for(db, anna)
    db.commit()
    bus = capture_events(db)
    broadcasts.do_close(db, sent.id)
    broadcasts.do_close(db, sent.id)
    db.commit()
    assert sent.closed_at is not None
    assert broadcasts.pending_for(db, anna) == []
    assert [p["op"] for _c, p in bus.published] == ["closed"]


def test_api_send_list_detail_ack_and_errors(client: TestClient) -> None:
    operator = add_user(client)
    colleague = add_user(client)
    boss = add_user(client, "supervisor")
    csrf = login(client, operator)
    h = {"X-CSRF-Token": csrf}
    assert_json_error(
        client.post("/api/v1/safety/broadcasts", json={"text": "x"}, headers=h), 403, "role"
    )
    assert client.get("/api/v1/safety/broadcasts/pending").json() == []
    csrf = login(client, boss)
    h = {"X-CSRF-Token": csrf}
    assert_json_error(client.post("/api/v1/safety/broadcasts", json={"text": ""}, headers=h), 422)
    assert_json_error(
        client.post("/api/v1/safety/broadcasts", json={"text": "x", "level": "panic"}, headers=h),
        422,
    )
    assert_json_error(
        client.post("/api/v1/safety/broadcasts", json={"text": "x", "team_id": 999}, headers=h),
        422,
    )
    assert_json_error(client.post("/api/v1/safety/broadcasts", json={"text": "x"}), 403, "csrf")
    sent = client.post(
        "/api/v1/safety/broadcasts",
        json={"text": "Не называйте сроки доставки", "level": "info"},
        headers=h,
    )
    assert sent.status_code == 201, sent.text
    bid = sent.json()["id"]
    assert sent.json()["recipients"] >= 2 and sent.json()["acknowledged"] == 0
    assert client.get("/api/v1/safety/broadcasts").json()[0]["id"] == bid
    assert_json_error(client.get("/api/v1/safety/broadcasts/999999"), 404)
    # the author is not a recipient
    assert_json_error(client.post(f"/api/v1/safety/broadcasts/{bid}/ack", headers=h), 403)

    csrf = login(client, operator)
    h = {"X-CSRF-Token": csrf}
    assert [b["id"] for b in client.get("/api/v1/safety/broadcasts/pending").json()] == [bid]
    assert_json_error(client.get(f"/api/v1/safety/broadcasts/{bid}"), 403, "role")
    ack = client.post(f"/api/v1/safety/broadcasts/{bid}/ack", headers=h)
    assert ack.status_code == 200 and ack.json()["acknowledged_at"]
    again = client.post(f"/api/v1/safety/broadcasts/{bid}/ack", headers=h)
    assert again.json()["acknowledged_at"] == ack.json()["acknowledged_at"]
    assert client.get("/api/v1/safety/broadcasts/pending").json() == []

    login(client, boss)
    detail = client.get(f"/api/v1/safety/broadcasts/{bid}").json()
    assert [a["name"] for a in detail["acknowledged"]] == [operator.title()]
    assert colleague.title() in [a["name"] for a in detail["not_acknowledged"]]
    assert detail["broadcast"]["acknowledged"] == 1


def test_the_banner_reaches_an_open_console_at_once(client: TestClient) -> None:
    operator = add_user(client)
    boss = add_user(client, "supervisor")
    login(client, operator)
    with client.websocket_connect("/ws/console") as ws:
        assert ws.receive_json()["type"] == "ready"
        factory = client.app.state.sessionmaker
        with factory() as db:
            author = operators.find_user(db, boss)
            assert author is not None
            broadcasts.do_broadcast(db, author_id=author.id, text="Сбой в оплате: не обещайте")
            db.commit()
        event = until(ws, "broadcast")
        assert event["op"] == "created"
        assert event["broadcast"]["text"] == "Сбой в оплате: не обещайте"
        assert event["broadcast"]["level"] == "warning"


def test_the_supervisor_page_sends_and_shows_who_has_not(client: TestClient) -> None:
    operator = add_user(client)
    boss = add_user(client, "supervisor")
    csrf = login(client, boss)
    page = client.get("/safety/broadcasts")
    assert page.status_code == 200 and "broadcast-form" in page.text
    sent = client.post(
        "/safety/broadcasts",
        data={"csrf_token": csrf, "text": "Проверка связи", "level": "critical", "team_id": ""},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    page = client.get("/safety/broadcasts").text
    assert "Проверка связи" in page and operator.title() in page
    bad = client.post("/safety/broadcasts", data={"csrf_token": csrf, "text": "  "})
    assert bad.status_code == 422 and "Проверка связи" in bad.text
    login(client, operator)
    assert client.get("/safety/broadcasts").status_code == 403
